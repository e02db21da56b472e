// A seeded random source (mulberry32), so a failing stress run can be repeated with WUYE_STRESS_SEED.
import { mulberry32 } from '../../support/random.ts';

export const seededRandom = mulberry32;

/** The seed from WUYE_STRESS_SEED, or a fresh one (printed by the tests). */
export function stressSeed(): number {
  const s = process.env.WUYE_STRESS_SEED;
  return s ? Number(s) : Math.floor(Math.random() * 2 ** 31);
}

/** A positive integer from the environment, or the default. */
export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}
