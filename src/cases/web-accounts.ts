// Web console accounts (issue 18): creating and resetting them (`wuye user …`), logging in with a lock after
// repeated failures, sessions kept in the database, and the one mapping from a web user to the workflow's Actor.
// Passwords: scrypt (memory-hard; N=2^15, r=8, p=1 → 32 MiB and ~0.16 s per guess here), a 16-byte random salt each.
// Session ids: 32 random bytes, stored as their SHA-256, so a copy of the database holds no usable cookie.
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { ROLE_NAMES, UNIT_CODES, type Actor, type UnitCode } from '../domain.ts';
import { appendEvents } from '../store/cases.ts';
import type { Db } from '../store/db.ts';
import { officerById, type Officer } from '../store/officers.ts';
import * as users from '../store/users.ts';
import { commit } from './commit.ts';
import type { CaseDeps } from './deps.ts';
import { WEB_ROLES, type WebRole, type WebUser } from '../store/users.ts';

export { WEB_ROLES, type WebRole, type WebUser };

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLen: 32 } as const;
const MIN_PASSWORD = 10;
/** Failures in a row before the account is locked, and for how long (an admin's reset unlocks it at once). */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
export const SESSION_HOURS = 12;

function scryptAsync(password: string, salt: Buffer, keyLen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLen, o, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLen } = SCRYPT;
  const key = await scryptAsync(password, salt, keyLen, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scryptAsync(password, Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export type AccountResult = { ok: true } | { ok: false; message: string };

export interface NewAccount {
  login: string;
  role: string;
  county: string;
  unit?: string | undefined;
  name?: string | undefined;
}

/** Checks an account's fields against the configuration; the Chinese message says what is wrong. */
export function accountProblem(cfg: Config, a: NewAccount): string | null {
  if (!/^[A-Za-z0-9._-]{2,40}$/.test(a.login)) return '登录名须为 2–40 位字母、数字或 . _ -';
  // bot-<officer id> is the account a bot officer's /web link makes (logInWithLink): never taken by hand.
  if (/^bot-/i.test(a.login)) return '登录名不能以 bot- 开头（保留给机器人登录链接的账号）';
  if (!(WEB_ROLES as readonly string[]).includes(a.role)) return `角色须为 ${WEB_ROLES.join('|')}`;
  if (!cfg.counties.some((c) => c.code === a.county)) return `未知县区: ${a.county}`;
  if (a.role === 'officer' && !a.unit) return '承办人须指定单位 (--unit)';
  if (a.unit && !(UNIT_CODES as readonly string[]).includes(a.unit)) return `未知单位: ${a.unit}`;
  return null;
}

export function passwordProblem(password: string): string | null {
  return [...password].length < MIN_PASSWORD ? `密码至少 ${MIN_PASSWORD} 个字符` : null;
}

export async function addAccount(db: Db, clock: Clock, cfg: Config, a: NewAccount, password: string): Promise<AccountResult> {
  const problem = accountProblem(cfg, a) ?? passwordProblem(password);
  if (problem) return { ok: false, message: problem };
  if (await users.userByLogin(db, a.login)) return { ok: false, message: `登录名已存在: ${a.login}` };
  const unit = a.role === 'officer' ? (a.unit as UnitCode) : a.role === 'desk' ? 'housing' : ((a.unit as UnitCode | undefined) ?? null);
  await users.insertUser(db, {
    login: a.login,
    passwordHash: await hashPassword(password),
    role: a.role as WebRole,
    county: a.county,
    unit,
    name: a.name ?? null,
    now: clock.now().toISOString(),
  });
  return { ok: true };
}

export async function resetPassword(db: Db, clock: Clock, login: string, password: string): Promise<AccountResult> {
  const problem = passwordProblem(password);
  if (problem) return { ok: false, message: problem };
  const done = await users.setUserPassword(db, login, await hashPassword(password), clock.now().toISOString());
  return done ? { ok: true } : { ok: false, message: `无此账号: ${login}` };
}

export async function disableAccount(db: Db, clock: Clock, login: string): Promise<AccountResult> {
  const done = await users.setUserActive(db, login, false, clock.now().toISOString());
  return done ? { ok: true } : { ok: false, message: `无此账号: ${login}` };
}

export type LoginResult =
  | { ok: true; sessionId: string; csrf: string; user: WebUser; expiresAt: string }
  | { ok: false; reason: 'invalid' | 'locked' };

const TOTP_ISSUER = '物业投诉举报受理台';
const totpOf = (login: string, secret: OTPAuth.Secret) => new OTPAuth.TOTP({ issuer: TOTP_ISSUER, label: login, algorithm: 'SHA1', digits: 6, period: 30, secret });

/** Turns on TOTP for an account: a fresh secret; the otpauth:// URI is for the authenticator app (shown once). */
export async function enableTotp(db: Db, clock: Clock, login: string): Promise<{ ok: true; uri: string } | { ok: false; message: string }> {
  const secret = new OTPAuth.Secret({ size: 20 });
  const done = await users.setTotpSecret(db, login, secret.base32, clock.now().toISOString());
  return done ? { ok: true, uri: totpOf(login, secret).toString() } : { ok: false, message: `无此账号: ${login}` };
}

export async function disableTotp(db: Db, clock: Clock, login: string): Promise<AccountResult> {
  const done = await users.setTotpSecret(db, login, null, clock.now().toISOString());
  return done ? { ok: true } : { ok: false, message: `无此账号: ${login}` };
}

/** A code of the account's TOTP now (±1 step), never one accepted before. */
async function totpAccepted(db: Db, u: { id: number; login: string; totpSecret: string }, code: string, now: Date): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const totp = totpOf(u.login, OTPAuth.Secret.fromBase32(u.totpSecret));
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return false;
  return users.acceptTotpStep(db, u.id, Math.floor(now.getTime() / 30_000) + delta);
}

/**
 * A login attempt. Unknown login, wrong password and a disabled account get the same answer; a locked account is
 * told it is locked only when the password was right (a guesser learns nothing from the lock).
 */
export async function logIn(db: Db, clock: Clock, login: string, password: string, code = ''): Promise<LoginResult> {
  const u = await users.userForLogin(db, login);
  if (!u) {
    await verifyPassword(password, DUMMY_HASH); // the same work as for a real account: no timing tell
    return { ok: false, reason: 'invalid' };
  }
  const now = clock.now();
  const locked = u.lockedUntil !== null && u.lockedUntil > now.toISOString();
  const passwordRight = await verifyPassword(password, u.passwordHash);
  // With TOTP on, a missing or wrong code is answered like a wrong password: no answer tells a guesser that the
  // password was right. The login form always has the (optional) code field.
  const right = passwordRight && (!u.totpSecret || (await totpAccepted(db, { id: u.id, login: u.login, totpSecret: u.totpSecret }, code.trim(), now)));
  if (!right) {
    if (u.active && !locked) {
      const lockNow = u.failedLogins + 1 >= MAX_FAILED_LOGINS;
      await users.recordFailedLogin(db, u.id, lockNow ? new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString() : null, now.toISOString());
    }
    return { ok: false, reason: 'invalid' };
  }
  if (!u.active) return { ok: false, reason: 'invalid' };
  if (locked) return { ok: false, reason: 'locked' };
  if (u.failedLogins || u.lockedUntil) await users.clearFailedLogins(db, u.id, now.toISOString());
  const { passwordHash: _omit, totpSecret: _secret, totpLastStep: _step, ...user } = u;
  return startSession(db, now, { ...user, failedLogins: 0, lockedUntil: null });
}

async function startSession(db: Db, now: Date, user: WebUser): Promise<LoginResult & { ok: true }> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString();
  await users.insertSession(db, { idHash: sha256Hex(sessionId), userId: user.id, csrf, createdAt: now.toISOString(), expiresAt });
  return { ok: true, sessionId, csrf, user, expiresAt };
}
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${'A'.repeat(22)}==$${'A'.repeat(43)}=`;

export async function sessionOf(db: Db, clock: Clock, sessionId: string): Promise<{ user: WebUser; csrf: string } | undefined> {
  if (!sessionId || sessionId.length > 100) return undefined;
  return users.sessionUser(db, sha256Hex(sessionId), clock.now().toISOString());
}

export async function logOut(db: Db, sessionId: string): Promise<void> {
  await users.deleteSession(db, sha256Hex(sessionId));
}

/** Read-only roles: 纪检监察 (supervisor) and leaders read everything in their reach and change nothing. */
export function isReadOnly(u: Pick<WebUser, 'role'>): boolean {
  return u.role === 'supervisor' || u.role === 'leader';
}

/** Whether this account works at the city level (its county is the city's own code): it reaches every county. */
export function isCityLevel(cfg: Config, u: Pick<WebUser, 'county'>): boolean {
  return u.county === cfg.city.code;
}

/** The counties an account reaches; null = every county. */
export function countiesOf(cfg: Config, u: Pick<WebUser, 'role' | 'county'>): string[] | null {
  return isCityLevel(cfg, u) ? null : [u.county];
}

/**
 * THE mapping from a web user to the workflow's actor: the desk is its county's housing office (an officer of
 * unit housing: 联席会议办公室设在住建部门), an officer is a unit officer, an admin an admin (the city's reaches every
 * county), supervisors and leaders read only (the workflow's 'supervisor'). The login goes on every audit row.
 */
export function actorOfWebUser(cfg: Config, u: WebUser): Actor {
  const who = { login: u.login, ...(u.name ? { name: u.name } : { name: u.login }) };
  const city = isCityLevel(cfg, u) ? { cityLevel: true } : {};
  switch (u.role) {
    case 'desk':
      return { kind: 'officer', role: 'officer', unit: 'housing', county: u.county, ...who };
    case 'officer':
      return { kind: 'officer', role: 'officer', ...(u.unit ? { unit: u.unit } : {}), county: u.county, ...who };
    case 'admin':
      return { kind: 'officer', role: 'admin', county: u.county, ...city, ...who };
    case 'supervisor':
    case 'leader':
      return { kind: 'officer', role: 'supervisor', county: u.county, ...city, ...who };
  }
}

/**
 * THE mapping from a bot officer to a web role (the bot's /web link): the housing office's officers are the desk
 * (联席会议办公室设在住建部门), other unit officers are unit officers, admins admins, supervisors supervisors. Co-signers
 * (乡镇/社区) and the city's reviewers sign and review in the bot; the console has no such role, and they are told so.
 */
export function webRoleOfOfficer(o: Pick<Officer, 'role' | 'unit'>): { role: WebRole; unit: UnitCode | null } | { refusal: string } {
  switch (o.role) {
    case 'officer':
      return o.unit === 'housing' ? { role: 'desk', unit: 'housing' } : { role: 'officer', unit: o.unit };
    case 'admin':
      return { role: 'admin', unit: null };
    case 'supervisor':
      return { role: 'supervisor', unit: null };
    case 'cosigner':
    case 'reviewer':
      return { refusal: `网页受理台暂未开放「${ROLE_NAMES[o.role]}」角色，请继续在机器人中办理会签、审核。` };
  }
}

/** Where the console is reached by officers: web.publicUrl, else http://<web.listen>; null when the console is off. */
export function consoleUrl(cfg: Config): string | null {
  if (cfg.web.publicUrl) return cfg.web.publicUrl.replace(/\/+$/, '');
  return cfg.web.listen ? `http://${cfg.web.listen}` : null;
}

