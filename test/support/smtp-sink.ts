// An in-process SMTP server that accepts everything (no TLS, AUTH optional and always accepted) and keeps what it
// received in memory, byte-exact. `setDown` makes it answer with temporary failures to exercise retry paths.
import { EventEmitter } from 'node:events';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { freePort } from './ports.ts';

export interface SinkMessage {
  /** Envelope sender ('' for the null sender). */
  from: string;
  /** Envelope recipients. */
  to: string[];
  /** The DATA payload exactly as received (after dot-unstuffing). */
  raw: Buffer;
  parsed?: ParsedMail;
  /** Credentials the client authenticated with, when it did. */
  auth?: { username: string; password: string };
  receivedAt: Date;
}

/**
 * 421: the greeting is refused and the connection closed (server going away);
 * 451: MAIL FROM is refused with a temporary local error.
 */
export type DownCode = 421 | 451;

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly messages: SinkMessage[];
  /** How many connections/transactions were refused while down. */
  readonly rejected: number;
  /** Resolves with the first received message that matches (already received ones count). */
  waitFor(pred?: (m: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  clear(): void;
  setDown(down: boolean, code?: DownCode): void;
  /** Stops listening; messages are kept and `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  port?: number;
  /** Parse each message with mailparser into `parsed`; default true. */
  parse?: boolean;
  /** SIZE limit advertised and enforced (bytes); default none. */
  maxBytes?: number;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const parse = opts.parse ?? true;
  const messages: SinkMessage[] = [];
  const events = new EventEmitter();
  let down: DownCode | null = null;
  let rejected = 0;
  const credentials = new WeakMap<object, { username: string; password: string }>();

  const makeServer = (): SMTPServer =>
    new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      ...(opts.maxBytes ? { size: opts.maxBytes } : {}),
      logger: false,
      closeTimeout: 500,
      onConnect(_session, callback) {
        if (down === 421) {
          rejected++;
          return callback(smtpError('服务暂不可用 service not available, closing channel', 421));
        }
        callback();
      },
      onAuth(auth, session, callback) {
        credentials.set(session, { username: auth.username ?? '', password: auth.password ?? '' });
        callback(null, { user: auth.username ?? 'anonymous' });
      },
      onMailFrom(_address, _session, callback) {
        if (down !== null) {
          rejected++;
          return callback(smtpError('暂时无法处理 requested action aborted: local error in processing', 451));
        }
        callback();
      },
      onData(stream, session, callback) {
        readAll(stream)
          .then(async (raw) => {
            if (stream.sizeExceeded) return callback(smtpError('邮件过大 message exceeds fixed maximum size', 552));
            const envelope = session.envelope;
            const message: SinkMessage = {
              from: envelope.mailFrom ? envelope.mailFrom.address : '',
              to: envelope.rcptTo.map((r) => r.address),
              raw,
              receivedAt: new Date(),
            };
            const auth = credentials.get(session);
            if (auth) message.auth = auth;
            if (parse) message.parsed = await simpleParser(raw);
            messages.push(message);
            events.emit('message', message);
            callback();
          })
          .catch((e: Error) => callback(e));
      },
    });

  let server: SMTPServer | null = null;
  const start = async (): Promise<void> => {
    if (server) return;
    const s = makeServer();
    // A client killed mid-transaction resets its connection: that is the test's business, not an unhandled error.
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, host, () => resolve());
    });
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = null;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await start();

  return {
    host,
    port,
    messages,
    get rejected() {
      return rejected;
    },
    waitFor(pred = () => true, timeoutMs = 5_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onMessage = (m: SinkMessage): void => {
          if (!pred(m)) return;
          clearTimeout(timer);
          events.off('message', onMessage);
          resolve(m);
        };
        const timer = setTimeout(() => {
          events.off('message', onMessage);
          reject(new Error(`smtp sink: no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        events.on('message', onMessage);
      });
    },
    clear() {
      messages.length = 0;
      rejected = 0;
    },
    setDown(isDown, code = 451) {
      down = isDown ? code : null;
    },
    stop,
    start,
    close: stop,
  };
}
