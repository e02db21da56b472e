// Complaint classifier: subject + text → owning unit (ranked), problem type, urgency, triage flag and the
// phrases that decided it (分类依据). Pure: one automaton pass over the text, then arithmetic over the matches.
// Rules and the seed clauses they implement live in config/keywords.yaml. Written without per-call closures
// or regexes because it runs for every mail and in bulk re-classification.
import type { ClassificationSummary, ProblemType, UnitCode } from '../domain.ts';
import { emptyMatches, scan, type Matches } from './automaton.ts';
import { stripFooters } from './footers.ts';
import { explainModel, scoreModel } from './model.ts';
import * as R from './rules.ts';
import type { CompiledContext, CompiledRules } from './rules.ts';

export interface ClassifyInput {
  subject: string;
  text: string;
  /** The caller already knows the mail is about a property (an officer registering a case): the
   *  property-context requirement is waived; everything else is read as usual. */
  propertyKnown?: boolean;
}

/**
 * `unit` is set only when the classifier is sure enough to route; a `triage` result has `unit: null` and its
 * candidates in `units`, so nothing reaches a unit silently (000 附件 二 高效分转 stays a human decision then).
 * `verdict` names the outcome; `not-complaint` has unit and problem null and triage false.
 */
export interface Classification extends ClassificationSummary {
  verdict: 'unit' | 'triage' | 'not-complaint';
}

/** Housing and the units that act on site: one chain for property service (000 附件 二(一)、(十一)、(十二)). */
const LOCAL_CHAIN: ReadonlySet<UnitCode> = new Set<UnitCode>(['housing', 'township', 'community']);

const CUE = R.ROLE_CUE;
const IGNORE = R.ROLE_IGNORE;
const RESOLVED = R.ROLE_RESOLVED;
const PAST = R.ROLE_PAST;
const EVIDENCE = R.ROLE_EVIDENCE;
const ABSENCE = R.ROLE_ABSENCE;
const MASK = R.ROLE_MASK;

/** Everything one classification looks at: the text, its matches and the positions of the special roles. */
interface Scan {
  full: string;
  m: Matches;
  fold: Uint16Array;
  liveCue: Uint8Array; // per match: a negation cue that is not void
  anyCue: boolean;
  maxLen: number; // longest phrase: bounds every neighbourhood search below
}

/**
 * What the classifier reads: the subject, a newline and the body without footers, up to maxChars. Null for an
 * empty mail. Exported so the model trainer (scripts/train-classifier.ts) learns from exactly this text.
 */
export function readableText(input: ClassifyInput, rules: CompiledRules): { full: string; subjectEnd: number } | null {
  const subject = input.subject ?? '';
  const body = input.text ?? '';
  if (blank(subject) && blank(body)) return null;
  // Very long mail (quoted threads, pasted documents) is read up to maxChars: the complaint comes first.
  // BBS headers, origin footers and signatures weigh nothing (水木社区 in a footer is not 社区).
  const full = (subject + '\n' + stripFooters(body.slice(0, rules.thresholds.maxChars), rules.footers, rules.automaton.fold)).slice(
    0,
    rules.thresholds.maxChars,
  );
  return { full, subjectEnd: subject.length };
}

/** Only white space (what trim() removes), without copying the string as trim() does. */
function blank(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c > 32 && c !== 0xa0 && c !== 0x3000 && c !== 0xfeff && !(c >= 0x2000 && c <= 0x200a) && c !== 0x2028 && c !== 0x2029 && c !== 0x1680 && c !== 0x202f && c !== 0x205f) return false;
    if (c <= 32 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 32) return false;
  }
  return true;
}

