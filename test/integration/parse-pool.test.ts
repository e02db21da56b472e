// The parser threads (ParsePool): mails posted ahead come back each with its own result; a mail that overruns its
// time limit stops its thread and gets one more try on a fresh one with a longer limit, and the mails queued
// behind it are parsed by a fresh one; close() answers every mail still waiting. Real worker threads, real mailparser.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultParserThreads, ParsePool } from '../../src/ingest/parse-pool.ts';
import { withAttachment } from '../support/mutate.ts';

const mail = (n: number) => Buffer.from(`From: a${n}@example.com\r\nTo: yhqzjjwy@163.com\r\nSubject: 第${n}封 电梯坏了\r\n\r\n小区电梯坏了 ${n}\r\n`);
const subjectOf = (r: Awaited<ReturnType<ParsePool['parse']>>) => (r.ok ? r.mail.subject : `error: ${r.reason}`);

describe('ParsePool', () => {
  it('gives each of many mails posted at once its own result, on one thread and on two', async () => {
    for (const size of [1, 2]) {
      const pool = new ParsePool({ size, depth: 4 });
      try {
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.parse(mail(i))));
        expect(results.map(subjectOf)).toEqual(Array.from({ length: 40 }, (_, i) => `第${i}封 电梯坏了`));
      } finally {
        await pool.close();
      }
    }
  });

  it('starts a mail\'s clock when its thread has loaded, not when the slow-starting thread was asked for', async () => {
    // The thread takes 1.5 s to start; each mail is allowed 0.5 s. Counting the start-up would time them all out.
    const pool = new ParsePool({ size: 1, depth: 4, workerUrl: new URL('../support/slow-parse-worker.mjs', import.meta.url) });
    try {
      const results = await Promise.all([1, 2, 3].map((i) => pool.parse(mail(i), { timeoutMs: 500 })));
      expect(results.map(subjectOf)).toEqual([1, 2, 3].map((i) => `第${i}封 电梯坏了`));
    } finally {
      await pool.close();
    }
  });

  it('gives a mail that overran on a stalled thread a second try on a fresh one, with a longer limit', async () => {
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'wuye-hiccup-')), 'stalled');
    process.env.WUYE_TEST_HICCUP_MARKER = marker;
    const pool = new ParsePool({ size: 1, depth: 4, workerUrl: new URL('../support/hiccup-parse-worker.mjs', import.meta.url) });
    try {
      // The first thread stalls 3 s on the mail, its limit is 1 s: without the second try it would be quarantined.
      const r = await pool.parse(mail(1), { timeoutMs: 1_000 });
      expect(existsSync(marker)).toBe(true);
      expect(subjectOf(r)).toBe('第1封 电梯坏了');
    } finally {
      delete process.env.WUYE_TEST_HICCUP_MARKER;
      await pool.close();
    }
  });

  it('times out a mail that overruns twice and parses the mails queued behind it on a fresh thread', async () => {
    const pool = new ParsePool({ size: 1, depth: 4 });
    try {
      // A 20 MB attachment takes far more than 20 ms (and 60 ms on its second try) to split and decode.
      const slow = pool.parse(withAttachment(20 * 1024 * 1024, 3), { timeoutMs: 20 });
      // Generous limits for the mails behind it: on a busy machine a fresh thread and five parses may take a while.
      const behind = [1, 2, 3, 4, 5].map((i) => pool.parse(mail(i), { timeoutMs: 60_000 }));
      expect(await slow).toEqual({ ok: false, reason: '解析超时 parse timed out (> 0.02 s, again > 0.06 s on a fresh thread)' });
      expect((await Promise.all(behind)).map(subjectOf)).toEqual([1, 2, 3, 4, 5].map((i) => `第${i}封 电梯坏了`));
      // The replacement keeps working.
      expect(subjectOf(await pool.parse(mail(6)))).toBe('第6封 电梯坏了');
    } finally {
      await pool.close();
    }
  });

  it('refuses empty and oversized mails on the calling thread and answers waiting mails on close', async () => {
    const pool = new ParsePool({ size: 1, depth: 1 });
    expect(await pool.parse(Buffer.alloc(0))).toEqual({ ok: false, reason: '空邮件 empty input (0 bytes)' });
    expect(await pool.parse(Buffer.alloc(2048), { maxBytes: 1024 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^邮件过大/) });
    const pending = [1, 2, 3].map((i) => pool.parse(mail(i)));
    await pool.close();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.ok || r.reason === '解析进程已关闭 parser closed')).toBe(true);
    expect(results.some((r) => !r.ok)).toBe(true);
    expect(await pool.parse(mail(9))).toEqual({ ok: false, reason: '解析进程已关闭 parser closed' });
  });

  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 2],
    [64, 2],
  ])('uses %i cores for %i parser thread(s)', (cores, threads) => {
    expect(defaultParserThreads(cores)).toBe(threads);
  });
});
