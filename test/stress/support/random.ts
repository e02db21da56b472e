// A seeded random source (mulberry32), so a failing stress run can be repeated with WUYE_STRESS_SEED.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
