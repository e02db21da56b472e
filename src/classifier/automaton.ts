// Aho-Corasick multi-pattern matcher over UTF-16 code units: one pass over the text finds every occurrence of
// every rule phrase, so classification cost grows with the text, not with the number of rules.
// Built once per rule set; `scan` allocates only the result arrays.

export interface Automaton {
  /** root transitions by code unit (0 = stay at root); the hot path for characters that start nothing. */
  readonly root: Int32Array;
  readonly next: Map<number, number>[];
  readonly fail: Int32Array;
  /** pattern ids ending at each state, including those reached through failure links. */
  readonly out: (Int32Array | null)[];
  readonly lengths: Int32Array;
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
  const next: Map<number, number>[] = [new Map()];
  const ends: number[][] = [[]];
  const lengths = new Int32Array(patterns.length);
  patterns.forEach((raw, id) => {
    const p = foldString(raw, fold);
    lengths[id] = p.length;
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      let t = next[s]!.get(c);
      if (t === undefined) {
        t = next.length;
        next.push(new Map());
        ends.push([]);
        next[s]!.set(c, t);
      }
      s = t;
    }
    ends[s]!.push(id);
  });

  // Breadth-first failure links; outputs inherit the outputs of their failure state.
  const fail = new Int32Array(next.length);
  const queue: number[] = [];
  for (const t of next[0]!.values()) queue.push(t);
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    for (const [c, t] of next[s]!) {
      let f = fail[s]!;
      while (f !== 0 && !next[f]!.has(c)) f = fail[f]!;
      const g = next[f]!.get(c);
      fail[t] = g !== undefined && g !== t ? g : 0;
      ends[t]!.push(...ends[fail[t]!]!);
      queue.push(t);
    }
  }

  const root = new Int32Array(65536);
  for (const [c, t] of next[0]!) root[c] = t;
  const out = ends.map((e) => (e.length > 0 ? Int32Array.from(new Set(e)) : null));
  return { root, next, fail, out, lengths, fold };
}

export function scan(a: Automaton, text: string): Matches {
  const pattern: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const { root, next, fail, out, lengths, fold } = a;
  let s = 0;
  for (let i = 0; i < text.length; i++) {
    const c = fold[text.charCodeAt(i)]!;
    for (;;) {
      if (s === 0) {
        s = root[c]!;
        break;
      }
      const t = next[s]!.get(c);
      if (t !== undefined) {
        s = t;
        break;
      }
      s = fail[s]!;
    }
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
