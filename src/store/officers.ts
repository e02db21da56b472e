// Officers and their one-shot invites. An officer is bound to one unit and one county; the chat id links Telegram.
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Role, UnitCode } from '../domain.ts';
import type { Conn } from './db.ts';
import { hotQuery } from './hot-query.ts';
import type { OfficerTable } from './schema.ts';

export interface Officer {
  id: number;
  chatId: number | null;
  name: string | null;
  unit: UnitCode;
  county: string;
  role: Role;
  active: boolean;
  reachable: boolean;
  /** Works at the city level (the county code is the city's own, cfg.city.code): set by whoever knows the config. */
  cityLevel?: boolean;
  /** The unit's 负责人 (approves the penalty extension, 000 附件 三(二)); set by the invite. */
  unitHead?: boolean;
}

export function rowToOfficer(r: Selectable<OfficerTable>): Officer {
  return {
    id: r.id,
    chatId: r.chat_id,
    name: r.name,
    unit: r.unit as UnitCode,
    county: r.county,
    role: r.role as Role,
    active: r.active === 1,
    reachable: r.reachable === 1,
    ...(r.unit_head === 1 ? { unitHead: true } : {}),
  };
}

export interface InviteInput {
  unit: UnitCode;
  county: string;
  role: Role;
  name?: string | null;
  /** The invitee is the unit's 负责人. */
  unitHead?: boolean;
}

/** Invite codes are 16 url-safe chars: unguessable, and short enough for a /start deep link (≤ 64). */
export async function createInvite(db: Conn, inv: InviteInput, now: Date, ttlHours: number): Promise<{ code: string; expiresAt: string }> {
  const code = randomBytes(12).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000).toISOString();
  await db
    .insertInto('officer_invite')
    .values({
      code,
      unit: inv.unit,
      county: inv.county,
      role: inv.role,
      name: inv.name ?? null,
      unit_head: inv.unitHead ? 1 : 0,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
      officer_id: null,
      revoked_at: null,
    })
    .execute();
  return { code, expiresAt };
}

export type RedeemResult = { ok: true; officer: Officer } | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'revoked' };

/** Redeems an invite for a chat, once. Must run in a transaction. */
export async function redeemInvite(tx: Conn, code: string, chatId: number, displayName: string | null, now: Date): Promise<RedeemResult> {
  const inv = await tx.selectFrom('officer_invite').selectAll().where('code', '=', code).executeTakeFirst();
  if (!inv) return { ok: false, reason: 'unknown' };
  if (inv.revoked_at) return { ok: false, reason: 'revoked' };
  if (inv.used_at) return { ok: false, reason: 'used' };
  if (inv.expires_at <= now.toISOString()) return { ok: false, reason: 'expired' };
  const nowIso = now.toISOString();
  // One chat is one officer: linking again moves the chat to the new role.
  await tx.updateTable('officer').set({ active: 0 }).where('chat_id', '=', chatId).execute();
  const row = await tx
    .insertInto('officer')
    .values({
      chat_id: chatId,
      name: inv.name ?? displayName,
      unit: inv.unit,
      county: inv.county,
      role: inv.role,
      active: 1,
      reachable: 1,
      unit_head: inv.unit_head,
      created_at: nowIso,
      linked_at: nowIso,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const used = await tx
    .updateTable('officer_invite')
    .set({ used_at: nowIso, officer_id: row.id })
    .where('code', '=', code)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) throw new Error('invite redeemed concurrently');
  return { ok: true, officer: rowToOfficer(row) };
}

export async function listInvites(db: Conn) {
  return db.selectFrom('officer_invite').selectAll().orderBy('created_at', 'desc').execute();
}

export async function revokeInvite(db: Conn, code: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('officer_invite')
    .set({ revoked_at: now.toISOString() })
    .where('code', '=', code)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function officerByChat(db: Conn, chatId: number): Promise<Officer | undefined> {
  const r = await db.selectFrom('officer').selectAll().where('chat_id', '=', chatId).where('active', '=', 1).executeTakeFirst();
  return r ? rowToOfficer(r) : undefined;
}

export async function officerById(db: Conn, id: number): Promise<Officer | undefined> {
  const r = await db.selectFrom('officer').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? rowToOfficer(r) : undefined;
}

export async function listOfficers(db: Conn, filter: { unit?: string; county?: string; role?: string; activeOnly?: boolean } = {}) {
  let q = db.selectFrom('officer').selectAll();
  if (filter.unit) q = q.where('unit', '=', filter.unit);
  if (filter.county) q = q.where('county', '=', filter.county);
  if (filter.role) q = q.where('role', '=', filter.role);
  if (filter.activeOnly) q = q.where('active', '=', 1);
  return (await q.orderBy('id').execute()).map(rowToOfficer);
}

// Every notice looks its recipients up; the set of names given (roles role0…, unit, county) picks the variant.
const recipients = hotQuery((db, p: Record<string, string>) => {
  const roles = Object.keys(p).filter((k) => k.startsWith('role')).map((k) => p[k]!);
  let q = db.selectFrom('officer').selectAll().where('active', '=', 1).where('chat_id', 'is not', null).where('role', 'in', roles);
  if ('unit' in p) q = q.where('unit', '=', p.unit!);
  if ('county' in p) q = q.where('county', '=', p.county!);
  return q.orderBy('id');
});

/** Linked, active officers that should get a unit's messages in a county. */
export async function recipientsFor(db: Conn, filter: { unit?: string; county?: string | null; roles: Role[] }): Promise<Officer[]> {
  const values: Record<string, string> = Object.fromEntries(filter.roles.map((r, i) => [`role${i}`, r]));
  if (filter.unit) values.unit = filter.unit;
  if (filter.county) values.county = filter.county;
  return (await recipients(db, values)).rows.map(rowToOfficer);
}

export async function deactivateOfficer(db: Conn, id: number): Promise<boolean> {
  const r = await db.updateTable('officer').set({ active: 0 }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setReachable(db: Conn, chatId: number, reachable: boolean): Promise<void> {
  await db.updateTable('officer').set({ reachable: reachable ? 1 : 0 }).where('chat_id', '=', chatId).execute();
}
