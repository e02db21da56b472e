// Mail furniture that says nothing about the complaint: BBS header lines (发信人: … 信区:, 标 题:, 发信站:),
// origin footers (※ 来源:·水木社区 …), attribution lines (【 在 … 的大作中提到: 】) and signature blocks after a
// "--" line. Left in, a footer such as "水木社区" would count as a unit's name, so they are cut before scanning.
// Pure and regex-free: one pass over the lines, and the text is copied only when something is cut.

export interface FooterRules {
  /** line starts (after quote marks and spaces, folded, spaces ignored) that mark a whole line as furniture */
  lines: string[];
  /** a line that is exactly one of these (after quote marks, trailing spaces ignored) starts a signature */
  signature: string[];
  /** characters that quote an earlier message at the start of a line (": " in BBS replies, "> " in mail) */
  quoteMarks: string;
}

export interface CompiledFooters {
  lines: string[]; // folded, spaces removed
  signature: string[]; // folded, trailing spaces removed
  quoteMarks: Set<number>; // folded code units
  /** first code unit of any prefix or signature: a line whose first significant character is none of these is kept at once */
  firsts: Set<number>;
}

const SPACE = 32;
const IDEOGRAPHIC_SPACE = 0x3000;
const TAB = 9;
const isSpace = (c: number) => c === SPACE || c === TAB || c === IDEOGRAPHIC_SPACE;

export function compileFooters(f: FooterRules, fold: Uint16Array): CompiledFooters {
  const norm = (s: string, dropSpaces: boolean) => {
    let r = '';
    for (let i = 0; i < s.length; i++) {
      const c = fold[s.charCodeAt(i)]!;
      if (dropSpaces && isSpace(c)) continue;
      r += String.fromCharCode(c);
    }
    return dropSpaces ? r : r.trimEnd();
  };
  const lines = f.lines.map((p) => norm(p, true)).filter((p) => p.length > 0);
  const signature = f.signature.map((p) => norm(p, false)).filter((p) => p.length > 0);
  const quoteMarks = new Set(Array.from(norm(f.quoteMarks, true), (ch) => ch.charCodeAt(0)));
  const firsts = new Set([...lines, ...signature].map((p) => p.charCodeAt(0)));
  return { lines, signature, quoteMarks, firsts };
}

/**
 * The text without furniture lines and signature blocks. A signature block runs from its "--" line to the end,
 * or until a line quoted less deeply than the delimiter (the reply resumes after a quoted signature).
 * Kept lines are joined with "\n", so no new phrase can form across a cut.
 */
export function stripFooters(text: string, f: CompiledFooters, fold: Uint16Array): string {
  if (f.firsts.size === 0) return text;
  let out: string[] | null = null; // allocated at the first cut
  let signatureDepth = -1; // quote depth of the signature being skipped, −1 when none
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    // Quote depth and first significant character.
    let k = lineStart;
    let depth = 0;
    for (; k < lineEnd; k++) {
      const c = fold[text.charCodeAt(k)]!;
      if (f.quoteMarks.has(c)) depth++;
      else if (!isSpace(c) && c !== 13) break;
    }
    let cut = false;
    if (signatureDepth >= 0 && depth >= signatureDepth) cut = true;
    else {
      signatureDepth = -1;
      if (k < lineEnd && f.firsts.has(fold[text.charCodeAt(k)]!)) {
        if (isSignature(text, k, lineEnd, f, fold)) {
          signatureDepth = depth;
          cut = true;
        } else if (startsWithAny(text, k, lineEnd, f.lines, fold)) cut = true;
      }
    }
    if (cut) {
      if (out === null) out = lineStart > 0 ? [text.slice(0, lineStart - 1)] : [];
    } else if (out !== null) out.push(text.slice(lineStart, lineEnd));
    lineStart = lineEnd + 1;
  }
  return out === null ? text : out.join('\n');
}

function isSignature(text: string, from: number, to: number, f: CompiledFooters, fold: Uint16Array): boolean {
  let end = to;
  while (end > from && (isSpace(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 13)) end--;
  for (const sig of f.signature) {
    if (end - from !== sig.length) continue;
    let same = true;
    for (let i = 0; i < sig.length && same; i++) same = fold[text.charCodeAt(from + i)] === sig.charCodeAt(i);
    if (same) return true;
  }
  return false;
}

/** Does the line (from its first significant character) start with one of the prefixes, spaces ignored? */
function startsWithAny(text: string, from: number, to: number, prefixes: string[], fold: Uint16Array): boolean {
  for (const p of prefixes) {
    let i = from;
    let j = 0;
    while (j < p.length && i < to) {
      const c = fold[text.charCodeAt(i)]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c !== p.charCodeAt(j)) break;
      i++;
      j++;
    }
    if (j === p.length) return true;
  }
  return false;
}
