// Ordinary mail must not become a property complaint. The real corpus trec06c-dev (150 BBS/personal mails, 150
// spam, GB2312) is read where test/support/corpus.ts finds it — never copied into the repository — parsed the way
// intake parses mail, and classified. Before the property-context rule, 25 normal mails and 7 spam were routed
// to a unit (水木社区 footers → 社区, 公安 in a travel tip, 手续费 in an export advert …).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_CORPUS, trec06cDir } from '../support/corpus.ts';
import { parseMail } from '../../src/ingest/parse.ts';
import { classify, type Classification } from '../../src/classifier/index.ts';
import { loadRulesFile } from '../../src/runtime.ts';

const CORPUS = trec06cDir();
const rules = loadRulesFile();

interface Outcome {
  file: string;
  subject: string;
  c: Classification | null; // null: the parser refused the mail
}

async function classifyDir(kind: 'normal' | 'spam'): Promise<Outcome[]> {
  const dir = path.join(CORPUS!, kind);
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  const out: Outcome[] = [];
  for (const file of files) {
    const r = await parseMail(readFileSync(path.join(dir, file)));
    if (!r.ok) out.push({ file, subject: r.reason, c: null });
    else out.push({ file, subject: r.mail.subject, c: classify({ subject: r.mail.subject, text: r.mail.text }, rules) });
  }
  return out;
}

/** What the intake must not do with ordinary mail: route it, send it to triage, or flag it urgent. */
const registered = (o: Outcome) => o.c === null || o.c.unit !== null || o.c.triage || o.c.urgent || o.c.verdict !== 'not-complaint';

function report(kind: string, outcomes: Outcome[]): string {
  const bad = outcomes.filter(registered);
  const lines = bad.map((o) =>
    o.c === null
      ? `  ${kind}/${o.file}  unparsed: ${o.subject}`
      : `  ${kind}/${o.file}  ${o.c.verdict} ${o.c.unit ?? ''}${o.c.urgent ? ' urgent' : ''}  [${o.c.matched.join(',')}]  «${o.subject.slice(0, 40)}»`,
  );
  return `${kind}: ${outcomes.length - bad.length}/${outcomes.length} not a complaint${lines.length ? `; exceptions:\n${lines.join('\n')}` : ''}`;
}

describe.skipIf(!CORPUS)(`ordinary mail from the real corpus (trec06c-dev) is not a property complaint${CORPUS ? '' : ` — ${NO_CORPUS}`}`, () => {
  it.each(['normal', 'spam'] as const)('%s/: at least 97 in 100 of the 150 mails come out not-a-complaint', async (kind) => {
    const outcomes = await classifyDir(kind);
    expect(outcomes).toHaveLength(150);
    const summary = report(kind, outcomes);
    console.log(summary);
    const clean = outcomes.filter((o) => !registered(o)).length;
    expect(clean / outcomes.length, summary).toBeGreaterThanOrEqual(0.97);
  });
});
