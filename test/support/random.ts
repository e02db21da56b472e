// mulberry32: a small, fast seeded random source — good enough to vary test mail and pick kill points, and
// repeatable, so a failing run can be replayed from its seed. The one copy for tests, stress and bench.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
