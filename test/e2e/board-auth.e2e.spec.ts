import { TOKENS } from '../helpers/configs';
import { BoardBrowser, describeWithBrowser, launchBrowser, PageRecord, texts, waitForLoaded } from '../helpers/browser';
import { BoardFixture, startBoardFixture, startBoth } from '../helpers/board-fixture';

// The functions handed to page.evaluate run in the browser; the Node-side tsconfig has no DOM lib,
// so the browser globals they use are declared here, for this file only.
declare const document: any, localStorage: any;

/**
 * SPEC §5 / §9: with `auth.publicRead: false` the board's shell still loads (it holds no data), the
 * page asks for a token, sends it as a Bearer header and renders; a refused token is asked for again.
 */
jest.setTimeout(60_000);

let fx: BoardFixture;
let board: BoardBrowser;

/** The 401s of the token exchange are expected (and Chromium logs each as a failed resource load); nothing else may show. */
function unexpectedProblems(rec: PageRecord): string[] {
  return rec
    .problems()
    .filter((p) => !/^console\.error: Failed to load resource: the server responded with a status of 401/.test(p))
    .filter((p) => !/^error response: 401 http:\/\/127\.0\.0\.1:\d+\/v1\//.test(p));
}

describeWithBrowser('the board with publicRead: false', () => {
  beforeAll(async () => {
    await startBoth(
      () => startBoardFixture({ publicRead: false, light: true }),
      launchBrowser,
      (f, b) => {
        fx = f!;
        board = b!;
      },
    );
  });

  let rec: PageRecord;
  const authorizations: string[] = [];

  beforeAll(async () => {
    rec = await board.openPage(`${fx.base}/`);
    rec.page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/')) authorizations.push(request.headers()['authorization'] ?? '(none)');
    });
  });
  afterAll(() => rec?.page.close());

  it('asks for a token and shows no data', async () => {
    await rec.page.waitForSelector('#token-form #token-input', { visible: true, timeout: 5_000 });
    expect(await rec.page.$$eval('tr[data-slo]', (rows) => rows.length)).toBe(0);
    expect((await texts(rec.page, '#token-form')).join(' ')).not.toMatch(/refused/i);
    // the form has the focus: a reader types at once
    expect(await rec.page.evaluate(() => document.activeElement?.id)).toBe('token-input');
  });

  it('asks again, saying the token was refused, when a wrong token is entered', async () => {
    await rec.page.type('#token-input', 'not-a-token-0123456789');
    await rec.page.click('#token-form button[type="submit"]');
    await rec.page.waitForFunction(() => /refused/i.test(document.querySelector('#token-form')?.textContent ?? ''), { timeout: 5_000, polling: 50 });
    expect(await rec.page.$$eval('#token-input', (els) => els.length)).toBe(1);
    expect(await rec.page.$$eval('tr[data-slo]', (rows) => rows.length)).toBe(0);
    expect(authorizations).toContain('Bearer not-a-token-0123456789');
  });

  it('renders the board with data once a read token is entered, sending it as a Bearer header', async () => {
    await rec.page.type('#token-input', TOKENS.reader);
    await rec.page.click('#token-form button[type="submit"]');
    await waitForLoaded(rec.page);
    await rec.page.waitForSelector('tr[data-slo]');
    expect((await rec.page.$$eval('tr[data-slo]', (rows) => rows.map((r) => r.getAttribute('data-slo')))).sort()).toEqual([
      'catalog-availability',
      'checkout-availability',
      'checkout-latency',
      'payments-api',
      'search-availability',
    ]);
    expect(await rec.page.$$eval('#token-form', (els) => els.length)).toBe(0);
    // every zone known: the numbers came from the API with the token
    const zones = await texts(rec.page, 'tr[data-slo] .zone');
    expect(zones.length).toBe(5);
    for (const zone of zones) expect(zone.toLowerCase()).not.toBe('unknown');
    expect(authorizations).toContain(`Bearer ${TOKENS.reader}`);
    expect(unexpectedProblems(rec)).toEqual([]);
    expect(rec.foreignRequests(fx.base)).toEqual([]);
  });

  it('keeps the token in this browser: the next page renders without asking', async () => {
    const next = await board.openPage(`${fx.base}/tv`, { width: 1920, height: 1080 });
    try {
      await waitForLoaded(next.page);
      expect(await next.page.$$eval('.tile[data-service]', (els) => els.length)).toBe(4);
      expect(await next.page.$$eval('#token-form', (els) => els.length)).toBe(0);
      expect(next.problems()).toEqual([]);
      expect(await next.page.evaluate(() => localStorage.length)).toBe(1);
    } finally {
      await next.page.close();
    }
  });

  // last: after every page of the describe blocks above is closed
  afterAll(async () => {
    await board?.close();
    await fx?.close();
  });
});
