// The statistical layer: a linear model over character n-grams (1–3 Han characters) that scores each unit,
// trained by scripts/train-classifier.ts on labelled real mail and shipped as config/classifier-model.json.
// Pure: the model file comes in as parsed data; no I/O, no clock.
//
// Features are binary presences of folded Han n-grams — a gram in the subject counts `subjectWeight`, one in the
// body 1 (the strongest occurrence wins) — scaled by 1/sqrt(number of gram positions) so a 600-character story
// does not outshout a one-line subject. Scores are softmax probabilities over the model's units. The scorer
// below and `featureVector` (what the trainer learns from) must agree; a unit test holds them together.
import { z } from 'zod';
import { UNIT_CODES, type UnitCode } from '../domain.ts';
import { foldString } from './automaton.ts';

/** Han characters (CJK Unified Ideographs and extension A): the only characters grams are made of. Digits,
 *  Latin, punctuation and the masks of the source (A1区, ****) break a run. */
const isHan = (c: number) => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);

export const modelSchema = z
  .object({
    version: z.literal(1),
    /** Provenance, written by the trainer: files, split, row counts, date. Read by people, not by the code. */
    trainedOn: z.record(z.string(), z.unknown()),
    maxN: z.number().int().min(1).max(3),
    subjectWeight: z.number().min(1).max(5),
    /** Characters of the mail read (subject first): bounds the cost of very long mail. */
    maxChars: z.number().int().min(1),
    combine: z
      .object({
        /** Rule-score points a probability of 1 adds to a unit. 0 switches the layer off. */
        weight: z.number().min(0).max(50),
        /** `close`: the model is asked only when the rules' top two units are closer than thresholds.minMargin;
         *  `always`: on every complaint with enough rule evidence. Thin rule evidence is never the model's. */
        when: z.enum(['always', 'close']),
        /** Model features shown in `matched` for the chosen unit. */
        explain: z.number().int().min(0).max(10),
      })
      .strict(),
    units: z.array(z.enum(UNIT_CODES)).min(1),
    bias: z.array(z.number().finite()),
    /** unit → gram → weight (pruned to the strongest grams of each unit). */
    weights: z.record(z.string(), z.record(z.string().min(1).max(3), z.number().finite())),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.bias.length !== m.units.length) ctx.addIssue({ code: 'custom', path: ['bias'], message: 'one bias per unit' });
    for (const u of Object.keys(m.weights)) {
      if (!m.units.includes(u as UnitCode)) ctx.addIssue({ code: 'custom', path: ['weights', u], message: `unknown unit "${u}"` });
    }
  });
export type ModelFile = z.infer<typeof modelSchema>;

export interface CompiledModel {
  fileName: string;
  file: ModelFile;
  maxN: number;
  subjectWeight: number;
  maxChars: number;
  weight: number;
  always: boolean;
  explain: number;
  /** model class → index in UNIT_CODES (the rules' unit order) */
  unitIndex: Int32Array;
  classes: number;
  bias: Float64Array;
  /** open-addressing hash table of gram keys → feature index */
  tableKeys: Float64Array;
  tableFeature: Int32Array;
  mask: number;
  grams: string[]; // feature index → gram (for explanations)
  w: Float64Array; // [feature * classes + class]
  // Scratch reused by every call (JavaScript runs one call at a time): no per-call allocation of big arrays.
  stamp: Uint32Array;
  value: Float64Array;
  hits: Int32Array;
  hitCount: number;
  epoch: number;
  scores: Float64Array;
  prob: Float64Array;
}

/** Validates a parsed model file; an error names the file and the key path. */
export function parseModel(value: unknown, fileName: string): ModelFile {
  const r = modelSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${fileName}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`分类模型无效 invalid classifier model\n${lines.join('\n')}`);
  }
  return r.data;
}

