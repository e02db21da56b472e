// The intake pipeline over the mail fixtures, on both dialects: what is registered, ignored, quarantined and
// threaded; the acknowledgement's content and threading; attachments kept; crash recovery from raw_mail.
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabaseUrl } from '../support/stores.ts';
import { testConfig } from '../support/service.ts';
import { complaintMail, intakeKit, type IntakeKit } from '../support/intake-kit.ts';
import * as mailStore from '../../src/store/mail.ts';
import * as caseStore from '../../src/store/cases.ts';
import { transition } from '../../src/workflow/complaint.ts';
import { loadCalendar } from '../../src/runtime.ts';
import { UNIT_FULL_NAMES } from '../../src/domain.ts';

const FIX = path.resolve('test/fixtures/mail');
const fixture = (name: string) => readFileSync(path.join(FIX, name));
const BOX = 'yhqzjjwy@163.com';

describe.each(DIALECTS)('intake pipeline on %s', (dialect) => {
  let kit: IntakeKit;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabaseUrl(dialect, 'pipeline');
    cleanup = db.cleanup;
    kit = await intakeKit(testConfig({ db: db.url }));
    for (const [i, unit] of (['housing', 'fire', 'police', 'township', 'market-regulation', 'health'] as const).entries()) {
      await kit.addOfficer(unit, 'yanhu', 7000 + i);
    }
  });
  afterAll(async () => {
    await kit?.close();
    await cleanup?.();
  });
  const ingest = (raw: Buffer) => kit.intake.ingest(raw, { source: 'file', mailbox: BOX });

  it.each([
    ['gb2312-mislabelled.eml', 'registered'],
    ['gbk-base64.eml', 'registered'],
    ['gb18030-qp.eml', 'registered'],
    ['utf8-base64.eml', 'registered'],
    ['utf8-qp.eml', 'registered'],
    ['html-only.eml', 'registered'],
    ['photo-attachment.eml', 'registered'],
    ['danger-gas-leak.eml', 'registered'],
    ['legacy-no-charset-gbk.eml', 'registered'],
    ['auto-reply.eml', 'ignored'],
    ['bounce.eml', 'ignored'],
    ['advertising.eml', 'ignored'],
  ])('%s → %s', async (file, outcome) => {
    const r = await ingest(fixture(file));
    expect(r.outcome).toBe(outcome);
    if (outcome === 'registered') expect(r.tracking).toMatch(/^YH-\d{4}-\d{6}$/);
    else expect(r.reason).toBeTruthy();
  });

  it('quarantines a 25 MB mail with the reason and keeps its bytes', async () => {
    const big = Buffer.concat([complaintMail({ to: BOX }), Buffer.alloc(26 * 1024 * 1024, 0x41)]);
    const r = await ingest(big);
    expect(r.outcome).toBe('quarantined');
    expect(r.reason).toMatch(/过大|too large/);
    const row = await mailStore.getRaw(kit.store.db, r.rawMailId!);
    expect(row!.size).toBe(big.length);
    // The desk sees what it must handle by hand: subject and sender from the header block, the county it was sent to.
    const seen = await mailStore.unregisteredOne(kit.store.db, r.rawMailId!);
    expect(seen).toMatchObject({ county: 'yanhu', subject: '小区电梯坏了一个月没人修', sender: 'wang@example.com', outcome: 'quarantined' });
  });

  it('an unreadable mail with raw GBK headers and no known mailbox: its county from its recipients, its subject decoded', async () => {
    const other = kit.cfg.mailboxes.find((m) => m.county !== 'yanhu' && m.county !== kit.cfg.mailboxes[0]!.county)!;
    const head = Buffer.concat([
      Buffer.from(`From: =?gb2312?B?${iconv.encode('李先生', 'gbk').toString('base64')}?= <Li@Example.com>\r\nTo: ${other.address}\r\nSubject: `),
      iconv.encode('楼顶漏水物业不管', 'gbk'),
      Buffer.from('\r\nContent-Type: text/plain; charset=gbk\r\n\r\n'),
    ]);
    const r = await kit.intake.ingest(Buffer.concat([head, Buffer.alloc(26 * 1024 * 1024, 0x41)]), { source: 'file', mailbox: '' });
    expect(r.outcome).toBe('quarantined');
    const seen = await mailStore.unregisteredOne(kit.store.db, r.rawMailId!);
    expect(seen).toMatchObject({ county: other.county, subject: '楼顶漏水物业不管', sender: 'li@example.com' });
  });

  it('writes a Chinese acknowledgement with the tracking number, threaded to the resident mail', async () => {
    const raw = complaintMail({ to: BOX, from: 'zhao@example.com', messageId: '<orig-1@example.com>' });
    const r = await ingest(raw);
    expect(r.outcome).toBe('registered');
    const ack = await kit.store.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', `ack:${r.complaintId}`).executeTakeFirstOrThrow();
    const p = JSON.parse(ack.payload) as { to: string; from: string; subject: string; text: string; inReplyTo: string; messageId: string };
    expect(p.to).toBe('zhao@example.com');
    // From the mailbox the resident wrote to, signed by that county's housing office; units named in full;
    // a greeting; Chinese quotation marks.
    expect(p.from).toBe('"盐湖区住房和城乡建设局" <yhqzjjwy@163.com>');
    expect(p.text).toMatch(/^(.+，)?您好：/);
    expect(p.text).toContain('盐湖区住房和城乡建设局（物业投诉举报受理台）');
    expect(p.text).toContain('“不满意”');
    expect(p.text).not.toMatch(/ 住建 |转交 盐湖区住建/);
    const c = (await caseStore.findById(kit.store.db, r.complaintId!))!;
    if (c.unit) expect(p.text).toContain(`已转交盐湖区${UNIT_FULL_NAMES[c.unit]}办理`);
    expect(p.subject).toContain(r.tracking!);
    expect(p.text).toContain(`受理编号：${r.tracking}`);
    expect(p.inReplyTo).toBe('<orig-1@example.com>');
    expect(p.messageId).toBe(`<ack.${r.tracking}@wuye-desk>`);
    // The housing officer of 盐湖 got the task.
    const notice = await kit.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'telegram').where('complaint_id', '=', r.complaintId).executeTakeFirstOrThrow();
    expect(JSON.parse(notice.payload).params.text).toContain(r.tracking!);
  });

  it('sends danger at once to the unit, the township and the leaders', async () => {
    const r = await ingest(complaintMail({ to: BOX, from: 'gas@example.com', subject: '楼道里煤气泄漏，味道很大', body: '阳光花园小区5号楼楼道里煤气泄漏，味道特别大，物业电话打不通，随时可能爆炸！' }));
    const c = (await caseStore.findById(kit.store.db, r.complaintId!))!;
    expect(c.urgent).toBe(true);
    expect(c.status).toBe('assigned');
    const rows = await kit.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'telegram').where('complaint_id', '=', c.id).execute();
    const chats = rows.map((x) => x.recipient).sort();
    expect(chats).toContain('7003'); // township of 盐湖
    expect(rows.every((x) => x.not_before <= x.created_at)).toBe(true); // never held for quiet hours
    // Only the owning unit gets the buttons that act; the township is told with a view-only card.
    const buttons = (chat: string) =>
      (JSON.parse(rows.find((x) => x.recipient === chat)!.payload).params.reply_markup.inline_keyboard as { callback_data: string }[][]).flat().map((b) => b.callback_data);
    const unitChat = String(7000 + ['housing', 'fire', 'police', 'township', 'market-regulation', 'health'].indexOf(c.unit!));
    expect(buttons(unitChat).some((d) => d.startsWith('acc') || d.includes('accept'))).toBe(true);
    expect(buttons('7003').length).toBeGreaterThan(0);
    expect(buttons('7003').some((d) => d.startsWith('acc') || d.includes('accept'))).toBe(false);
  });

  it('threads a reply by In-Reply-To and by the tracking number, and reopens on dissatisfaction', async () => {
    const first = await ingest(complaintMail({ to: BOX, from: 'qian@example.com', subject: '小区垃圾一周没人清运', body: '锦绣小区垃圾一周没人清运，物业不管，臭气熏天。' }));
    const tracking = first.tracking!;
    const byHeader = Buffer.from(
      complaintMail({ to: BOX, from: 'qian@example.com', subject: `Re: 【受理回执】${tracking}`, body: '补充一下：今天还是没人来。' })
        .toString()
        .replace('MIME-Version', `In-Reply-To: <ack.${tracking}@wuye-desk>\r\nMIME-Version`),
    );
    const r1 = await ingest(byHeader);
    expect(r1).toMatchObject({ outcome: 'reply', tracking });
    // The unit's 💬 notice carries the resident's new words, not the old complaint again.
    const notices = await kit.store.db.selectFrom('outbox').select('payload').where('complaint_id', '=', first.complaintId!).where('kind', '=', 'telegram').execute();
    const replyNotice = notices.map((n) => (JSON.parse(n.payload) as { params: { text: string } }).params.text).find((t) => t.startsWith('💬'));
    expect(replyNotice).toContain('【投诉人新来信】');
    expect(replyNotice).toContain('今天还是没人来');
    expect(replyNotice).not.toContain('臭气熏天');
    // Close the case, then an unhappy reply with only the tracking number in the subject reopens it.
    const cal = loadCalendar(kit.cfg);
    let c = (await caseStore.findByTracking(kit.store.db, tracking))!;
    const officer = { kind: 'officer' as const, role: 'officer' as const, unit: c.unit!, county: c.county, officerId: 1 };
    for (const cmd of [{ type: 'accept' }, { type: 'resolve', finding: 'substantiated', result: '已清运' }] as const) {
      const t = transition(c, cmd as never, officer, new Date(), cal);
      if (!t.ok) throw new Error(t.error.message);
      await caseStore.saveCase(kit.store.db, t.case, c.version, new Date().toISOString());
      c = (await caseStore.findById(kit.store.db, c.id))!;
    }
    const r2 = await ingest(complaintMail({ to: BOX, from: 'qian@example.com', subject: `回复：${tracking} 办理结果`, body: '不满意，垃圾还是没有清运，问题没解决。' }));
    expect(r2).toMatchObject({ outcome: 'reply', tracking });
    expect((await caseStore.findByTracking(kit.store.db, tracking))!.status).toBe('reopened');
    const events = await caseStore.eventsOf(kit.store.db, c.id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['reply', 'reopened']));
  });

  it('makes one case of the same mail arriving twice under other bytes (Cc to two mailboxes, a relay’s new Received line)', async () => {
    const mid = '<same-mail-twice@example.com>';
    const original = complaintMail({ to: BOX, from: 'feng@example.com', subject: '翠苑小区物业擅自占用绿地停车', body: '翠苑小区物业把绿地改成停车位收费。', messageId: mid });
    const first = await ingest(original);
    expect(first.outcome).toBe('registered');
    const relayed = Buffer.concat([Buffer.from('Received: from relay.example.com by mx.163.com; Wed, 2 Dec 2026 10:00:00 +0800\r\n'), original]);
    const second = await kit.intake.ingest(relayed, { source: 'smtp', mailbox: 'yjfcwuyeke123@163.com' });
    expect(second).toMatchObject({ outcome: 'duplicate', tracking: first.tracking, complaintId: first.complaintId });
    expect(second.rawMailId).not.toBe(first.rawMailId);
    expect(await kit.store.db.selectFrom('complaint').select('id').where('subject', '=', '翠苑小区物业擅自占用绿地停车').execute()).toHaveLength(1);
    const trail = await caseStore.eventsOf(kit.store.db, first.complaintId!);
    expect(trail.find((e) => e.type === 'duplicate-mail')?.data).toMatchObject({ rawMailId: second.rawMailId, firstRawMailId: first.rawMailId });
    // A Message-ID alone does not make a duplicate: another sender reusing it writes a mail of their own.
    const other = await ingest(complaintMail({ to: BOX, from: 'someone-else@example.com', subject: '翠苑小区物业擅自占用绿地停车', body: '同样的问题。', messageId: mid }));
    expect(other.outcome).toBe('registered');
  });

  it('never lets another sender speak as the complainant: a mail quoting a case becomes a new case linked to it', async () => {
    const first = await ingest(complaintMail({ to: BOX, from: 'sun@example.com', subject: '小区电梯停运', body: '和平小区2号楼电梯停运一周，物业不修。' }));
    const tracking = first.tracking!;
    const before = (await caseStore.findByTracking(kit.store.db, tracking))!;
    // Tracking numbers are sequential: a stranger guesses one, says 不满意, and replies to the acknowledgement too.
    const bySubject = await ingest(complaintMail({ to: BOX, from: 'mallory@example.com', subject: `回复：${tracking}`, body: '不满意，问题没解决，请重新办理。' }));
    const byHeader = await ingest(
      Buffer.from(
        complaintMail({ to: BOX, from: 'mallory@example.com', subject: `Re: 【受理回执】${tracking}`, body: '补充：这个案子请撤销。' })
          .toString()
          .replace('MIME-Version', `In-Reply-To: <ack.${tracking}@wuye-desk>\r\nMIME-Version`),
      ),
    );
    for (const r of [bySubject, byHeader]) {
      expect(r.outcome).toBe('registered');
      expect(r.tracking).not.toBe(tracking);
    }
    const after = (await caseStore.findByTracking(kit.store.db, tracking))!;
    expect(after.status).toBe(before.status);
    expect(after.version).toBe(before.version);
    const oldEvents = await caseStore.eventsOf(kit.store.db, before.id);
    expect(oldEvents.filter((e) => e.actor.kind === 'complainant')).toEqual([]);
    expect(oldEvents.filter((e) => e.type === 'related-mail').map((e) => e.data?.tracking)).toEqual([bySubject.tracking, byHeader.tracking]);
    const newEvents = await caseStore.eventsOf(kit.store.db, bySubject.complaintId!);
    expect(newEvents.find((e) => e.type === 'related')?.data).toMatchObject({ tracking });
    // The unit of the quoted case is told that it is someone else's mail, and which case it became.
    const told = await kit.store.db.selectFrom('outbox').select(['payload']).where('complaint_id', '=', before.id).where('idempotency_key', 'like', 'related:%').execute();
    expect(told.length).toBeGreaterThanOrEqual(2);
    const text = (JSON.parse(told[0]!.payload) as { params: { text: string } }).params.text;
    expect(text).toContain('来信人不是本案投诉人');
    expect(text).toContain(bySubject.tracking!);
    // The complainant's own reply still counts as theirs.
    const own = await ingest(complaintMail({ to: BOX, from: 'SUN@example.com', subject: `回复：${tracking}`, body: '补充：今天电梯还是停的。' }));
    expect(own).toMatchObject({ outcome: 'reply', tracking });
  });

  it('answers a complainant who asks where the case stands, once a day, with status, unit, deadline and last progress', async () => {
    const first = await ingest(complaintMail({ to: BOX, from: 'wu@example.com', subject: '小区路灯坏了', body: '阳光小区路灯坏了一个月，物业不修，晚上很危险。' }));
    const tracking = first.tracking!;
    const cal = loadCalendar(kit.cfg);
    let c = (await caseStore.findByTracking(kit.store.db, tracking))!;
    const officer = { kind: 'officer' as const, role: 'officer' as const, unit: c.unit ?? 'housing', county: c.county, officerId: 1 };
    for (const cmd of [{ type: 'accept' }, { type: 'progress', text: '已联系物业，灯具本周五更换' }] as const) {
      const t = transition(c, cmd as never, officer, new Date(), cal);
      if (!t.ok) throw new Error(t.error.message);
      await caseStore.saveCase(kit.store.db, t.case, c.version, new Date().toISOString());
      await caseStore.appendEvents(kit.store.db, c.id, t.events);
      c = (await caseStore.findById(kit.store.db, c.id))!;
    }
    const ask = (body: string) => ingest(complaintMail({ to: BOX, from: 'wu@example.com', subject: `回复：${tracking}`, body }));
    expect((await ask('请问现在进度如何？怎么还没修好？')).outcome).toBe('reply');
    expect((await ask('再问一下，到哪一步了？')).outcome).toBe('reply');
    const answers = await kit.store.db.selectFrom('outbox').select(['payload', 'recipient']).where('complaint_id', '=', c.id).where('idempotency_key', 'like', 'status:%').execute();
    expect(answers).toHaveLength(1); // one a day
    const letter = JSON.parse(answers[0]!.payload) as { subject: string; text: string };
    expect(answers[0]!.recipient).toBe('wu@example.com');
    expect(letter.subject).toBe(`【办理情况】${tracking}`);
    expect(letter.text).toContain('状态：办理中');
    expect(letter.text).toContain('已联系物业，灯具本周五更换');
    expect(letter.text).toMatch(/办结期限：\d+月\d+日（周[一二三四五六日]）24:00/);
    // A reply that asks nothing gets no status letter.
    const other = await ingest(complaintMail({ to: BOX, from: 'qian2@example.com', subject: '楼道堆物', body: '锦华小区楼道堆满杂物，物业不清理。' }));
    await ingest(complaintMail({ to: BOX, from: 'qian2@example.com', subject: `回复：${other.tracking}`, body: '补充：今天又多了两个柜子。' }));
    expect(await kit.store.db.selectFrom('outbox').select('id').where('complaint_id', '=', other.complaintId!).where('idempotency_key', 'like', 'status:%').execute()).toHaveLength(0);
  });

  it('ignores a reply with no words of its own and no files, with the reason, instead of failing on it', async () => {
    // Found by the hostile-mail suite: a reply that only quotes our letter, with no subject, used to end in the
    // catch-all error path (an error-level log line and a quarantine without a useful reason).
    const first = await ingest(complaintMail({ to: BOX, from: 'zhou@example.com', subject: '楼道灯坏了', body: '幸福小区5号楼楼道灯坏了两周，物业不修。' }));
    const tracking = first.tracking!;
    const empty = Buffer.from(
      [
        'From: zhou@example.com',
        `To: ${BOX}`,
        'Subject: ',
        `In-Reply-To: <ack.${tracking}@wuye-desk>`,
        'Message-ID: <empty-reply@example.com>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `> 您反映的问题已受理，受理编号：${tracking}。`,
        '',
      ].join('\r\n'),
    );
    const r = await ingest(empty);
    expect(r).toMatchObject({ outcome: 'ignored', reason: `空回复 empty reply to ${tracking}` });
    const events = await caseStore.eventsOf(kit.store.db, first.complaintId!);
    expect(events.map((e) => e.type)).not.toContain('reply');
  });

  it('sends a doubtful mail to the housing office triage queue, not away and not to a unit', async () => {
    // About a compound, but nothing says which unit owns it (a restaurant's noise and fumes: no member unit's duty).
    // (A near tie inside the local chain — township vs housing — is no longer doubtful: it goes to housing.)
    const r = await ingest(
      complaintMail({
        to: BOX,
        from: 'zhou@example.com',
        subject: '小区里的问题',
        body: '小区里楼下饭店晚上很吵，油烟也大，物业说管不了。',
      }),
    );
    expect(r.outcome).toBe('registered');
    const c = (await caseStore.findById(kit.store.db, r.complaintId!))!;
    expect(c.classification?.triage).toBe(true);
    expect(c.status).toBe('triage');
    expect(c.unit).toBeNull();
    expect(c.deadlines.transfer).toBeTruthy();
    const notices = await kit.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'telegram').where('complaint_id', '=', c.id).execute();
    expect(notices.map((n) => n.recipient)).toEqual(['7000']); // the housing office of 盐湖
  });

  it('keeps photo attachments linked to the case', async () => {
    const raw = Buffer.from(fixture('photo-attachment.eml').toString('latin1').replace(/Message-ID:[^\r\n]*/i, 'Message-ID: <photo-2@example.com>'), 'latin1');
    const r = await ingest(raw);
    const atts = await kit.store.db.selectFrom('attachment').selectAll().where('complaint_id', '=', r.complaintId).execute();
    expect(atts.length).toBeGreaterThanOrEqual(1);
    expect(atts[0]!.content_type).toMatch(/^image\//);
    expect(Buffer.from(atts[0]!.content!).subarray(0, 4).toString('hex')).toBe('89504e47');
  });

  it('resumes a mail stored before a crash, and never registers it twice', async () => {
    const raw = complaintMail({ to: BOX, from: 'sun@example.com', subject: '楼顶漏水', body: '幸福家园小区2号楼楼顶漏水，物业不修。' });
    const stored = await mailStore.storeRaw(kit.store.db, { source: 'file', mailbox: BOX, raw, receivedAt: new Date().toISOString() });
    expect(stored.stored).toBe(true);
    // "Crash" here: the outcome is still null. Two processes resuming at once register it once.
    const [a, b] = await Promise.all([kit.intake.resume(), kit.intake.process((stored as { id: number }).id)]);
    expect(a + (b ? 1 : 0)).toBeGreaterThanOrEqual(1);
    const cases = await kit.store.db.selectFrom('complaint').select('id').where('raw_mail_id', '=', (stored as { id: number }).id).execute();
    expect(cases).toHaveLength(1);
    expect((await ingest(raw)).outcome).toBe('duplicate');
  });
});
