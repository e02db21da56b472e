// Web accounts managed from the console by an admin (issue 18: admins may do "desk actions + users"): create, reset
// the password, disable, enable, turn TOTP off (a lost phone). A county's admin manages its county's accounts, the
// city's admin every account. The new password is made here and shown once to the admin, who hands it over; the
// user changes it under 账号 (changeOwnPassword). Each change goes into the audit trail with who made it — never the
// password.
import { randomInt } from 'node:crypto';
import type { Actor } from '../domain.ts';
import { appendEvents } from '../store/cases.ts';
import * as users from '../store/users.ts';
import type { CaseDeps } from './deps.ts';
import {
  addAccount,
  countiesOf,
  disableAccount,
  disableTotp,
  isCityLevel,
  resetPassword,
  verifyPassword,
  type NewAccount,
  type WebUser,
} from './web-accounts.ts';

/** Letters and digits that cannot be mistaken for one another when read out or copied by hand (no 0/O, 1/l/I). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const GENERATED_LENGTH = 14;

/** A password for a new or reset account: 14 characters of ALPHABET, ~80 bits. */
export function generatePassword(): string {
  let s = '';
  for (let i = 0; i < GENERATED_LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export type AdminResult = { ok: true; password?: string } | { ok: false; message: string };

/** Whether `admin` manages `target`'s account: an admin, not read-only, and the account within its counties. */
export function mayManageAccount(deps: Pick<CaseDeps, 'cfg'>, admin: WebUser, target: Pick<WebUser, 'county'>): boolean {
  if (admin.role !== 'admin') return false;
  const counties = countiesOf(deps.cfg, admin);
  return counties === null || (counties.includes(target.county) && !isCityLevel(deps.cfg, target));
}

/** The accounts `admin` manages, by login. */
export async function manageableAccounts(deps: Pick<CaseDeps, 'cfg' | 'db'>, admin: WebUser): Promise<WebUser[]> {
  return (await users.listUsers(deps.db)).filter((u) => mayManageAccount(deps, admin, u));
}

async function audited(deps: CaseDeps, actor: Actor, type: string, data: Record<string, unknown>): Promise<void> {
  await appendEvents(deps.db, null, [{ type, at: deps.clock.now().toISOString(), actor, data }]);
}

async function target(deps: CaseDeps, admin: WebUser, login: string): Promise<WebUser | { ok: false; message: string }> {
  const u = await users.userByLogin(deps.db, login);
  // One answer for "no such account" and "not yours".
  if (!u || !mayManageAccount(deps, admin, u)) return { ok: false, message: `无此账号或无权管理: ${login}` };
  return u;
}

export async function createAccountAs(deps: CaseDeps, admin: WebUser, actor: Actor, a: NewAccount): Promise<AdminResult> {
  if (!mayManageAccount(deps, admin, { county: a.county })) return { ok: false, message: '无权在该县区开设账号' };
  const password = generatePassword();
  const r = await addAccount(deps.db, deps.clock, deps.cfg, a, password);
  if (!r.ok) return r;
  await audited(deps, actor, 'account-created', { login: a.login, role: a.role, county: a.county, unit: a.unit ?? null, name: a.name ?? null });
  return { ok: true, password };
}

/**
 * One change to an account `admin` manages: the change (its own refusal passed on as it is), then its audit row.
 * What the change returns beyond `ok` (a new password) is handed back.
 */
async function changeAccount(
  deps: CaseDeps,
  admin: WebUser,
  actor: Actor,
  login: string,
  type: string,
  change: (u: WebUser) => Promise<AdminResult>,
): Promise<AdminResult> {
  const u = await target(deps, admin, login);
  if ('ok' in u) return u;
  const r = await change(u);
  if (!r.ok) return r;
  await audited(deps, actor, type, { login: u.login });
  return r;
}

/** A new password (shown once); the lock is lifted and the account's sessions end. */
export async function resetAccountAs(deps: CaseDeps, admin: WebUser, actor: Actor, login: string): Promise<AdminResult> {
  return changeAccount(deps, admin, actor, login, 'account-reset', async (u) => {
    const password = generatePassword();
    const r = await resetPassword(deps.db, deps.clock, u.login, password);
    return r.ok ? { ok: true, password } : r;
  });
}

/** Disabled: no login, and its sessions end at once. An admin does not lock itself out. */
export async function disableAccountAs(deps: CaseDeps, admin: WebUser, actor: Actor, login: string): Promise<AdminResult> {
  if (login === admin.login) return { ok: false, message: '不能停用自己的账号' };
  return changeAccount(deps, admin, actor, login, 'account-disabled', (u) => disableAccount(deps.db, deps.clock, u.login));
}

export async function enableAccountAs(deps: CaseDeps, admin: WebUser, actor: Actor, login: string): Promise<AdminResult> {
  return changeAccount(deps, admin, actor, login, 'account-enabled', async (u) => {
    await users.setUserActive(deps.db, u.login, true, deps.clock.now().toISOString());
    return { ok: true };
  });
}

/** TOTP off (the phone was lost): the user logs in with the password alone until it is set up again (`wuye user totp`). */
export async function totpOffAs(deps: CaseDeps, admin: WebUser, actor: Actor, login: string): Promise<AdminResult> {
  return changeAccount(deps, admin, actor, login, 'account-totp-off', (u) => disableTotp(deps.db, deps.clock, u.login));
}

/**
 * A user's own new password, after the current one. Every session of the account ends (this one too: the user
 * logs in again with the new password).
 */
export async function changeOwnPassword(deps: CaseDeps, self: WebUser, actor: Actor, current: string, next: string, repeat: string): Promise<AdminResult> {
  if (next !== repeat) return { ok: false, message: '两次输入的新密码不一致' };
  if (next === current) return { ok: false, message: '新密码不能与当前密码相同' };
  const u = await users.userForLogin(deps.db, self.login);
  if (!u || !(await verifyPassword(current, u.passwordHash))) return { ok: false, message: '当前密码错误' };
  const r = await resetPassword(deps.db, deps.clock, self.login, next);
  if (!r.ok) return r;
  await audited(deps, actor, 'password-changed', { login: self.login });
  return { ok: true };
}
