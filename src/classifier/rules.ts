// The classifier's rules: the zod schema of config/keywords.yaml and its compilation into one automaton plus
// flat lookup tables. Pure: the caller reads the file and passes its text; every rule error names the file,
// the key path and the problem.
import YAML from 'yaml';
import { z } from 'zod';
import { PROBLEM_TYPES, UNIT_CODES, type ProblemType, type UnitCode } from '../domain.ts';
import { buildAutomaton, buildFold, foldString, type Automaton } from './automaton.ts';
import { compileFooters, type CompiledFooters } from './footers.ts';
import { compileModel, parseModel, type CompiledModel } from './model.ts';

const phrase = z.string().trim().min(1, { message: '短语不能为空 empty phrase' }).max(40);
const weight = z.number().finite().min(-50).max(50);
const weighted = z.record(phrase, weight);
const phraseList = z.array(phrase).min(1);
const termName = z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'term names are lowercase-words' });
const charCount = z.number().int().min(0).max(500);

const unitRuleSchema = z
  .object({
    cite: z.string().min(1),
    problem: z.enum(PROBLEM_TYPES), // default when no problem phrase decides
    problems: z.array(z.enum(PROBLEM_TYPES)).min(1).optional(), // problems this unit may report; default all
    keywords: weighted,
  })
  .strict();

const contextSchema = z
  .object({
    id: termName,
    cite: z.string().min(1),
    all: z.array(termName).min(1),
    none: z.array(termName).default([]),
    near: charCount.optional(), // every `all` group within this many characters of the first; default: anywhere
    units: z.partialRecord(z.enum(UNIT_CODES), weight).default({}),
    problems: z.partialRecord(z.enum(PROBLEM_TYPES), weight).default({}),
    urgent: weight.default(0),
  })
  .strict()
  .refine((c) => Object.keys(c.units).length + Object.keys(c.problems).length > 0 || c.urgent !== 0, {
    message: '规则没有效果 rule has no effect (units, problems or urgent)',
  });

export const rulesSchema = z
  .object({
    version: z.literal(1),
    thresholds: z
      .object({
        minScore: z.number().positive(), // below: thin evidence → triage
        minMargin: z.number().min(0), // top − second below: too close → triage
        subjectBoost: z.number().min(1).max(5),
        problemMin: z.number().positive(),
        urgentMin: z.number().positive(),
        nonComplaintRatio: z.number().positive(),
        maxMatched: z.number().int().min(1).max(50),
        maxChars: z.number().int().min(1000).default(20000), // longer mail is read up to here
        propertyMin: z.number().min(0), // property-context evidence below this → not a property complaint
        complaintMin: z.number().min(0), // complaint evidence below this → not a complaint
        partialMin: z.number().min(0), // some property context but below propertyMin: triage from this unit score, else dropped
        useModel: z.boolean().default(true), // the statistical layer (config/classifier-model.json), when one is loaded
      })
      .strict(),
    normalize: z
      .object({ traditional: z.string().regex(/^(\S\S)(\s+\S\S)*$/u, { message: 'pairs like "樓楼 燈灯"' }) })
      .strict(),
    negation: z
      .object({
        window: charCount,
        cues: phraseList,
        ignore: z.array(phrase).default([]),
        absence: z.array(phrase).default([]),
        breaks: z.string().min(1),
        questions: z.string().default(''),
      })
      .strict(),
    units: z.record(z.enum(UNIT_CODES), unitRuleSchema),
    problems: z.record(z.enum(PROBLEM_TYPES), z.object({ cite: z.string().min(1), keywords: weighted }).strict()),
    terms: z.record(termName, phraseList),
    contexts: z.array(contextSchema),
    urgent: z
      .object({
        cite: z.string().min(1),
        phrases: weighted,
        resolved: z.array(phrase),
        resolvedWindow: charCount,
        resolvedBreaks: z.string().min(1),
        notPresent: z.array(phrase),
        notPresentWindow: charCount,
      })
      .strict(),
    signals: z.object({ complaint: weighted, nonComplaint: weighted, property: weighted, weak: z.array(phrase).default([]) }).strict(),
    masks: z.array(phrase).default([]), // words that contain a phrase but mean something else
    footers: z.object({ lines: z.array(phrase), signature: z.array(phrase), quoteMarks: z.string() }).strict(),
  })
  .strict()
  .superRefine((r, ctx) => {
    // Context rules may only name term groups that exist.
    r.contexts.forEach((c, i) => {
      for (const key of ['all', 'none'] as const) {
        c[key].forEach((t, j) => {
          if (!(t in r.terms)) ctx.addIssue({ code: 'custom', path: ['contexts', i, key, j], message: `未定义的词组 unknown term group "${t}"` });
        });
      }
    });
    const ids = new Set<string>();
    r.contexts.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['contexts', i, 'id'], message: `规则编号重复 duplicate id "${c.id}"` });
      ids.add(c.id);
    });
    // A weak phrase only tempers a unit keyword; anything else is a typo that would silently do nothing.
    const unitPhrases = new Set(Object.values(r.units).flatMap((u) => Object.keys(u.keywords)));
    r.signals.weak.forEach((p, i) => {
      if (!unitPhrases.has(p)) ctx.addIssue({ code: 'custom', path: ['signals', 'weak', i], message: `不是单位关键词 "${p}" is not a unit keyword` });
    });
    for (const [code, u] of Object.entries(r.units)) {
      if (u.problems && !u.problems.includes(u.problem)) {
        ctx.addIssue({ code: 'custom', path: ['units', code, 'problem'], message: 'default problem must be one of `problems`' });
      }
    }
  });