/** A gram's numeric key: its length above 48 bits, its UTF-16 codes below. Exact (< 2^53), no collisions. */
export function gramKey(a: number, b: number, c: number, n: number): number {
  if (n === 1) return 281474976710656 + a;
  if (n === 2) return 2 * 281474976710656 + a * 65536 + b;
  return 3 * 281474976710656 + a * 4294967296 + b * 65536 + c;
}

const slot = (key: number, mask: number) => {
  const hi = Math.floor(key / 4294967296);
  return (Math.imul((key >>> 0) ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 15) & mask;
};

export function compileModel(file: ModelFile, fileName: string, fold: Uint16Array): CompiledModel {
  const classes = file.units.length;
  const index = new Map<string, number>();
  const grams: string[] = [];
  const entries: [number, number, number][] = []; // feature, class, weight
  file.units.forEach((u, c) => {
    for (const [g, w] of Object.entries(file.weights[u] ?? {})) {
      const key = foldString(g, fold);
      let f = index.get(key);
      if (f === undefined) {
        f = grams.length;
        index.set(key, f);
        grams.push(key);
      }
      entries.push([f, c, w]);
    }
  });
  const w = new Float64Array(grams.length * classes);
  for (const [f, c, x] of entries) w[f * classes + c] = w[f * classes + c]! + x;
  let size = 16;
  while (size < grams.length * 4) size *= 2; // load ≤ 1/4: most misses end at the first, empty slot
  const tableKeys = new Float64Array(size);
  const tableFeature = new Int32Array(size).fill(-1);
  const mask = size - 1;
  grams.forEach((g, f) => {
    const codes = [...g].map((ch) => ch.charCodeAt(0));
    if (g.length !== codes.length || g.length > file.maxN || !codes.every(isHan)) {
      throw new Error(`${fileName}: gram "${g}" is not 1–${file.maxN} Han characters`);
    }
    const key = gramKey(codes[0]!, codes[1] ?? 0, codes[2] ?? 0, codes.length);
    let s = slot(key, mask);
    while (tableFeature[s] !== -1) s = (s + 1) & mask;
    tableKeys[s] = key;
    tableFeature[s] = f;
  });
  const n = grams.length;
  return {
    fileName,
    file,
    maxN: file.maxN,
    subjectWeight: file.subjectWeight,
    maxChars: file.maxChars,
    weight: file.combine.weight,
    always: file.combine.when === 'always',
    explain: file.combine.explain,
    unitIndex: Int32Array.from(file.units, (u) => UNIT_CODES.indexOf(u)),
    classes,
    bias: Float64Array.from(file.bias),
    tableKeys,
    tableFeature,
    mask,
    grams,
    w,
    stamp: new Uint32Array(n),
    value: new Float64Array(n),
    hits: new Int32Array(n),
    hitCount: 0,
    epoch: 0,
    scores: new Float64Array(classes),
    prob: new Float64Array(classes),
  };
}

function lookup(m: CompiledModel, key: number): number {
  let s = slot(key, m.mask);
  for (;;) {
    const f = m.tableFeature[s]!;
    if (f === -1 || m.tableKeys[s] === key) return f;
    s = (s + 1) & m.mask;
  }
}

/**
 * Scores `full` (subject, then the body from `subjectEnd`) and leaves the unit probabilities in `m.prob` (model
 * class order) and the features that fired in `m.hits[0..hitCount)`. `fold` is the rules' character folding.
 */
export function scoreModel(m: CompiledModel, full: string, subjectEnd: number, fold: Uint16Array): Float64Array {
  if (++m.epoch === 0xffffffff) {
    m.stamp.fill(0);
    m.epoch = 1;
  }
  const epoch = m.epoch;
  const { stamp, value, hits } = m;
  let hitCount = 0;
  let positions = 0;
  const len = Math.min(full.length, m.maxChars);
  let p1 = -1; // previous Han code, -1 after a break
  let p2 = -1;
  for (let i = 0; i < len; i++) {
    const c = fold[full.charCodeAt(i)]!;
    if (!isHan(c)) {
      p1 = p2 = -1;
      continue;
    }
    const v = i < subjectEnd ? m.subjectWeight : 1;
    for (let n = 1; n <= m.maxN; n++) {
      let key: number;
      if (n === 1) key = gramKey(c, 0, 0, 1);
      else if (n === 2) {
        if (p1 < 0) break;
        key = gramKey(p1, c, 0, 2);
      } else {
        if (p2 < 0) break;
        key = gramKey(p2, p1, c, 3);
      }
      positions++;
      const f = lookup(m, key);
      if (f < 0) continue;
      if (stamp[f] !== epoch) {
        stamp[f] = epoch;
        value[f] = v;
        hits[hitCount++] = f;
      } else if (value[f]! < v) value[f] = v;
    }
    p2 = p1;
    p1 = c;
  }
  m.hitCount = hitCount;
  const C = m.classes;
  const scores = m.scores;
  for (let c = 0; c < C; c++) scores[c] = m.bias[c]!;
  const scale = positions > 0 ? 1 / Math.sqrt(positions) : 0;
  for (let k = 0; k < hitCount; k++) {
    const f = hits[k]!;
    const x = value[f]! * scale;
    const base = f * C;
    for (let c = 0; c < C; c++) scores[c] = scores[c]! + x * m.w[base + c]!;
  }
  return softmax(scores, m.prob);
}

/** Writes softmax(scores) into `out` and returns it. */
export function softmax(scores: ArrayLike<number>, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) if (scores[c]! > max) max = scores[c]!;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    out[c] = Math.exp(scores[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < scores.length; c++) out[c] = out[c]! / sum;
  return out;
}

/**
 * The grams of the last `scoreModel` call that pushed model class `c` up most, strongest first, at most `k`,
 * each as `~gram` so an officer tells them from rule phrases.
 */
export function explainModel(m: CompiledModel, c: number, k: number): string[] {
  const out: string[] = [];
  if (k <= 0) return out;
  const C = m.classes;
  // Small k: repeated selection of the best remaining positive contribution, no sorting of all hits.
  const taken: number[] = [];
  for (let r = 0; r < k; r++) {
    let best = -1;
    let bestW = 0;
    for (let h = 0; h < m.hitCount; h++) {
      const f = m.hits[h]!;
      // Contribution relative to the other units' average: what made this unit win, not what every unit shares.
      let mean = 0;
      for (let d = 0; d < C; d++) mean += m.w[f * C + d]!;
      const contrib = m.value[f]! * (m.w[f * C + c]! - mean / C);
      if (contrib > bestW && !taken.includes(f)) {
        bestW = contrib;
        best = f;
      }
    }
    if (best < 0) break;
    taken.push(best);
    out.push(`~${m.grams[best]}`);
  }
  return out;
}

/**
 * The same features as `scoreModel`, as a map gram → value (before the 1/sqrt(positions) scaling, which is
 * returned apart): what the trainer learns from. Every gram counts here, not just the model's.
 */
export function featureVector(full: string, subjectEnd: number, fold: Uint16Array, maxN: number, subjectWeight: number, maxChars: number): { grams: Map<string, number>; positions: number } {
  const grams = new Map<string, number>();
  let positions = 0;
  const len = Math.min(full.length, maxChars);
  let run = '';
  for (let i = 0; i < len; i++) {
    const c = fold[full.charCodeAt(i)]!;
    if (!isHan(c)) {
      run = '';
      continue;
    }
    run = (run + String.fromCharCode(c)).slice(-maxN);
    const v = i < subjectEnd ? subjectWeight : 1;
    for (let n = 1; n <= Math.min(maxN, run.length); n++) {
      const g = run.slice(run.length - n);
      positions++;
      if ((grams.get(g) ?? 0) < v) grams.set(g, v);
    }
  }
  return { grams, positions };
}
