// Aho-Corasick multi-pattern matcher over UTF-16 code units: one pass over the text finds every occurrence of
// every rule phrase, so classification cost grows with the text, not with the number of rules.
// Built once per rule set as a complete transition table over the phrases' alphabet, so scanning costs one
// table lookup per character; `scan` allocates only the result arrays.

export interface Automaton {
  /** code unit → column of the transition table (after folding), −1 when no phrase contains it (back to root). */
  readonly column: Int16Array;
  readonly columns: number;
  /** complete transition table (a DFA): state × column → next state; failure links are already folded in. */
  readonly delta: Uint16Array | Uint32Array;
  /** pattern ids ending at each state, including those reached through failure links. */
  readonly out: (Int32Array | null)[];
  readonly lengths: Int32Array;
  readonly maxLength: number;
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
  return { column: byCodeUnit, columns, delta, out, lengths, maxLength: Math.max(1, ...lengths), fold };
}

export function scan(a: Automaton, text: string): Matches {
  const pattern: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const { column, columns, delta, out, lengths } = a;
  let s = 0;
  for (let i = 0; i < text.length; i++) {
    const col = column[text.charCodeAt(i)]!;
    if (col < 0) {
      s = 0;
      continue;
    }
    s = delta[s * columns + col]!;
    const o = out[s];
    if (o !== null && o !== undefined) {
      for (let k = 0; k < o.length; k++) {
        const id = o[k]!;
        pattern.push(id);
        start.push(i + 1 - lengths[id]!);
        end.push(i + 1);
      }
    }
  }
  return { pattern, start, end };
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
