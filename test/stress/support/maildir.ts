// Delivery into a Dovecot user's Maildir while the server is stopped, the way any maildir MDA (procmail, maildrop)
// delivers: write into tmp/, then rename into new/ (the maildir contract — a reader never sees a half file).
// dovecot-lda cannot deliver while the server is down (its user lookup goes through the auth process).
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { DovecotPeer } from '../../support/dovecot.ts';

export async function dropIntoMaildir(dovecot: DovecotPeer, user: string, raw: Buffer): Promise<string> {
  const { mailRoot, mailUid, mailGid } = dovecot.info;
  const maildir = path.join(mailRoot, user, 'Maildir');
  for (const dir of [maildir, ...['tmp', 'new', 'cur'].map((s) => path.join(maildir, s))]) {
    await mkdir(dir, { recursive: true });
    await chown(dir, mailUid, mailGid);
  }
  const name = `${Math.floor(Date.now() / 1000)}.M${randomBytes(6).toString('hex')}P${process.pid}.${hostname()}`;
  const tmp = path.join(maildir, 'tmp', name);
  // Maildir keeps LF line ends (Dovecot's LDA stores them so too); IMAP gives CRLF back.
  await writeFile(tmp, raw.toString('binary').replace(/\r\n/g, '\n'), 'binary');
  await chown(tmp, mailUid, mailGid);
  const final = path.join(maildir, 'new', name);
  await rename(tmp, final);
  return final;
}