export type LoginLinkResult = { ok: true; url: string; expiresAt: string } | { ok: false; message: string };

/**
 * A one-time login link for an officer linked in the bot (/web): 32 random bytes, stored as their SHA-256, usable
 * once within web.loginLinkMinutes. Who got a link is in the audit trail (`web-link-issued`), never the token.
 */
export async function issueLoginLink(deps: CaseDeps, o: Officer): Promise<LoginLinkResult> {
  if (!o.active) return { ok: false, message: '您的账号已停用。' };
  const mapped = webRoleOfOfficer(o);
  if ('refusal' in mapped) return { ok: false, message: mapped.refusal };
  const base = consoleUrl(deps.cfg);
  if (!base) return { ok: false, message: '网页受理台未开启，请联系管理员。' };
  const token = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.cfg.web.loginLinkMinutes * 60_000).toISOString();
  const actor: Actor = { kind: 'officer', officerId: o.id, role: o.role, unit: o.unit, county: o.county, ...(o.name ? { name: o.name } : {}) };
  await commit(
    deps,
    async (w) => {
      await users.insertLoginLink(w.tx, { tokenHash: sha256Hex(token), officerId: o.id, createdAt: w.nowIso, expiresAt });
      await appendEvents(w.tx, null, [{ type: 'web-link-issued', at: w.nowIso, actor, data: { officerId: o.id, webRole: mapped.role, expiresAt } }]);
    },
    now,
  );
  return { ok: true, url: `${base}/login/link?t=${token}`, expiresAt };
}

