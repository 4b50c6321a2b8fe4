/** Child process that opens a store and keeps it open until killed (lock tests). */
import { openSqliteStore } from './sqlite-store.ts';

await openSqliteStore({ path: process.argv[2], compaction: { intervalMs: 0 } });
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
