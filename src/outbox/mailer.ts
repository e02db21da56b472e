// Outbound mail with nodemailer: an SMTP server from config, or — the embedded default — each message written as
// an .eml file to <dataDir>/outbox/, so nothing is lost when no relay is configured.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { MailPayload } from '../domain.ts';
import { secret } from '../config.ts';

export interface MailSender {
  send(p: MailPayload): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
  describe: string;
}

/** A delivery error that will not get better by retrying (SMTP 5xx). */
export class PermanentError extends Error {}

const REDACTED = '[已隐去 redacted]';

/**
 * An SMTP error as we may repeat it (log, outbox.last_error, `wuye doctor`): some relays echo the AUTH line they
 * refused, i.e. the password in base64. Every AUTH argument goes, and the password in any form we sent it.
 */
export function redactSmtpSecrets(text: string, cred: { user?: string | null; pass?: string | null }): string {
  let out = text.replace(/\b(AUTH\s+(?:PLAIN|LOGIN|XOAUTH2|CRAM-MD5|OAUTHBEARER))(\s+[A-Za-z0-9+/=._-]+)+/gi, `$1 ${REDACTED}`);
  const pass = cred.pass;
  if (pass) {
    const user = cred.user ?? '';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const forms = [b64(`\u0000${user}\u0000${pass}`), b64(`${user}\u0000${user}\u0000${pass}`), b64(pass), pass];
    for (const f of forms) out = out.split(f).join(REDACTED);
  }
  return out;
}

/** The same error with its message scrubbed (code and response code kept for the worker's retry decision). */
function scrubbed(e: unknown, cred: { user?: string | null; pass?: string | null }): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const clean = Object.assign(new Error(redactSmtpSecrets(err.message, cred)), {
    code: (err as { code?: unknown }).code,
    responseCode: (err as { responseCode?: unknown }).responseCode,
  });
  clean.name = err.name;
  return clean;
}

function toNodemailer(p: MailPayload, defaultFrom: string) {
  return {
    from: p.from ?? defaultFrom,
    to: p.to,
    cc: p.cc,
    subject: p.subject,
    text: p.text,
    html: p.html,
    messageId: p.messageId,
    inReplyTo: p.inReplyTo,
    references: p.references,
    headers: { 'Auto-Submitted': 'auto-generated', ...(p.headers ?? {}) },
    attachments: p.attachments?.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.contentBase64, 'base64'),
      contentType: a.contentType,
      cid: a.cid,
    })),
  };
}

export function createMailSender(cfg: Config, env: NodeJS.ProcessEnv = process.env): MailSender {
  const from = cfg.mail.from;
  const smtp = cfg.mail.smtp;
  if (!smtp) {
    const dir = path.join(cfg.dataDir, 'outbox');
    const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    return {
      describe: `file ${dir}`,
      async send(p) {
        mkdirSync(dir, { recursive: true });
        const info = await stream.sendMail(toNodemailer(p, from));
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${(info.messageId ?? 'mail').replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;
        const tmp = path.join(dir, `.${name}.tmp`);
        writeFileSync(tmp, info.message as Buffer);
        renameSync(tmp, path.join(dir, name));
        return { messageId: info.messageId };
      },
      async verify() {
        mkdirSync(dir, { recursive: true });
      },
      close() {},
    };
  }
  const pass = secret(env, smtp.passwordEnv);
  const cred = { user: smtp.user, pass };
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: pass ?? '' } : undefined,
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    describe: `smtp ${smtp.host}:${smtp.port}`,
    async send(p) {
      try {
        const info = await transport.sendMail(toNodemailer(p, from));
        return { messageId: info.messageId };
      } catch (e) {
        const clean = scrubbed(e, cred);
        const code = (e as { responseCode?: number }).responseCode;
        if (code && code >= 500 && code < 600) throw new PermanentError(`SMTP ${code}: ${clean.message}`);
        throw clean;
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (e) {
        throw scrubbed(e, cred);
      }
    },
    close() {
      transport.close();
    },
  };
}