/**
 * Logs in with a /web link, once: the link is spent, the officer must still be active and have a web role, and
 * the officer's web account (made on the first link, login `bot-<officer id>`, no password) takes the officer's
 * current role, unit, county and name. An account disabled with `wuye user disable` stays disabled.
 */
export async function logInWithLink(db: Db, clock: Clock, token: string): Promise<LoginResult> {
  const refused = { ok: false, reason: 'invalid' } as const;
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return refused;
  const now = clock.now();
  const nowIso = now.toISOString();
  const officerId = await users.takeLoginLink(db, sha256Hex(token), nowIso);
  if (officerId === undefined) return refused;
  const o = await officerById(db, officerId);
  if (!o || !o.active) return refused;
  const mapped = webRoleOfOfficer(o);
  if ('refusal' in mapped) return refused;
  const fields = { role: mapped.role, county: o.county, unit: mapped.unit, name: o.name, now: nowIso };
  const had = await users.userByOfficer(db, o.id);
  if (had && !had.active) return refused;
  if (had) await users.updateOfficerUser(db, had.id, fields);
  else await users.insertOfficerUser(db, { login: `bot-${o.id}`, officerId: o.id, ...fields });
  const u = await users.userByOfficer(db, o.id);
  return u ? startSession(db, now, u) : refused;
}