export type RulesFile = z.infer<typeof rulesSchema>;

export interface CompiledContext {
  id: string;
  all: number[]; // term ids
  none: number[];
  near: number; // Infinity when unbounded
  units: [number, number][]; // unit index, weight
  problems: [number, number][];
  urgent: number;
}

// Character class bits (CompiledRules.charClass).
export const CHAR_BREAK = 1;
export const CHAR_QUESTION = 2;
export const CHAR_RESOLVED_BREAK = 4;

// Which weight tables a pattern has an entry in (CompiledRules.tables).
export const TABLE_UNIT = 1;
export const TABLE_PROBLEM = 2;

// Role bits of a pattern.
export const ROLE_CUE = 1;
export const ROLE_IGNORE = 2;
export const ROLE_RESOLVED = 4;
export const ROLE_PAST = 8;
export const ROLE_EVIDENCE = 16; // counts as evidence (negatable); voids a negation cue it overlaps
export const ROLE_ABSENCE = 32; // a phrase containing it is never negated (没有规划许可证 is the complaint)
export const ROLE_MASK = 64; // a word that voids every phrase inside it (被打击 is not 被打, 家里人 is not 家里)

export interface CompiledRules {
  fileName: string;
  thresholds: RulesFile['thresholds'];
  units: readonly UnitCode[];
  problems: readonly ProblemType[];
  unitDefaultProblem: Int32Array;
  unitAllowedProblems: Uint8Array[]; // [unit][problem] 1 = allowed
  automaton: Automaton;
  patterns: string[];
  roles: Uint8Array;
  unitWeights: ([number, number][] | null)[];
  problemWeights: ([number, number][] | null)[];
  /** per pattern: TABLE_UNIT | TABLE_PROBLEM when it has unit / problem weights (one byte to read, not two arrays). */
  tables: Uint8Array;
  termsOf: (number[] | null)[];
  /** The same, flat (what classify reads): the term groups of pattern p are termIds[termStart[p] … termStart[p + 1]). */
  termStart: Int32Array;
  termIds: Int32Array;
  termCount: number;
  termNames: string[];
  urgentWeight: Float64Array;
  complaintWeight: Float64Array;
  nonComplaintWeight: Float64Array;
  /** evidence that the mail is about a residential property or its management (物业, 小区, 楼道 …) */
  propertyWeight: Float64Array;
  /** 1 = a unit's name or a generic word: routes nothing on its own (社区, 公安, 手续费 …) */
  weak: Uint8Array;
  footers: CompiledFooters;
  contexts: CompiledContext[];
  negationWindow: number;
  resolvedWindow: number;
  pastWindow: number;
  breaks: Set<number>; // folded code units that end a clause
  questions: Set<number>; // question particles: a cue in a rhetorical question is void
  resolvedBreaks: Set<number>;
  /** The three sets above as one table by code unit as written (folded at build): CHAR_BREAK | CHAR_QUESTION |
   *  CHAR_RESOLVED_BREAK bits. What classify reads: one array lookup per character, no fold, no hashing. */
  charClass: Uint8Array;
  /** The statistical layer (model.ts), null when none is loaded or `thresholds.useModel` is false. */
  model: CompiledModel | null;
}

