// The classifier's statistical layer (src/classifier/model.ts): the scorer on small hand-made models, its
// agreement with the features the trainer learns from, and what the shipped model may and may not change in
// classify (urgency, not-a-complaint and thin-evidence triage stay the rules' decisions).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.ts';
import {
  classify,
  compileModel,
  explainModel,
  featureVector,
  loadRules,
  parseLabelledRows,
  parseModel,
  PRIOR_LABEL,
  readableText,
  scoreModel,
  withModel,
  type ModelFile,
} from '../../src/classifier/index.ts';
import { DEFAULT_RULES_FILE, loadRulesFile } from '../../src/runtime.ts';

const bare = loadRulesFile(DEFAULT_RULES_FILE, null); // the rules alone
const shipped = loadRulesFile(); // the rules with config/classifier-model.json
const fold = bare.automaton.fold;

function model(weights: ModelFile['weights'], extra: Partial<ModelFile> = {}): ModelFile {
  return {
    version: 1,
    trainedOn: { note: 'test' },
    maxN: 3,
    subjectWeight: 2,
    maxChars: 600,
    combine: { weight: 12, when: 'close', explain: 3 },
    units: ['housing', 'market-regulation'],
    bias: [0, 0],
    weights,
    ...extra,
  };
}

const lift = compileModel(model({ housing: { 物业: 3, 保洁: 2 }, 'market-regulation': { 电梯: 4, 特种设: 5, 梯: 1 } }), 'lift.json', fold);
const probOf = (m: typeof lift, unit: string) => m.prob[m.file.units.indexOf(unit as never)]!;

