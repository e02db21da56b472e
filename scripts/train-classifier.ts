#!/usr/bin/env node
// Trains the classifier's statistical layer (src/classifier/model.ts) and writes config/classifier-model.json.
//
//   node --import tsx scripts/train-classifier.ts --date 2026-12-02 [--out config/classifier-model.json] [--check]
//
// Learns ONLY from the tune part of test/fixtures/tipdm/labelled.jsonl (split "tune") and, when cross-validation
// says it helps, the tidy dev set test/fixtures/classify-dev.jsonl. The held-out part and the tidy held-out set
// are never read. The combination with the rule scores (weight, confidence) is chosen by 5-fold cross-validation
// inside the tune part: each fold is classified by the full classifier (rules + a model trained without that
// fold). Deterministic: fixed folds (by id hash), fixed training order, the date comes in as an argument.
// `--check` trains and cross-validates but writes nothing.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.ts';
import { UNIT_CODES, type UnitCode } from '../src/domain.ts';
import { compileModel, evaluate, featureVector, parseLabelledRows, readableText, scoreModel, type CompiledRules, type LabelledRow, type ModelFile } from '../src/classifier/index.ts';
import { DEFAULT_RULES_FILE, loadRulesFile } from '../src/runtime.ts';

const LABELLED = 'test/fixtures/tipdm/labelled.jsonl';
const DEV = 'test/fixtures/classify-dev.jsonl';

// Features and learner. Fixed, not searched: a small grid over the combination is all 243 rows can support.
const FEATURES = { maxN: 3, subjectWeight: 2, maxChars: 600 }; // maxChars: 600 beat 400 and 1500 in the cross-validation, and costs less
if (process.env.TRAIN_FEATURES) Object.assign(FEATURES, JSON.parse(process.env.TRAIN_FEATURES)); // exploration only
// rate and epochs: the slow default (0.5, 30) left the model near its prior; chosen by the same cross-validation.
const LEARN = { epochs: 60, rate: 60, l2: 1e-4, minDocs: 2, keepPerUnit: 250, balance: 0 };
if (process.env.TRAIN_LEARN) Object.assign(LEARN, JSON.parse(process.env.TRAIN_LEARN)); // exploration only
const EXPLAIN = 3;
const FOLDS = 5;
// Weights above 12 would swamp the rule scale (officers read `score`); at 12 the model already decides a close call.
const GRID = { weight: [0, 1, 2, 3, 4, 5, 6, 8, 12], always: [false, true] };

function args(): { date: string; out: string; check: boolean } {
  const a = process.argv.slice(2);
  const get = (name: string) => {
    const i = a.indexOf(name);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const date = get('--date');
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    process.stderr.write('usage: train-classifier.ts --date YYYY-MM-DD [--out FILE] [--check]\n');
    process.exit(2);
  }
  return { date, out: path.resolve(PROJECT_ROOT, get('--out') ?? 'config/classifier-model.json'), check: a.includes('--check') };
}

interface Example {
  unit: UnitCode;
  idx: Int32Array; // vocabulary indexes
  val: Float64Array; // feature values, scaled by 1/sqrt(positions) as the scorer does
}

type Doc = { grams: Map<string, number>; scale: number; unit: UnitCode };

function featurize(rows: readonly LabelledRow[], rules: CompiledRules): Doc[] {
  const docs: Doc[] = [];
  for (const r of rows) {
    if (r.unit === null) continue; // not a complaint: no unit to learn
    const t = readableText({ subject: r.subject, text: r.text }, rules);
    if (t === null) continue;
    const { grams, positions } = featureVector(t.full, t.subjectEnd, rules.automaton.fold, FEATURES.maxN, FEATURES.subjectWeight, FEATURES.maxChars);
    docs.push({ grams, scale: positions > 0 ? 1 / Math.sqrt(positions) : 0, unit: r.unit });
  }
  return docs;
}