export function classify(input: ClassifyInput, rules: CompiledRules): Classification {
  const text = readableText(input, rules);
  if (text === null) return notComplaint([]);
  const { full, subjectEnd } = text;
  const m = scan(rules.automaton, full, matchScratch);
  const { pattern, start, end, n } = m;
  const { roles, thresholds } = rules;
  const masked = maskedMatches(m, rules);
  const once = onceFor(rules.patterns.length); // per pattern and list: already listed in this call
  const ep = once.epoch;
  const nonComplaintP: number[] = [];
  const propertyP: number[] = [];
  let propertyScore = 0;
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if (rules.nonComplaintWeight[p] !== 0 && once.nonComplaint[p] !== ep) {
      once.nonComplaint[p] = ep;
      nonComplaintP.push(p);
    }
    if (rules.propertyWeight[p] !== 0 && !masked[i] && once.property[p] !== ep) {
      once.property[p] = ep;
      propertyP.push(p);
      propertyScore += rules.propertyWeight[p]!;
    }
  }
  // Phrases that only tell a property is concerned arrive once each, not as matches (automaton.ts: quiet).
  for (const p of m.quiet) propertyScore += rules.propertyWeight[p]!;
  // Nothing about a residential property or its management: not a property complaint, whatever else it names
  // (the remit is 物业投诉举报, 000 附件 二). Urgent words in a story (但弄死就违法了) count for nothing here.
  const known = input.propertyKnown === true;
  if (propertyScore <= 0 && !known) return notComplaint(labels(nonComplaintP, rules));
  // A single residential cue (家里, 楼上): the complaint must be stronger to count (thresholds.partialMin).
  const partial = !known && propertyScore < thresholds.propertyMin;

  const s: Scan = { full, m, fold: rules.automaton.fold, liveCue: zeroed(0, n), anyCue: false, maxLen: rules.automaton.maxLength };
  for (let i = 0; i < n; i++) {
    if (roles[pattern[i]!]! & CUE && cueIsLive(s, i, rules)) {
      s.liveCue[i] = 1;
      s.anyCue = true;
    }
  }

  // Live evidence: not negated, not inside a mask word. Each distinct phrase counts once, at its strongest
  // (subject beats body).
  const live = zeroed(1, n);
  for (let i = 0; i < n; i++) {
    if (roles[pattern[i]!]! & EVIDENCE && !masked[i] && (!s.anyCue || !isNegated(s, i, rules))) live[i] = 1;
  }
  const kept = notContained(m, live, rules.tables); // bit 1: kept as unit evidence, bit 2: as problem evidence

  const unitP: number[] = [];
  const unitB: number[] = [];
  const problemP: number[] = [];
  const problemB: number[] = [];
  const urgentP: number[] = [];
  const complaintP: number[] = [];
  const termHits = termLists(rules.termCount);
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if (!live[i]) continue;
    const b = start[i]! < subjectEnd ? thresholds.subjectBoost : 1;
    if (kept[i]! & R.TABLE_UNIT) keepMax(unitP, unitB, p, b, once.unit, once.unitAt, ep);
    if (kept[i]! & R.TABLE_PROBLEM) keepMax(problemP, problemB, p, b, once.problem, once.problemAt, ep);
    if (rules.complaintWeight[p] !== 0 && once.complaint[p] !== ep) {
      once.complaint[p] = ep;
      complaintP.push(p);
    }
    const lastTerm = rules.termStart[p + 1]!;
    for (let q = rules.termStart[p]!; q < lastTerm; q++) {
      const t = rules.termIds[q]!;
      if (termHits[t]!.length === 0) termTouched.push(t);
      termHits[t]!.push(i);
    }
    if (rules.urgentWeight[p] !== 0 && once.urgent[p] !== ep && !settled(s, i, i, rules)) {
      once.urgent[p] = ep;
      urgentP.push(p);
    }
  }

  const U = rules.units.length;
  const unitScore = zeroedF(0, U);
  const unitStrong = zeroed(5, U); // 1 = the unit has evidence beyond its name and generic words
  const problemScore = zeroedF(1, rules.problems.length);
  for (let k = 0; k < unitP.length; k++) {
    const weak = rules.weak[unitP[k]!] === 1;
    const pairs = rules.unitWeights[unitP[k]!]!;
    for (let j = 0; j < pairs.length; j++) {
      const u = pairs[j]![0];
      const w = pairs[j]![1];
      unitScore[u] = unitScore[u]! + w * unitB[k]!;
      if (!weak && w > 0) unitStrong[u] = 1;
    }
  }
  for (let k = 0; k < problemP.length; k++) {
    const pairs = rules.problemWeights[problemP[k]!]!;
    for (let j = 0; j < pairs.length; j++) problemScore[pairs[j]![0]] = problemScore[pairs[j]![0]]! + pairs[j]![1] * problemB[k]!;
  }
  let urgentScore = 0;
  const urgentLabels: string[] = [];
  for (const p of urgentP) {
    urgentScore += rules.urgentWeight[p]!;
    urgentLabels.push(rules.patterns[p]!);
  }

  // Context rules: term groups that must co-occur (within `near` characters) and groups that must not.
  const fired: CompiledContext[] = [];
  const firedHits: number[][] = [];
  for (const c of rules.contexts) {
    if (anyHit(c.none, termHits)) continue;
    const hit = findContext(c.all, c.near, termHits, start, end, s.maxLen);
    if (hit === null) continue;
    fired.push(c);
    firedHits.push(hit);
    // A rule met within the subject weighs like a subject phrase (the anchor is tried first in text order).
    const cb = end[lastEnding(hit, end)]! <= subjectEnd ? thresholds.subjectBoost : 1;
    for (const [u, w] of c.units) {
      unitScore[u] = unitScore[u]! + (w > 0 ? w * cb : w);
      if (w > 0) unitStrong[u] = 1;
    }
    for (const [q, w] of c.problems) problemScore[q] = problemScore[q]! + w;
    if (c.urgent !== 0 && !settled(s, firstStarting(hit, start), lastEnding(hit, end), rules)) {
      urgentScore += c.urgent;
      urgentLabels.push(contextLabel(hit, m, rules));
    }
  }

  // Rank units; decide between a unit, triage and not-a-complaint.
  let ranked = rank(unitScore, rules);
  let top = ranked[0]?.score ?? 0;
  let second = ranked[1]?.score ?? 0;
  // A unit named only by its name or a generic word (社区, 公安, 手续费) proves no complaint and routes nothing.
  let leadStrong = ranked.length > 0 && unitStrong[ranked[0]!.index] === 1;
  let complaintEvidence = leadStrong ? top : 0;
  let grievance = 0; // the resident's own complaint words (signals.complaint), apart from the units' topic words
  for (const p of complaintP) grievance += rules.complaintWeight[p]!;
  complaintEvidence += grievance;
  let nonComplaintEvidence = 0;
  for (const p of nonComplaintP) nonComplaintEvidence += rules.nonComplaintWeight[p]!;
  const urgent = urgentScore >= thresholds.urgentMin;

  // An urgent mail about a property is never dropped as not-a-complaint (000 附件 二: 立即通知).
  let unheard = false; // plainly about a home, yet no complaint word: the desk reads it
  if (!urgent) {
    const spamLike = nonComplaintEvidence > 0 && nonComplaintEvidence >= complaintEvidence * thresholds.nonComplaintRatio;
    const thin = complaintEvidence <= 0 || complaintEvidence < thresholds.complaintMin;
    // One residential cue (家里, 楼上) and weak evidence is how chat reads; a real complaint says more.
    const partialThin = partial && (!leadStrong || top < thresholds.partialMin);
    // "Not a complaint" needs evidence: advertising/spam, or too little about a home (chat). A mail plainly about a
    // home or a compound that uses no complaint word is for the desk to read (triage), never dropped unseen.
    // Advertising words beside a resident's own grievance words (a developer's 楼盘 and 户型 in a complaint, thanks
    // at its end) are no proof of spam: unless they clearly outweigh the complaint, the desk reads the mail. An
    // advert names products (门禁, 道闸) but complains of nothing, so it is still dropped.
    const mixed =
      spamLike && grievance >= thresholds.complaintMin && nonComplaintEvidence < complaintEvidence * thresholds.nonComplaintRatio * MIXED_FACTOR;
    if ((spamLike && !mixed) || partialThin || (thin && partial)) return notComplaint(labels(nonComplaintP, rules));
    unheard = thin || mixed;
  }

  // The statistical layer (model.ts) weighs in only now: whether a mail is a complaint at all, whether it is
  // urgent, and whether the evidence is too thin to route stay the rules' decisions. The model only settles close
  // calls between the rules' candidates (or, with `when: always`, reranks every routed mail): it weighs evidence,
  // it is none itself.
  const model = rules.model;
  let modelPushed = false;
  const thinRules = unheard || !leadStrong || top < thresholds.minScore;
  const closeRules = ranked.length > 1 && top - second < thresholds.minMargin && closeBeyondChain(ranked, thresholds.minMargin);
  if (model !== null && model.weight > 0 && !thinRules && (model.always || closeRules)) {
    const prob = scoreModel(model, full, subjectEnd, s.fold);
    // No gram of the model in the mail: its prior alone says nothing about this mail (and an empty model is inert).
    for (let c = 0; c < model.classes && model.hitCount > 0; c++) {
      const u = model.unitIndex[c]!;
      // Only the rules' own candidates are weighed: the model never brings in a unit without rule evidence, and
      // one it barely considers adds nothing.
      if (unitScore[u]! <= 0 || prob[c]! < MODEL_FLOOR) continue;
      unitScore[u] = unitScore[u]! + model.weight * prob[c]!;
      modelPushed = true;
    }
    if (modelPushed) {
      ranked = rank(unitScore, rules);
      top = ranked[0]?.score ?? 0;
      second = ranked[1]?.score ?? 0;
      leadStrong = ranked.length > 0 && unitStrong[ranked[0]!.index] === 1;
    }
  }

  // Thin rule evidence stays triage; after the model, a lead still within minMargin of the next unit does too.
  let triage = thinRules || !leadStrong || (ranked.length > 1 && top - second < thresholds.minMargin);
  let lead = ranked[0];
  // The local chain decides its own close calls: when no specialist unit has real evidence, a property complaint
  // belongs to housing's chain (000 附件 二(一): housing supervises the company's service; the township and the
  // community act on site), and a near tie inside the chain goes to housing, which leads the joint meeting (正文:
  // 联席会议办公室设在住建部门). Thin or spam-like mail was dropped above; this only keeps ordinary complaints out of
  // the triage queue.
  if (triage && !unheard && !partial && lead && LOCAL_CHAIN.has(lead.unit)) {
    const specialist = ranked.find((r) => !LOCAL_CHAIN.has(r.unit));
    const specialistClose = specialist !== undefined && specialist.score >= thresholds.minScore && top - specialist.score < thresholds.minMargin;
    if (!specialistClose) {
      const housing = ranked.find((r) => r.unit === 'housing');
      lead = housing && top - housing.score < thresholds.minMargin ? housing : lead;
      triage = false;
    }
  }
  const problem = pickProblem(rules, problemScore, lead?.index ?? -1);

  // 分类依据: the lead unit's phrases and context rules by weight, then urgency, then the problem's phrases.
  const matched: string[] = [];
  if (lead) {
    const reasons: [string, number][] = [];
    for (let k = 0; k < unitP.length; k++) {
      const w = weightFor(rules.unitWeights[unitP[k]!]!, lead.index) * unitB[k]!;
      if (w > 0) reasons.push([rules.patterns[unitP[k]!]!, w]);
    }
    for (let f = 0; f < fired.length; f++) {
      const w = weightFor(fired[f]!.units, lead.index);
      if (w > 0) reasons.push([contextLabel(firedHits[f]!, m, rules), w]);
    }
    addByWeight(matched, reasons, thresholds.maxMatched);
  }
  if (urgent) for (const l of urgentLabels) addOnce(matched, l, thresholds.maxMatched);
  // The model's grams that pushed the lead unit (~电梯), when the model had a say in it.
  if (modelPushed && lead) {
    const c = model!.unitIndex.indexOf(lead.index);
    if (c >= 0 && model!.prob[c]! >= MODEL_FLOOR) for (const g of explainModel(model!, c, model!.explain)) addOnce(matched, g, thresholds.maxMatched);
  }
  if (problem !== null) {
    const q = rules.problems.indexOf(problem);
    const reasons: [string, number][] = [];
    for (let k = 0; k < problemP.length; k++) {
      const w = weightFor(rules.problemWeights[problemP[k]!]!, q) * problemB[k]!;
      if (w > 0) reasons.push([rules.patterns[problemP[k]!]!, w]);
    }
    for (let f = 0; f < fired.length; f++) {
      const w = weightFor(fired[f]!.problems, q);
      if (w > 0) reasons.push([contextLabel(firedHits[f]!, m, rules), w]);
    }
    addByWeight(matched, reasons, thresholds.maxMatched);
  }

  return {
    verdict: triage ? 'triage' : 'unit',
    unit: triage ? null : lead!.unit,
    units: ranked.map((r) => ({ unit: r.unit, score: round(r.score) })),
    problem,
    urgent,
    triage,
    score: round(top),
    matched,
  };
}

