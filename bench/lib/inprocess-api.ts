/**
 * The API as controllers see it in `verge server` (the real REST layer,
 * admission and validation, no sockets), over the memory store or a SQLite
 * file with default settings (WAL, synchronous=FULL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../../src/api/client.ts';
import { testApi } from '../../src/controllers/testing.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

export interface InProcessApi {
  client: Client;
  close(): Promise<void>;
}

export async function memoryApi(): Promise<InProcessApi> {
  const api = await testApi();
  return { client: api.client, close: () => api.close() };
}

/** The same API over a SQLite file in a temporary directory. */
export async function sqliteApi(): Promise<InProcessApi> {
  const dir = mkdtempSync(join(tmpdir(), 'verge-bench-'));
  const api = await testApi({ store: await openSqliteStore({ path: join(dir, 'state.db') }) });
  return {
    client: api.client,
    close: async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