/** A deterministic PRNG (mulberry32) for the training order. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Multinomial logistic regression by SGD with L2, then pruned to each unit's strongest grams. */
function train(docs: readonly Doc[], provenance: Record<string, unknown>): ModelFile {
  const units = UNIT_CODES.filter((u) => docs.some((d) => d.unit === u));
  const C = units.length;
  const df = new Map<string, number>();
  for (const d of docs) for (const g of d.grams.keys()) df.set(g, (df.get(g) ?? 0) + 1);
  const vocab = [...df.entries()].filter(([, n]) => n >= LEARN.minDocs).map(([g]) => g).sort();
  const vi = new Map(vocab.map((g, i) => [g, i]));
  const examples: Example[] = docs.map((d) => {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [g, v] of d.grams) {
      const i = vi.get(g);
      if (i !== undefined) {
        idx.push(i);
        val.push(v * d.scale);
      }
    }
    return { unit: d.unit, idx: Int32Array.from(idx), val: Float64Array.from(val) };
  });
  const V = vocab.length;
  const W = new Float64Array(V * C);
  const b = new Float64Array(C);
  // Log prior as the starting bias: an untrained model predicts the label frequencies.
  units.forEach((u, c) => (b[c] = Math.log(docs.filter((d) => d.unit === u).length / docs.length)));
  // Rare units (a handful of gas or health cases) weigh more: (n / (units × n_unit))^balance.
  const classWeight = units.map((u) => Math.pow(docs.length / (C * docs.filter((d) => d.unit === u).length), LEARN.balance));
  const order = examples.map((_, i) => i);
  const rnd = prng(21);
  const s = new Float64Array(C);
  const p = new Float64Array(C);
  let t = 0;
  for (let e = 0; e < LEARN.epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const ex = examples[k]!;
      const eta = LEARN.rate / (1 + t++ / order.length);
      for (let c = 0; c < C; c++) s[c] = b[c]!;
      for (let n = 0; n < ex.idx.length; n++) {
        const base = ex.idx[n]! * C;
        for (let c = 0; c < C; c++) s[c] = s[c]! + ex.val[n]! * W[base + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, s[c]!);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += p[c] = Math.exp(s[c]! - max);
      const y = units.indexOf(ex.unit);
      for (let c = 0; c < C; c++) {
        const g = (p[c]! / sum - (c === y ? 1 : 0)) * classWeight[y]!;
        b[c] = b[c]! - eta * g;
        for (let n = 0; n < ex.idx.length; n++) {
          const at = ex.idx[n]! * C + c;
          W[at] = W[at]! - eta * (g * ex.val[n]! + LEARN.l2 * W[at]!);
        }
      }
    }
  }
  // Prune: each unit keeps its strongest grams (by |weight|), rounded; the rest of the model is zero.
  const weights: Record<string, Record<string, number>> = {};
  units.forEach((u, c) => {
    const ranked = vocab.map((g, f) => [g, W[f * C + c]!] as const).filter(([, w]) => Math.abs(w) >= 0.0005);
    ranked.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]) || (x[0] < y[0] ? -1 : 1));
    const kept = ranked.slice(0, LEARN.keepPerUnit).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    weights[u] = Object.fromEntries(kept.map(([g, w]) => [g, Math.round(w * 1000) / 1000]));
  });
  return {
    version: 1,
    trainedOn: provenance,
    ...FEATURES,
    combine: { weight: 0, when: 'close', explain: EXPLAIN },
    units,
    bias: Array.from(b, (x) => Math.round(x * 1000) / 1000),
    weights,
  };
}

const LOCAL: ReadonlySet<string> = new Set(['housing', 'township', 'community']);
const fold = (id: string) => createHash('sha1').update(id).digest().readUInt32BE(0) % FOLDS;

interface Tally {
  n: number;
  chain: number;
  spec: number;
  specN: number;
  triage: number;
  dropped: number;
  wrong: number;
}

