// Aho-Corasick multi-pattern matcher over UTF-16 code units: one pass over the text finds every occurrence of
// every rule phrase, so classification cost grows with the text, not with the number of rules.
// Built once per rule set as a complete DFA (failure links folded in), stored compactly: the root's row in full,
// and each other state's row only where it differs from the root's (a handful of columns), packed into one shared
// array by row displacement (a "comb": state s's column c sits at base[s] + c, owned by s when check says so).
// A full state × column table was ~4 MB, and on long messages every character cost a cache miss in it; the comb
// is a few tens of KB. Scanning stays one lookup per character; `scan` allocates only the result arrays (none
// when given arrays to reuse).

export interface Automaton {
  /** code unit → column of the transition table (after folding); `columns` when no phrase contains it (back to root). */
  readonly column: Int16Array;
  readonly columns: number;
  /** states numbered from here on have phrases ending at them; those below have none. */
  readonly firstOut: number;
  /** the root's transitions: column → next state (0 = stay at the root); columns + 1 entries. */
  readonly root: Uint16Array | Uint32Array;
  /** Where state s's row differs from the root's: next[base[s] + c] when check[base[s] + c] === s + 1. */
  readonly base: Int32Array;
  readonly check: Uint16Array | Uint32Array;
  readonly next: Uint16Array | Uint32Array;
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
  /** per pattern: 1 = "quiet", only whether it occurs matters (not where): `scan` lists it once in `quiet`
   *  instead of adding every occurrence to the matches (物业, 业主, 小区 occur a dozen times in a long message). */
  readonly quiet: Uint8Array;
  /** scratch for `scan`'s once-per-call listing of quiet patterns (one call at a time). */
  readonly quietStamp: Uint32Array;
  quietEpoch: number;
}

/** Flat list of matches: pattern id, start (inclusive), end (exclusive), in text order of their end; and the
 *  distinct quiet patterns that occur, in order of first occurrence. */
export interface Matches {
  pattern: number[];
  start: number[];
  end: number[];
  quiet: number[];
}

