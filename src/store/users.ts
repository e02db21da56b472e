// Web console accounts and their sessions (migration 0013). Passwords arrive here already hashed and sessions by
// the hash of their id: this module never sees a secret it could leak.
import type { Selectable } from 'kysely';
import type { UnitCode } from '../domain.ts';
import type { Conn } from './db.ts';
import type { WebUserTable } from './schema.ts';

export const WEB_ROLES = ['desk', 'admin', 'supervisor', 'leader', 'officer'] as const;
export type WebRole = (typeof WEB_ROLES)[number];

export interface WebUser {
  id: number;
  login: string;
  role: WebRole;
  county: string;
  unit: UnitCode | null;
  name: string | null;
  active: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  /** A one-time code (TOTP) is asked at login. */
  totp: boolean;
}

function rowToUser(r: Selectable<WebUserTable>): WebUser {
  return {
    id: r.id,
    login: r.login,
    role: r.role as WebRole,
    county: r.county,
    unit: r.unit as UnitCode | null,
    name: r.name,
    active: r.active === 1,
    failedLogins: r.failed_logins,
    lockedUntil: r.locked_until,
    totp: r.totp_secret !== null,
  };
}

export async function insertUser(
  db: Conn,
  u: { login: string; passwordHash: string; role: WebRole; county: string; unit: UnitCode | null; name: string | null; now: string },
): Promise<number> {
  const r = await db
    .insertInto('web_user')
    .values({
      login: u.login,
      password_hash: u.passwordHash,
      role: u.role,
      county: u.county,
      unit: u.unit,
      name: u.name,
      active: 1,
      failed_logins: 0,
      locked_until: null,
      created_at: u.now,
      updated_at: u.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function listUsers(db: Conn): Promise<WebUser[]> {
  const rows = await db.selectFrom('web_user').selectAll().orderBy('login').execute();
  return rows.map(rowToUser);
}

/** The account and its password hash, for a login attempt. */
export async function userForLogin(
  db: Conn,
  login: string,
): Promise<(WebUser & { passwordHash: string; totpSecret: string | null; totpLastStep: number | null }) | undefined> {
  const r = await db.selectFrom('web_user').selectAll().where('login', '=', login).executeTakeFirst();
  return r ? { ...rowToUser(r), passwordHash: r.password_hash, totpSecret: r.totp_secret, totpLastStep: r.totp_last_step } : undefined;
}

/** Sets (or, with null, removes) an account's TOTP secret. */
export async function setTotpSecret(db: Conn, login: string, secret: string | null, now: string): Promise<boolean> {
  const r = await db.updateTable('web_user').set({ totp_secret: secret, totp_last_step: null, updated_at: now }).where('login', '=', login).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Records the time step of an accepted code, only if it is later than the last one: false for a replayed code. */
export async function acceptTotpStep(db: Conn, id: number, step: number): Promise<boolean> {
  const r = await db
    .updateTable('web_user')
    .set({ totp_last_step: step })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function userByLogin(db: Conn, login: string): Promise<WebUser | undefined> {
  const r = await db.selectFrom('web_user').selectAll().where('login', '=', login).executeTakeFirst();
  return r ? rowToUser(r) : undefined;
}

/** A failed password: one more failure, and the lock when the caller decided on one. */
export async function recordFailedLogin(db: Conn, id: number, lockedUntil: string | null, now: string): Promise<void> {
  await db
    .updateTable('web_user')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), ...(lockedUntil ? { locked_until: lockedUntil } : {}), updated_at: now }))
    .where('id', '=', id)
    .execute();
}

/** A successful login (or a lock that ran out) starts the count again. */
export async function clearFailedLogins(db: Conn, id: number, now: string): Promise<void> {
  await db.updateTable('web_user').set({ failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', id).execute();
}

/** Disable or enable an account; a disabled account's sessions end at once. */
export async function setUserActive(db: Conn, login: string, active: boolean, now: string): Promise<boolean> {
  const r = await db.updateTable('web_user').set({ active: active ? 1 : 0, updated_at: now }).where('login', '=', login).executeTakeFirst();
  if (!active) await deleteSessionsOfLogin(db, login);
  return Number(r.numUpdatedRows) > 0;
}

/** A new password: the lock and the failures are cleared and every session of the account ends. */
export async function setUserPassword(db: Conn, login: string, passwordHash: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('web_user')
    .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null, updated_at: now })
    .where('login', '=', login)
    .executeTakeFirst();
  await deleteSessionsOfLogin(db, login);
  return Number(r.numUpdatedRows) > 0;
}

async function deleteSessionsOfLogin(db: Conn, login: string): Promise<void> {
  await db
    .deleteFrom('web_session')
    .where('user_id', 'in', (eb) => eb.selectFrom('web_user').select('id').where('login', '=', login))
    .execute();
}

export async function insertSession(db: Conn, s: { idHash: string; userId: number; csrf: string; createdAt: string; expiresAt: string }): Promise<void> {
  await db
    .insertInto('web_session')
    .values({ id_hash: s.idHash, user_id: s.userId, csrf: s.csrf, created_at: s.createdAt, expires_at: s.expiresAt })
    .execute();
}

/** The live session's account (active, not expired), with the session's CSRF token. */
export async function sessionUser(db: Conn, idHash: string, now: string): Promise<{ user: WebUser; csrf: string } | undefined> {
  const r = await db
    .selectFrom('web_session as s')
    .innerJoin('web_user as u', 'u.id', 's.user_id')
    .leftJoin('officer as o', 'o.id', 'u.officer_id')
    .selectAll('u')
    .select('s.csrf')
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .where('u.active', '=', 1)
    // An account made by the bot's /web link lives as long as its officer: deactivated in the bot, out of the web.
    .where((eb) => eb.or([eb('u.officer_id', 'is', null), eb('o.active', '=', 1)]))
    .executeTakeFirst();
  if (!r) return undefined;
  const { csrf, ...user } = r;
  return { user: rowToUser(user), csrf };
}

export async function deleteSession(db: Conn, idHash: string): Promise<void> {
  await db.deleteFrom('web_session').where('id_hash', '=', idHash).execute();
}

/** Housekeeping: sessions past their expiry. */
export async function deleteExpiredSessions(db: Conn, now: string): Promise<number> {
  const r = await db.deleteFrom('web_session').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ─── One-time login links from the bot (/web, migration 0017) ───────────────────────────────────────────────────

export async function insertLoginLink(db: Conn, l: { tokenHash: string; officerId: number; createdAt: string; expiresAt: string }): Promise<void> {
  await db
    .insertInto('web_login_link')
    .values({ token_hash: l.tokenHash, officer_id: l.officerId, created_at: l.createdAt, expires_at: l.expiresAt, used_at: null })
    .execute();
}

/**
 * Uses a link: marks it used in the same statement that checks it is unused and unexpired, so two clicks at once
 * cannot both win. The officer it was made for, or undefined (unknown, used or expired: one answer).
 */
export async function takeLoginLink(db: Conn, tokenHash: string, now: string): Promise<number | undefined> {
  const r = await db
    .updateTable('web_login_link')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('officer_id')
    .executeTakeFirst();
  return r?.officer_id;
}

/** The web account made for a bot officer, with its officer id. */
export async function userByOfficer(db: Conn, officerId: number): Promise<WebUser | undefined> {
  const r = await db.selectFrom('web_user').selectAll().where('officer_id', '=', officerId).executeTakeFirst();
  return r ? rowToUser(r) : undefined;
}

/** Makes the web account of a bot officer; it has no usable password (the link is its only way in). */
export async function insertOfficerUser(
  db: Conn,
  u: { login: string; officerId: number; role: WebRole; county: string; unit: UnitCode | null; name: string | null; now: string },
): Promise<number> {
  const id = await insertUser(db, { login: u.login, passwordHash: '!', role: u.role, county: u.county, unit: u.unit, name: u.name, now: u.now });
  await db.updateTable('web_user').set({ officer_id: u.officerId }).where('id', '=', id).execute();
  return id;
}

/** Brings a bot officer's web account in line with the officer's current role, unit, county and name. */
export async function updateOfficerUser(db: Conn, id: number, u: { role: WebRole; county: string; unit: UnitCode | null; name: string | null; now: string }): Promise<void> {
  await db.updateTable('web_user').set({ role: u.role, county: u.county, unit: u.unit, name: u.name, updated_at: u.now }).where('id', '=', id).execute();
}
