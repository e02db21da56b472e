// Aho-Corasick multi-pattern matcher over UTF-16 code units: one pass over the text finds every occurrence of
// every rule phrase, so classification cost grows with the text, not with the number of rules.
// Built once per rule set as a complete transition table over the phrases' alphabet, so scanning costs one
// table lookup per character; `scan` allocates only the result arrays (none when given arrays to reuse).

export interface Automaton {
  /** code unit → column of the transition table (after folding), −1 when no phrase contains it (back to root). */
  readonly column: Int16Array;
  readonly columns: number;
  /** complete transition table (a DFA): state × column → next state; failure links are already folded in. */
  readonly delta: Uint16Array | Uint32Array;
  /** pattern ids ending at each state, including those reached through failure links. */
  readonly out: (Int32Array | null)[];
  /** The same, flat (what `scan` reads): the ids ending at state s are outIds[outStart[s] … outStart[s + 1]). */
  readonly outStart: Int32Array;
  readonly outIds: Int32Array;
  readonly lengths: Int32Array;
  readonly maxLength: number;
  /** per pattern: 1 = starts with an ASCII letter/digit, 2 = ends with one; such an edge must not touch another
   *  ASCII letter/digit in the text (12345 is not inside 13512345678, lift not inside uplifting). */
  readonly edges: Uint8Array;
  /** maps each code unit to its folded form (case, width, traditional → simplified). */
  readonly fold: Uint16Array;
}

/** Flat list of matches: pattern id, start (inclusive), end (exclusive), in text order of their end. */
export interface Matches {
  pattern: number[];
  start: number[];
  end: number[];
}

export function buildAutomaton(patterns: readonly string[], fold: Uint16Array): Automaton {
  // The pattern alphabet gets dense column numbers; every other character resets to the root.
  const column = new Int16Array(65536).fill(-1);
  let columns = 0;
  const folded = patterns.map((raw) => foldString(raw, fold));
  for (const p of folded) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (column[c] === -1) column[c] = columns++;
    }
  }

  // Trie.
  const next: Map<number, number>[] = [new Map()];
  const ends: number[][] = [[]];
  const lengths = new Int32Array(patterns.length);
  folded.forEach((p, id) => {
    lengths[id] = p.length;
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const a = column[p.charCodeAt(i)]!;
      let t = next[s]!.get(a);
      if (t === undefined) {
        t = next.length;
        next.push(new Map());
        ends.push([]);
        next[s]!.set(a, t);
      }
      s = t;
    }
    ends[s]!.push(id);
  });

  // Breadth-first: failure links, inherited outputs and the complete transition table in one sweep.
  const states = next.length;
  const delta = states < 65536 ? new Uint16Array(states * columns) : new Uint32Array(states * columns);
  const fail = new Int32Array(states);
  const queue: number[] = [];
  for (const [a, t] of next[0]!) {
    delta[a] = t;
    queue.push(t);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    const f = fail[s]!;
    ends[s]!.push(...ends[f]!);
    const row = s * columns;
    const fRow = f * columns;
    for (let a = 0; a < columns; a++) delta[row + a] = delta[fRow + a]!;
    for (const [a, t] of next[s]!) {
      fail[t] = delta[fRow + a]!;
      delta[row + a] = t;
      queue.push(t);
    }
  }
  const out = ends.map((e) => (e.length > 0 ? Int32Array.from(new Set(e)) : null));
  // Fold once into the column table so scanning does one lookup per character instead of two.
  const byCodeUnit = new Int16Array(65536);
  for (let c = 0; c < 65536; c++) byCodeUnit[c] = column[fold[c]!]!;
  const edges = Uint8Array.from(folded, (p) => (isWordChar(p.charCodeAt(0)) ? 1 : 0) | (isWordChar(p.charCodeAt(p.length - 1)) ? 2 : 0));
  const outStart = new Int32Array(out.length + 1);
  out.forEach((o, st) => (outStart[st + 1] = outStart[st]! + (o?.length ?? 0)));
  const outIds = new Int32Array(outStart[out.length]!);
  out.forEach((o, st) => o && outIds.set(o, outStart[st]!));
  return { column: byCodeUnit, columns, delta, out, outStart, outIds, lengths, maxLength: Math.max(1, ...lengths), edges, fold };
}

/** `into`: arrays to reuse (emptied first) instead of allocating three per call; the result is then `into`. */
export function scan(a: Automaton, text: string, into?: Matches): Matches {
  let pattern: number[], start: number[], end: number[];
  if (into) {
    ({ pattern, start, end } = into);
    pattern.length = start.length = end.length = 0;
  } else {
    pattern = [];
    start = [];
    end = [];
  }
  const { column, columns, delta, outStart, outIds, lengths, edges, fold } = a;
  let s = 0;
  for (let i = 0; i < text.length; i++) {
    const col = column[text.charCodeAt(i)]!;
    if (col < 0) {
      s = 0;
      continue;
    }
    s = delta[s * columns + col]!;
    const last = outStart[s + 1]!;
    for (let k = outStart[s]!; k < last; k++) {
      const id = outIds[k]!;
      const e = edges[id]!;
      if (e !== 0) {
        const from = i + 1 - lengths[id]!;
        if (e & 1 && from > 0 && isWordChar(fold[text.charCodeAt(from - 1)]!)) continue;
        if (e & 2 && i + 1 < text.length && isWordChar(fold[text.charCodeAt(i + 1)]!)) continue;
      }
      pattern.push(id);
      start.push(i + 1 - lengths[id]!);
      end.push(i + 1);
    }
  }
  return into ?? { pattern, start, end };
}

/**
 * The fold table: NFKC (full-width → half-width) and lower case for every single code unit whose folded form
 * is still one code unit, then the traditional → simplified pairs from the rules file.
 */
export function buildFold(pairs: ReadonlyArray<readonly [string, string]>): Uint16Array {
  const fold = Uint16Array.from(baseFold());
  for (const [from, to] of pairs) fold[from.charCodeAt(0)] = fold[to.charCodeAt(0)]!;
  return fold;
}

let base: Uint16Array | null = null;
/** The Unicode part of the fold table depends on nothing else; computed once per process. */
function baseFold(): Uint16Array {
  if (base) return base;
  base = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) {
    base[c] = c;
    if (c >= 0xd800 && c <= 0xdfff) continue; // lone surrogate halves stay as they are
    const f = String.fromCharCode(c).normalize('NFKC').toLowerCase();
    if (f.length === 1) base[c] = f.charCodeAt(0);
  }
  return base;
}

export function foldString(s: string, fold: Uint16Array): string {
  let r = '';
  for (let i = 0; i < s.length; i++) r += String.fromCharCode(fold[s.charCodeAt(i)]!);
  return r;
}

/** ASCII letter or digit (after folding, so full-width forms count too). */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
