// The outbox worker against a real SMTP sink: retries while the relay is down, order per recipient, and a
// crashed process's leases freed at once by the next worker on the same host.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker } from '../../src/outbox/worker.ts';
import { createMailSender } from '../../src/outbox/mailer.ts';
import * as outbox from '../../src/store/outbox.ts';
import { systemClock } from '../../src/clock.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { DIALECTS, openTestStore } from '../support/stores.ts';
import { memoryLogger, testConfig } from '../support/service.ts';

describe.each(DIALECTS)('outbox worker on %s', (dialect) => {
  let sink: SmtpSink;
  let store: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    sink = await startSmtpSink();
    store = await openTestStore(dialect, 'outbox');
  });
  afterAll(async () => {
    await sink?.close();
    await store?.cleanup();
  });
  const worker = (id: string) => {
    const cfg = testConfig({ db: store.url, smtpSink: { host: sink.host, port: sink.port } });
    return new OutboxWorker({ db: store.db, log: memoryLogger().log, clock: systemClock, workerId: id, mail: createMailSender(cfg), pollMs: 50 });
  };
  const mail = (to: string, n: number) => ({ kind: 'email' as const, recipient: to, payload: { to, subject: `第${n}封`, text: `n=${n}` }, key: `t:${to}:${n}` });

  it('keeps retrying while the relay is down and delivers each mail once, in order per recipient', async () => {
    sink.setDown(true, 451);
    await outbox.enqueue(store.db, [mail('a@x.cn', 1), mail('a@x.cn', 2), mail('b@x.cn', 1), mail('a@x.cn', 3)], new Date().toISOString());
    const w = worker(`${hostname()}:${process.pid}:retry`);
    w.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(sink.rejected).toBeGreaterThan(0);
    sink.setDown(false);
    // Backoff after the failed attempt is ~1–2 s: wait for all four.
    const end = Date.now() + 20_000;
    while (sink.messages.length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await w.stop();
    const toA = sink.messages.filter((m) => m.to.includes('a@x.cn')).map((m) => m.parsed?.subject);
    expect(toA).toEqual(['第1封', '第2封', '第3封']);
    expect(sink.messages).toHaveLength(4);
  });

  it("frees a dead local process's leases at once instead of waiting for them to expire", async () => {
    sink.clear();
    const now = new Date().toISOString();
    await outbox.enqueue(store.db, [mail('c@x.cn', 1)], now);
    // A process of this host that no longer exists claimed the row for an hour, then died. Waiting for the lease
    // would outlast the wait below many times over: delivery within it shows the lease was freed.
    const dead = `${hostname()}:999999:dead`;
    expect(await outbox.claim(store.db, dead, now, 3_600_000, 10)).toHaveLength(1);
    const w = worker(`${hostname()}:${process.pid}:fresh`);
    w.start();
    await sink.waitFor((m) => m.to.includes('c@x.cn'), 120_000);
    await w.stop();
    // A lease of another host is left alone: it may be alive.
    await outbox.enqueue(store.db, [mail('d@x.cn', 1)], new Date().toISOString());
    await outbox.claim(store.db, 'other-host:1234:x', new Date().toISOString(), 60_000, 10);
    expect(await worker(`${hostname()}:${process.pid}:again`).releaseDeadLocalLeases()).toBe(0);
  });
});
