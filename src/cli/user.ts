// `wuye user add|list|disable|reset`: the web console's accounts. The password is read from stdin (one line), never
// from an argument (which `ps` and shell history would show).
import { createInterface } from 'node:readline';
import { accountProblem, addAccount, disableAccount, disableTotp, enableTotp, resetPassword, type NewAccount } from '../cases/web-accounts.ts';
import QRCode from 'qrcode';
import { systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import { listUsers } from '../store/users.ts';
import { printJson, withStore } from './common.ts';

/** The first line of stdin, without its line end. */
export async function readPasswordLine(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const rl = createInterface({ input, terminal: false });
  try {
    for await (const line of rl) return line.replace(/\r$/, '');
    return '';
  } finally {
    rl.close();
  }
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

export async function userAdd(cfg: Config, a: NewAccount): Promise<number> {
  const bad = accountProblem(cfg, a);
  if (bad) {
    process.stderr.write(`${bad}\n`);
    return 2;
  }
  const password = await readPasswordLine();
  return withStore(cfg, async ({ db }) => {
    const r = await addAccount(db, systemClock, cfg, a, password);
    if (!r.ok) return fail(r.message);
    process.stdout.write(`已创建账号 ${a.login}（${a.role}，${a.county}${a.unit ? `，${a.unit}` : ''}）\n`);
    return 0;
  });
}

export async function userList(cfg: Config, opts: { json?: boolean }): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const all = await listUsers(db);
    if (opts.json) {
      for (const u of all) printJson(u);
      return 0;
    }
    if (!all.length) process.stdout.write('（暂无账号）\n');
    for (const u of all) {
      const state = !u.active ? '已停用' : u.lockedUntil && u.lockedUntil > systemClock.now().toISOString() ? '已锁定' : '正常';
      process.stdout.write(`${u.login}\t${u.role}\t${u.county}\t${u.unit ?? '—'}\t${u.name ?? '—'}\t${state}\n`);
    }
    return 0;
  });
}

export async function userDisable(cfg: Config, login: string): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const r = await disableAccount(db, systemClock, login);
    if (!r.ok) return fail(r.message);
    process.stdout.write(`已停用 ${login}，其登录会话已全部失效\n`);
    return 0;
  });
}

export async function userReset(cfg: Config, login: string): Promise<number> {
  const password = await readPasswordLine();
  return withStore(cfg, async ({ db }) => {
    const r = await resetPassword(db, systemClock, login, password);
    if (!r.ok) return fail(r.message);
    process.stdout.write(`已重设 ${login} 的密码（解除锁定，原有会话全部失效）\n`);
    return 0;
  });
}

/** `wuye user totp <login> [--off]`: turns a one-time code at login on (a new secret, shown once) or off. */
export async function userTotp(cfg: Config, login: string, opts: { off?: boolean }): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    if (opts.off) {
      const r = await disableTotp(db, systemClock, login);
      if (!r.ok) return fail(r.message);
      process.stdout.write(`已关闭 ${login} 的动态口令\n`);
      return 0;
    }
    const r = await enableTotp(db, systemClock, login);
    if (!r.ok) return fail(r.message);
    // Shown once: the authenticator app scans the QR code (or takes the URI); the secret is not printed again.
    process.stdout.write(`${await QRCode.toString(r.uri, { type: 'terminal', small: true })}\n${r.uri}\n`);
    process.stderr.write(`已为 ${login} 开启动态口令：请用身份验证器扫描上面的二维码；登录时须填写 6 位动态口令\n`);
    return 0;
  });
}
