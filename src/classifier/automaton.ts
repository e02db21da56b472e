// Aho-Corasick multi-pattern matcher over UTF-16 code units: one pass over the text finds every occurrence of
// every rule phrase, so classification cost grows with the text, not with the number of rules.
// Built once per rule set as a complete DFA (failure links folded in), stored compactly: the root's row in full,
// and each other state's row only where it differs from the root's (a handful of columns), packed into one shared
// array by row displacement (a "comb": a state is named by its base b; its column c sits at b + c, and is its own
// when owner[b + c] says so, else the root's applies). A full state × column table was ~4 MB and on long messages
// every character cost a cache miss in it; the comb is ~60 KB. Scanning is one add and one lookup per character;
// matches go to reused typed arrays (filling JavaScript arrays cost as much as the scan).

export interface Automaton {
  /** code unit → column of the transition table (after folding); `columns` when no phrase contains it (back to root). */
  readonly column: Int16Array;
  readonly columns: number;
  /** The DFA, compact (row displacement): a state is named by its base b in the comb; on column c it goes to
   *  next[b + c] when owner[b + c] === b + 1, else where the root goes, root[c]. The root is 0. */
  readonly root: Int32Array;
  readonly owner: Int32Array;
  readonly next: Int32Array;
  /** per state (by base): its number + 1 when phrases end there (see outStart), else 0. */
  readonly outState: Int32Array;
  /** pattern ids ending at each state (by number), including those reached through failure links. */
  readonly out: (Int32Array | null)[];
  /** The same, flat (what `scan` reads): the ids ending at state s are outIds[outStart[s] … outStart[s + 1]). */
  readonly outStart: Int32Array;
  readonly outIds: Int32Array;
  readonly lengths: Int32Array;
  readonly maxLength: number;
  /** per pattern: 1 = starts with an ASCII letter/digit, 2 = ends with one; such an edge must not touch another
   *  ASCII letter/digit in the text (12345 is not inside 13512345678, lift not inside uplifting); QUIET (4) = quiet. */
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

/** Flat list of matches: pattern id, start (inclusive), end (exclusive), in text order of their end, in [0, n) of
 *  the typed arrays (reused and grown as needed: filling JavaScript arrays cost more than the scan itself); and the
 *  distinct quiet patterns that occur, in order of first occurrence. */
export interface Matches {
  pattern: Int32Array;
  start: Int32Array;
  end: Int32Array;
  n: number;
  quiet: number[];
}

/** Bit of Automaton.edges: the pattern is quiet (see `quiet`). */
export const QUIET = 4;

export function emptyMatches(capacity = 256): Matches {
  return { pattern: new Int32Array(capacity), start: new Int32Array(capacity), end: new Int32Array(capacity), n: 0, quiet: [] };
}

function growMatches(m: Matches): void {
  const size = m.pattern.length * 2;
  const grow = (a: Int32Array) => {
    const b = new Int32Array(size);
    b.set(a);
    return b;
  };
  m.pattern = grow(m.pattern);
  m.start = grow(m.start);
  m.end = grow(m.end);
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
  const edges = Uint8Array.from(folded, (p, id) => (isWordChar(p.charCodeAt(0)) ? 1 : 0) | (isWordChar(p.charCodeAt(p.length - 1)) ? 2 : 0) | (quiet[id] === 1 ? QUIET : 0));
  const outStart = new Int32Array(out.length + 1);
  out.forEach((o, st) => (outStart[st + 1] = outStart[st]! + (o?.length ?? 0)));
  const outIds = new Int32Array(outStart[out.length]!);
  out.forEach((o, st) => o && outIds.set(o, outStart[st]!));
  // Compact form: the root row, and each state's differing columns packed first-fit into one comb, the states
  // with most columns first (the usual row-displacement heuristic; the comb ends up barely larger than its entries).
  // Every state gets its own base, and the scan carries the base as the state: one add and one load per character.
  const root0 = new Int32Array(columns + 1); // as state numbers first; column `columns` stays 0 (the root)
  for (let c = 0; c < columns; c++) root0[c] = delta[c]!;
  const rows: number[][] = [[]];
  for (let st = 1; st < states; st++) {
    const cols: number[] = [];
    const row = st * columns;
    for (let c = 0; c < columns; c++) if (delta[row + c] !== root0[c]) cols.push(c);
    rows.push(cols);
  }
  const order = Array.from({ length: states }, (_, st) => st).sort((x, y) => rows[y]!.length - rows[x]!.length || x - y);
  const base = new Int32Array(states); // the root's base is 0
  let used = new Uint8Array(1024); // comb slots taken
  let taken = new Uint8Array(1024); // bases taken: they are the states' names, no two alike
  taken[0] = 1;
  let firstFree = 0;
  const grow = (to: number) => {
    if (to <= used.length) return;
    const size = Math.max(to, used.length * 2);
    const u = new Uint8Array(size);
    u.set(used);
    used = u;
    const t = new Uint8Array(size);
    t.set(taken);
    taken = t;
  };
  const fits = (b: number, cols: number[]) => {
    for (const c of cols) if (used[b + c] === 1) return false;
    return true;
  };
  let emptyBase = 1; // states whose row is the root's only need a name
  for (const st of order) {
    if (st === 0) continue;
    const cols = rows[st]!;
    let b: number;
    if (cols.length === 0) {
      while (emptyBase < taken.length && taken[emptyBase] === 1) emptyBase++;
      b = emptyBase;
      grow(b + columns + 2);
    } else if (cols.length === 1) {
      // Most states differ from the root in one column: take the first free slot whose base is free too.
      const c0 = cols[0]!;
      let f = Math.max(firstFree, c0 + 1);
      for (;; f++) {
        if (f - c0 + columns + 2 > used.length) grow(f - c0 + columns + 2);
        if (used[f] === 0 && taken[f - c0] === 0) break;
      }
      b = f - c0;
    } else {
      const c0 = cols[0]!;
      b = Math.max(1, firstFree - c0);
      for (;; b++) {
        if (b + columns + 2 > used.length) grow(b + columns + 2);
        if (used[b + c0] === 0 && taken[b] === 0 && fits(b, cols)) break;
      }
    }
    base[st] = b;
    taken[b] = 1;
    for (const c of cols) used[b + c] = 1;
    while (used[firstFree] === 1) firstFree++;
  }
  let size = columns + 1;
  for (let st = 0; st < states; st++) size = Math.max(size, base[st]! + columns + 1); // every base + column read stays inside
  const owner = new Int32Array(size); // base + 1 of the state whose entry this is, 0 = free
  const nextBase = new Int32Array(size);
  const outState = new Int32Array(size); // per base: state number + 1 when phrases end there, else 0
  for (let st = 1; st < states; st++) {
    for (const c of rows[st]!) {
      owner[base[st]! + c] = base[st]! + 1;
      nextBase[base[st]! + c] = base[delta[st * columns + c]!]!;
    }
    if (st >= firstOut) outState[base[st]!] = st + 1;
  }
  const root = Int32Array.from(root0, (st) => base[st]!);
  return { column: byCodeUnit, columns, root, owner, next: nextBase, outState, out, outStart, outIds, lengths, maxLength: Math.max(1, ...lengths), edges, fold, quiet, quietStamp: new Uint32Array(patterns.length), quietEpoch: 0 };
}

/** `into`: matches to reuse (emptied first) instead of allocating per call; the result is then `into`. */
export function scan(a: Automaton, text: string, into: Matches = emptyMatches()): Matches {
  const m = into;
  const quietIds = m.quiet;
  quietIds.length = 0;
  if (++a.quietEpoch === 0xffffffff) {
    a.quietStamp.fill(0);
    a.quietEpoch = 1;
  }
  const epoch = a.quietEpoch;
  const { quietStamp } = a;
  if (m.pattern.length < 16) growMatches(m);
  let { pattern, start, end } = m;
  let n = 0;
  const { column, root, owner, next, outState, outStart, outIds, lengths, edges, fold } = a;
  let s = 0; // the state, named by its base in the comb (0 = the root)
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const col = column[text.charCodeAt(i)]!;
    const at = s + col;
    s = owner[at] === s + 1 ? next[at]! : root[col]!;
    const o = outState[s]!;
    if (o === 0) continue;
    const st = o - 1;
    const first = outStart[st]!;
    const last = outStart[st + 1]!;
    if (n + last - first > pattern.length) {
      growMatches(m);
      ({ pattern, start, end } = m);
    }
    for (let k = first; k < last; k++) {
      const id = outIds[k]!;
      const e = edges[id]!; // edge bits, and QUIET
      if (e !== 0) {
        if (e & 3) {
          const from = i + 1 - lengths[id]!;
          if (e & 1 && from > 0 && isWordChar(fold[text.charCodeAt(from - 1)]!)) continue;
          if (e & 2 && i + 1 < len && isWordChar(fold[text.charCodeAt(i + 1)]!)) continue;
        }
        if (e & QUIET) {
          if (quietStamp[id] !== epoch) {
            quietStamp[id] = epoch;
            quietIds.push(id);
          }
          continue;
        }
      }
      pattern[n] = id;
      start[n] = i + 1 - lengths[id]!;
      end[n++] = i + 1;
    }
  }
  m.n = n;
  return m;
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