/** `quiet`: per pattern, 1 when only its occurrence matters (see Automaton.quiet); default none. */
export function buildAutomaton(patterns: readonly string[], fold: Uint16Array, quiet: Uint8Array = new Uint8Array(patterns.length)): Automaton {
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
  let delta = states < 65536 ? new Uint16Array(states * columns) : new Uint32Array(states * columns);
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
  // Renumber the states: those where no phrase ends first, so `scan` tells an output state by comparing its
  // number with `firstOut` instead of reading a table for every character. The root stays 0.
  const perm = new Int32Array(states);
  let firstOut = 1;
  for (let st = 1; st < states; st++) if (ends[st]!.length === 0) perm[st] = firstOut++;
  let nextNumber = firstOut;
  for (let st = 1; st < states; st++) if (ends[st]!.length > 0) perm[st] = nextNumber++;
  const renumbered = states < 65536 ? new Uint16Array(states * columns) : new Uint32Array(states * columns);
  for (let st = 0; st < states; st++) {
    const from = st * columns;
    const to = perm[st]! * columns;
    for (let c = 0; c < columns; c++) renumbered[to + c] = perm[delta[from + c]!]!;
  }
  delta = renumbered;
  const out: (Int32Array | null)[] = new Array(states).fill(null);
  ends.forEach((e, st) => (out[perm[st]!] = e.length > 0 ? Int32Array.from(new Set(e)) : null));
  // Fold once into the column table so scanning does one lookup per character instead of two. Characters in no
  // phrase get one more column, `columns`, that leads every state back to the root (no branch per character).
  const byCodeUnit = new Int16Array(65536);
  for (let c = 0; c < 65536; c++) byCodeUnit[c] = column[fold[c]!]! < 0 ? columns : column[fold[c]!]!;
  const edges = Uint8Array.from(folded, (p) => (isWordChar(p.charCodeAt(0)) ? 1 : 0) | (isWordChar(p.charCodeAt(p.length - 1)) ? 2 : 0));
  const outStart = new Int32Array(out.length + 1);
  out.forEach((o, st) => (outStart[st + 1] = outStart[st]! + (o?.length ?? 0)));
  const outIds = new Int32Array(outStart[out.length]!);
  out.forEach((o, st) => o && outIds.set(o, outStart[st]!));
  // Compact form: the root row, and each state's differing columns packed first-fit into one comb, the states
  // with most columns first (the usual row-displacement heuristic; the comb ends up barely larger than its entries).
  const wide = states >= 65535;
  const root = wide ? new Uint32Array(columns + 1) : new Uint16Array(columns + 1); // root[columns] = 0: back to the root
  for (let c = 0; c < columns; c++) root[c] = delta[c]!;
  const rows: number[][] = [[]];
  for (let st = 1; st < states; st++) {
    const cols: number[] = [];
    const row = st * columns;
    for (let c = 0; c < columns; c++) if (delta[row + c] !== root[c]) cols.push(c);
    rows.push(cols);
  }
  const order = Array.from({ length: states }, (_, st) => st).sort((x, y) => rows[y]!.length - rows[x]!.length || x - y);
  const base = new Int32Array(states);
  let used = new Uint8Array(1024);
  let firstFree = 0;
  for (const st of order) {
    const cols = rows[st]!;
    if (cols.length === 0) break; // sorted: the rest have none, base 0 (their check never matches)
    let b = Math.max(0, firstFree - cols[0]!);
    for (;;) {
      if (b + columns > used.length) {
        const grown = new Uint8Array(used.length * 2 + columns);
        grown.set(used);
        used = grown;
      }
      if (cols.every((c) => used[b + c] === 0)) break;
      b++;
    }
    base[st] = b;
    for (const c of cols) used[b + c] = 1;
    while (used[firstFree] === 1) firstFree++;
  }
  let size = 0;
  for (let st = 0; st < states; st++) for (const c of rows[st]!) size = Math.max(size, base[st]! + c + 1);
  for (let st = 0; st < states; st++) size = Math.max(size, base[st]! + columns + 1); // every base + column read stays inside
  const check = wide ? new Uint32Array(size) : new Uint16Array(size);
  const nextState = wide ? new Uint32Array(size) : new Uint16Array(size);
  for (let st = 1; st < states; st++) {
    for (const c of rows[st]!) {
      check[base[st]! + c] = st + 1;
      nextState[base[st]! + c] = delta[st * columns + c]!;
    }
  }
  return { column: byCodeUnit, columns, firstOut, root, base, check, next: nextState, out, outStart, outIds, lengths, maxLength: Math.max(1, ...lengths), edges, fold, quiet, quietStamp: new Uint32Array(patterns.length), quietEpoch: 0 };
}

/** `into`: arrays to reuse (emptied first) instead of allocating three per call; the result is then `into`. */
export function scan(a: Automaton, text: string, into?: Matches): Matches {
  let pattern: number[], start: number[], end: number[], quietIds: number[];
  if (into) {
    ({ pattern, start, end, quiet: quietIds } = into);
    pattern.length = start.length = end.length = quietIds.length = 0;
  } else {
    pattern = [];
    start = [];
    end = [];
    quietIds = [];
  }
  if (++a.quietEpoch === 0xffffffff) {
    a.quietStamp.fill(0);
    a.quietEpoch = 1;
  }
  const epoch = a.quietEpoch;
  const { quiet, quietStamp } = a;
  const { column, firstOut, root, base, check, next, outStart, outIds, lengths, edges, fold } = a;
  let s = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const col = column[text.charCodeAt(i)]!;
    const at = base[s]! + col;
    s = check[at] === s + 1 ? next[at]! : root[col]!;
    if (s < firstOut) continue;
    const last = outStart[s + 1]!;
    for (let k = outStart[s]!; k < last; k++) {
      const id = outIds[k]!;
      const e = edges[id]!;
      if (e !== 0) {
        const from = i + 1 - lengths[id]!;
        if (e & 1 && from > 0 && isWordChar(fold[text.charCodeAt(from - 1)]!)) continue;
        if (e & 2 && i + 1 < text.length && isWordChar(fold[text.charCodeAt(i + 1)]!)) continue;
      }
      if (quiet[id] === 1) {
        if (quietStamp[id] !== epoch) {
          quietStamp[id] = epoch;
          quietIds.push(id);
        }
        continue;
      }
      pattern.push(id);
      start.push(i + 1 - lengths[id]!);
      end.push(i + 1);
    }
  }
  return into ?? { pattern, start, end, quiet: quietIds };
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
