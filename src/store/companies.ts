// Companies and compounds named in complaints, and the dated actions their thresholds trigger.
import { isCompanyActionType, type CompanyFactInput } from '../domain.ts';
import type { Conn } from './db.ts';
import { hotQuery } from './hot-query.ts';

/** company_action.due_at is NOT NULL; actions the seeds give no period (重点督办台账, 退出程序) carry this. */
export const NO_DUE = '9999-12-31T23:59:59.999Z';

/** Finds or creates a company by its normalised name. */
const companyByName = hotQuery((db, p: { name: string }) => db.selectFrom('company').select('id').where('name', '=', p.name));
const compoundByName = hotQuery((db, p: { name: string; county: string }) =>
  db.selectFrom('compound').select(['id', 'company_id']).where('name', '=', p.name).where('county', '=', p.county),
);

export async function ensureCompany(db: Conn, name: string, county: string | null, now: string): Promise<number> {
  const found = (await companyByName(db, { name })).rows[0];
  if (found) return found.id;
  await db
    .insertInto('company')
    .values({ name, county, key_supervision: 0, satisfaction: null, refused_to_fix: 0, credit_low: 0, refused_fee_standard: 0, facts_at: null, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return (await db.selectFrom('company').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

export async function ensureCompound(db: Conn, name: string, county: string, companyId: number | null, now: string): Promise<number> {
  const found = (await compoundByName(db, { name, county })).rows[0];
  if (found) {
    if (companyId && !found.company_id) await db.updateTable('compound').set({ company_id: companyId }).where('id', '=', found.id).execute();
    return found.id;
  }
  await db
    .insertInto('compound')
    .values({ name, county, company_id: companyId, created_at: now })
    .onConflict((oc) => oc.columns(['name', 'county']).doNothing())
    .execute();
  return (await db.selectFrom('compound').select('id').where('name', '=', name).where('county', '=', county).executeTakeFirstOrThrow()).id;
}

export async function listCompanies(db: Conn) {
  return db.selectFrom('company').selectAll().orderBy('id').execute();
}

/** Records an action once per company, type and rule; its id when new, null when it was recorded before. */
export async function addCompanyAction(
  db: Conn,
  a: { companyId: number; type: string; rule: string; reason: string; dueAt: string },
  now: string,
): Promise<number | null> {
  const r = await db
    .insertInto('company_action')
    .values({ company_id: a.companyId, type: a.type, rule: a.rule, reason: a.reason, due_at: a.dueAt, created_at: now, done_at: null, done_by: null })
    .onConflict((oc) => oc.columns(['company_id', 'type', 'rule']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r ? Number(r.id) : null;
}

export async function setKeySupervision(db: Conn, companyId: number, on: boolean): Promise<void> {
  await db.updateTable('company').set({ key_supervision: on ? 1 : 0 }).where('id', '=', companyId).execute();
}

export async function listCompanyActions(db: Conn, companyId?: number) {
  let q = db.selectFrom('company_action').selectAll();
  if (companyId) q = q.where('company_id', '=', companyId);
  return q.orderBy('id').execute();
}

/** Records a month's published red/black list (inside the monthly report's claiming transaction). */
export async function recordCompanyLists(
  tx: Conn,
  lists: { month: string; red: { companyId: string; rules: { reason: string }[] }[]; black: { companyId: string; rules: { reason: string }[] }[] },
  now: string,
): Promise<number> {
  const rows = (['red', 'black'] as const).flatMap((list) =>
    lists[list].map((e) => ({ month: lists.month, company_id: Number(e.companyId), list, reasons: e.rules.map((r) => r.reason).join('；'), recorded_at: now })),
  );
  if (rows.length) await tx.insertInto('company_list').values(rows).execute();
  return rows.length;
}

/** The published monthly lists before `beforeMonth`: which months were published, and per company its black months. */
export async function blackListHistory(db: Conn, beforeMonth: string): Promise<{ published: string[]; black: Map<number, Set<string>> }> {
  const runs = await db
    .selectFrom('job_run')
    .select('period_key')
    .where('job', '=', 'monthly')
    .where('finished_at', 'is not', null)
    .where('period_key', '<', beforeMonth)
    .execute();
  const rows = await db.selectFrom('company_list').select(['company_id', 'month']).where('list', '=', 'black').where('month', '<', beforeMonth).execute();
  const black = new Map<number, Set<string>>();
  for (const r of rows) {
    const id = Number(r.company_id);
    let s = black.get(id);
    if (!s) black.set(id, (s = new Set()));
    s.add(r.month);
  }
  return { published: runs.map((r) => r.period_key), black };
}

/** Actions with a period that are not done yet, with their company's name and county (the city's when it has none). */
export async function openCompanyActions(db: Conn, noDue: string, cityCounty: string) {
  const rows = await db
    .selectFrom('company_action as a')
    .innerJoin('company as c', 'c.id', 'a.company_id')
    .select(['a.id', 'a.type', 'a.reason', 'a.due_at', 'c.name', 'c.county'])
    .where('a.done_at', 'is', null)
    .where('a.due_at', '<>', noDue)
    .orderBy('a.id')
    .execute();
  return rows.flatMap((r) =>
    isCompanyActionType(r.type) ? [{ id: Number(r.id), type: r.type, companyName: r.name, county: r.county ?? cityCounty, reason: r.reason, dueAt: r.due_at }] : [],
  );
}

/** Marks an action done; false when there is no such action or it was done already. */
export async function markCompanyActionDone(db: Conn, id: number, now: string, by: string | null): Promise<boolean> {
  const r = await db.updateTable('company_action').set({ done_at: now, done_by: by }).where('id', '=', id).where('done_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) === 1;
}

/** Takes back a done mark (recorded by mistake, or the step has to be done again): its reminders resume. */
export async function markCompanyActionUndone(db: Conn, id: number): Promise<boolean> {
  const r = await db.updateTable('company_action').set({ done_at: null, done_by: null }).where('id', '=', id).where('done_at', 'is not', null).executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) === 1;
}

/** One action with its company's name and county (the city's when it has none). */
export async function companyActionById(db: Conn, id: number, cityCounty: string) {
  const r = await db
    .selectFrom('company_action as a')
    .innerJoin('company as c', 'c.id', 'a.company_id')
    .select(['a.id', 'a.type', 'a.reason', 'a.due_at', 'a.done_at', 'a.done_by', 'c.name', 'c.county'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!r || !isCompanyActionType(r.type)) return undefined;
  return { id: Number(r.id), type: r.type, reason: r.reason, dueAt: r.due_at, doneAt: r.done_at, doneBy: r.done_by, companyName: r.name, county: r.county ?? cityCounty };
}

/** A company by its id or its exact (normalised) name. */
export async function findCompany(db: Conn, ref: { id: number } | { name: string }) {
  let q = db.selectFrom('company').selectAll();
  q = 'id' in ref ? q.where('id', '=', ref.id) : q.where('name', '=', ref.name);
  return q.executeTakeFirst();
}

/** Appends a company fact and sets the company's current value of it (the daily check reads the row). */
export async function recordCompanyFact(
  tx: Conn,
  companyId: number,
  f: CompanyFactInput,
  meta: { evidence: string | null; by: string | null; now: string },
): Promise<number> {
  const { fact, ...value } = f;
  const row = await tx
    .insertInto('company_fact')
    .values({ company_id: companyId, fact, value: JSON.stringify(value), evidence: meta.evidence, recorded_by: meta.by, recorded_at: meta.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const set =
    f.fact === 'survey'
      ? { satisfaction: f.satisfaction }
      : f.fact === 'refused-to-fix'
        ? { refused_to_fix: f.on ? 1 : 0 }
        : f.fact === 'credit'
          ? { credit_low: f.low ? 1 : 0 }
          : { refused_fee_standard: f.on ? 1 : 0 };
  await tx.updateTable('company').set({ ...set, facts_at: meta.now }).where('id', '=', companyId).execute();
  return Number(row.id);
}

/** Every fact recorded for a company, oldest first. */
export async function companyFacts(db: Conn, companyId: number) {
  return db.selectFrom('company_fact').selectAll().where('company_id', '=', companyId).orderBy('id').execute();
}

/** Compounds with their company's name, township and community: the register as people read it. */
function compoundsWithCompany(db: Conn) {
  return db
    .selectFrom('compound as p')
    .leftJoin('company as k', 'k.id', 'p.company_id')
    .select(['p.id', 'p.name', 'p.county', 'p.company_id', 'k.name as company', 'p.township', 'p.community', 'p.registered_at']);
}

/** A compound as the register knows it: its company (name and id), township and community; undefined when unknown. */
export async function registeredCompound(db: Conn, name: string, county: string) {
  return compoundsWithCompany(db).where('p.name', '=', name).where('p.county', '=', county).executeTakeFirst();
}

/** Enters or updates a compound in the register (the register's company wins over one inferred from a mail). */
export async function registerCompound(
  db: Conn,
  c: { name: string; county: string; companyId: number | null; township: string | null; community: string | null; now: string },
): Promise<'added' | 'updated'> {
  const found = await registeredCompound(db, c.name, c.county);
  if (found) {
    await db
      .updateTable('compound')
      .set({ company_id: c.companyId ?? found.company_id, township: c.township, community: c.community, registered_at: c.now })
      .where('id', '=', found.id)
      .execute();
    return 'updated';
  }
  await db
    .insertInto('compound')
    .values({ name: c.name, county: c.county, company_id: c.companyId, township: c.township, community: c.community, registered_at: c.now, created_at: c.now })
    .execute();
  return 'added';
}

/** Points a case at a company (after the desk or the unit corrected it): the counts follow. */
export async function setCaseCompany(db: Conn, caseId: number, companyId: number | null): Promise<void> {
  await db.updateTable('complaint').set({ company_id: companyId }).where('id', '=', caseId).execute();
}

/** Every compound known (registered, or only named in a complaint), with its company, by county and name. */
export async function listCompounds(db: Conn) {
  return compoundsWithCompany(db).orderBy('p.county').orderBy('p.name').execute();
}
