// `wuye doctor`: one line per check with ✓/✗ and the reason; exit 1 when any check fails.
import { createImapClient } from '../ingest/imap.ts';
import type { Config } from '../config.ts';
import { botToken, secret } from '../config.ts';
import { openStore, redactUrl } from '../store/db.ts';
import * as outbox from '../store/outbox.ts';
import { loadCalendar, missingHolidayYears } from '../runtime.ts';
import { createMailSender } from '../outbox/mailer.ts';
import { createTelegramClient } from '../outbox/telegram.ts';
import { scrub } from '../log.ts';
import { listOfficers } from '../store/officers.ts';
import { unstaffedUnits } from '../workflow/coverage.ts';
import { UNIT_CODES, UNIT_NAMES } from '../domain.ts';
import { CITY_WEEKLY_ADDRESS_ANNEX, CITY_WEEKLY_ADDRESS_BODY } from '../report/summary.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Not a failure, but someone must act (printed with !). */
  warn?: boolean;
}

async function timed<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what} 超时 timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/** The bot's @name (invite links): configured, else asked of Telegram with getMe, as the bot check does; null when unknown. */
export async function botUsername(cfg: Config, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (cfg.bot.username) return cfg.bot.username;
  const token = botToken(cfg, env);
  if (!token) return null;
  try {
    const tg = await createTelegramClient(cfg, token);
    const me = await Promise.race([tg.getMe(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 10_000).unref())]);
    return me.username ?? null;
  } catch {
    return null;
  }
}

