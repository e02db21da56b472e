// Where the real-corpus suites find their third-party data, which never lives in this repository: the folder named
// by WUYE_CORPUS_DIR, else `../shared/corpora` beside the checkout when it is there. Without it those suites are
// skipped with the reason below, and `npm test` says so in one line (scripts/test.mjs uses the same rule).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The corpora folder, or null when there is none. */
export function corpusRoot(): string | null {
  const dir = process.env.WUYE_CORPUS_DIR ? path.resolve(process.env.WUYE_CORPUS_DIR) : path.resolve(ROOT, '..', 'shared', 'corpora');
  return existsSync(dir) ? dir : null;
}

/** The trec06c-dev sample (300 real GB2312 mails: normal/ and spam/), or null. */
export function trec06cDir(): string | null {
  const root = corpusRoot();
  const dir = root ? path.join(root, 'trec06c-dev') : null;
  return dir && existsSync(path.join(dir, 'normal')) && existsSync(path.join(dir, 'spam')) ? dir : null;
}

export const NO_CORPUS = 'no corpus: set WUYE_CORPUS_DIR to the folder holding trec06c-dev/ (default ../shared/corpora)';
