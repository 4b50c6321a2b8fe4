/**
 * `verge server`'s API server: PKI and kubeconfig on first start, the store,
 * the registry of resources, and the HTTPS listener. `start(signal)` serves until
 * the signal aborts, then stops accepting, ends watches and closes the store.
 */
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { isAlreadyExists, UnavailableError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { builtinRegistry } from '../api/builtin-resources.ts';
import type { ResourceRegistry } from '../api/registry.ts';
import { loadOrCreateServerPki, writeKubeconfig, type ServerPki } from '../pki/index.ts';
import type { CompactionOptions, Store } from '../store/store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import {
  namespaceLifecycle,
  serviceAccountDefault,
  serviceAllocator,
  SYSTEM_NAMESPACES,
} from './admission-plugins.ts';
import type { AdmissionPlugin } from './admission.ts';
import {
  AuthorizerChain,
  RequestAuthenticator,
  adminAuthorizer,
  basicUserAuthorizer,
  parseTokenFile,
  type Authorizer,
} from './auth.ts';
import { disconnectedConnector, type PodConnector } from './connect.ts';
import { systemContext } from './context.ts';
import { Discovery } from './discovery.ts';
import { DEFAULT_LIMITS, RequestHandler, type Limits } from './handler.ts';
import { OpenApi } from './openapi.ts';
import { ResourceStorage } from './rest.ts';
import { CrdManager } from './crds.ts';
import { LocalClient } from './local-client.ts';
import { NodeAuthorizer, NodeGraph } from './node-authorizer.ts';
import { nodeRestriction } from './node-restriction.ts';
import { ControllerManager } from '../controllers/manager.ts';
import { defaultControllers, type ControllerOptions } from '../controllers/index.ts';

