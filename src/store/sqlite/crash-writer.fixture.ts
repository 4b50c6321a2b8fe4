/**
 * Child process for the kill -9 test: writes as fast as it can with many writes in
 * flight (so group commit batches them), and prints `ack <key> <revision>` only
 * after a write resolved. The parent kills it mid-burst and checks that every
 * acknowledged write survived and that nothing is half-written.
 */
import { createHash } from 'node:crypto';
import { openSqliteStore } from './sqlite-store.ts';

const path = process.argv[2];
const store = await openSqliteStore({ path, compaction: { intervalMs: 0 } });

export function valueFor(i: number, round: number): string {
  const body = `${i}:${round}:${'x'.repeat(900)}`;
  return JSON.stringify({ body, sha: createHash('sha256').update(body).digest('hex') });
}

let i = 0;
const inFlight = 32;
async function worker(): Promise<void> {
  for (;;) {
    const n = i++;
    const key = `/crash/k${n}`;
    const rev = await store.create(key, valueFor(n, 0));
    process.stdout.write(`ack ${key} ${rev}\n`);
    // Every third key also gets an update, so batches mix kinds of writes.
    if (n % 3 === 0) {
      const rev2 = await store.update(key, valueFor(n, 1), rev);
      process.stdout.write(`ack ${key} ${rev2}\n`);
    }
  }
}
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: inFlight }, worker));