/** 1 for every match inside a mask word (被打击 voids 被打); all zero, and no search, when no mask matched. */
function maskedMatches(m: Matches, rules: CompiledRules): Uint8Array {
  const { pattern, start, end, n } = m;
  const masked = zeroed(2, n);
  let any = false;
  for (let j = 0; j < n && !any; j++) if (rules.roles[pattern[j]!]! & MASK) any = true;
  if (!any) return masked;
  for (let j = 0; j < n; j++) {
    if (!(rules.roles[pattern[j]!]! & MASK)) continue;
    // Matches inside mask j end within it: they sit before j in end order, back to its start.
    for (let i = j - 1; i >= 0 && end[i]! > start[j]!; i--) if (start[i]! >= start[j]! && !(rules.roles[pattern[i]!]! & MASK)) masked[i] = 1;
    // …or end where it ends and come after it (shorter ones sort later among equal ends).
    for (let i = j + 1; i < n && end[i] === end[j]; i++) if (start[i]! >= start[j]! && !(rules.roles[pattern[i]!]! & MASK)) masked[i] = 1;
  }
  return masked;
}

function labels(ps: number[], rules: CompiledRules): string[] {
  return ps.slice(0, rules.thresholds.maxMatched).map((p) => rules.patterns[p]!);
}

