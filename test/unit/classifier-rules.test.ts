// Validation of config/keywords.yaml: every bad rule stops loading with the file name, the key path and the
// problem, so an operator editing the rules sees exactly what to fix.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/classifier/index.ts';
import { DEFAULT_RULES_FILE } from '../../src/runtime.ts';

const text = readFileSync(DEFAULT_RULES_FILE, 'utf8');
const FILE = 'config/keywords-test.yaml';

/** The real rules with one change applied, serialised back to YAML. */
function mutated(change: (r: any) => void): string {
  const r = YAML.parse(text);
  change(r);
  return YAML.stringify(r);
}
function errorOf(yamlText: string): string {
  try {
    loadRules(yamlText, FILE);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected loadRules to throw');
}

describe('loadRules', () => {
  it('compiles the shipped rules', () => {
    const rules = loadRules(text, FILE);
    expect(rules.units).toHaveLength(12);
    expect(rules.contexts.length).toBeGreaterThan(10);
    expect(rules.patterns.length).toBeGreaterThan(300);
  });

  it.each([
    ['unknown unit key', (r: any) => (r.units.firee = r.units.fire), 'units.firee', 'Unrecognized key'],
    ['missing unit', (r: any) => delete r.units.community, 'units.community', 'expected object'],
    ['weight not a number', (r: any) => (r.units.fire.keywords['高层'] = 'high'), 'units.fire.keywords.高层', 'expected number'],
    ['unknown default problem', (r: any) => (r.units.police.problem = 'noise'), 'units.police.problem', 'Invalid option'],
    ['default problem not allowed', (r: any) => (r.units.fire.problem = 'other'), 'units.fire.problem', 'default problem'],
    ['unknown term group', (r: any) => (r.contexts[0].all[0] = 'bikes'), 'contexts.0.all.0', 'bikes'],
    ['duplicate context id', (r: any) => (r.contexts[1].id = r.contexts[0].id), 'contexts.1.id', 'duplicate'],
    ['context without effect', (r: any) => (r.contexts[0] = { id: 'x', cite: 'c', all: ['ebike'] }), 'contexts.0', 'no effect'],
    ['unknown context key', (r: any) => (r.contexts[0].unit = 'fire'), 'contexts.0.unit', 'Unrecognized key'],
    ['negative threshold', (r: any) => (r.thresholds.minScore = -1), 'thresholds.minScore', ''],
    ['empty phrase', (r: any) => (r.negation.cues = ['']), 'negation.cues.0', 'empty phrase'],
    ['unknown top-level key', (r: any) => (r.extras = 1), 'extras', 'Unrecognized key'],
    ['weak phrase that is no unit keyword', (r: any) => (r.signals.weak = ['社区', '不存在的词']), 'signals.weak.1', 'not a unit keyword'],
    ['property weight not a number', (r: any) => (r.signals.property['小区'] = 'x'), 'signals.property.小区', 'expected number'],
    ['unknown footer key', (r: any) => (r.footers.prefix = []), 'footers.prefix', 'Unrecognized key'],
    ['missing property threshold', (r: any) => delete r.thresholds.propertyMin, 'thresholds.propertyMin', 'expected number'],
  ])('%s → names file, key path and problem', (_name, change, path, problem) => {
    const message = errorOf(mutated(change));
    expect(message).toContain(FILE);
    expect(message).toContain(path);
    expect(message).toContain(problem);
  });

  it('reports broken YAML with the file name', () => {
    const message = errorOf('version: 1\nunits: [unclosed\n');
    expect(message).toContain(FILE);
    expect(message).toMatch(/YAML/);
  });

  it('refuses a duplicated key instead of silently keeping the last one', () => {
    const message = errorOf(text.replace('  housing:\n', '  fire:\n    cite: x\n    problem: other\n    keywords: {}\n  housing:\n'));
    expect(message).toContain(FILE);
  });

  it('reports every bad field in one run', () => {
    const message = errorOf(mutated((r) => {
      r.thresholds.minScore = -1;
      r.contexts[0].all[0] = 'bikes';
    }));
    expect(message).toContain('thresholds.minScore');
    expect(message).toContain('contexts.0.all.0');
  });
});
