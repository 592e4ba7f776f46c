/* Keeps dashx-* request events made before <dashx-session> is defined; the element replays them in order. */
(function(w){var q=w.dashxEarly=w.dashxEarly||[];['dashx-identify','dashx-track','dashx-reset'].forEach(function(t){w.addEventListener(t,function(e){w.customElements&&w.customElements.get('dashx-session')||q.push([t,e.detail,Date.now(),e.composedPath()])},!0)})})(window);