function tally(rows: readonly LabelledRow[], rules: CompiledRules, into: Tally): void {
  const e = evaluate(rows, rules);
  into.n += e.n;
  into.chain += Math.round(e.chainRight * e.n);
  into.spec += e.specialist.correct;
  into.specN += e.specialist.n;
  into.triage += Math.round(e.triageRate * e.n);
  into.dropped += e.dropped.length;
  into.wrong += Math.round(e.wrongUnitRate * e.n);
}

const empty = (): Tally => ({ n: 0, chain: 0, spec: 0, specN: 0, triage: 0, dropped: 0, wrong: 0 });
/** What the goals of issue 21 reward: rows right counting the local chain as one, and specialist rows right.
 *  A wrong unit costs half a row more than triage (a person reads the triage queue; a wrong unit loses days), and
 *  triage beyond the rules' own count costs half a row each. */
const objective = (t: Tally, baseTriage: number) => t.chain + t.spec - 0.5 * t.wrong - 0.5 * Math.max(0, t.triage - baseTriage);
const pct = (a: number, b: number) => `${((a / Math.max(1, b)) * 100).toFixed(1)}%`;

function main(): void {
  const { date, out, check } = args();
  const rules = loadRulesFile(DEFAULT_RULES_FILE, null); // the rules alone: the model is what is being made
  const all = parseLabelledRows(readFileSync(path.join(PROJECT_ROOT, LABELLED), 'utf8'), LABELLED);
  const tune = all.filter((r) => r.split === 'tune'); // the held-out part is dropped here and never looked at
  const dev = parseLabelledRows(readFileSync(path.join(PROJECT_ROOT, DEV), 'utf8'), DEV);
  const devDocs = featurize(dev, rules);

  // Cross-validation inside the tune part: for each fold, a model trained on the other folds (± the dev set),
  // then the whole classifier on the fold at every grid point.
  const results: { withDev: boolean; weight: number; always: boolean; t: Tally }[] = [];
  const base = empty();
  for (let k = 0; k < FOLDS; k++) tally(tune.filter((r) => fold(r.id) === k), rules, base);
  const alone = [0, 1].map(() => ({ n: 0, right: 0, spec: 0, specN: 0 }));
  const conf = [0, 0];
  for (const withDev of [false, true]) {
    const grid = new Map<string, Tally>();
    for (let k = 0; k < FOLDS; k++) {
      const test = tune.filter((r) => fold(r.id) === k);
      const trainDocs = featurize(tune.filter((r) => fold(r.id) !== k), rules).concat(withDev ? devDocs : []);
      const model = compileModel(train(trainDocs, {}), `fold ${k}`, rules.automaton.fold);
      const withModel: CompiledRules = { ...rules, model };
      for (const r of test) {
        if (r.unit === null) continue;
        const t = readableText(r, rules)!;
        const p = scoreModel(model, t.full, t.subjectEnd, rules.automaton.fold);
        let c = 0;
        for (let d = 1; d < p.length; d++) if (p[d]! > p[c]!) c = d;
        const got = model.file.units[c]!;
        const ok = got === r.unit || r.alt.includes(got) || (LOCAL.has(got) && (LOCAL.has(r.unit) || r.alt.some((a) => LOCAL.has(a))));
        alone[withDev ? 1 : 0]!.n++;
        if (ok) alone[withDev ? 1 : 0]!.right++;
        if (!LOCAL.has(r.unit)) {
          alone[withDev ? 1 : 0]!.specN++;
          if (got === r.unit || r.alt.includes(got)) alone[withDev ? 1 : 0]!.spec++;
        }
        conf[withDev ? 1 : 0]! += p[c]!;
      }
      for (const weight of GRID.weight) {
        for (const always of GRID.always) {
          if (weight === 0 && always) continue;
          model.weight = weight;
          model.always = always;
          const key = `${weight} ${always}`;
          if (!grid.has(key)) grid.set(key, empty());
          tally(test, withModel, grid.get(key)!);
        }
      }
    }
    for (const [key, t] of grid) {
      const [weight, always] = key.split(' ') as [string, string];
      results.push({ withDev, weight: Number(weight), always: always === 'true', t });
    }
  }
  results.sort((a, b) => objective(b.t, base.triage) - objective(a.t, base.triage) || a.weight - b.weight || Number(a.always) - Number(b.always) || Number(a.withDev) - Number(b.withDev));
  process.stdout.write(`cross-validation on the tune part (${tune.length} rows, ${FOLDS} folds); rules alone: chain ${pct(base.chain, base.n)} specialist ${pct(base.spec, base.specN)} triage ${pct(base.triage, base.n)} wrong ${pct(base.wrong, base.n)} dropped ${base.dropped}\n`);
  for (const r of results.slice(0, 15)) {
    process.stdout.write(`  dev ${r.withDev ? 'yes' : 'no '} ${r.always ? 'always' : 'close '} weight ${String(r.weight).padStart(2)}: chain ${pct(r.t.chain, r.t.n)} specialist ${pct(r.t.spec, r.t.specN)} triage ${pct(r.t.triage, r.t.n)} wrong ${pct(r.t.wrong, r.t.n)} dropped ${r.t.dropped}  objective ${objective(r.t, base.triage)}\n`);
  }
  alone.forEach((a, i) => process.stdout.write(`  model alone (dev ${i ? 'yes' : 'no'}): chain ${pct(a.right, a.n)} specialist ${pct(a.spec, a.specN)} mean top probability ${(conf[i]! / a.n).toFixed(2)}\n`));
  const best = results[0]!;

  const trainRows = tune.filter((r) => r.unit !== null);
  const provenance = {
    date,
    note: 'Trained by scripts/train-classifier.ts. Never trained on the held-out part of labelled.jsonl nor on test/fixtures/classify-heldout.jsonl.',
    files: best.withDev ? [LABELLED, DEV] : [LABELLED],
    split: 'tune part only (split = "tune"; the split is by text hash and fixed)',
    rows: { tune: tune.length, tuneWithUnit: trainRows.length, dev: best.withDev ? devDocs.length : 0 },
    learner: `multinomial logistic regression, SGD ${LEARN.epochs} epochs, L2 ${LEARN.l2}, grams in ≥ ${LEARN.minDocs} mails, ${LEARN.keepPerUnit} strongest grams per unit kept`,
    combine: `chosen by ${FOLDS}-fold cross-validation inside the tune part: chain ${pct(best.t.chain, best.t.n)}, specialist ${pct(best.t.spec, best.t.specN)}, triage ${pct(best.t.triage, best.t.n)} (rules alone ${pct(base.chain, base.n)}, ${pct(base.spec, base.specN)}, ${pct(base.triage, base.n)})`,
  };
  const model = train(featurize(tune, rules).concat(best.withDev ? devDocs : []), provenance);
  model.combine = { weight: best.weight, when: best.always ? 'always' : 'close', explain: EXPLAIN };
  const text = formatModel(model);
  process.stdout.write(`chosen: dev ${best.withDev ? 'yes' : 'no'}, ${best.always ? 'always' : 'close'}, weight ${best.weight}; model ${Object.values(model.weights).reduce((n, w) => n + Object.keys(w).length, 0)} weights, ${(text.length / 1024).toFixed(0)} KB\n`);
  if (!check) {
    writeFileSync(out, text);
    process.stdout.write(`written ${path.relative(process.cwd(), out)}\n`);
  }
}

/** Stable, diff-friendly JSON: the header pretty, one line per unit's weights. */
function formatModel(m: ModelFile): string {
  const { weights, ...head } = m;
  const lines = JSON.stringify(head, null, 2).split('\n');
  lines.pop(); // closing brace
  lines[lines.length - 1] += ',';
  lines.push('  "weights": {');
  const units = Object.keys(weights);
  units.forEach((u, i) => lines.push(`    ${JSON.stringify(u)}: ${JSON.stringify(weights[u])}${i < units.length - 1 ? ',' : ''}`));
  lines.push('  }', '}');
  return lines.join('\n') + '\n';
}

main();
