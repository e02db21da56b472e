// The XLSX writers stream; a mail attachment is bytes in hand.
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** Collects what a builder streams (the XLSX writers take a stream) into one Buffer for the mail. */
export async function streamToBuffer(write: (out: NodeJS.WritableStream) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await write(sink);
  if (!sink.writableEnded) sink.end();
  await finished(sink);
  return Buffer.concat(chunks);
}
