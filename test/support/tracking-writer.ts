// A separate process that allocates tracking numbers in its own transactions (for the concurrency test).
// Usage: node --import tsx test/support/tracking-writer.ts <db-url> <count> → prints the numbers, one per line.
import { inTransaction, openStore } from '../../src/store/db.ts';
import { nextTrackingNumber } from '../../src/store/cases.ts';

const [url, countStr] = process.argv.slice(2);
const store = await openStore(url!, { poolSize: 2 });
const out: string[] = [];
for (let i = 0; i < Number(countStr); i++) {
  out.push(await inTransaction(store.db, (tx) => nextTrackingNumber(tx, 'YH', 2026), 20));
}
await store.close();
process.stdout.write(out.join('\n') + '\n');
