import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type HTTPResponse, type Page } from 'puppeteer-core';

// The functions handed to page.evaluate run in the browser; the Node-side tsconfig has no DOM lib,
// so the browser globals they use are declared here, for this file only.
declare const document: any;
type HTMLCanvasElement = any;
type HTMLElement = any;

/**
 * Headless Chromium for the board's browser tests: Debian's `chromium` (or `CHROMIUM_PATH`) driven
 * with puppeteer-core (no browser download). Every page opened records what a user would not see
 * but a test must: console errors and warnings, uncaught exceptions, CSP violations, dialogs
 * (an `alert()` from injected markup), failed requests and every URL requested.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, \`apt-get install chromium\`, or set CHROMIUM_PATH)`;
}

/**
 * `describe` for a browser suite: without Chromium it is skipped with the reason printed, except in
 * CI (`CI` set), where the suite runs and fails with that reason (a CI run never silently skips).
 */
export function describeWithBrowser(name: string, body: () => void): void {
  const missing = chromiumMissing();
  if (missing && !process.env.CI) {
    console.warn(`SKIPPED "${name}": ${missing}`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

const ROOT = join(__dirname, '..', '..');

/**
 * Why the built board (web/dist, what the service serves) cannot be tested as it is: missing, or
 * older than a file of web/src (the page would test yesterday's code); null when it is current.
 */
export function boardBundleProblem(): string | null {
  const built = ['board.js', 'board.css'].map((f) => join(ROOT, 'web', 'dist', f));
  const missing = built.filter((f) => !existsSync(f));
  if (missing.length > 0) return `the board is not built (${missing.join(', ')} missing): run \`npm run build\` (or \`node scripts/build-web.js\`)`;
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs));
  const sources = (readdirSync(join(ROOT, 'web', 'src'), { recursive: true }) as string[]).map((f) => join(ROOT, 'web', 'src', f)).filter((f) => statSync(f).isFile());
  const newer = sources.filter((f) => statSync(f).mtimeMs > builtAt);
  if (newer.length > 0) return `the board bundle in web/dist is older than ${newer.map((f) => f.slice(ROOT.length + 1)).join(', ')}: run \`node scripts/build-web.js\``;
  return null;
}

export interface ConsoleEntry {
  type: string;
  text: string;
  url?: string;
}

export interface PageRecord {
  page: Page;
  /** console messages of type error or warning (CSP violations included, prefixed "CSP violation") */
  console: ConsoleEntry[];
  /** uncaught exceptions in the page */
  pageErrors: string[];
  /** `securitypolicyviolation` events: "directive blocked-uri" */
  cspViolations: string[];
  /** alert/confirm/prompt dialogs opened (dismissed) */
  dialogs: string[];
  /** requests that failed at the network level: "url errorText" */
  failedRequests: string[];
  /** answers with a status ≥ 400: "status url" */
  errorResponses: string[];
  /** every URL requested (navigation, scripts, styles, fetches, images…) */
  requests: string[];
  /** everything above that a page with no problem does not have, one line each */
  problems(): string[];
  /** requests that did not go to `origin` (data: and blob: URLs do not leave the page and are not counted) */
  foreignRequests(origin: string): string[];
  /** forgets what was recorded so far (before a second navigation of the same page) */
  reset(): void;
}

export interface BoardBrowser {
  browser: Browser;
  /** a new page at `viewport` (default 1280×800), recording, navigated to `url` (`beforeNavigation` runs first, e.g. to attach a CDP session) */
  openPage(url: string, viewport?: { width: number; height: number }, beforeNavigation?: (page: Page) => Promise<void>): Promise<PageRecord>;
  close(): Promise<void>;
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-extensions',
  '--disable-default-apps',
  '--mute-audio',
  '--hide-scrollbars',
  '--font-render-hinting=none',
];

/** Marks a CSP violation in the console, where the recorder picks it up (runs before any page script). */
function reportCspViolations(): void {
  document.addEventListener('securitypolicyviolation', (event: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => {
    console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
  });
}

/** Launches headless Chromium with a fresh profile directory (removed at close), once the board's bundle is known current. */
export async function launchBrowser(): Promise<BoardBrowser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`the board's browser tests need Chromium: ${missing}`);
  const stale = boardBundleProblem();
  if (stale) throw new Error(stale);
  const profile = mkdtempSync(join(tmpdir(), 'slo-engine-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...ARGS, `--user-data-dir=${profile}`],
      // the tests set each page's viewport
      defaultViewport: null,
      timeout: 20_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start Chromium at ${CHROMIUM_PATH}: ${(error as Error).message}`);
  }

  const openPage = async (url: string, viewport = { width: 1280, height: 800 }, beforeNavigation?: (page: Page) => Promise<void>): Promise<PageRecord> => {
    const page = await browser.newPage();
    await page.setViewport(viewport);
    const record: PageRecord = {
      page,
      console: [],
      pageErrors: [],
      cspViolations: [],
      dialogs: [],
      failedRequests: [],
      errorResponses: [],
      requests: [],
      problems: () => [
        ...record.console.map((c) => `console.${c.type}: ${c.text}${c.url ? ` (${c.url})` : ''}`),
        ...record.pageErrors.map((e) => `page error: ${e}`),
        ...record.cspViolations.map((v) => `CSP violation: ${v}`),
        ...record.dialogs.map((d) => `dialog: ${d}`),
        ...record.failedRequests.map((f) => `request failed: ${f}`),
        ...record.errorResponses.map((r) => `error response: ${r}`),
      ],
      foreignRequests: (origin: string) => record.requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin),
      reset: () => {
        for (const list of [record.console, record.pageErrors, record.cspViolations, record.dialogs, record.failedRequests, record.errorResponses, record.requests]) list.length = 0;
      },
    };
    await page.evaluateOnNewDocument(reportCspViolations);
    page.on('console', (message) => {
      const type = message.type();
      const text = message.text();
      if (text.startsWith('CSP violation: ')) record.cspViolations.push(text.slice('CSP violation: '.length));
      else if (type === 'error' || type === 'warn') record.console.push({ type, text, url: message.location()?.url });
    });
    page.on('pageerror', (error) => record.pageErrors.push(error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)));
    page.on('dialog', (dialog) => {
      record.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    page.on('request', (request) => record.requests.push(request.url()));
    page.on('requestfailed', (request) => record.failedRequests.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('response', (response: HTTPResponse) => {
      if (response.status() >= 400) record.errorResponses.push(`${response.status()} ${response.url()}`);
    });
    if (beforeNavigation) await beforeNavigation(page);
    await page.goto(url, { waitUntil: 'load', timeout: 15_000 });
    return record;
  };

  return {
    browser,
    openPage,
    close: async () => {
      try {
        await browser.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Waits until the page's status line says the data was read ("updated …"), or throws with what it says. */
export async function waitForLoaded(page: Page, selector = '[role="status"]', timeout = 10_000): Promise<void> {
  try {
    await page.waitForFunction((sel: string) => /^updated /.test(document.querySelector(sel)?.textContent ?? ''), { timeout, polling: 50 }, selector);
  } catch (error) {
    const said = await page.evaluate((sel: string) => document.querySelector(sel)?.textContent ?? '(no status element)', selector).catch(() => '?');
    throw new Error(`the page did not finish loading (status: ${said}): ${(error as Error).message}`);
  }
}

/** The text a reader sees (innerText: table cells apart) of every element matching `selector`, whitespace collapsed. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.map((el) => ((el as HTMLElement).innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** The cells' texts of every row matching `selector`, with the row's attributes. */
export function rowCells(page: Page, selector: string): Promise<Array<{ attrs: Record<string, string>; cells: string[] }>> {
  return page.$$eval(selector, (rows) =>
    rows.map((tr) => ({
      attrs: Object.fromEntries([...tr.attributes].map((a) => [a.name, a.value])),
      cells: [...tr.children].map((td) => ((td as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim()),
    })),
  );
}

/**
 * Per canvas matching `selector`: `ink`, the pixels that are neither transparent nor the background
 * (the first pixel's colour), and `colored`, those of them that are not grey (grid lines, axes and
 * labels are grey or black; a series line, a fill or a marker is coloured) — counted inside the
 * plot area when the canvas is uPlot's (its `.u-over` box), else over the whole canvas.
 */
export function canvasInk(page: Page, selector: string): Promise<Array<{ ink: number; colored: number; width: number; height: number }>> {
  return page.$$eval(selector, (canvases) =>
    (canvases as HTMLCanvasElement[]).map((canvas) => {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) return { ink: 0, colored: 0, width: canvas.width, height: canvas.height };
      let [x, y, w, h] = [0, 0, canvas.width, canvas.height];
      const over = canvas.closest('.uplot')?.querySelector('.u-over') as HTMLElement | null;
      if (over && canvas.clientWidth > 0) {
        const scale = canvas.width / canvas.clientWidth;
        const c = canvas.getBoundingClientRect();
        const o = over.getBoundingClientRect();
        [x, y, w, h] = [Math.round((o.left - c.left) * scale), Math.round((o.top - c.top) * scale), Math.round(o.width * scale), Math.round(o.height * scale)];
        if (w <= 0 || h <= 0) [x, y, w, h] = [0, 0, canvas.width, canvas.height];
      }
      const { data } = ctx.getImageData(x, y, w, h);
      const [r0, g0, b0, a0] = [data[0], data[1], data[2], data[3]];
      let ink = 0;
      let colored = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a === 0) continue;
        if (r === r0 && g === g0 && b === b0 && a === a0) continue;
        ink++;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 40) colored++;
      }
      return { ink, colored, width: canvas.width, height: canvas.height };
    }),
  );
}