/** The rules with a trained model (the parsed JSON of config/classifier-model.json) attached. */
export function withModel(rules: CompiledRules, modelJson: unknown, fileName: string): CompiledRules {
  const model = compileModel(parseModel(modelJson, fileName), fileName, rules.automaton.fold);
  return { ...rules, model: rules.thresholds.useModel ? model : null };
}

/** Parses and validates the rules text, then compiles it. Throws an Error naming file, key path and problem. */
export function loadRules(yamlText: string, fileName: string): CompiledRules {
  const doc = YAML.parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${fileName}: ${e.message.split('\n')[0]}`);
    throw new Error(`分类规则文件格式错误 invalid YAML\n${lines.join('\n')}`);
  }
  const parsed = rulesSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = [...i.path, ...('keys' in i && Array.isArray(i.keys) ? [i.keys.join(',')] : [])].join('.');
      return `${fileName}: ${key || '(root)'}: ${i.message}`;
    });
    throw new Error(`分类规则无效 invalid classifier rules\n${lines.join('\n')}`);
  }
  return compileRules(parsed.data, fileName);
}

export function compileRules(r: RulesFile, fileName: string): CompiledRules {
  const fold = buildFold(
    r.normalize.traditional
      .split(/\s+/u)
      .filter(Boolean)
      .map((p) => [p[0]!, p[1]!] as const),
  );
  const patterns: string[] = [];
  const index = new Map<string, number>();
  const roles: number[] = [];
  const unitWeights: ([number, number][] | null)[] = [];
  const problemWeights: ([number, number][] | null)[] = [];
  const termsOf: (number[] | null)[] = [];
  const urgent: number[] = [];
  const complaint: number[] = [];
  const nonComplaint: number[] = [];
  const property: number[] = [];
  const weak: number[] = [];

  // One pattern per distinct folded phrase; a phrase may play several roles.
  const id = (raw: string): number => {
    const key = foldString(raw.trim(), fold);
    let i = index.get(key);
    if (i === undefined) {
      i = patterns.length;
      index.set(key, i);
      patterns.push(raw.trim());
      roles.push(0);
      unitWeights.push(null);
      problemWeights.push(null);
      termsOf.push(null);
      urgent.push(0);
      complaint.push(0);
      nonComplaint.push(0);
      property.push(0);
      weak.push(0);
    }
    return i;
  };
  const push = <T>(arr: (T[] | null)[], i: number, v: T) => {
    (arr[i] ??= []).push(v);
  };

  const units = UNIT_CODES;
  const problems = PROBLEM_TYPES;
  units.forEach((code, u) => {
    for (const [p, w] of Object.entries(r.units[code].keywords)) {
      const i = id(p);
      roles[i]! |= ROLE_EVIDENCE;
      push(unitWeights, i, [u, w] as [number, number]);
    }
  });
  problems.forEach((type, k) => {
    for (const [p, w] of Object.entries(r.problems[type].keywords)) {
      const i = id(p);
      roles[i]! |= ROLE_EVIDENCE;
      push(problemWeights, i, [k, w] as [number, number]);
    }
  });
  const termNames = Object.keys(r.terms);
  termNames.forEach((name, t) => {
    for (const p of r.terms[name]!) {
      const i = id(p);
      roles[i]! |= ROLE_EVIDENCE;
      if (!termsOf[i]?.includes(t)) push(termsOf, i, t);
    }
  });
  for (const [p, w] of Object.entries(r.urgent.phrases)) {
    const i = id(p);
    roles[i]! |= ROLE_EVIDENCE;
    urgent[i] = w;
  }
  for (const [p, w] of Object.entries(r.signals.complaint)) {
    const i = id(p);
    roles[i]! |= ROLE_EVIDENCE;
    complaint[i] = w;
  }
  for (const [p, w] of Object.entries(r.signals.nonComplaint)) nonComplaint[id(p)] = w;
  // Property context is read whether or not negated: 没有物业 is still about a compound.
  for (const [p, w] of Object.entries(r.signals.property)) property[id(p)] = w;
  for (const p of r.signals.weak) weak[id(p)] = 1;
  for (const p of r.negation.cues) roles[id(p)]! |= ROLE_CUE;
  for (const p of r.negation.ignore) roles[id(p)]! |= ROLE_IGNORE;
  for (const p of r.negation.absence) roles[id(p)]! |= ROLE_ABSENCE;
  for (const p of r.urgent.resolved) roles[id(p)]! |= ROLE_RESOLVED;
  for (const p of r.urgent.notPresent) roles[id(p)]! |= ROLE_PAST;
  for (const p of r.masks) roles[id(p)]! |= ROLE_MASK;

  const termIndex = new Map(termNames.map((n, t) => [n, t]));
  const contexts: CompiledContext[] = r.contexts.map((c) => ({
    id: c.id,
    all: c.all.map((n) => termIndex.get(n)!),
    none: c.none.map((n) => termIndex.get(n)!),
    near: c.near ?? Infinity,
    units: Object.entries(c.units).map(([code, w]) => [units.indexOf(code as UnitCode), w as number]),
    problems: Object.entries(c.problems).map(([type, w]) => [problems.indexOf(type as ProblemType), w as number]),
    urgent: c.urgent,
  }));

  const termStart = new Int32Array(patterns.length + 1);
  termsOf.forEach((t, i) => (termStart[i + 1] = termStart[i]! + (t?.length ?? 0)));
  const codeSet = (s: string) => new Set(Array.from(foldString(s, fold), (ch) => ch.charCodeAt(0)));
  const breaks = codeSet(r.negation.breaks);
  const questions = codeSet(r.negation.questions);
  const resolvedBreaks = codeSet(r.urgent.resolvedBreaks);
  const charClass = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) {
    const f = fold[c]!;
    charClass[c] = (breaks.has(f) ? CHAR_BREAK : 0) | (questions.has(f) ? CHAR_QUESTION : 0) | (resolvedBreaks.has(f) ? CHAR_RESOLVED_BREAK : 0);
  }
  return {
    fileName,
    thresholds: r.thresholds,
    units,
    problems,
    unitDefaultProblem: Int32Array.from(units, (u) => problems.indexOf(r.units[u].problem)),
    unitAllowedProblems: units.map((u) => {
      const allowed = r.units[u].problems;
      return Uint8Array.from(problems, (p) => (allowed === undefined || allowed.includes(p) ? 1 : 0));
    }),
    automaton: buildAutomaton(patterns, fold, quietPatterns(patterns, roles, property, nonComplaint, weak, r.masks, fold)),
    patterns,
    roles: Uint8Array.from(roles),
    unitWeights,
    problemWeights,
    tables: Uint8Array.from(patterns, (_, i) => (unitWeights[i] !== null ? TABLE_UNIT : 0) | (problemWeights[i] !== null ? TABLE_PROBLEM : 0)),
    termsOf,
    termStart,
    termIds: Int32Array.from(termsOf.flatMap((t) => t ?? [])),
    termCount: termNames.length,
    termNames,
    urgentWeight: Float64Array.from(urgent),
    complaintWeight: Float64Array.from(complaint),
    nonComplaintWeight: Float64Array.from(nonComplaint),
    propertyWeight: Float64Array.from(property),
    weak: Uint8Array.from(weak),
    footers: compileFooters(r.footers, fold),
    contexts,
    negationWindow: r.negation.window,
    resolvedWindow: r.urgent.resolvedWindow,
    pastWindow: r.urgent.notPresentWindow,
    breaks,
    questions,
    resolvedBreaks,
    charClass,
    model: null,
  };
}

/**
 * Phrases that only tell the mail is about a property (物业, 业主, 小区): no other role, weight or term, and inside
 * no mask word (a mask voids what it contains, so where such a phrase sits would matter). Only whether they occur
 * is read, so the scan lists them once instead of at every occurrence.
 */
function quietPatterns(
  patterns: readonly string[],
  roles: readonly number[],
  property: readonly number[],
  nonComplaint: readonly number[],
  weak: readonly number[],
  masks: readonly string[],
  fold: Uint16Array,
): Uint8Array {
  const foldedMasks = masks.map((m) => foldString(m.trim(), fold));
  return Uint8Array.from(patterns, (p, i) => {
    if (roles[i] !== 0 || property[i] === 0 || nonComplaint[i] !== 0 || weak[i] !== 0) return 0;
    const f = foldString(p, fold);
    return foldedMasks.some((m) => m.includes(f)) ? 0 : 1;
  });
}