function notComplaint(matched: string[]): Classification {
  return { verdict: 'not-complaint', unit: null, units: [], problem: null, urgent: false, triage: false, score: 0, matched };
}

// Scratch arrays reused by every call (JavaScript runs one classification at a time; nothing here is kept past
// the call): allocating six typed arrays per mail cost more than the work done on them. Each slot is used by one
// array of a call; only [0, n) is ever read, and it is zeroed first.
const scratch: Uint8Array[] = [];
const scratchF: Float64Array[] = [];
function zeroed(slot: number, n: number): Uint8Array {
  const a = scratch[slot];
  if (a !== undefined && a.length >= n) return a.fill(0, 0, n);
  return (scratch[slot] = new Uint8Array(Math.max(256, n * 2)));
}
/** The scan's match arrays, reused by every call (nothing keeps them past the call). */
const matchScratch: Matches = emptyMatches();

/** Per term group, its live matches of this call (reused like the scratch arrays; only the groups the previous
 *  call filled are emptied, which is a handful). */
const termScratch: number[][] = [];
const termTouched: number[] = [];
function termLists(n: number): number[][] {
  while (termScratch.length < n) termScratch.push([]);
  for (const t of termTouched) termScratch[t]!.length = 0;
  termTouched.length = 0;
  return termScratch;
}
function zeroedF(slot: number, n: number): Float64Array {
  const a = scratchF[slot];
  if (a !== undefined && a.length >= n) return a.fill(0, 0, n);
  return (scratchF[slot] = new Float64Array(Math.max(32, n)));
}

