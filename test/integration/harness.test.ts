// Proves the real-peer harness: Dovecot (delivery, byte-exact fetch, IDLE, stop/start, UIDVALIDITY change),
// PostgreSQL (databases, restart) and the SMTP sink (receive, temporary failures).
import { randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotPeer, type DovecotUser } from '../support/dovecot.ts';
import { isPortOpen } from '../support/ports.ts';
import { SHARED_MAILBOXES, sharedDovecot, sharedPostgres } from '../support/peers.ts';
import { startPostgres } from '../support/postgres.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const uniqueName = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

/** A complaint as a 163.com webmail client sends it: GBK body in 8bit, GBK encoded-word subject, CRLF lines. */
function gbkComplaint(subject: string, body: string): Buffer {
  const head = [
    'From: =?GBK?B?' + iconv.encode('张三', 'gbk').toString('base64') + '?= <zhangsan@example.test>',
    'To: yhqzjjwy@163.com',
    'Subject: =?GBK?B?' + iconv.encode(subject, 'gbk').toString('base64') + '?=',
    'Date: Mon, 2 Mar 2026 09:15:00 +0800',
    'Message-ID: <' + uniqueName('gbk-') + '@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=GBK',
    'Content-Transfer-Encoding: 8bit',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'ascii'), iconv.encode(body.replace(/\n/g, '\r\n') + '\r\n', 'gbk')]);
}

function imapClient(peer: { host: string; port: number }, user: DovecotUser): ImapFlow {
  return new ImapFlow({
    host: peer.host,
    port: peer.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.user, pass: user.password },
    logger: false,
  });
}

async function fetchAllSources(peer: { host: string; port: number }, user: DovecotUser): Promise<Buffer[]> {
  const client = imapClient(peer, user);
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const sources: Buffer[] = [];
      for await (const msg of client.fetch('1:*', { source: true })) if (msg.source) sources.push(msg.source);
      return sources;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

describe('Dovecot (shared)', () => {
  let dovecot: DovecotPeer;
  let user: DovecotUser;

  beforeAll(async () => {
    dovecot = sharedDovecot();
    user = await dovecot.addUser(uniqueName('harness-') + '@wuye.test', 'pw-harness');
  });

  it('has the published mailboxes as users and refuses a wrong password', async () => {
    expect(dovecot.users.map((u) => u.address)).toEqual(expect.arrayContaining(SHARED_MAILBOXES));
    const bad = imapClient(dovecot, { ...user, password: 'wrong' });
    bad.on('error', () => undefined);
    await expect(bad.connect()).rejects.toMatchObject({ authenticationFailed: true });
  });

  it('delivers a GBK mail that comes back byte-exact over IMAP', async () => {
    const raw = gbkComplaint('盐湖区某小区物业乱收费', '我是盐湖区幸福小区业主，物业公司擅自上调物业费。\n请尽快处理。');
    await dovecot.deliver(user.user, raw);
    const sources = await fetchAllSources(dovecot, user);
    expect(sources).toHaveLength(1);
    expect(Buffer.compare(sources[0]!, raw)).toBe(0);
    const parsed = await simpleParser(sources[0]!);
    expect(parsed.subject).toBe('盐湖区某小区物业乱收费');
    expect(parsed.text).toContain('物业公司擅自上调物业费');
  });

  it('delivers into another folder when asked', async () => {
    const other = await dovecot.addUser(uniqueName('folder-') + '@wuye.test');
    await dovecot.deliver(other.user, gbkComplaint('归档', '内容'), { mailbox: 'Archive' });
    const client = imapClient(dovecot, other);
    await client.connect();
    try {
      const archive = await client.status('Archive', { messages: true });
      const inbox = await client.status('INBOX', { messages: true });
      expect(archive && archive.messages).toBe(1);
      expect(inbox && inbox.messages).toBe(0);
    } finally {
      await client.logout();
    }
  });

  it('IDLE is told of a new delivery while idling (EXISTS pushed, nothing polled)', async () => {
    const idler = await dovecot.addUser(uniqueName('idle-') + '@wuye.test');
    const client = imapClient(dovecot, idler);
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const noticed = new Promise<number>((resolve) => client.on('exists', (e: { count: number }) => resolve(e.count)));
      void client.idle();
      const deadline = Date.now() + 5_000;
      while (!client.idling && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(client.idling).toBe(true);

      await dovecot.deliver(idler.user, gbkComplaint('新投诉', '电梯停运三天'));
      // The client issues no command while idling: an EXISTS can only be the server's push. A generous ceiling for
      // a busy machine; the latency itself is the benchmark's.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('IDLE saw nothing')), 60_000)));
      const count = await Promise.race([noticed, timeout]).finally(() => clearTimeout(timer));
      expect(count).toBe(1);
    } finally {
      await client.logout();
    }
  });
});

describe('Dovecot (private): stop/start and UIDVALIDITY', () => {
  let dovecot: DovecotPeer;

  beforeAll(async () => {
    dovecot = await startDovecot({ users: ['yhqzjjwy@163.com'] });
  });
  afterAll(async () => {
    await dovecot?.close();
  });

  it('keeps mail across stop/start on the same port', async () => {
    const user = dovecot.users[0]!;
    const raw = gbkComplaint('停水', '小区停水两天');
    await dovecot.deliver(user.user, raw);

    await dovecot.stop();
    expect(await dovecot.isRunning()).toBe(false);
    expect(await isPortOpen(dovecot.port)).toBe(false);
    await expect(dovecot.deliver(user.user, raw)).rejects.toThrow(/stopped/);

    await dovecot.start();
    expect(await isPortOpen(dovecot.port)).toBe(true);
    const later = gbkComplaint('停电', '停电一天');
    await dovecot.deliver(user.user, later);
    const sources = await fetchAllSources(dovecot, user);
    expect(sources.map((s) => s.toString('latin1'))).toEqual([raw.toString('latin1'), later.toString('latin1')]);
  });

  it('changes UIDVALIDITY on resetMailbox and setUidValidity, keeping the messages', async () => {
    const user = dovecot.users[0]!;
    const before = await dovecot.uidValidity(user.user);
    await dovecot.resetMailbox(user.user);
    const afterReset = await dovecot.uidValidity(user.user);
    expect(afterReset).not.toBe(before);
    expect(await dovecot.isRunning()).toBe(true);

    const client = imapClient(dovecot, user);
    await client.connect();
    try {
      const box = await client.mailboxOpen('INBOX');
      expect(Number(box.uidValidity)).toBe(afterReset);
      expect(box.exists).toBe(2);
    } finally {
      await client.logout();
    }

    await dovecot.setUidValidity(user.user, afterReset + 1000);
    expect(await dovecot.uidValidity(user.user)).toBe(afterReset + 1000);
  });
});

describe('PostgreSQL', () => {
  it('creates a database on the shared cluster and stores Chinese text', async () => {
    const postgres = sharedPostgres();
    const url = await postgres.createDatabase(uniqueName('harness_'));
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/harness_[0-9a-f]{8}$/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id serial PRIMARY KEY, body text)');
      await client.query('INSERT INTO t (body) VALUES ($1)', ['物业费上涨']);
      const { rows } = await client.query<{ body: string }>('SELECT body FROM t');
      expect(rows).toEqual([{ body: '物业费上涨' }]);
    } finally {
      await client.end();
    }
  });

  it('keeps data across a restart of a private cluster', async () => {
    const postgres = await startPostgres();
    try {
      const url = await postgres.createDatabase('restart_check');
      const before = new pg.Client({ connectionString: url });
      await before.connect();
      await before.query('CREATE TABLE t (v int)');
      await before.query('INSERT INTO t VALUES (42)');
      await before.end();

      await postgres.restart();

      const after = new pg.Client({ connectionString: url });
      await after.connect();
      try {
        const { rows } = await after.query<{ v: number }>('SELECT v FROM t');
        expect(rows).toEqual([{ v: 42 }]);
      } finally {
        await after.end();
      }
      await postgres.stop();
      const refused = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      await expect(refused.connect()).rejects.toThrow();
    } finally {
      await postgres.close();
    }
  });
});