describe('scoreModel', () => {
  // Each row: text, the unit it must favour, grams the explanation must list (in order) for that unit.
  const cases: [string, string, string, string[]][] = [
    ['a lift gram pushes market regulation', '电梯又停了', 'market-regulation', ['~电梯']],
    ['property grams push housing', '物业不安排保洁', 'housing', ['~物业', '~保洁']],
    ['traditional characters fold to the model grams', '電梯又停了', 'market-regulation', ['~电梯']],
    ['stronger gram first in the explanation', '电梯属于特种设备', 'market-regulation', ['~特种设', '~电梯']],
  ];
  it.each(cases)('%s', (_name, text, unit, explained) => {
    const p = scoreModel(lift, text, 0, fold);
    const other = lift.file.units.find((u) => u !== unit)!;
    expect(probOf(lift, unit)).toBeGreaterThan(probOf(lift, other));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(explainModel(lift, lift.file.units.indexOf(unit as never), 3)).toEqual(explained);
  });

  it('a gram never spans punctuation, digits or Latin letters', () => {
    scoreModel(lift, '电，梯 电1梯 电a梯', 0, fold);
    const grams = Array.from(lift.hits.subarray(0, lift.hitCount), (f) => lift.grams[f]);
    expect(grams).toEqual(['梯']); // the lone character only
  });

  it('lone characters are shown only when no longer gram pushed the unit; the prior is named when nothing did', () => {
    scoreModel(lift, '楼梯', 0, fold); // only the unigram 梯 is in the model
    expect(probOf(lift, 'market-regulation')).toBeGreaterThan(probOf(lift, 'housing'));
    expect(explainModel(lift, 1, 3)).toEqual(['~梯']);
    scoreModel(lift, '电梯里的梯子', 0, fold);
    expect(explainModel(lift, 1, 3)).toEqual(['~电梯']);
    scoreModel(lift, '天气', 0, fold);
    expect(explainModel(lift, 1, 3)).toEqual([PRIOR_LABEL]);
  });

  it('a gram in the subject counts subjectWeight, once per mail', () => {
    scoreModel(lift, '电梯\n电梯电梯', 2, fold);
    const inSubject = probOf(lift, 'market-regulation');
    scoreModel(lift, '停了\n电梯电梯', 2, fold);
    expect(inSubject).toBeGreaterThan(probOf(lift, 'market-regulation'));
  });

  it('agrees with featureVector, what the trainer learns from (the shipped model on real and tidy mail)', () => {
    const m = shipped.model!;
    const rows = [
      ...parseLabelledRows(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/tipdm/labelled.jsonl'), 'utf8')).filter((r) => r.split === 'tune').slice(0, 40),
      ...parseLabelledRows(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/classify-dev.jsonl'), 'utf8')).slice(0, 40),
    ];
    for (const r of rows) {
      const t = readableText(r, shipped)!;
      const { grams, positions } = featureVector(t.full, t.subjectEnd, fold, m.maxN, m.subjectWeight, m.maxChars);
      const expected = m.file.units.map((u, c) => {
        let s = m.file.bias[c]!;
        for (const [g, w] of Object.entries(m.file.weights[u] ?? {})) s += ((grams.get(g) ?? 0) * w) / Math.sqrt(positions || 1);
        return s;
      });
      scoreModel(m, t.full, t.subjectEnd, fold);
      m.scores.forEach((s, c) => expect(s).toBeCloseTo(expected[c]!, 9));
    }
  });
});

describe('model file', () => {
  it('rejects a bias per unit mismatch, naming the file', () => {
    expect(() => parseModel(model({}, { bias: [0] }), 'bad.json')).toThrow(/bad\.json: bias: one bias per unit/);
  });
  it('rejects a gram that is not Han characters', () => {
    expect(() => compileModel(model({ housing: { ab: 1 } }), 'bad.json', fold)).toThrow(/bad\.json: gram "ab"/);
  });
  it('rejects weights of a unit the model does not score', () => {
    expect(() => parseModel(model({ police: { 打人: 1 } }), 'bad.json')).toThrow(/weights\.police: unknown unit/);
  });
  it('useModel: false in the rules switches the layer off', () => {
    const text = readFileSync(DEFAULT_RULES_FILE, 'utf8').replace(/^(\s+)partialMin:(.*)$/m, '$1partialMin:$2\n$1useModel: false');
    expect(text).toContain('useModel: false');
    const off = withModel(loadRules(text, 'off.yaml'), model({ 'market-regulation': { 电梯: 4 } }), 'm.json');
    expect(off.model).toBeNull();
    expect(withModel(bare, model({ 'market-regulation': { 电梯: 4 } }), 'm.json').model).not.toBeNull();
  });
});

describe('classify with the layer', () => {
  const rows = [
    ...parseLabelledRows(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/classify-dev.jsonl'), 'utf8')),
    ...parseLabelledRows(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/tipdm/labelled.jsonl'), 'utf8')).filter((r) => r.split === 'tune'),
  ];

  it('an empty model changes nothing', () => {
    const empty = withModel(bare, model({}, { units: ['housing'], bias: [0] }), 'empty.json');
    for (const r of rows) expect(classify(r, empty)).toEqual(classify(r, bare));
  });

  it('never changes urgency or not-a-complaint, and never routes what the rules left for thin evidence', () => {
    let changed = 0;
    for (const r of rows) {
      const a = classify(r, bare);
      const b = classify(r, shipped);
      expect(b.urgent).toBe(a.urgent);
      expect(b.verdict === 'not-complaint').toBe(a.verdict === 'not-complaint');
      if (b.unit === null) expect(b.verdict === 'not-complaint' || b.triage).toBe(true);
      if (a.triage && a.units.length < 2) expect(b).toEqual(a); // one candidate: no close call for the model
      if (a.unit !== b.unit) {
        changed++;
        // The model had its say: its grams are shown among the reasons (~gram), and the unit had rule evidence.
        if (b.unit !== null) {
          expect(b.matched.some((m) => m.startsWith('~'))).toBe(true);
          expect(a.units.some((u) => u.unit === b.unit)).toBe(true);
        }
      }
    }
    expect(changed).toBeGreaterThan(0); // the layer does something on real mail
  });

  it('settles a close call for the unit its grams favour and says why', () => {
    // Find a mail the rules leave as a close call between two units with evidence, then give the runner-up a
    // model gram from the mail: the runner-up wins and the gram is in `matched`.
    for (const r of rows) {
      const a = classify(r, bare);
      if (!a.triage || a.units.length < 2) continue;
      const second = a.units[1]!.unit;
      const t = readableText(r, bare)!;
      const gram = /[\u4e00-\u9fff]{2}/.exec(t.full.slice(t.subjectEnd))?.[0];
      if (!gram) continue;
      const units = second === 'housing' ? (['housing', 'police'] as const) : (['housing', second] as const);
      const favour = withModel(bare, model({ [second]: { [gram]: 40 } }, { units: [...units], bias: [0, 0] }), 'favour.json');
      const b = classify(r, favour);
      if (b.triage) continue; // the runner-up lacked strong rule evidence: stays triage, as it must
      expect(b.unit).toBe(second);
      expect(b.matched).toContain(`~${gram}`);
      return;
    }
    throw new Error('no close call found in the tune rows');
  });
});
