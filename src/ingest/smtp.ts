// SMTP intake (smtp-server) for direct delivery: only our published addresses are accepted (550 otherwise), the
// size is limited, and the mail is committed to raw_mail before the server answers 250.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Intake } from './intake.ts';

export interface SmtpIntake {
  server: SMTPServer;
  port: number;
  close(): Promise<void>;
}

export async function startSmtpIntake(cfg: Config, intake: Intake, log: Logger): Promise<SmtpIntake> {
  const [host, portStr] = cfg.intake.smtpListen!.split(':') as [string, string];
  const accepted = new Set(cfg.mailboxes.map((m) => m.address.toLowerCase()));
  const maxSize = cfg.intake.maxMessageBytes;
  const perAddress = new Map<string, number>();
  const counted = new Set<string>(); // sessions that hold a place in perAddress (a refused one never did)
  const options: SMTPServerOptions = {
    name: 'wuye-desk',
    banner: 'Wuye Desk intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxSize,
    logger: false,
    // Caps: beyond them a client is told 421 (try later) at once, and an idle one is closed.
    maxClients: cfg.intake.smtpMaxClients,
    socketTimeout: cfg.intake.smtpIdleTimeoutMs,
    onConnect(session, cb) {
      const from = session.remoteAddress;
      const n = (perAddress.get(from) ?? 0) + 1;
      if (n > cfg.intake.smtpMaxPerAddress) {
        log.warn({ remote: from, open: n - 1 }, 'smtp intake: too many sessions from one address');
        return cb(Object.assign(new Error('同一地址连接过多，请稍后重试 too many connections from your address'), { responseCode: 421 }));
      }
      perAddress.set(from, n);
      counted.add(session.id);
      cb();
    },
    onClose(session) {
      if (!counted.delete(session.id)) return;
      const from = session.remoteAddress;
      const n = (perAddress.get(from) ?? 1) - 1;
      if (n > 0) perAddress.set(from, n);
      else perAddress.delete(from);
    },
    onRcptTo(address, _session, cb) {
      if (!accepted.has(address.address.toLowerCase())) {
        const err = Object.assign(new Error(`收件地址不受理 no such mailbox here: ${address.address}`), { responseCode: 550 });
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxSize) chunks.push(c);
      });
      stream.on('error', (e) => cb(e));
      stream.on('end', async () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > maxSize) {
          return cb(Object.assign(new Error(`邮件过大 message exceeds ${maxSize} bytes`), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        try {
          // One raw_mail row per recipient mailbox is not needed: the bytes are one mail. The first of our
          // addresses decides the county.
          const rcpt = session.envelope.rcptTo.map((r) => r.address.toLowerCase()).find((a) => accepted.has(a))!;
          const r = await intake.ingest(raw, { source: 'smtp', mailbox: rcpt });
          cb(null, `Ok: ${r.outcome}${r.tracking ? ` ${r.tracking}` : ''}`);
        } catch (e) {
          log.error({ err: e }, 'smtp intake: could not store mail');
          cb(Object.assign(new Error('暂时无法受理，请稍后重试 try again later'), { responseCode: 451 }));
        }
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', (e) => log.warn({ err: e.message }, 'smtp intake: error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(portStr), host, () => resolve());
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : Number(portStr);
  return {
    server,
    port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
