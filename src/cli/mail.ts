// `wuye mail list|show|promote`: mail that did not become a case stays visible. The desk reads what was ignored or
// quarantined, with the reason, and registers what is a complaint after all — through the normal path, with the
// acknowledgement to the resident.
import type { Config } from '../config.ts';
import { Intake } from '../ingest/intake.ts';
import { parseMail } from '../ingest/parse.ts';
import { loadClassifier } from '../runtime.ts';
import * as mailStore from '../store/mail.ts';
import { formatMinute, parseInstant } from '../time.ts';
import { caseDepsOf, operatorName, printJson, withStore } from './common.ts';

export async function mailList(cfg: Config, o: { outcome?: string; since?: string; limit?: number; json?: boolean }): Promise<number> {
  if (o.outcome && o.outcome !== 'ignored' && o.outcome !== 'quarantined') {
    process.stderr.write('--outcome 应为 ignored 或 quarantined / expected ignored or quarantined\n');
    return 2;
  }
  let since: string | undefined;
  try {
    since = o.since ? parseInstant(o.since).toISOString() : undefined;
  } catch (e) {
    process.stderr.write(`--since: ${(e as Error).message}\n`);
    return 2;
  }
  return withStore(cfg, async ({ db }) => {
    const rows = await mailStore.unregisteredMail(db, { outcome: o.outcome as 'ignored' | 'quarantined' | undefined, since, limit: o.limit ?? 50 });
    const out = [];
    for (const r of rows) {
      let { subject, sender } = r;
      if (r.noted === null) {
        // Decided before the intake kept subject and sender: read them off the raw mail.
        const raw = await mailStore.getRaw(db, r.id);
        const parsed = raw ? await parseMail(Buffer.from(raw.raw)) : null;
        if (parsed?.ok) {
          subject = parsed.mail.subject;
          sender = parsed.mail.from.address;
        }
      }
      out.push({ id: r.id, receivedAt: r.received_at, mailbox: r.mailbox, outcome: r.outcome, reason: r.reason, from: sender ?? '', subject: subject ?? '' });
    }
    if (o.json) {
      for (const m of out) printJson(m);
      return 0;
    }
    const name = { ignored: '未登记', quarantined: '隔离' } as Record<string, string>;
    process.stdout.write('编号\t收到时间\t结果\t发件人\t主题\t原因\n');
    for (const m of out) {
      process.stdout.write(`${m.id}\t${formatMinute(m.receivedAt)}\t${name[m.outcome ?? ''] ?? m.outcome}\t${m.from}\t${m.subject.slice(0, 60)}\t${m.reason ?? ''}\n`);
    }
    if (!out.length) process.stdout.write('（无）\n');
    return 0;
  });
}

export async function mailShow(cfg: Config, id: number, o: { json?: boolean }): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const raw = await mailStore.getRaw(db, id);
    if (!raw) {
      process.stderr.write(`未找到该邮件 no such mail: #${id}\n`);
      return 1;
    }
    const parsed = await parseMail(Buffer.from(raw.raw));
    const view = {
      id,
      receivedAt: raw.received_at,
      mailbox: raw.mailbox,
      outcome: raw.outcome,
      reason: raw.reason,
      ...(parsed.ok
        ? { from: parsed.mail.from, to: parsed.mail.to, subject: parsed.mail.subject, date: parsed.mail.date, text: parsed.mail.text.slice(0, 8000), attachments: parsed.mail.attachments.map((a) => `${a.filename} (${a.size} B)`) }
        : { unreadable: parsed.reason }),
    };
    if (o.json) {
      printJson(view);
      return 0;
    }
    const lines = [`邮件 #${id}  ${formatMinute(raw.received_at)}  收件邮箱: ${raw.mailbox || '—'}`, `结果: ${raw.outcome ?? '处理中'}  原因: ${raw.reason ?? '—'}`];
    if (parsed.ok) {
      lines.push(`发件人: ${parsed.mail.from.name ?? ''} <${parsed.mail.from.address ?? ''}>`, `收件人: ${parsed.mail.to.join(', ')}`, `主题: ${parsed.mail.subject}`);
      if (parsed.mail.attachments.length) lines.push(`附件: ${parsed.mail.attachments.map((a) => `${a.filename} (${a.size} B)`).join('、')}`);
      lines.push('', parsed.mail.text.slice(0, 8000));
    } else {
      lines.push(`无法读取 unreadable: ${parsed.reason}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}

export async function mailPromote(cfg: Config, id: number, o: { by?: string }): Promise<number> {
  return withStore(cfg, async (store) => {
    const deps = caseDepsOf(cfg, store);
    const intake = new Intake({ ...deps, classify: loadClassifier(cfg) });
    try {
      const by = operatorName(o.by);
      const r = await intake.promote(id, { kind: 'system', ...(by ? { name: by } : {}) });
      if (!r.ok) {
        process.stderr.write(`${r.message}\n`);
        return 1;
      }
      process.stdout.write(`✓ 已登记 registered: ${r.tracking}\n`);
      return 0;
    } finally {
      await intake.close();
    }
  });
}