/** A close call that involves a specialist unit: one inside the local chain is the chain's own (housing). */
function closeBeyondChain(ranked: { unit: UnitCode; score: number }[], margin: number): boolean {
  const top = ranked[0]!;
  for (let k = 1; k < ranked.length && top.score - ranked[k]!.score < margin; k++) {
    if (!LOCAL_CHAIN.has(top.unit) || !LOCAL_CHAIN.has(ranked[k]!.unit)) return true;
  }
  return false;
}

/** A model probability below this adds nothing: a unit the model barely considers is no candidate. */
const MODEL_FLOOR = 0.05;

/** Advertising evidence must reach this multiple of the complaint evidence to drop a mail that has both. */
const MIXED_FACTOR = 2;

function rank(unitScore: Float64Array, rules: CompiledRules): { unit: UnitCode; score: number; index: number }[] {
  const ranked: { unit: UnitCode; score: number; index: number }[] = [];
  for (let u = 0; u < rules.units.length; u++) if (unitScore[u]! > 0) ranked.push({ unit: rules.units[u]!, score: unitScore[u]!, index: u });
  ranked.sort(byScore);
  return ranked;
}

const round = (x: number) => Math.round(x * 100) / 100;
const byScore = (a: { score: number; index: number }, b: { score: number; index: number }) => b.score - a.score || a.index - b.index;

