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
        const code = (e as { responseCode?: number }).responseCode;
        if (code && code >= 500 && code < 600) throw new PermanentError(`SMTP ${code}: ${(e as Error).message}`);
        throw e;
      }
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}
