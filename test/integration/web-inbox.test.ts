// The desk's inbox on both dialects: a mail the intake did not register is listed for its county's desk and
// registered with 登记为投诉 through the intake's own promote (audited with the desk's login); another county's desk
// and a supervisor may not. Also: a case's files — images inline, everything else only as a download — and a
// cross-site login refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ClassificationSummary } from '../../src/domain.ts';
import { Intake } from '../../src/ingest/intake.ts';
import { insertAttachment } from '../../src/store/attachments.ts';
import { eventsOf, findByTracking } from '../../src/store/cases.ts';
import { DIALECTS } from '../support/stores.ts';
import { PASSWORD, webFixture, type WebFixture } from './web-fixture.ts';

const NOT_A_COMPLAINT: ClassificationSummary = { unit: null, units: [], problem: null, urgent: false, triage: false, score: 0, matched: [] };

describe.each(DIALECTS)('the web inbox on %s', (dialect) => {
  let f: WebFixture;
  let intake: Intake;
  beforeAll(async () => {
    f = await webFixture(dialect, 'web-inbox', (deps) => {
      intake = new Intake({ ...deps, classify: () => NOT_A_COMPLAINT });
      return { promoteMail: (rawMailId: number, by: Actor) => intake.promote(rawMailId, by) };
    });
  });
  afterAll(async () => {
    await intake?.close();
    await f?.close();
  });

  let client = 0;
  async function login(user: string): Promise<string> {
    const r = await f.app.inject({ method: 'POST', url: '/login', payload: { login: user, password: PASSWORD }, remoteAddress: `10.5.0.${++client}` });
    expect(r.statusCode, r.body).toBe(303);
    return `wuye_sid=${r.cookies.find((x) => x.name === 'wuye_sid')!.value}`;
  }
  const get = (cookie: string, url: string) => f.app.inject({ method: 'GET', url, headers: { cookie } });
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('lists the cases whose unit nobody receives in the bot, counted per county and unit, until an officer is linked', async () => {
    const unownedOf = (html: string) => {
      const section = html.slice(html.indexOf('<h2>无人接收'), html.indexOf('</section>', html.indexOf('<h2>无人接收')));
      return { missing: /<p class="late">无人接收：([^<]*)<\/p>/.exec(section)?.[1] ?? '', trackings: [...section.matchAll(/href="\/cases\/([A-Z]+-\d{4}-\d{6})"/g)].map((m) => m[1]) };
    };
    const lift = f.cases.lift.tracking;
    const desk = unownedOf((await get(await login('desk'), '/inbox')).body);
    expect(desk).toEqual({ missing: '盐湖区·市场监管（1件）', trackings: [lift] });
    // The unit's own officer sees its case; another county's desk does not.
    expect(unownedOf((await get(await login('market'), '/inbox')).body).trackings).toEqual([lift]);
    expect(unownedOf((await get(await login('yongji'), '/inbox')).body)).toEqual({ missing: '', trackings: [] });
    // An officer of the unit in the county is linked in the bot: nothing is unowned any more.
    const now = f.clock.now().toISOString();
    const officer = await f.deps.db
      .insertInto('officer')
      .values({ chat_id: 880001, name: '李明', unit: 'market-regulation', county: 'yanhu', role: 'officer', active: 1, reachable: 1, created_at: now, linked_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      expect(unownedOf((await get(await login('desk'), '/inbox')).body)).toEqual({ missing: '', trackings: [] });
    } finally {
      await f.deps.db.deleteFrom('officer').where('id', '=', officer.id).execute();
    }
  });

  it('lists an unregistered mail for its county’s desk and registers it on 登记为投诉, audited with the login', async () => {
    const subject = Buffer.from('楼里有人发烧').toString('base64');
    const r = await intake.ingest(
      Buffer.from(`From: qian@example.com\r\nTo: yhqzjjwy@163.com\r\nSubject: =?UTF-8?B?${subject}?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n我们楼好几户人家都发烧了。\r\n`),
      { source: 'smtp', mailbox: 'yhqzjjwy@163.com' },
    );
    expect(r.outcome).toBe('ignored');
    const id = r.rawMailId!;
    const desk = await login('desk');
    const inbox = await get(desk, '/inbox');
    expect(inbox.body).toContain(`action="/inbox/mail/${id}/promote"`);
    expect(inbox.body).toContain('楼里有人发烧');
    // Yongji's desk does not see it and may not register it; a supervisor may not post at all.
    const yongji = await login('yongji');
    const other = await get(yongji, '/inbox');
    expect(other.body).not.toContain(`/inbox/mail/${id}/promote`);
    expect((await f.app.inject({ method: 'POST', url: `/inbox/mail/${id}/promote`, headers: { cookie: yongji }, payload: { _csrf: csrfOf(other.body) } })).statusCode).toBe(403);
    const jiwei = await login('jiwei');
    const ro = await get(jiwei, '/inbox');
    expect((await f.app.inject({ method: 'POST', url: `/inbox/mail/${id}/promote`, headers: { cookie: jiwei }, payload: { _csrf: csrfOf(ro.body) } })).statusCode).toBe(403);

    const promoted = await f.app.inject({ method: 'POST', url: `/inbox/mail/${id}/promote`, headers: { cookie: desk }, payload: { _csrf: csrfOf(inbox.body) } });
    expect(promoted.statusCode).toBe(303);
    const tracking = /^\/cases\/(YH-\d{4}-\d{6})$/.exec(String(promoted.headers.location))?.[1];
    expect(tracking).toBeDefined();
    const c = await findByTracking(f.deps.db, tracking!);
    expect(c!.subject).toBe('楼里有人发烧');
    const events = await eventsOf(f.deps.db, c!.id);
    expect(events.find((e) => e.type === 'promoted')!.actor).toMatchObject({ login: 'desk' });
    // Registered once: a second press is told so, and nothing new is made.
    const again = await f.app.inject({ method: 'POST', url: `/inbox/mail/${id}/promote`, headers: { cookie: desk }, payload: { _csrf: csrfOf(inbox.body) } });
    expect(again.statusCode).toBe(303);
    expect(String(again.headers.location)).toMatch(/^\/inbox\?msg=/);
  });

  it('shows an image inline and serves any other file only as a download, to those who may read the case', async () => {
    const at = f.clock.now().toISOString();
    const file = (filename: string, type: string, content: string) => ({
      complaint_id: f.cases.lift.id, raw_mail_id: null, event_id: null, filename, content_type: type, size: content.length,
      sha256: filename, content: Buffer.from(content), telegram_file_id: null, created_at: at,
    });
    await insertAttachment(f.deps.db, file('photo.png', 'image/png', '\x89PNG fake'));
    await insertAttachment(f.deps.db, file('evil.svg', 'image/svg+xml', '<svg onload="alert(1)"/>'));
    const desk = await login('desk');
    const page = await get(desk, `/cases/${f.cases.lift.tracking}`);
    const links = [...page.body.matchAll(new RegExp(`href="(/cases/${f.cases.lift.tracking}/files/\\d+)">([^<]+)<`, 'g'))].map((m) => ({ href: m[1]!, name: m[2]! }));
    expect(links.map((l) => l.name)).toEqual(['photo.png', 'evil.svg']);
    expect(page.body).toContain(`<img src="${links[0]!.href}"`);
    expect(page.body).not.toContain(`<img src="${links[1]!.href}"`);
    const png = await get(desk, links[0]!.href);
    expect(png.headers['content-type']).toBe('image/png');
    expect(String(png.headers['content-disposition'])).toMatch(/^inline/);
    const svg = await get(desk, links[1]!.href);
    expect(svg.headers['content-type']).toBe('application/octet-stream');
    expect(String(svg.headers['content-disposition'])).toMatch(/^attachment/);
    // Another county’s desk gets the same 404 as for a file that does not exist.
    const yongji = await login('yongji');
    const notYours = await get(yongji, links[0]!.href);
    expect(notYours.statusCode).toBe(404);
    expect(notYours.body).toBe((await get(yongji, `/cases/${f.cases.yongji.tracking}/files/999999`)).body);
  });

  it('refuses a login posted from another site', async () => {
    const r = await f.app.inject({ method: 'POST', url: '/login', headers: { origin: 'https://evil.example', host: 'desk.example.gov.cn' }, payload: { login: 'desk', password: PASSWORD }, remoteAddress: '10.5.1.1' });
    expect(r.statusCode).toBe(403);
    expect(r.cookies.find((x) => x.name === 'wuye_sid')).toBeUndefined();
    const same = await f.app.inject({ method: 'POST', url: '/login', headers: { origin: 'https://desk.example.gov.cn', host: 'desk.example.gov.cn' }, payload: { login: 'desk', password: PASSWORD }, remoteAddress: '10.5.1.2' });
    expect(same.statusCode).toBe(303);
  });
});
