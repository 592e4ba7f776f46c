// Puppeteer's install script would download a Chrome; the tests drive Debian's firefox-esr
// (and Playwright drives Debian's chromium), so never download, even without
// PUPPETEER_SKIP_DOWNLOAD set.
module.exports = { skipDownload: true }