describe('SMTP sink', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.close();
  });

  const transport = () =>
    nodemailer.createTransport({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true, connectionTimeout: 5_000 });

  it('receives what nodemailer sends, with envelope and parsed body', async () => {
    const info = await transport().sendMail({
      from: 'desk@wuye.test',
      to: ['officer@wuye.test', 'unit@wuye.test'],
      subject: '转办通知 YH-2026-000123',
      text: '请于5个工作日内办理。',
    });
    expect(info.accepted).toEqual(['officer@wuye.test', 'unit@wuye.test']);
    const got = await sink.waitFor((m) => m.parsed?.subject === '转办通知 YH-2026-000123', 60_000);
    expect(got.from).toBe('desk@wuye.test');
    expect(got.to).toEqual(['officer@wuye.test', 'unit@wuye.test']);
    expect(got.parsed?.text?.trim()).toBe('请于5个工作日内办理。');
    expect(got.raw.toString('latin1')).toContain('Subject: ');
  });

  it('answers 451 and 421 while down, and accepts again when up', async () => {
    sink.clear();
    sink.setDown(true, 451);
    await expect(transport().sendMail({ from: 'a@wuye.test', to: 'b@wuye.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 451,
    });
    sink.setDown(true, 421);
    await expect(transport().sendMail({ from: 'a@wuye.test', to: 'b@wuye.test', text: 'x' })).rejects.toMatchObject({
      responseCode: 421,
    });
    expect(sink.rejected).toBe(2);
    expect(sink.messages).toHaveLength(0);
    await expect(sink.waitFor(() => true, 100)).rejects.toThrow(/no matching message/);

    sink.setDown(false);
    await transport().sendMail({ from: 'a@wuye.test', to: 'b@wuye.test', subject: '恢复', text: 'ok' });
    expect((await sink.waitFor(() => true, 60_000)).parsed?.subject).toBe('恢复');
  });
});
