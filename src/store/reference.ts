// Reference data (units, counties) mirrored from config on start, so SQL reports can join names.
import type { Config } from '../config.ts';
import type { Conn } from './db.ts';

export async function syncReferenceData(db: Conn, cfg: Pick<Config, 'units' | 'counties'>): Promise<void> {
  for (const u of cfg.units) {
    await db
      .insertInto('unit')
      .values({ code: u.code, name: u.name })
      .onConflict((oc) => oc.column('code').doUpdateSet({ name: u.name }))
      .execute();
  }
  for (const c of cfg.counties) {
    await db
      .insertInto('county')
      .values({ code: c.code, name: c.name, prefix: c.prefix })
      .onConflict((oc) => oc.column('code').doUpdateSet({ name: c.name, prefix: c.prefix }))
      .execute();
  }
}
