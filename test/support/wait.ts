// Waiting in tests against real peers: poll until something is there, and a clock that runs from a chosen instant.
import type { Clock } from '../../src/clock.ts';

/** Polls `fn` every `pollMs` until it returns something truthy; fails naming `what` after `ms`. */
export async function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, ms = 10_000, pollMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Real time, shifted so that it starts at `startIso` (deadlines fall on known days; timers still run). */
export function shiftedClock(startIso: string): Clock {
  const t0 = Date.now();
  const base = Date.parse(startIso);
  return { now: () => new Date(base + (Date.now() - t0)) };
}
