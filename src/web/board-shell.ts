/**
 * The board's HTML shell (SPEC §9): the same for every board URL, with no data and no inline code
 * in it — the bundled script (web/dist/board.js, built from web/src) reads the `read` API and
 * draws the page the path names. `noscript` says what is needed.
 */
export const BOARD_SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>slo-engine board</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/board.css">
<script defer src="/assets/board.js"></script>
</head>
<body>
<noscript>The slo-engine board needs JavaScript; the same numbers are in the JSON API at /v1/slos and in /metrics.</noscript>
</body>
</html>
`;

/**
 * The board's Content-Security-Policy: only this service's own scripts, styles and API; no inline
 * script or style element, no framing, no plugin. (uPlot and the bars size elements through the
 * CSSOM, which a style-src without 'unsafe-inline' allows.)
 */
export const BOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
