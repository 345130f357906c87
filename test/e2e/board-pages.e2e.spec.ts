import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { duration } from '../../web/src/format';
import { TOKENS } from '../helpers/configs';
import { BoardBrowser, canvasInk, describeWithBrowser, launchBrowser, PageRecord, rowCells, texts, waitForLoaded } from '../helpers/browser';
import { BoardFixture, CHANGE_TYPES, CHECKOUT_GATE, HOUR, HTML_DESCRIPTION, IDS, startBoardFixture, startBoth } from '../helpers/board-fixture';

// The functions handed to page.evaluate run in the browser; the Node-side tsconfig has no DOM lib,
// so the browser globals they use are declared here, for this file only.
declare const document: any, location: any, getComputedStyle: any, window: any;

/**
 * The board in a real browser (SPEC §9, issue 12): headless Chromium loads each page of the built
 * board (web/dist, `npm run build`) from the service with data (board-fixture.ts), and checks that
 * the page loads cleanly — no console error or warning, no uncaught exception, no CSP violation, no
 * failed request, every request to the service itself — and shows what it must. A screenshot of
 * each page goes to docs/screenshots/ once the page's checks have passed (1280×800; /tv 1920×1080).
 */
jest.setTimeout(60_000);

const SHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
const EXPECTED_ZONES: Record<string, string> = {
  'checkout-availability': 'normal',
  'checkout-latency': 'normal',
  'search-availability': 'freeze',
  'catalog-availability': 'caution',
  'payments-api': 'normal',
};

