// What an SMTP error may still say once scrubbed: the relay's words, never the password in any form it travelled in.
import { describe, expect, it } from 'vitest';
import { redactSmtpSecrets } from '../../src/outbox/mailer.ts';

const user = 'relay-user';
const pass = 'S3cret!pass';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('redactSmtpSecrets', () => {
  it.each([
    ['AUTH PLAIN echoed', `535 Authentication failed: AUTH PLAIN ${b64(`\u0000${user}\u0000${pass}`)}`],
    ['AUTH PLAIN with authzid', `535 rejected ${b64(`${user}\u0000${user}\u0000${pass}`)}`],
    ['AUTH LOGIN password line', `535 bad password ${b64(pass)}`],
    ['AUTH LOGIN command with argument', `502 AUTH LOGIN ${b64(user)} not accepted`],
    ['the password itself', `535 password ${pass} is wrong`],
    ['lower-case auth line', `error: auth plain ${b64(`\u0000${user}\u0000${pass}`)}`],
  ])('%s', (_name, text) => {
    const out = redactSmtpSecrets(text, { user, pass });
    for (const secret of [pass, b64(pass), b64(`\u0000${user}\u0000${pass}`), b64(`${user}\u0000${user}\u0000${pass}`)]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('已隐去');
  });

  it('keeps the rest of the message', () => {
    expect(redactSmtpSecrets('421 Service not available, closing channel', { user, pass })).toBe('421 Service not available, closing channel');
  });
});
