/**
 * Child process for the edge database tests.
 *
 *   edge-db.fixture.ts hold <path>    opens the database, prints `ready`, waits to be killed
 *   edge-db.fixture.ts write <path>   applies objects and puts outbox entries as fast as
 *                                     it can, printing `applied <name> <rv>` and
 *                                     `put <key> <seq>` only after each returned
 *
 * The parent kills `write` with SIGKILL mid-burst and checks that everything
 * reported is there.
 */
import { silentLogger } from '../util/log.ts';
import { LocalStore, openEdgeDatabase } from './local-store.ts';
import { Outbox } from './outbox.ts';

const [mode, path] = process.argv.slice(2);
const edb = openEdgeDatabase(path);
const log = silentLogger();
const store = new LocalStore(edb, { log });
const outbox = new Outbox(edb, { log });
process.stdout.write('ready\n');

if (mode === 'hold') {
  setInterval(() => {}, 1 << 30);
} else if (mode === 'write') {
  for (let i = 0; ; i++) {
    const name = `cm-${i}`;
    const rv = String(1000 + i);
    store.apply([
      {
        type: 'put',
        kind: 'ConfigMap',
        object: {
          metadata: { name, namespace: 'default', uid: `u-${i}`, resourceVersion: rv },
          data: { i: String(i), pad: 'x'.repeat(500) },
        },
      },
    ]);
    process.stdout.write(`applied ${name} ${rv}\n`);
    // One key per entry, plus one key that is replaced over and over.
    const key = i % 2 === 0 ? `event/${i}` : 'status/Node/n1';
    const seq = outbox.put({ key, kind: i % 2 === 0 ? 'event' : 'status', payload: { i } });
    process.stdout.write(`put ${key} ${seq}\n`);
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
