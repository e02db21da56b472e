// The web console in a real browser: Debian's Chromium (provisioned like Dovecot) driven by playwright-core over a
// real HTTP server. Login, search for 电梯, the case page, an action that appears in the audit trail, a supervisor's
// read-only view (no forms; a forged POST gets 403) and the audit of that read, hostile complaint text shown as
// text. Screenshots of the main pages (at 1280 px, and the case page at phone width) go to a temporary folder, or to
// docs/ with WUYE_SCREENSHOTS=1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import { eventsOf, findByTracking } from '../../src/store/cases.ts';
import { PASSWORD, webFixture, type WebFixture } from './web-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Screenshots refresh docs/ only when asked (WUYE_SCREENSHOTS=1): a plain `npm test` leaves the working tree clean.
const DOCS = process.env.WUYE_SCREENSHOTS === '1' ? path.join(PROJECT_ROOT, 'docs') : mkdtempSync(path.join(tmpdir(), 'wuye-shots-'));

/** A fontconfig that adds the Chinese font the charts already use (@embedpdf/fonts-sc), so screenshots show Chinese. */
function fontConfig(dir: string): string {
  const fonts = path.join(PROJECT_ROOT, 'node_modules', '@embedpdf', 'fonts-sc', 'fonts');
  const file = path.join(dir, 'fonts.conf');
  writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${fonts}</dir>\n  <cachedir>${path.join(dir, 'fc-cache')}</cachedir>\n</fontconfig>\n`);
  return file;
}

describe('web console in Chromium', () => {
  let f: WebFixture;
  let base = '';
  let ctx: BrowserContext;
  let dir = '';
  const dialogs: string[] = [];

  beforeAll(async () => {
    f = await webFixture('sqlite', 'web-browser');
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = f.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    dir = mkdtempSync(path.join(tmpdir(), 'wuye-chromium-'));
    // A persistent context gets a fresh --user-data-dir of its own; playwright adds --headless.
    ctx = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      env: { ...process.env, FONTCONFIG_FILE: fontConfig(dir) },
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await f?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function freshPage(): Promise<Page> {
    await ctx.clearCookies();
    const page = await ctx.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return page;
  }

  async function logIn(page: Page, login: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  }

  it('logs the desk in, finds the lift case by 电梯 and shows the complaint’s HTML as text', async () => {
    const page = await freshPage();
    await logIn(page, 'desk');
    expect(new URL(page.url()).pathname).toBe('/inbox');
    await expect(page.textContent('main')).resolves.toContain(f.cases.triage.tracking);
    await page.screenshot({ path: path.join(DOCS, 'web-inbox.png'), fullPage: true });

    await page.goto(`${base}/cases`);
    await page.fill('input[name=q]', '电梯');
    await Promise.all([page.waitForURL(/q=/), page.click('form.filters button[type=submit]')]);
    const rows = await page.locator('table.list tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(f.cases.lift.tracking);
    await page.screenshot({ path: path.join(DOCS, 'web-cases.png'), fullPage: true });

    await Promise.all([page.waitForURL(new RegExp(`/cases/${f.cases.lift.tracking}$`)), page.click(`a[href="/cases/${f.cases.lift.tracking}"]`)]);
    const body = await page.textContent('pre.body');
    expect(body).toContain('<script>alert("x")</script>');
    expect(body).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('main script, main img[src=x]').count()).toBe(0);
    expect(dialogs).toEqual([]);

    await page.goto(`${base}/dashboard`);
    await expect(page.textContent('.figures')).resolves.toContain('累计受理');
    await page.screenshot({ path: path.join(DOCS, 'web-dashboard.png'), fullPage: true });
    await page.goto(`${base}/companies`);
    await Promise.all([page.waitForURL(/\/companies\/\d+$/), page.click('text=恒信物业服务有限公司')]);
    await page.click('summary:has-text("满意度调查结果")');
    await page.screenshot({ path: path.join(DOCS, 'web-company.png'), fullPage: true });
    await page.goto(`${base}/officers`);
    await page.fill('form.filters input[name=name]', '周消防');
    await page.selectOption('form.filters select[name=unit]', 'fire');
    await Promise.all([page.waitForURL(/\/officers\/invite$/), page.click('button[data-action=invite]')]);
    expect(await page.locator('img.qr').count()).toBe(1);
    await page.screenshot({ path: path.join(DOCS, 'web-officers.png'), fullPage: true });
    await page.close();
  });

  it('lets the unit officer accept the case, and the acceptance shows in the trail with the login', async () => {
    const page = await freshPage();
    await logIn(page, 'market');
    await page.goto(`${base}/cases/${f.cases.lift.tracking}`);
    await Promise.all([page.waitForURL(/#trail$/), page.click('button[data-command=accept]')]);
    const trail = await page.locator('#trail tbody tr.ev-accepted').allTextContents();
    expect(trail).toHaveLength(1);
    expect(trail[0]).toContain('李明（market）');
    expect(await page.locator('button[data-command=accept]').count()).toBe(0);
    expect(await page.locator('button[data-command=progress]').count()).toBe(1);
    await page.screenshot({ path: path.join(DOCS, 'web-case.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/cases/${f.cases.lift.tracking}`);
    await page.screenshot({ path: path.join(DOCS, 'web-case-phone.png'), fullPage: false });
    await page.close();
  });

  it('shows a supervisor the case without action forms, refuses a forged POST with 403, and audits the read', async () => {
    const page = await freshPage();
    await logIn(page, 'jiwei');
    await page.goto(`${base}/cases/${f.cases.lift.tracking}`);
    expect(await page.locator('form[action$="/act"]').count()).toBe(0);
    await expect(page.textContent('.actions')).resolves.toContain('只读账号');
    const csrf = await page.getAttribute('input[name=_csrf]', 'value');
    const forged = await page.request.post(`${base}/cases/${f.cases.lift.tracking}/act`, { form: { command: 'progress', text: '伪造', _csrf: csrf ?? '' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const c = await findByTracking(f.deps.db, f.cases.lift.tracking);
    const events = await eventsOf(f.deps.db, c!.id);
    expect(events.filter((e) => e.type === 'progress')).toHaveLength(0);
    expect(events.filter((e) => e.type === 'viewed').map((e) => e.actor.login)).toEqual(['jiwei']);

    await page.goto(`${base}/audit`);
    const rows = await page.locator('table.list tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('jiwei') && r.includes(f.cases.lift.tracking))).toBe(true);
    await page.screenshot({ path: path.join(DOCS, 'web-audit.png'), fullPage: true });
    // The supervisor's own trail of the case shows the read too.
    await page.goto(`${base}/cases/${f.cases.lift.tracking}`);
    expect(await page.locator('#trail tbody tr.ev-viewed').count()).toBeGreaterThanOrEqual(2);
    await page.close();
  });
});
