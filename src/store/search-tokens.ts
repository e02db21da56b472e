// The tokens of the case search, one function for the text written and one for the words asked (pure). Chinese is
// written without spaces and two-character words (电梯, 漏水) carry most meaning, so a run of Han characters is
// indexed as its overlapping bigrams plus its last character alone ("漏水严重" → 漏水 水严 严重 重); a query word
// becomes the phrase of its bigrams, so "梯电" never matches 电梯 and "漏水严重" needs the four characters together.
// The run's last character alone lets a one-character word be asked as a prefix ("霉*": a bigram that starts
// with it, or the end of a run) and keeps positions in step when a word goes on with digits or letters ("3号楼2").
// Letters and digits (tracking numbers, phones, e-mails) are words of their own, lower-cased after NFKC (full-width
// ２０２６ and ＡＢＣ are 2026 and abc); everything else separates. The tokens are plain letters and digits, so the
// SQLite FTS5 query and the PostgreSQL tsquery built from them need no escaping. FTS5 reads the space-joined tokens
// back with its `ascii` tokenizer (every non-ASCII character is part of a token), PostgreSQL takes them as a tsvector
// literal: neither dialect's own word-splitting has a say.

const RUN = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;

/** Longer letter-digit runs (base64 left in a mail, long URLs) are cut: PostgreSQL lexemes stop at 2 KB. */
export const MAX_WORD_CHARS = 60;
/** Tokens kept of one case (PostgreSQL keeps positions up to 16,383; beyond them a phrase could not be checked). */
export const MAX_DOC_TOKENS = 16_000;

interface Run {
  han: boolean;
  text: string;
}

function runs(text: string): Run[] {
  const out: Run[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(RUN)) {
    if (m[1]) out.push({ han: true, text: m[1] });
    else out.push({ han: false, text: m[2]!.length > MAX_WORD_CHARS ? [...m[2]!].slice(0, MAX_WORD_CHARS).join('') : m[2]! });
  }
  return out;
}

/** The characters of a run (code points: a rare Han character beyond the BMP is one character, two UTF-16 units). */
function charsOf(run: string): string[] {
  return /[\uD800-\uDBFF]/.test(run) ? Array.from(run) : run.split('');
}

/** Appends the overlapping bigrams of `chars` to `out`. */
function pushBigrams(out: string[], chars: readonly string[]): void {
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
}

/** The tokens of a case's searchable fields, in order (each field tokenised apart: no bigram spans two fields). */
export function documentTokens(fields: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const field of fields) {
    if (!field) continue;
    for (const r of runs(field)) {
      if (r.han) {
        const chars = charsOf(r.text);
        pushBigrams(out, chars);
        out.push(chars[chars.length - 1]!);
      } else out.push(r.text);
      if (out.length >= MAX_DOC_TOKENS) return out.slice(0, MAX_DOC_TOKENS);
    }
  }
  return out;
}

/** One query word as a phrase: its tokens in order, the last one a prefix when `prefix`. */
export interface QueryPhrase {
  tokens: string[];
  prefix: boolean;
  /**
   * The word itself (NFKC), when it is one run of Han characters: the phrase then matches exactly where the word
   * stands in a field's normalised text (a bigram chain, or one character as a prefix, cannot span a field or a
   * non-Han character), which PostgreSQL checks on the case row instead of reading its tsvector.
   */
  han?: string;
}

/**
 * The phrases of a query: one per word (words separated by white space, all must match); a word without letters,
 * digits or Han characters is dropped. The last token of a word is a prefix when the word ends with letters or
 * digits (a phone's first digits, a tracking number without its last) or with a single Han character; a word
 * ending in two or more Han characters ends with its last bigram, which matches wherever the text goes on.
 */