/**
 * A negation cue is void when it is part of a longer phrase (没有公示, 没人管), inside an ignore word
 * (没有任何, 无法), or in a rhetorical question (这不是乱收费吗).
 */
function cueIsLive(s: Scan, i: number, rules: CompiledRules): boolean {
  const { pattern, start, end } = s.m;
  // Overlapping matches sit next to i in end order: earlier ones end after start[i], later ones end before
  // end[i] + maxLen.
  for (let j = i - 1; j >= 0 && end[j]! > start[i]!; j--) if (voids(rules.roles[pattern[j]!]!, j, i, s.m)) return false;
  for (let j = i + 1; j < s.m.n && end[j]! < end[i]! + s.maxLen; j++) {
    if (start[j]! < end[i]! && voids(rules.roles[pattern[j]!]!, j, i, s.m)) return false;
  }
  if (rules.questions.size > 0) {
    const limit = Math.min(s.full.length, end[i]! + 60); // a question closes within its clause
    const cls = rules.charClass;
    for (let k = end[i]!; k < limit; k++) {
      const c = cls[s.full.charCodeAt(k)]!;
      if (c & R.CHAR_QUESTION) return false;
      if (c & R.CHAR_BREAK) break;
    }
  }
  return true;
}

/** Does overlapping match j void cue i? An ignore word containing it, or a longer evidence phrase. */
function voids(r: number, j: number, i: number, m: Matches): boolean {
  if (r & IGNORE && m.start[j]! <= m.start[i]! && m.end[j]! >= m.end[i]!) return true;
  return (r & EVIDENCE) !== 0 && (r & CUE) === 0;
}

/**
 * Negated: a live cue ends at most `window` characters before the phrase, in the same clause, and the phrase
 * does not name something whose absence is the complaint (没有规划许可证).
 */
function isNegated(s: Scan, i: number, rules: CompiledRules): boolean {
  const { pattern, start, end } = s.m;
  for (let j = i - 1; j >= 0 && end[j]! > start[i]!; j--) {
    if (rules.roles[pattern[j]!]! & ABSENCE && start[j]! >= start[i]!) return false;
  }
  for (let j = i; j < s.m.n && end[j] === end[i]; j++) if (rules.roles[pattern[j]!]! & ABSENCE) return false;
  for (let c = i - 1; c >= 0 && end[c]! >= start[i]! - rules.negationWindow; c--) {
    if (s.liveCue[c] && end[c]! <= start[i]! && noBreak(s, end[c]!, start[i]!, rules.charClass, R.CHAR_BREAK)) return true;
  }
  return false;
}