export async function runChecks(cfg: Config, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<Check[]> {
  const checks: Check[] = [{ name: 'config', ok: true, detail: `配置有效 ${cfg.counties.length} 个县区, ${cfg.mailboxes.length} 个邮箱` }];
  const secrets = [botToken(cfg, env), ...cfg.mailboxes.map((m) => secret(env, m.imap?.passwordEnv))];

  try {
    const store = await timed(openStore(cfg.db), 15_000, 'database');
    try {
      const pending = await outbox.pendingCount(store.db);
      const failed = await outbox.failures(store.db, 5);
      checks.push({ name: 'database', ok: true, detail: `${store.dialect} ${redactUrl(cfg.db)}; 待发 ${pending}` });
      checks.push(coverageCheck(cfg, await listOfficers(store.db, { activeOnly: true })));
      checks.push({
        name: 'outbox',
        ok: failed.length === 0,
        detail: failed.length ? `${failed.length} 条永久失败 permanent failures, 最近: ${failed[0]!.kind} → ${failed[0]!.recipient}: ${failed[0]!.last_error}` : '无永久失败',
      });
    } finally {
      await store.close();
    }
  } catch (e) {
    checks.push({ name: 'database', ok: false, detail: scrub((e as Error).message, secrets) });
  }

  const cal = loadCalendar(cfg);
  const missing = missingHolidayYears(cal, now);
  checks.push({
    name: 'holidays',
    ok: missing.length === 0,
    // Without the State Council notice the law's statutory days still count (statutory-holidays.ts); the 调休 swaps do not.
    detail: missing.length
      ? `缺少 ${missing.join('、')} 年国务院放假安排（调休），目前按法定节假日计算，请在 config/holidays.yaml 录入（wuye holidays show ${missing[0]}） / State Council holiday notice missing: statutory days only, no make-up working days`
      : '今明两年节假日数据齐全',
  });

  checks.push(weeklyAddressCheck(cfg));

  for (const m of cfg.mailboxes.filter((b) => b.imap)) {
    const imap = m.imap!;
    const pass = secret(env, imap.passwordEnv);
    if (!pass) {
      checks.push({ name: `imap ${m.address}`, ok: false, detail: `环境变量 ${imap.passwordEnv} 未设置 / not set` });
      continue;
    }
    const client = createImapClient(imap, pass, m.address);
    client.on('error', () => {});
    try {
      await timed(client.connect(), 15_000, 'imap');
      const status = await client.status(imap.mailbox, { messages: true, uidValidity: true });
      const count = status ? status.messages ?? 0 : 0;
      checks.push({ name: `imap ${m.address}`, ok: true, detail: `登录成功 ${count} 封` });
    } catch (e) {
      checks.push({ name: `imap ${m.address}`, ok: false, detail: scrub((e as Error).message, secrets) });
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  const mailer = createMailSender(cfg, env);
  try {
    await timed(mailer.verify(), 15_000, 'smtp');
    checks.push({ name: 'smtp', ok: true, detail: mailer.describe });
  } catch (e) {
    checks.push({ name: 'smtp', ok: false, detail: `${mailer.describe}: ${scrub((e as Error).message, secrets)}` });
  } finally {
    mailer.close();
  }

  const token = botToken(cfg, env);
  if (!token) {
    checks.push({ name: 'bot', ok: true, detail: `未设置 ${cfg.bot.tokenEnv}，机器人关闭 / bot off` });
  } else {
    try {
      const tg = await createTelegramClient(cfg, token);
      const me = await timed(tg.getMe(), 15_000, 'getMe');
      checks.push({ name: 'bot', ok: true, detail: `@${me.username}` });
    } catch (e) {
      checks.push({ name: 'bot', ok: false, detail: scrub((e as Error).message, secrets) });
    }
  }
  return checks;
}

/** Units and counties with nobody linked to receive their cases: their cases would reach no one. */
function coverageCheck(cfg: Config, officers: Parameters<typeof unstaffedUnits>[1]): Check {
  const gaps = unstaffedUnits(
    cfg.counties.map((k) => k.code),
    officers,
  );
  if (!gaps.length) return { name: 'officers', ok: true, detail: '各县区各成员单位均有已绑定的工作人员' };
  if (gaps.length === cfg.counties.length && gaps.every((g) => g.units.length === UNIT_CODES.length)) {
    return { name: 'officers', ok: true, warn: true, detail: '尚无任何已绑定的工作人员：各县区的案件无人接收（wuye officer invite 邀请）' };
  }
  const name = (code: string) => cfg.counties.find((k) => k.code === code)?.name ?? code;
  const detail = gaps
    .map((g) => `${name(g.county)}：${g.units.length === UNIT_CODES.length ? '全部成员单位' : g.units.map((u) => UNIT_NAMES[u]).join('、')}`)
    .join('；');
  return { name: 'officers', ok: true, warn: true, detail: `无已绑定工作人员（案件无人接收）— ${detail}` };
}

export async function doctor(cfg: Config, opts: { json: boolean }): Promise<number> {
  const checks = await runChecks(cfg);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok: checks.every((c) => c.ok), checks })}\n`);
  else for (const c of checks) process.stdout.write(`${!c.ok ? '✗' : c.warn ? '!' : '✓'} ${c.name}: ${c.detail}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

const LEVEL_LINES = {
  county: '县级部署：每周五12:00前向市局报送简报、附件2、附件3，周四备好省厅调度会数据；周五17:00省厅周报不由县级报送',
  city: '市级部署：汇总各县区（附件3每县一行），周四备好省厅调度会数据，周五17:00报送省厅周报数据',
} as const;

/** The deployment's reporting duty, where the Friday annexes go, and the seed's two spellings of the city's address (004 五(五) vs annex 3). */
export function weeklyAddressCheck(cfg: Config): Check {
  const to = cfg.reports.recipients.weekly;
  const spelling = `004 五(五) 印作 ${CITY_WEEKLY_ADDRESS_BODY}（默认），附件3 说明印作 ${CITY_WEEKLY_ADDRESS_ANNEX}，请向市局核实 / the seed prints the city's address two ways`;
  return {
    name: 'weekly address',
    ok: to.length > 0,
    detail: `${LEVEL_LINES[cfg.deployment.level]}。${to.length ? `周报发往 ${to.join('、')}` : '未设置周报收件人 reports.recipients.weekly'}；${spelling}`,
  };
}
