/**
 * An in-process API for controller tests: the real REST layer, registry,
 * admission and validation over the memory store, a LocalClient, and the system
 * namespaces, so a controller under test reads and writes exactly as in the
 * server, without sockets.
 */
import { builtinRegistry } from '../api/builtin-resources.ts';
import type { ResourceRegistry } from '../api/registry.ts';
import type { AdmissionPlugin } from '../apiserver/admission.ts';
import { GVR } from '../api/client.ts';
import {
  namespaceLifecycle,
  serviceAccountDefault,
  serviceAllocator,
  SYSTEM_NAMESPACES,
} from '../apiserver/admission-plugins.ts';
import { LocalClient } from '../apiserver/local-client.ts';
import { ResourceStorage } from '../apiserver/rest.ts';
import { MemoryStore } from '../store/memory/memory-store.ts';
import type { Store } from '../store/store.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import type { Clock } from '../util/clock.ts';
import { ControllerManager } from './manager.ts';

export interface TestApi {
  registry: ResourceRegistry;
  storage: ResourceStorage;
  client: LocalClient;
  store: Store;
  log: Logger;
  /** A controller manager over this API (same clock). */
  manager(): ControllerManager;
  close(): Promise<void>;
}

export interface TestApiOptions {
  clock?: Clock;
  /** Extra admission plugins, after the standard ones. */
  admission?: AdmissionPlugin[];
  /** The store to serve from (closed by `close`). Default: a memory store without compaction. */
  store?: Store;
}

export async function testApi(options: TestApiOptions = {}): Promise<TestApi> {
  const store = options.store ?? new MemoryStore({ compaction: { intervalMs: 0 } });
  const registry = builtinRegistry();
  const clock = options.clock;
  const storage = new ResourceStorage({
    store,
    admission: [
      namespaceLifecycle(registry),
      serviceAccountDefault(),
      serviceAllocator(),
      ...(options.admission ?? []),
    ],
    now: clock ? () => new Date(clock.now()) : undefined,
  });
  const client = new LocalClient(registry, storage);
  for (const name of SYSTEM_NAMESPACES) {
    await client.create(GVR.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  }
  const log = silentLogger();
  return {
    registry,
    storage,
    client,
    store,
    log,
    manager: () => new ControllerManager({ client, log, clock }),
    close: () => store.close(),
  };
}