let fx: BoardFixture;
let board: BoardBrowser;
const api = async (url: string): Promise<any> => {
  const answer = await fx.t.request({ url, token: TOKENS.reader });
  if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** Opens a board page on fresh data and waits until it has read it and the network is quiet. */
async function load(path: string, viewport = { width: 1280, height: 800 }): Promise<PageRecord> {
  await fx.sync();
  const rec = await board.openPage(fx.base + path, viewport);
  await waitForLoaded(rec.page);
  await rec.page.waitForNetworkIdle({ idleTime: 150, timeout: 5_000 });
  return rec;
}

/** Clean: no console error/warning, page error, CSP violation, dialog, failed or refused request; nothing requested elsewhere. */
function expectClean(rec: PageRecord): void {
  expect(rec.problems()).toEqual([]);
  expect(rec.foreignRequests(fx.base)).toEqual([]);
  expect(rec.requests.length).toBeGreaterThan(2);
}

/** The markup of `description` never became elements: no `<img src=x>`, no `<b>bold</b>`, no alert, no request for /x. */
async function expectNoInjectedMarkup(rec: PageRecord): Promise<void> {
  const injected = await rec.page.evaluate(() => ({
    imgs: [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length,
    bolds: [...document.querySelectorAll('b')].filter((b) => b.textContent === 'bold').length,
    onerror: document.querySelectorAll('[onerror]').length,
  }));
  expect(injected).toEqual({ imgs: 0, bolds: 0, onerror: 0 });
  expect(rec.dialogs).toEqual([]);
  expect(rec.requests.filter((u) => new URL(u).pathname === '/x')).toEqual([]);
}

/** Replaces an input's value as a user would (select all, type), and lets the page react. */
async function setField(page: Page, selector: string, value: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  if (value) await page.type(selector, value);
}

/** Waits until `count` SLO rows show; returns their ids, sorted. */
async function shownSlos(page: Page, count: number): Promise<string[]> {
  try {
    await page.waitForFunction((n: number) => document.querySelectorAll('tr[data-slo]').length === n, { timeout: 3_000, polling: 50 }, count);
  } catch {
    /* the assertion below says what shows */
  }
  return (await page.$$eval('tr[data-slo]', (trs) => trs.map((tr) => tr.getAttribute('data-slo') ?? ''))).sort();
}

/**
 * Per page: the checks that passed, so the screenshot is taken only when all of them did (and an
 * older screenshot of a page whose checks now fail is removed rather than left stale).
 */
function screenshots(name: string) {
  const path = join(SHOTS, `${name}.png`) as `${string}.png`;
  const passed = new Set<string>();
  const names: string[] = [];
  return {
    check(title: string, fn: () => Promise<void>): void {
      names.push(title);
      it(title, async () => {
        await fn();
        passed.add(title);
      });
    },
    shoot(page: () => Page | undefined, extra?: { name: string; page: () => Page | undefined; scrollTo: string }): void {
      it(`screenshot docs/screenshots/${name}.png (only when every check of the page passed)`, async () => {
        const failed = names.filter((n) => !passed.has(n));
        if (failed.length > 0) {
          // no stale picture of a page that does not pass any more
          rmSync(path, { force: true });
          if (extra) rmSync(join(SHOTS, `${extra.name}.png`), { force: true });
          throw new Error(`not taken: failed checks: ${failed.join('; ')}`);
        }
        const p = page();
        if (!p) throw new Error('no page');
        // the page in front (a background tab draws no frame to capture), no focus ring left by the checks
        await p.bringToFront();
        await p.evaluate(() => document.activeElement?.blur?.());
        await p.screenshot({ path, type: 'png' });
        if (extra) {
          // a second picture, scrolled to what lies below the fold (the charts)
          const q = extra.page();
          if (!q) throw new Error(`no page for ${extra.name}.png`);
          await q.bringToFront();
          await q.$eval(extra.scrollTo, (el) => el.scrollIntoView({ block: 'start' }));
          await q.evaluate(() => document.activeElement?.blur?.());
          await q.screenshot({ path: join(SHOTS, `${extra.name}.png`) as `${string}.png`, type: 'png' });
        }
      });
    },
  };
}

describeWithBrowser('the board in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await startBoth(
      () => startBoardFixture(),
      launchBrowser,
      (f, b) => {
        fx = f!;
        board = b!;
      },
    );
  });

  it('has the fixture the pages are checked against (zones, the page firing, the two incidents)', async () => {
    const slos = (await api('/v1/slos')).slos as any[];
    expect(Object.fromEntries(slos.map((s) => [s.slo, s.zone]))).toEqual(EXPECTED_ZONES);
    // the ticket holds too, inhibited by the page (SPEC §4)
    expect((await api('/v1/alerts')).alerts.map((a: any) => `${a.slo} ${a.severity}`).sort()).toEqual(['payments-api page', 'payments-api ticket']);
    expect(fx.incidents.resolved).toMatchObject({ service: 'checkout', state: 'resolved', postmortem: { required: true, url: expect.any(String) } });
    expect(fx.incidents.open).toMatchObject({ service: 'payments', state: 'open' });
  });

  describe('/ (every SLO)', () => {
    const shots = screenshots('home');
    let rec: PageRecord;
    beforeAll(async () => {
      rec = await load('/');
      await rec.page.waitForSelector('tr[data-slo]');
    });
    afterAll(() => rec?.page.close());

    shots.check('loads with no console error, page error or CSP violation, and only same-origin requests', async () => {
      expectClean(rec);
      expect(rec.requests.map((u) => new URL(u).pathname)).toEqual(expect.arrayContaining(['/', '/assets/board.js', '/assets/board.css', '/v1/slos']));
    });

    shots.check('shows one row per SLO, grouped by service, with its zone as text', async () => {
      const rows = await rec.page.$$eval('tr[data-slo]', (trs) =>
        trs.map((tr) => ({
          slo: tr.getAttribute('data-slo'),
          service: tr.closest('[data-service]')?.getAttribute('data-service'),
          zone: tr.querySelector('.zone[data-zone]')?.textContent?.trim(),
        })),
      );
      expect(rows.map((r) => r.slo).sort()).toEqual(Object.keys(EXPECTED_ZONES).sort());
      for (const r of rows) expect([r.slo, r.zone]).toEqual([r.slo, EXPECTED_ZONES[r.slo!]]);
      expect(Object.fromEntries(rows.map((r) => [r.slo, r.service]))).toMatchObject({ 'checkout-latency': 'checkout', 'payments-api': 'payments' });
      // every [data-zone] cell says its zone in words
      const cells = await rec.page.$$eval('td [data-zone]', (els) => els.map((el) => [el.getAttribute('data-zone'), el.textContent?.trim()]));
      expect(cells.length).toBe(rows.length);
      for (const [zone, text] of cells) expect(text).toBe(zone);
      // the firing page shows in its row, and that SLO's service comes first (paging before zones)
      expect((await texts(rec.page, 'tr[data-slo="payments-api"]'))[0]).toMatch(/page/);
      expect(rows[0].slo).toBe('payments-api');
      // a small burn-down line per SLO, drawn from /v1/burndown's points
      const lines = await rec.page.$$eval('tr[data-slo] svg.spark path.spark-line', (paths) => paths.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).length - 1));
      expect(lines).toHaveLength(rows.length);
      for (const points of lines) expect(points).toBeGreaterThanOrEqual(2);
    });

    shots.check('filters: typing in the search box shrinks the rows and writes q= into the URL', async () => {
      const page = rec.page;
      await page.type('#filter-q', 'search');
      expect(await shownSlos(page, 1)).toEqual(['search-availability']);
      expect(new URL(page.url()).searchParams.get('q')).toBe('search');
      await setField(page, '#filter-q', '');
      expect(new URL(page.url()).searchParams.has('q')).toBe(false);
      // the zone filter
      await page.select('#filter-zone', 'caution');
      expect(await shownSlos(page, 1)).toEqual([IDS.cautionSlo]);
      expect(new URL(page.url()).searchParams.get('zone')).toBe('caution');
      await page.select('#filter-zone', '');
      await shownSlos(page, Object.keys(EXPECTED_ZONES).length);
      expect(rec.problems()).toEqual([]);
    });

    shots.check('filters by label and searches descriptions as text (SPEC §9: text, zone, service, label)', async () => {
      const page = rec.page;
      try {
        await setField(page, '#filter-label', 'tier=2');
        expect(await shownSlos(page, 2)).toEqual(['catalog-availability', 'search-availability']);
        expect(new URL(page.url()).searchParams.get('label')).toBe('tier=2');
        await setField(page, '#filter-label', '');
        // the markup's words in the description find the SLO that holds them, and stay text
        await setField(page, '#filter-q', 'onerror');
        expect(await shownSlos(page, 1)).toEqual([IDS.htmlSlo]);
        await expectNoInjectedMarkup(rec);
      } finally {
        // back to every SLO for the screenshot
        await setField(page, '#filter-label', '');
        await setField(page, '#filter-q', '');
        await shownSlos(page, Object.keys(EXPECTED_ZONES).length).catch(() => undefined);
      }
      expect(rec.problems()).toEqual([]);
    });

    shots.shoot(() => rec?.page);
  });

  describe('keyboard', () => {
    it('Tab from the top of / reaches a link, and Enter follows it', async () => {
      const rec = await load('/');
      try {
        const page = rec.page;
        let target: { href: string; text: string } | null = null;
        for (let i = 0; i < 10 && !target; i++) {
          await page.keyboard.press('Tab');
          target = await page.evaluate(() => {
            const el = document.activeElement;
            return el?.tagName === 'A' && el.pathname !== location.pathname ? { href: el.href, text: el.textContent ?? '' } : null;
          });
        }
        expect(target).not.toBeNull();
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
        expect(page.url()).toBe(target!.href);
        await waitForLoaded(page);
        expect(rec.problems()).toEqual([]);
      } finally {
        await rec.page.close();
      }
    });
  });

  describe('/slos/{id} (one SLO)', () => {
    const shots = screenshots('slo');
    let rec: PageRecord;
    let ranged: PageRecord | undefined;
    let detail: any;
    beforeAll(async () => {
      detail = await api(`/v1/slos/${IDS.htmlSlo}`);
      rec = await load(`/slos/${IDS.htmlSlo}`);
      await rec.page.waitForSelector('#burn-down canvas', { timeout: 5_000 }).catch(() => undefined);
    });
    afterAll(async () => {
      await ranged?.page.close();
      await rec?.page.close();
    });

    shots.check('loads with no console error, page error or CSP violation, and only same-origin requests', async () => {
      expectClean(rec);
    });

    shots.check('shows the description holding HTML as text in its header', async () => {
      const header = await rec.page.evaluate(() => document.querySelector('main')?.innerText ?? '');
      expect(header).toContain(HTML_DESCRIPTION);
      await expectNoInjectedMarkup(rec);
    });

    shots.check('draws the burn-down chart with data (a canvas in #burn-down with coloured ink in its plot area)', async () => {
      const ink = await canvasInk(rec.page, '#burn-down canvas');
      expect(ink.length).toBeGreaterThan(0);
      expect(Math.max(...ink.map((i) => i.colored))).toBeGreaterThan(50);
    });

    shots.check('lists the burn-down markers: the deploy, the correction, the freeze and the incident', async () => {
      const events = (await texts(rec.page, '#burn-down-events')).join(' ');
      expect(events).toMatch(/deploy/i);
      expect(events).toContain(IDS.deployVersion);
      expect(events).toMatch(/correction/i);
      expect(events).toMatch(/freeze/i);
      expect(events).toMatch(/incident/i);
      expect(events).toContain(fx.incidents.resolved.id);
    });

    shots.check('draws one burn-rate chart per rule and one alerts-table row per rule with its state', async () => {
      const rules = detail.definition.alerting.rules as any[];
      expect(rules.length).toBe(4);
      expect(await rec.page.$$eval('.chart.burn-rate[data-rule]', (els) => els.length)).toBe(rules.length);
      const ink = await canvasInk(rec.page, '.chart.burn-rate[data-rule] canvas');
      expect(ink.length).toBe(rules.length);
      for (const i of ink) expect(i.colored).toBeGreaterThan(20);
      const rows = await texts(rec.page, '#alerts-table tr[data-rule]');
      expect(rows.length).toBe(rules.length);
      rules.forEach((rule, n) => {
        expect(rows[n]).toContain(rule.severity);
        expect(rows[n]).toMatch(/\b(firing|inactive|not firing|ok|resolved|quiet)\b/i);
      });
      // no alert of this SLO fires now (its incident resolved)
      expect(rows.join(' ')).not.toMatch(/(?<!not )\bfiring\b/i);
    });

    shots.check('lists the recent gate decisions of its service', async () => {
      const decisions = (await texts(rec.page, '#decisions')).join(' ');
      expect(decisions).toContain(IDS.deployVersion);
      expect(decisions).toMatch(/allow/);
      expect(decisions).toMatch(/deny/);
    });

    shots.check('?range=24h in the URL changes the range the charts read', async () => {
      const spans = (r: PageRecord) =>
        r.requests
          .map((u) => new URL(u))
          .filter((u) => u.pathname === `/v1/slos/${IDS.htmlSlo}/history`)
          .map((u) => (Date.parse(u.searchParams.get('to') ?? '') - Date.parse(u.searchParams.get('from') ?? '')) / HOUR);
      const whole = spans(rec);
      expect(whole.length).toBeGreaterThan(0);
      ranged = await load(`/slos/${IDS.htmlSlo}?range=24h`);
      expectClean(ranged);
      expect(await ranged.page.$$eval('a.range[aria-current="true"]', (els) => els.map((el) => el.textContent))).toEqual(['24h']);
      const day = spans(ranged);
      expect(day.length).toBeGreaterThan(0);
      for (const span of day) expect(span).toBeCloseTo(24, 0);
      expect(Math.max(...whole)).toBeGreaterThan(24 * 7);
      // the burn-down drawn over the day too, with the day's markers (all four fall in it)
      const ink = await canvasInk(ranged.page, '#burn-down canvas');
      expect(Math.max(...ink.map((i) => i.colored))).toBeGreaterThan(50);
      const events = (await texts(ranged.page, '#burn-down-events')).join(' ');
      for (const word of [/deploy/i, /correction/i, /freeze/i, /incident/i]) expect(events).toMatch(word);
    });

    // the last 24 h, where the deploy, the incident and the freeze stand apart
    shots.shoot(() => rec?.page, { name: 'slo-charts', page: () => ranged?.page, scrollTo: '#burn-down' });
  });

  describe('/slos/{id} of the burning SLO', () => {
    it('shows its page rule firing in the alerts table, and a burn-rate chart per rule', async () => {
      const rec = await load(`/slos/${IDS.burningSlo}`);
      try {
        expectClean(rec);
        await rec.page.waitForSelector('#alerts-table tr[data-rule]', { timeout: 5_000 });
        const rows = await texts(rec.page, '#alerts-table tr[data-rule]');
        expect(rows.length).toBe(2);
        expect(rows[0]).toMatch(/page/);
        expect(rows[0]).toMatch(/(?<!not )firing/i);
        expect(await rec.page.$$eval('.chart.burn-rate[data-rule]', (els) => els.length)).toBe(2);
      } finally {
        await rec.page.close();
      }
    });
  });

  describe('/services/{service} (the gate)', () => {
    const shots = screenshots('service');
    let rec: PageRecord;
    let budget: any;
    beforeAll(async () => {
      budget = await api('/v1/services/checkout/budget');
      rec = await load('/services/checkout');
      await rec.page.waitForSelector('#gate tr[data-change-type]', { timeout: 5_000 }).catch(() => undefined);
    });
    afterAll(() => rec?.page.close());

    shots.check('loads with no console error, page error or CSP violation, and only same-origin requests', async () => {
      expectClean(rec);
    });

    shots.check('shows the gate for each change type: the freeze denies feature, rollback passes', async () => {
      expect(budget.gate).toEqual(CHECKOUT_GATE);
      const rows = await rowCells(rec.page, '#gate tr[data-change-type]');
      // per change type, a cell that says allow or deny in words
      const shown = rows.map((r) => [r.attrs['data-change-type'], r.cells.filter((c) => /^(allow|deny)$/i.test(c)).map((c) => c.toLowerCase())]);
      expect(shown).toEqual(CHANGE_TYPES.map((type) => [type, [CHECKOUT_GATE[type]]]));
      // and the freeze is named where it denies
      for (const r of rows) if (r.attrs['data-change-type'] === 'feature') expect(r.cells.join(' ')).toContain(IDS.freezeReason);
    });

    shots.check('shows its SLOs, the active freeze, the correction, and no override', async () => {
      const slos = (await texts(rec.page, '#service-slos')).join(' ');
      expect(slos).toContain('checkout-availability');
      expect(slos).toContain('checkout-latency');
      expect(slos).toMatch(/\bnormal\b/i);
      expect((await texts(rec.page, '#freezes')).join(' ')).toContain(IDS.freezeReason);
      expect((await texts(rec.page, '#corrections')).join(' ')).toContain(IDS.correctionReason);
      expect((await texts(rec.page, '#overrides')).join(' ')).not.toContain(IDS.overrideReason);
    });

    shots.check('shows the deploy with the budget consumed since', async () => {
      const deploys = (await texts(rec.page, '#deploys')).join(' ');
      expect(deploys).toContain(IDS.deployVersion);
      const consumed = budget.deploys[0].slos.find((s: any) => s.slo === IDS.htmlSlo).consumedSince as number;
      expect(consumed).toBeGreaterThan(0.3);
      const shown = [...deploys.matchAll(/(-?\d+(?:\.\d+)?)\s?%/g)].map((m) => Number(m[1]));
      expect(shown.some((p) => Math.abs(p - consumed * 100) < 0.15)).toBe(true);
    });

    shots.check('shows the incident', async () => {
      expect((await texts(rec.page, '#service-incidents')).join(' ')).toContain(fx.incidents.resolved.id);
    });

    shots.shoot(() => rec?.page);
  });

  describe('/services/{service} with an override', () => {
    it('shows every change type allowed while the override lasts', async () => {
      const rec = await load('/services/payments');
      try {
        expectClean(rec);
        await rec.page.waitForSelector('#gate tr[data-change-type]', { timeout: 5_000 });
        const rows = await rowCells(rec.page, '#gate tr[data-change-type]');
        const shown = rows.map((r) => [r.attrs['data-change-type'], r.cells.filter((c) => /^(allow|deny)$/i.test(c)).map((c) => c.toLowerCase())]);
        expect(shown).toEqual(CHANGE_TYPES.map((type) => [type, ['allow']]));
        expect((await texts(rec.page, '#overrides')).join(' ')).toContain(IDS.overrideReason);
        expect((await texts(rec.page, '#service-incidents')).join(' ')).toContain(fx.incidents.open.id);
      } finally {
        await rec.page.close();
      }
    });
  });

  describe('/incidents', () => {
    const shots = screenshots('incidents');
    let rec: PageRecord;
    beforeAll(async () => {
      rec = await load('/incidents');
      await rec.page.waitForSelector('#incidents tr[data-incident]', { timeout: 5_000 }).catch(() => undefined);
    });
    afterAll(() => rec?.page.close());

    shots.check('loads with no console error, page error or CSP violation, and only same-origin requests', async () => {
      expectClean(rec);
    });

    shots.check('lists the incidents, open first, with time to detect and resolve and the postmortem state', async () => {
      const head = await texts(rec.page, '#incidents thead th');
      const col = (name: string) => {
        const i = head.findIndex((h) => h.toLowerCase() === name);
        if (i < 0) throw new Error(`no "${name}" column in ${JSON.stringify(head)}`);
        return i;
      };
      const [ttd, ttr, pm, service] = [col('time to detect'), col('time to resolve'), col('postmortem'), col('service')];
      const rows = await rowCells(rec.page, '#incidents tr[data-incident]');
      const { open, resolved } = fx.incidents;
      expect(rows.map((r) => [r.attrs['data-incident'], r.attrs['data-state']])).toEqual([
        [open.id, 'open'],
        [resolved.id, 'resolved'],
      ]);
      const [now, done] = rows;
      // time to detect and to resolve in words ("1m 2s", the board's own format), matching the API's seconds
      expect([done.cells[ttd], done.cells[ttr]]).toEqual([duration(resolved.timeToDetect), duration(resolved.timeToResolve)]);
      for (const cell of [done.cells[ttd], done.cells[ttr]]) expect(cell).toMatch(/^\d+[dhms]( \d+[dhms])?$/);
      expect(done.cells[pm]).toBe('written');
      expect(done.cells[service]).toBe('checkout');
      expect(now.cells[ttd]).toBe(duration(open.timeToDetect));
      expect(now.cells[ttr]).toBe('–');
      expect(now.cells[service]).toBe('payments');
      expect(now.cells[pm]).toMatch(/not required|due/);
    });

    shots.shoot(() => rec?.page);
  });

  describe('/incidents/{id}', () => {
    const shots = screenshots('incident');
    let rec: PageRecord;
    beforeAll(async () => {
      rec = await load(`/incidents/${fx.incidents.resolved.id}`);
      await rec.page.waitForSelector('#timeline', { timeout: 5_000 }).catch(() => undefined);
    });
    afterAll(() => rec?.page.close());

    shots.check('loads with no console error, page error or CSP violation, and only same-origin requests', async () => {
      expectClean(rec);
    });

    shots.check('shows the timeline of the incident and its postmortem', async () => {
      const timeline = (await texts(rec.page, '#timeline')).join(' ');
      for (const entry of fx.incidents.resolved.timeline as Array<{ what: string }>) expect(timeline).toContain(entry.what);
      expect(timeline).toMatch(/errors began/);
      const main = await rec.page.evaluate(() => document.querySelector('main')?.innerText ?? '');
      expect(main).toContain('https://wiki.example/postmortems/checkout-config-push');
      expect(main).toContain('validate config pushes in CI');
    });

    shots.shoot(() => rec?.page);
  });

  describe('the recorder behind "loads cleanly"', () => {
    it('does see a console error, an uncaught exception, a CSP violation, a dialog and a failed request', async () => {
      const rec = await load('/incidents');
      try {
        expect(rec.problems()).toEqual([]);
        const page = rec.page;
        await page.evaluate(() => {
          console.error('planted console error');
          setTimeout(() => {
            throw new Error('planted exception');
          });
          // inline code: the board's CSP refuses it
          const script = document.createElement('script');
          script.textContent = 'window.planted = 1';
          document.body.appendChild(script);
          setTimeout(() => window.alert('planted alert'));
          void fetch('/v1/nothing-here').catch(() => undefined);
        });
        for (let waited = 0; waited < 3_000 && (rec.dialogs.length === 0 || rec.pageErrors.length === 0 || rec.errorResponses.length === 0); waited += 50) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const problems = rec.problems().join('\n');
        expect(problems).toMatch(/console\.error: planted console error/);
        expect(problems).toMatch(/page error: (Uncaught )?(Error: )?planted exception/);
        expect(problems).toMatch(/CSP violation: script-src/);
        expect(problems).toMatch(/dialog: alert: planted alert/);
        expect(problems).toMatch(/error response: 404 .*\/v1\/nothing-here/);
        expect(await page.evaluate(() => window.planted)).toBeUndefined();
      } finally {
        await rec.page.close();
      }
    });
  });

  describe('/tv (wall screen, 1920×1080)', () => {
    const shots = screenshots('tv');
    let rec: PageRecord;
    beforeAll(async () => {
      rec = await load('/tv', { width: 1920, height: 1080 });
    });
    afterAll(() => rec?.page.close());

    shots.check('loads with no console error, page error or CSP violation, and only same-origin requests', async () => {
      expectClean(rec);
    });

    shots.check('shows a tile per service with its zone in words, the paging service first', async () => {
      const tiles = await rec.page.$$eval('.tile[data-service]', (els) =>
        els.map((el) => ({ service: el.getAttribute('data-service'), zone: el.getAttribute('data-zone'), text: (el.textContent ?? '').replace(/\s+/g, ' ') })),
      );
      expect(tiles.map((t) => t.service)).toEqual(['payments', 'search', 'catalog', 'checkout']);
      expect(tiles.map((t) => t.zone)).toEqual(['normal', 'freeze', 'caution', 'normal']);
      for (const t of tiles) expect(t.text.toLowerCase()).toContain(t.zone!);
      expect(tiles[0].text).toMatch(/PAGE FIRING/);
      // readable from across a room: the zone word is large
      const size = await rec.page.$eval('.tile .tile-zone', (el) => parseFloat(getComputedStyle(el).fontSize));
      expect(size).toBeGreaterThanOrEqual(32);
    });

    shots.shoot(() => rec?.page);
  });

  // last: after every page of the describe blocks above is closed
  afterAll(async () => {
    await board?.close();
    await fx?.close();
  });
});