export interface ApiServerOptions {
  dataDir: string;
  /** Address to listen on. Default 127.0.0.1. */
  listenHost?: string;
  /** Default 6443; 0 picks a free port. */
  apiPort?: number;
  /** Extra names and IPs for the serving certificate. */
  tlsSans?: string[];
  /** Static bearer tokens (Kubernetes' token file format). */
  tokenAuthFile?: string;
  /** Default: SQLite in `<dataDir>/store.db`. */
  store?: Store;
  /** Service cluster IP range. Default 10.43.0.0/16. */
  serviceCidr?: string;
  /** History retention of the default store (unset fields keep the store's defaults). */
  compaction?: CompactionOptions;
  limits?: Partial<Limits>;
  bookmarkIntervalMs?: number;
  log: Logger;
  /** Run the controllers and scheduler in this process. Default true. */
  controllers?: boolean;
  /** Options of the built-in controllers. */
  controllerOptions?: ControllerOptions;
  /**
   * Extra authorizers, consulted after system:masters and the node authorizer
   * (which decides every request of a node) and before the default deny.
   */
  authorizers?: Authorizer[];
  connector?: PodConnector;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class ApiServer {
  readonly registry: ResourceRegistry;
  readonly storage: ResourceStorage;
  readonly store: Store;
  readonly kubeconfigPath: string;
  readonly caPem: string;
  readonly #https: Server;
  readonly #handler: RequestHandler;
  readonly #options: ApiServerOptions;
  readonly #log: Logger;
  readonly #crds: CrdManager;
  /** Pods by node and what they reference, for the node authorizer. */
  readonly #nodeGraph = new NodeGraph();
  /** The authorizer chain every request goes through (the hub uses it for node requests). */
  readonly authorizer: AuthorizerChain;
  /** The cluster CA and the serving certificate (the hub serves with the same). */
  pki!: ServerPki;
  /** Stops the node graph's watch (on the start signal, or on stop()). */
  readonly #nodeGraphStop = new AbortController();
  #ready = false;
  #port = 0;
  #announceReady!: () => void;
  /** Resolves once the server listens and the kubeconfig is written. */
  readonly ready: Promise<void> = new Promise((resolve) => (this.#announceReady = resolve));

  private constructor(
    options: ApiServerOptions,
    store: Store,
    pki: { caPem: string; certPem: string; keyPem: string },
    kubeconfigPath: string,
    host: string,
  ) {
    this.#options = options;
    this.#log = options.log.child({ component: 'apiserver' });
    this.store = store;
    this.caPem = pki.caPem;
    this.kubeconfigPath = kubeconfigPath;
    this.registry = builtinRegistry();
    const allocator = serviceAllocator({ serviceCidr: options.serviceCidr });
    const admission: AdmissionPlugin[] = [
      namespaceLifecycle(this.registry),
      nodeRestriction({ registry: this.registry, log: this.#log }),
      serviceAccountDefault(),
      allocator,
    ];
    this.storage = new ResourceStorage({ store, admission });
    this.#crds = new CrdManager(this.registry, this.storage, this.#log);
    const tokens = options.tokenAuthFile ? parseTokenFile(options.tokenAuthFile) : [];
    this.#handler = new RequestHandler({
      registry: this.registry,
      storage: this.storage,
      discovery: new Discovery(this.registry),
      openapi: new OpenApi(this.registry),
      authenticator: new RequestAuthenticator(tokens),
      authorizer: (this.authorizer = new AuthorizerChain([
        adminAuthorizer,
        // Always on: a node's requests are decided here, never by what follows.
        new NodeAuthorizer({
          graph: this.#nodeGraph,
          storage: this.storage,
          podType: this.registry.get('', 'v1', 'pods')!,
          log: this.#log,
        }),
        ...(options.authorizers ?? []),
        basicUserAuthorizer,
      ])),
      connector: options.connector ?? disconnectedConnector,
      limits: { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) },
      serverAddress: `${host}:${options.apiPort ?? 6443}`,
      ready: () => this.#ready,
      log: this.#log,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    });
    this.#https = createServer(
      {
        cert: pki.certPem,
        key: pki.keyPem,
        ca: pki.caPem,
        // Ask for a client certificate but let requests without one through to
        // bearer-token authentication; verified certificates set socket.authorized.
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      this.#handler.handle,
    );
    this.#https.on('upgrade', this.#handler.handleUpgrade);
    this.#https.keepAliveTimeout = 90_000;
    this.#https.headersTimeout = 30_000;
    this.#https.requestTimeout = 0; // watches are long; per-request timeouts live in the handler
    this.#https.on('clientError', (err, socket) => {
      if (!socket.destroyed) socket.destroy();
      this.#log.debug({ err: err.message }, 'client connection error');
    });
    void allocator;
  }

  /** Opens the store, creates PKI and kubeconfig on first start. */
  static async create(options: ApiServerOptions): Promise<ApiServer> {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const host = options.listenHost ?? '127.0.0.1';
    const sans = [...(options.tlsSans ?? [])];
    if (host !== '0.0.0.0' && host !== '::') sans.push(host);
    const pki = await loadOrCreateServerPki(options.dataDir, { sans, hostname: hostname() });
    const compaction = Object.fromEntries(
      Object.entries(options.compaction ?? {}).filter(([, v]) => v !== undefined),
    );
    const store =
      options.store ??
      (await openSqliteStore({
        path: join(options.dataDir, 'store.db'),
        compaction,
        onBackgroundError: (err) => options.log.error({ err }, 'store compaction failed'),
      }));
    const kubeconfigPath = join(options.dataDir, 'kubeconfig.yaml');
    return new ApiServer(
      options,
      store,
      { caPem: pki.ca.certPem, certPem: pki.server.certPem, keyPem: pki.server.keyPem },
      kubeconfigPath,
      host,
    ).#withPki(pki);
  }

  #adminPki: { certPem: string; keyPem: string } | undefined;

  #withPki(pki: ServerPki): this {
    this.#adminPki = pki.admin;
    this.pki = pki;
    return this;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const host = this.#options.listenHost ?? '127.0.0.1';
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return `https://${shown.includes(':') ? `[${shown}]` : shown}:${this.#port}`;
  }

  /** Creates what every cluster has: the system namespaces and the `kubernetes` Service. */
  async #bootstrap(): Promise<void> {
    const ctx = systemContext();
    const nsType = this.registry.get('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.storage.create(
          ctx,
          nsType,
          undefined,
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
          { fieldManager: 'verge' },
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }

  /** Serves until `signal` aborts; resolves once fully stopped. */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await this.#bootstrap();
    // Serve every CRD before listening, then follow changes.
    const crdRevision = await this.#crds.load();
    const crdsDone = this.#crds.run(crdRevision, signal).catch((err: unknown) => {
      this.#log.error({ err }, 'CRD controller stopped');
    });
    signal.addEventListener('abort', () => this.#nodeGraphStop.abort(), { once: true });
    const nodeGraphDone = this.#nodeGraph.start(
      { storage: this.storage, podType: this.registry.get('', 'v1', 'pods')!, log: this.#log },
      this.#nodeGraphStop.signal,
    );
    const port = this.#options.apiPort ?? 6443;
    this.#https.listen(port, this.#options.listenHost ?? '127.0.0.1');
    try {
      await Promise.race([
        once(this.#https, 'listening'),
        once(this.#https, 'error').then(([err]) => {
          throw new UnavailableError(
            `cannot listen on ${this.#options.listenHost ?? '127.0.0.1'}:${port}: ${(err as Error).message}`,
            { cause: err },
          );
        }),
      ]);
    } catch (err) {
      this.#nodeGraphStop.abort();
      await this.store.close();
      await nodeGraphDone;
      throw err;
    }
    this.#port = (this.#https.address() as AddressInfo).port;
    await writeKubeconfig(this.kubeconfigPath, {
      server: this.url,
      caPem: this.caPem,
      clientCertPem: this.#adminPki!.certPem,
      clientKeyPem: this.#adminPki!.keyPem,
    });
    this.#ready = true;
    this.#announceReady();
    this.#log.info({ url: this.url }, 'API server ready');
    let controllersDone: Promise<void> = Promise.resolve();
    if (this.#options.controllers !== false) {
      const manager = new ControllerManager({
        client: new LocalClient(this.registry, this.storage),
        log: this.#options.log,
      });
      for (const factory of defaultControllers(this.#options.controllerOptions))
        manager.add(factory);
      controllersDone = manager
        .run(signal)
        .catch((err: unknown) => this.#log.error({ err }, 'controller manager stopped'));
    }
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#crds.stop();
    await controllersDone;
    await this.stop();
    await crdsDone;
    await nodeGraphDone;
  }

  async stop(): Promise<void> {
    this.#ready = false;
    this.#nodeGraphStop.abort();
    const closed = new Promise<void>((resolve) => this.#https.close(() => resolve()));
    // Watches and idle keep-alive connections would hold close() open.
    this.#https.closeIdleConnections();
    await this.store.close(); // ends watchers, which ends watch responses
    setTimeout(() => this.#https.closeAllConnections(), 2000).unref();
    await closed;
  }
}
