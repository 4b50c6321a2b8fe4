/**
 * The API as controllers see it in `verge server` (the real REST layer,
 * admission and validation, no sockets), over the memory store or a SQLite
 * file with default settings (WAL, synchronous=FULL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../src/api/builtin-resources.ts';
import { GVR, type Client } from '../../src/api/client.ts';
import {
  namespaceLifecycle,
  serviceAccountDefault,
  serviceAllocator,
  SYSTEM_NAMESPACES,
} from '../../src/apiserver/admission-plugins.ts';
import { LocalClient } from '../../src/apiserver/local-client.ts';
import { ResourceStorage } from '../../src/apiserver/rest.ts';
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

/** The same pieces testApi builds, over a SQLite file in a temporary directory. */
export async function sqliteApi(): Promise<InProcessApi> {
  const dir = mkdtempSync(join(tmpdir(), 'verge-bench-'));
  const store = await openSqliteStore({ path: join(dir, 'state.db') });
  const registry = builtinRegistry();
  const storage = new ResourceStorage({
    store,
    admission: [namespaceLifecycle(registry), serviceAccountDefault(), serviceAllocator()],
  });
  const client = new LocalClient(registry, storage);
  for (const name of SYSTEM_NAMESPACES) {
    await client.create(GVR.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  }
  return {
    client,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