export function queryPhrases(text: string): QueryPhrase[] {
  const phrases: QueryPhrase[] = [];
  for (const word of text.split(/\s+/u)) {
    const rs = runs(word);
    if (!rs.length) continue;
    const tokens: string[] = [];
    let prefix = false;
    rs.forEach((r, i) => {
      const last = i === rs.length - 1;
      if (!r.han) {
        tokens.push(r.text);
        prefix = last;
        return;
      }
      const chars = charsOf(r.text);
      if (chars.length === 1) {
        tokens.push(chars[0]!);
        prefix = last;
        return;
      }
      pushBigrams(tokens, chars);
      // In the text this run ended here (letters or digits follow): its last character stands alone next.
      if (!last) tokens.push(chars[chars.length - 1]!);
      prefix = false;
    });
    phrases.push(rs.length === 1 && rs[0]!.han ? { tokens, prefix, han: rs[0]!.text } : { tokens, prefix });
  }
  return phrases;
}

// Scope and filter tokens: the county, the units (lead and co-handling), the lead unit, the status, the source and
// the danger flag of a case are indexed with its text, so a search within a desk's or a unit's cases, under these
// filters, is answered and counted by the text index alone. They begin with §, which no query word yields (it is
// neither a letter nor a digit) and FTS5's ascii tokenizer keeps inside a token.
const tag = (kind: string) => (value: string) => `§${kind}${value.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
export const scopeToken = {
  county: tag('c'),
  /** Lead or co-handling unit (a unit's own cases). */
  unit: tag('u'),
  /** Lead unit only; 'none' before one is named. */
  lead: tag('l'),
  status: tag('s'),
  source: tag('r'),
  urgent: '§urgent',
};

/** What a text query is: its phrases (every one must match), and scope tokens of which one must be present, per group. */
export interface TextQuery {
  phrases: readonly QueryPhrase[];
  anyOf: readonly (readonly string[])[];
}

/** The FTS5 MATCH expression (SQLite): "t1 t2 t3" * for each phrase, ("§ca" OR "§cb") for each group, ANDed. */
export function ftsMatch(q: TextQuery): string {
  return [
    ...q.phrases.map((p) => `"${p.tokens.join(' ')}"${p.prefix ? ' *' : ''}`),
    ...q.anyOf.map((group) => `(${group.map((t) => `"${t}"`).join(' OR ')})`),
  ].join(' AND ');
}

/**
 * The tsquery (PostgreSQL): 't1' <-> 't2' <-> 't3':* for each phrase, ('§ca' | '§cb') for each group, ANDed.
 */
export function tsQuery(q: TextQuery): string {
  return [
    ...q.phrases.map((p) => `(${p.tokens.map((t, i) => `'${t}'${p.prefix && i === p.tokens.length - 1 ? ':*' : ''}`).join(' <-> ')})`),
    ...q.anyOf.map((group) => `(${group.map((t) => `'${t}'`).join(' | ')})`),
  ].join(' & ');
}

/** The tsvector literal of a document's tokens (PostgreSQL), positions from 1. */
export function tsVector(tokens: readonly string[]): string {
  return tokens.map((t, i) => `'${t}':${i + 1}`).join(' ');
}

/** The FTS5 document of the tokens (SQLite): space-separated, read back by the unicode61 tokenizer as the same tokens. */
export function ftsDocument(tokens: readonly string[]): string {
  return tokens.join(' ');
}

/** One token of a query as the index is asked for it: a whole token, or (prefix) any token it begins. */
export interface QueryToken {
  token: string;
  prefix: boolean;
}

/** The distinct tokens of a query's phrases (the scope groups are apart: each is one of several). */
export function phraseTokens(q: TextQuery): QueryToken[] {
  const out = new Map<string, QueryToken>();
  for (const p of q.phrases) {
    p.tokens.forEach((token, i) => {
      const prefix = p.prefix && i === p.tokens.length - 1;
      out.set(`${token}${prefix ? '*' : ''}`, { token, prefix });
    });
  }
  return [...out.values()];
}

/** The tsquery of tokens all present anywhere (&). */
export function tsAllOf(tokens: readonly QueryToken[]): string {
  return tokens.map((t) => `'${t.token}'${t.prefix ? ':*' : ''}`).join(' & ');
}