/** Urgency does not hold for what is clearly past / hypothetical (去年…, 万一…) or already fixed (…已经修好了). */
function settled(s: Scan, first: number, last: number, rules: CompiledRules): boolean {
  const { pattern, start, end } = s.m;
  const until = end[last]! + rules.resolvedWindow + s.maxLen;
  for (let k = last + 1; k < s.m.n && end[k]! <= until; k++) {
    if (!(rules.roles[pattern[k]!]! & RESOLVED)) continue;
    const gap = start[k]! - end[last]!;
    if (gap >= 0 && gap <= rules.resolvedWindow && noBreak(s, end[last]!, start[k]!, rules.charClass, R.CHAR_RESOLVED_BREAK)) return true;
  }
  for (let k = first - 1; k >= 0 && end[k]! >= start[first]! - rules.pastWindow; k--) {
    if (rules.roles[pattern[k]!]! & PAST && end[k]! <= start[first]! && noBreak(s, end[k]!, start[first]!, rules.charClass, R.CHAR_BREAK)) return true;
  }
  return false;
}

function noBreak(s: Scan, from: number, to: number, cls: Uint8Array, bit: number): boolean {
  for (let k = from; k < to; k++) if (cls[s.full.charCodeAt(k)]! & bit) return false;
  return true;
}

/**
 * Of the live matches that are unit (problem) evidence, those not inside a longer unit (problem) phrase
 * (电梯广告 beats 电梯): bit TABLE_UNIT (TABLE_PROBLEM) of the result. Linear, both tables in one pass: matches
 * arrive ordered by end, longest first among equal ends, so walking backwards a match is inside another when a
 * phrase of its table ending later, or a longer one ending at the same place, starts at or before it.
 */
function notContained(m: Matches, live: Uint8Array, tables: Uint8Array): Uint8Array {
  const { pattern, start, end } = m;
  const kept = zeroed(3, m.n);
  let minU = Infinity; // over unit phrases ending after the current group
  let minP = Infinity; // over problem phrases ending after the current group
  let k = m.n - 1;
  while (k >= 0) {
    const e = end[k]!;
    let g = k;
    let groupU = Infinity;
    let groupP = Infinity;
    for (; g >= 0 && end[g] === e; g--) {
      const t = tables[pattern[g]!]!;
      if (t === 0) continue;
      const st = start[g]!;
      if (t & R.TABLE_UNIT && st < groupU) groupU = st;
      if (t & R.TABLE_PROBLEM && st < groupP) groupP = st;
    }
    for (let i = g + 1; i <= k; i++) {
      const t = tables[pattern[i]!]!;
      if (t === 0 || !live[i]) continue;
      const st = start[i]!;
      let bits = 0;
      if (t & R.TABLE_UNIT && minU > st && groupU >= st) bits |= R.TABLE_UNIT;
      if (t & R.TABLE_PROBLEM && minP > st && groupP >= st) bits |= R.TABLE_PROBLEM;
      kept[i] = bits;
    }
    if (groupU < minU) minU = groupU;
    if (groupP < minP) minP = groupP;
    k = g;
  }
  return kept;
}

/** Lists pattern p with boost b, or raises its boost; `stamp`/`at` find it without a search. */
function keepMax(ps: number[], bs: number[], p: number, b: number, stamp: Uint32Array, at: Int32Array, ep: number): void {
  if (stamp[p] !== ep) {
    stamp[p] = ep;
    at[p] = ps.length;
    ps.push(p);
    bs.push(b);
  } else if (bs[at[p]!]! < b) bs[at[p]!] = b;
}

