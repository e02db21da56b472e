import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

/** A TCP port that was free on `host` a moment ago (the OS picks it; we release it at once). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: listener has no TCP address'));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}

/** True when something accepts TCP connections on host:port right now. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until the port accepts connections (`open = true`) or refuses them (`open = false`). */
export async function waitForPort(
  port: number,
  { host = '127.0.0.1', open = true, timeoutMs = 15_000 }: { host?: string; open?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await isPortOpen(port, host)) === open) return;
    if (Date.now() > deadline) {
      throw new Error(`port ${host}:${port} did not become ${open ? 'open' : 'closed'} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * True when a socket LISTENs on the port (any local address), read from /proc/net/tcp{,6} without connecting:
 * a probe connection would make some servers (Dovecot's imap-login) spawn a process just for it.
 */
export function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

/** Polls `isListening` until it equals `listening`. */
export async function waitForListen(port: number, listening = true, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isListening(port) !== listening) {
    if (Date.now() > deadline) throw new Error(`port ${port} is ${listening ? 'not listening' : 'still listening'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
