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
  /** Han code unit → feature index of that unigram, −1 when none. */
  uni: Int32Array;
  /** Per code unit, where it occurs in the model's grams (the UNI, FIRST2 … THIRD3 bits): a gram whose characters
   *  never occur in those places is skipped without a hash lookup, which is most of them. */
  place: Uint8Array;
  /** The same bits by the code unit as written (before folding), plus HAN: one lookup per character tells a
   *  break from a Han character and whether any gram can involve it; the fold is read only for those. */
  rawPlace: Uint8Array;
  /** Open-addressing tables of bigrams (key a<<16|b) and trigrams (key a<<16|b, then c) → feature index. */
  biKey: Int32Array;
  biFeature: Int32Array;
  triKey: Int32Array;
  triC: Uint16Array;
  triFeature: Int32Array;
  mask: number;
  grams: string[]; // feature index → gram (for explanations)
  w: Float64Array; // [feature * classes + class]
  wMean: Float64Array; // per feature, its mean weight over the classes (for explanations)
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

const FIRST2 = 1;
const SECOND2 = 2;
const FIRST3 = 4;
const SECOND3 = 8;
const THIRD3 = 16;
const UNI = 32;
const HAN = 64; // in rawPlace only: the code unit folds to a Han character

const biSlot = (ab: number, mask: number) => (Math.imul(ab, 0x9e3779b1) >>> 12) & mask;
const triSlot = (ab: number, c: number, mask: number) => (Math.imul(ab ^ Math.imul(c, 0x85ebca6b), 0x9e3779b1) >>> 12) & mask;

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
  const mask = size - 1;
  const uni = new Int32Array(65536).fill(-1);
  const place = new Uint8Array(65536);
  const biKey = new Int32Array(size);
  const biFeature = new Int32Array(size).fill(-1);
  const triKey = new Int32Array(size);
  const triC = new Uint16Array(size);
  const triFeature = new Int32Array(size).fill(-1);
  grams.forEach((g, f) => {
    const codes = [...g].map((ch) => ch.charCodeAt(0));
    if (g.length !== codes.length || g.length > file.maxN || !codes.every(isHan)) {
      throw new Error(`${fileName}: gram "${g}" is not 1–${file.maxN} Han characters`);
    }
    const [a, b, c] = codes as [number, number, number];
    if (codes.length === 1) {
      place[a]! |= UNI;
      uni[a] = f;
    } else if (codes.length === 2) {
      place[a]! |= FIRST2;
      place[b]! |= SECOND2;
      let at = biSlot((a << 16) | b, mask);
      while (biFeature[at] !== -1) at = (at + 1) & mask;
      biKey[at] = (a << 16) | b;
      biFeature[at] = f;
    } else {
      place[a]! |= FIRST3;
      place[b]! |= SECOND3;
      place[c]! |= THIRD3;
      let at = triSlot((a << 16) | b, c, mask);
      while (triFeature[at] !== -1) at = (at + 1) & mask;
      triKey[at] = (a << 16) | b;
      triC[at] = c;
      triFeature[at] = f;
    }
  });
  const wMean = new Float64Array(grams.length);
  for (let f = 0; f < grams.length; f++) {
    for (let c = 0; c < classes; c++) wMean[f] = wMean[f]! + w[f * classes + c]! / classes;
  }
  const rawPlace = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) if (isHan(fold[c]!)) rawPlace[c] = place[fold[c]!]! | HAN;
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
    uni,
    place,
    rawPlace,
    biKey,
    biFeature,
    triKey,
    triC,
    triFeature,
    mask,
    grams,
    w,
    wMean,
    stamp: new Uint32Array(n),
    value: new Float64Array(n),
    hits: new Int32Array(n),
    hitCount: 0,
    epoch: 0,
    scores: new Float64Array(classes),
    prob: new Float64Array(classes),
  };
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
  const { rawPlace, uni, biKey, biFeature, triKey, triC, triFeature, mask, hits, value, stamp } = m;
  const maxN = m.maxN;
  const subjectWeight = m.subjectWeight;
  let hitCount = 0;
  let positions = 0;
  const len = Math.min(full.length, m.maxChars);
  let p1 = -1; // previous Han code, -1 after a break
  let p2 = -1;
  let pp1 = 0; // place bits of p1 and p2
  let pp2 = 0;
  for (let i = 0; i < len; i++) {
    const raw = full.charCodeAt(i);
    const pc = rawPlace[raw]!;
    if (pc === 0) {
      p1 = p2 = -1;
      pp1 = pp2 = 0; // no gram spans a break
      continue;
    }
    // Gram positions are counted whether or not the model knows the gram: the scaling must not depend on it.
    positions += p1 < 0 ? 1 : p2 < 0 || maxN < 3 ? Math.min(2, maxN) : 3;
    // p1, p2 (the gram keys) are only read behind place bits, so a character no gram involves is not folded.
    const c = pc === HAN ? 0 : fold[raw]!;
    if (pc !== HAN) {
      const v = i < subjectEnd ? subjectWeight : 1;
      // Up to three features end here (unrolled: this loop is the layer's whole cost); each is recorded once per
      // mail at its strongest value.
      if (pc & UNI) hitCount = record(uni[c]!, v, epoch, stamp, value, hits, hitCount);
      if (pc & SECOND2 && pp1 & FIRST2) {
        const ab = (p1 << 16) | c;
        let at = biSlot(ab, mask);
        let f: number;
        while ((f = biFeature[at]!) !== -1 && biKey[at] !== ab) at = (at + 1) & mask;
        if (f >= 0) hitCount = record(f, v, epoch, stamp, value, hits, hitCount);
      }
      if (pc & THIRD3 && pp1 & SECOND3 && pp2 & FIRST3) {
        const ab = (p2 << 16) | p1;
        let at = triSlot(ab, c, mask);
        let f: number;
        while ((f = triFeature[at]!) !== -1 && (triKey[at] !== ab || triC[at] !== c)) at = (at + 1) & mask;
        if (f >= 0) hitCount = record(f, v, epoch, stamp, value, hits, hitCount);
      }
    }
    p2 = p1;
    pp2 = pp1;
    p1 = c;
    pp1 = pc;
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

function record(f: number, v: number, epoch: number, stamp: Uint32Array, value: Float64Array, hits: Int32Array, hitCount: number): number {
  if (stamp[f] !== epoch) {
    stamp[f] = epoch;
    value[f] = v;
    hits[hitCount++] = f;
  } else if (value[f]! < v) value[f] = v;
  return hitCount;
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
 * The grams of the last `scoreModel` call that pushed model class `c` up most, strongest first, at most `k`, each
 * as `~gram` so an officer tells them from rule phrases. Grams of two or more characters; lone characters only
 * when there is none; `~模型先验` when nothing in the mail pushed the unit (its label frequency did).
 */
export function explainModel(m: CompiledModel, c: number, k: number): string[] {
  const out = topGrams(m, c, k, 2);
  // Lone characters only when no longer gram pushed the unit; when none did either, the model's prior decided.
  if (out.length === 0 && k > 0) out.push(...topGrams(m, c, k, 1));
  if (out.length === 0 && k > 0) out.push(PRIOR_LABEL);
  return out;
}

/** Shown when the model chose a unit on its prior (label frequencies) alone: no gram of the mail pushed it. */
export const PRIOR_LABEL = '~模型先验';

function topGrams(m: CompiledModel, c: number, k: number, minLength: number): string[] {
  const out: string[] = [];
  if (k <= 0) return out;
  const C = m.classes;
  // One pass over the hits keeping the k best in a small sorted list (k ≤ 10): no sort of every hit.
  const best: number[] = [];
  const bestW: number[] = [];
  for (let h = 0; h < m.hitCount; h++) {
    const f = m.hits[h]!;
    if (m.grams[f]!.length < minLength) continue; // a lone character (漏, 山) says little to a reader
    // Contribution relative to the units' average: what made this unit win, not what every unit shares.
    const own = m.w[f * C + c]!;
    const contrib = m.value[f]! * (own - m.wMean[f]!);
    if (own <= 0 || contrib <= 0 || (best.length === k && contrib <= bestW[k - 1]!)) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && bestW[at - 1]! < contrib) {
      if (at < k) {
        best[at] = best[at - 1]!;
        bestW[at] = bestW[at - 1]!;
      }
      at--;
    }
    best[at] = f;
    bestW[at] = contrib;
  }
  for (const f of best) out.push(`~${m.grams[f]}`);
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