// Which patterns one call has already put in each list: a stamp per pattern and list, equal to the call's epoch
// when listed (.includes / .indexOf on every match added up). Nothing to clear between calls.
interface Once {
  epoch: number;
  nonComplaint: Uint32Array;
  property: Uint32Array;
  complaint: Uint32Array;
  urgent: Uint32Array;
  unit: Uint32Array;
  problem: Uint32Array;
  unitAt: Int32Array;
  problemAt: Int32Array;
}
let onceScratch: Once | null = null;
function onceFor(patterns: number): Once {
  let o = onceScratch;
  if (o === null || o.unit.length < patterns || o.epoch === 0xffffffff) {
    const u = () => new Uint32Array(patterns);
    o = onceScratch = { epoch: 0, nonComplaint: u(), property: u(), complaint: u(), urgent: u(), unit: u(), problem: u(), unitAt: new Int32Array(patterns), problemAt: new Int32Array(patterns) };
  }
  o.epoch++;
  return o;
}

function weightFor(pairs: readonly [number, number][], target: number): number {
  let w = 0;
  for (let j = 0; j < pairs.length; j++) if (pairs[j]![0] === target) w += pairs[j]![1];
  return w;
}

function addOnce(out: string[], label: string, max: number): void {
  if (out.length < max && !out.includes(label)) out.push(label);
}

function addByWeight(out: string[], reasons: [string, number][], max: number): void {
  reasons.sort((a, b) => b[1] - a[1]);
  for (const [label] of reasons) addOnce(out, label, max);
}

function contextLabel(hit: number[], m: Matches, rules: CompiledRules): string {
  return hit.map((i) => rules.patterns[m.pattern[i]!]!).join('+');
}

function anyHit(terms: number[], hits: number[][]): boolean {
  for (const t of terms) if (hits[t]!.length > 0) return true;
  return false;
}

function firstStarting(hit: number[], start: Int32Array): number {
  let f = hit[0]!;
  for (const i of hit) if (start[i]! < start[f]!) f = i;
  return f;
}

function lastEnding(hit: number[], end: Int32Array): number {
  let l = hit[0]!;
  for (const i of hit) if (end[i]! > end[l]!) l = i;
  return l;
}

/** Best problem the unit may report when the evidence is enough; else the unit's default (004 三, 附件3). */
function pickProblem(rules: CompiledRules, score: Float64Array, unit: number): ProblemType | null {
  const allowed = unit >= 0 ? rules.unitAllowedProblems[unit]! : null;
  let best = -1;
  for (let k = 0; k < rules.problems.length; k++) {
    if (allowed && !allowed[k]) continue;
    if (score[k]! >= rules.thresholds.problemMin && (best < 0 || score[k]! > score[best]!)) best = k;
  }
  if (best >= 0) return rules.problems[best]!;
  return unit >= 0 ? rules.problems[rules.unitDefaultProblem[unit]!]! : null;
}

/**
 * One match of every group, each within `near` characters (gap between spans) of a match of the first group.
 * Hits are in end order, so the candidates near an anchor are found by binary search. Returns match indexes.
 */
function findContext(
  all: number[],
  near: number,
  hits: number[][],
  start: Int32Array,
  end: Int32Array,
  maxLen: number,
): number[] | null {
  for (const t of all) if (hits[t]!.length === 0) return null;
  if (near === Infinity) return all.map((t) => hits[t]![0]!);
  for (const a of hits[all[0]!]!) {
    const chosen = [a];
    for (let g = 1; g < all.length; g++) {
      const list = hits[all[g]!]!;
      const from = start[a]! - near; // a candidate must end at or after this
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (end[list[mid]!]! < from) lo = mid + 1;
        else hi = mid;
      }
      let found = -1;
      for (let k = lo; k < list.length && end[list[k]!]! - maxLen <= end[a]! + near; k++) {
        const i = list[k]!;
        if (Math.max(0, start[i]! - end[a]!, start[a]! - end[i]!) <= near) {
          found = i;
          break;
        }
      }
      if (found < 0) break;
      chosen.push(found);
    }
    if (chosen.length === all.length) return chosen;
  }
  return null;
}
