// Complaint classifier: subject + text → owning unit (ranked), problem type, urgency, triage flag and the
// phrases that decided it (分类依据). Pure and allocation-light: one automaton pass, then arithmetic over the
// matches. Rules and their seed clauses live in config/keywords.yaml.
import type { ClassificationSummary, ProblemType, UnitCode } from '../domain.ts';
import { scan } from './automaton.ts';
import { ROLE_ABSENCE, ROLE_CUE, ROLE_EVIDENCE, ROLE_IGNORE, ROLE_PAST, ROLE_RESOLVED, type CompiledRules } from './rules.ts';

export interface ClassifyInput {
  subject: string;
  text: string;
}

/**
 * `unit` is set only when the classifier is sure enough to route; a `triage` result has `unit: null` and its
 * candidates in `units`, so nothing reaches a unit silently (000 附件 二 高效分转 stays a human decision then).
 * `verdict` says which of the three outcomes it is; `not-complaint` has unit and problem null.
 */
export interface Classification extends ClassificationSummary {
  verdict: 'unit' | 'triage' | 'not-complaint';
}

const round = (x: number) => Math.round(x * 100) / 100;

export function classify(input: ClassifyInput, rules: CompiledRules): Classification {
  const subject = input.subject ?? '';
  const body = input.text ?? '';
  if (subject.trim() === '' && body.trim() === '') return notComplaint([]);

  const full = subject + '\n' + body;
  const subjectEnd = subject.length;
  const { pattern, start, end } = scan(rules.automaton, full);
  const n = pattern.length;
  const { roles, thresholds } = rules;
  const folded = rules.automaton.fold;

  const noBreakBetween = (from: number, to: number, breaks: Set<number>): boolean => {
    for (let k = from; k < to; k++) if (breaks.has(folded[full.charCodeAt(k)]!)) return false;
    return true;
  };

  // 1. Negation cues that are part of a longer phrase (没有公示, 没人管) or of an ignore word (无法, 没有任何) are void.
  const cues: number[] = [];
  for (let i = 0; i < n; i++) {
    if ((roles[pattern[i]!]! & ROLE_CUE) === 0) continue;
    let live = true;
    for (let j = 0; j < n && live; j++) {
      if (j === i) continue;
      const r = roles[pattern[j]!]!;
      const overlaps = start[j]! < end[i]! && end[j]! > start[i]!;
      if (!overlaps) continue;
      if (r & ROLE_IGNORE && start[j]! <= start[i]! && end[j]! >= end[i]!) live = false;
      else if (r & ROLE_EVIDENCE && (r & ROLE_CUE) === 0) live = false;
    }
    if (live && rules.questions.size > 0) {
      // 这不是乱收费吗: a rhetorical question asserts what it seems to deny.
      for (let k = end[i]!; k < full.length; k++) {
        const ch = folded[full.charCodeAt(k)]!;
        if (rules.questions.has(ch)) live = false;
        if (!live || rules.breaks.has(ch)) break;
      }
    }
    if (live) cues.push(i);
  }
  const negated = (i: number): boolean => {
    if (cues.length === 0) return false;
    for (let j = 0; j < n; j++) {
      if (roles[pattern[j]!]! & ROLE_ABSENCE && start[j]! >= start[i]! && end[j]! <= end[i]!) return false;
    }
    for (const c of cues) {
      const gap = start[i]! - end[c]!;
      if (gap >= 0 && gap <= rules.negationWindow && noBreakBetween(end[c]!, start[i]!, rules.breaks)) return true;
    }
    return false;
  };

  // 2. Live evidence: not negated; a unit or problem phrase inside a longer one of its kind gives way to it.
  const live = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (roles[pattern[i]!]! & ROLE_EVIDENCE && !negated(i)) live[i] = 1;
  const contained = (i: number, table: (unknown[] | null)[]): boolean => {
    for (let j = 0; j < n; j++) {
      if (j === i || table[pattern[j]!] === null) continue;
      if (start[j]! <= start[i]! && end[j]! >= end[i]! && end[j]! - start[j]! > end[i]! - start[i]!) return true;
    }
    return false;
  };

  const boost = (i: number) => (start[i]! < subjectEnd ? thresholds.subjectBoost : 1);
  // Each distinct phrase counts once, with its strongest occurrence (subject beats body).
  const unitPhrase = new Map<number, number>();
  const problemPhrase = new Map<number, number>();
  const urgentPhrase = new Map<number, number>();
  const complaintPhrase = new Map<number, number>();
  const nonComplaintPhrase = new Map<number, number>();
  const termHits: number[][] = Array.from({ length: rules.termCount }, () => []);
  const keepMax = (m: Map<number, number>, p: number, b: number) => {
    if ((m.get(p) ?? 0) < b) m.set(p, b);
  };

  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if (rules.nonComplaintWeight[p] !== 0) keepMax(nonComplaintPhrase, p, 1);
    if (!live[i]) continue;
    if (rules.unitWeights[p] && !contained(i, rules.unitWeights)) keepMax(unitPhrase, p, boost(i));
    if (rules.problemWeights[p] && !contained(i, rules.problemWeights)) keepMax(problemPhrase, p, boost(i));
    if (rules.complaintWeight[p] !== 0) keepMax(complaintPhrase, p, 1);
    const terms = rules.termsOf[p];
    if (terms) for (const t of terms) termHits[t]!.push(i);
    if (rules.urgentWeight[p] !== 0 && !settled(i, i)) keepMax(urgentPhrase, p, 1);
  }

  // Urgency does not hold for what is clearly past (去年…) or already fixed (…已经修好了). 000 附件 二.
  function settled(first: number, last: number): boolean {
    for (let k = 0; k < n; k++) {
      const r = roles[pattern[k]!]!;
      if (r & ROLE_RESOLVED) {
        const gap = start[k]! - end[last]!;
        if (gap >= 0 && gap <= rules.resolvedWindow && noBreakBetween(end[last]!, start[k]!, rules.resolvedBreaks)) return true;
      }
      if (r & ROLE_PAST) {
        const gap = start[first]! - end[k]!;
        if (gap >= 0 && gap <= rules.pastWindow && noBreakBetween(end[k]!, start[first]!, rules.breaks)) return true;
      }
    }
    return false;
  }

  const U = rules.units.length;
  const unitScore = new Float64Array(U);
  const problemScore = new Float64Array(rules.problems.length);
  const because: { unit: number; weight: number; label: string }[] = [];
  for (const [p, b] of unitPhrase) {
    for (const [u, w] of rules.unitWeights[p]!) {
      unitScore[u] = unitScore[u]! + w * b;
      because.push({ unit: u, weight: w * b, label: rules.patterns[p]! });
    }
  }
  const problemBecause: { problem: number; weight: number; label: string }[] = [];
  for (const [p, b] of problemPhrase) {
    for (const [k, w] of rules.problemWeights[p]!) {
      problemScore[k] = problemScore[k]! + w * b;
      problemBecause.push({ problem: k, weight: w * b, label: rules.patterns[p]! });
    }
  }
  let urgentScore = 0;
  const urgentLabels: string[] = [];
  for (const p of urgentPhrase.keys()) {
    urgentScore += rules.urgentWeight[p]!;
    urgentLabels.push(rules.patterns[p]!);
  }

  // 3. Context rules: term groups that must co-occur (within `near` characters) and groups that must not.
  for (const c of rules.contexts) {
    if (c.none.some((t) => termHits[t]!.length > 0)) continue;
    const hit = findContext(c.all, c.near, termHits, start, end);
    if (hit === null) continue;
    const label = hit.map((i) => rules.patterns[pattern[i]!]!).join('+');
    for (const [u, w] of c.units) {
      unitScore[u] = unitScore[u]! + w;
      because.push({ unit: u, weight: w, label });
    }
    for (const [k, w] of c.problems) {
      problemScore[k] = problemScore[k]! + w;
      problemBecause.push({ problem: k, weight: w, label });
    }
    if (c.urgent !== 0) {
      const first = hit.reduce((a, b) => (start[b]! < start[a]! ? b : a));
      const last = hit.reduce((a, b) => (end[b]! > end[a]! ? b : a));
      if (!settled(first, last)) {
        urgentScore += c.urgent;
        urgentLabels.push(label);
      }
    }
  }

  // 4. Rank units; decide between a unit, triage and not-a-complaint.
  const ranked: { unit: UnitCode; score: number; index: number }[] = [];
  for (let u = 0; u < U; u++) if (unitScore[u]! > 0) ranked.push({ unit: rules.units[u]!, score: unitScore[u]!, index: u });
  ranked.sort((a, b) => b.score - a.score || a.index - b.index);
  const top = ranked[0]?.score ?? 0;
  const second = ranked[1]?.score ?? 0;
  let complaintEvidence = top;
  for (const p of complaintPhrase.keys()) complaintEvidence += rules.complaintWeight[p]!;
  let nonComplaintEvidence = 0;
  for (const p of nonComplaintPhrase.keys()) nonComplaintEvidence += rules.nonComplaintWeight[p]!;
  const urgent = urgentScore >= thresholds.urgentMin;

  if (!urgent) {
    const spamLike = nonComplaintEvidence > 0 && nonComplaintEvidence >= complaintEvidence * thresholds.nonComplaintRatio;
    if (spamLike || complaintEvidence <= 0) {
      return notComplaint([...nonComplaintPhrase.keys()].map((p) => rules.patterns[p]!).slice(0, thresholds.maxMatched));
    }
  }

  const triage = top < thresholds.minScore || (ranked.length > 1 && top - second < thresholds.minMargin);
  const lead = ranked[0];
  const problem = pickProblem(rules, problemScore, lead?.index ?? -1);

  const matched: string[] = [];
  const add = (s: string) => {
    if (!matched.includes(s) && matched.length < thresholds.maxMatched) matched.push(s);
  };
  if (lead) {
    because
      .filter((b) => b.unit === lead.index && b.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .forEach((b) => add(b.label));
  }
  if (urgent) urgentLabels.forEach(add);
  if (problem !== null) {
    const k = rules.problems.indexOf(problem);
    problemBecause
      .filter((b) => b.problem === k && b.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .forEach((b) => add(b.label));
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

function notComplaint(matched: string[]): Classification {
  return { verdict: 'not-complaint', unit: null, units: [], problem: null, urgent: false, triage: false, score: 0, matched };
}

/** Best problem the unit may report when the evidence is enough; else the unit's default (004 三, 附件3). */
function pickProblem(rules: CompiledRules, score: Float64Array, unit: number): ProblemType | null {
  const allowed = unit >= 0 ? rules.unitAllowedProblems[unit]! : null;
  let best = -1;
  for (let k = 0; k < score.length; k++) {
    if (allowed && !allowed[k]) continue;
    if (score[k]! >= rules.thresholds.problemMin && (best < 0 || score[k]! > score[best]!)) best = k;
  }
  if (best >= 0) return rules.problems[best]!;
  return unit >= 0 ? rules.problems[rules.unitDefaultProblem[unit]!]! : null;
}

/**
 * One match of every group, all within `near` characters of the first group's match (gap between spans).
 * Returns the chosen match indexes, or null.
 */
function findContext(all: number[], near: number, hits: number[][], start: number[], end: number[]): number[] | null {
  if (all.some((t) => hits[t]!.length === 0)) return null;
  const anchors = hits[all[0]!]!;
  for (const a of anchors) {
    const chosen = [a];
    for (let g = 1; g < all.length; g++) {
      let best = -1;
      let bestGap = Infinity;
      for (const i of hits[all[g]!]!) {
        const gap = Math.max(0, start[i]! - end[a]!, start[a]! - end[i]!);
        if (gap < bestGap) {
          bestGap = gap;
          best = i;
        }
      }
      if (best < 0 || bestGap > near) break;
      chosen.push(best);
    }
    if (chosen.length === all.length) return chosen;
  }
  return null;
}
