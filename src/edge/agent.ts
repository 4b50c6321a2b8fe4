/**
 * The edge agent (`verge edge`): joins the cluster once with a token, then
 * keeps the node's view in its local SQLite store through the hub link,
 * registers and reports its Node, and sends status and events upward through
 * the durable outbox. Everything it needs to keep working lives in its data
 * dir: a restart needs neither the token nor the cloud.
 *
 * Data dir layout:
 *   pki/ca.crt     the cluster CA (verified against the token's hash at join)
 *   pki/node.pem   the node certificate and its key, in one file so that a
 *                  rotation replaces both in one rename
 *   edge.db        the local store and the outbox (./local-store.ts, ./outbox.ts)
 *   runtime/       the process runtime's state (containers it started), when used
 *   kubelet/       pod volumes (kubelet/pods/<uid>/volumes) and container logs
 *                  (kubelet/logs/pods/<ns>_<name>_<uid>/<container>/<attempt>.log)
 *
 * Pods: the Kubelet (./kubelet) runs the pods bound to this node from the local
 * store alone, so they keep running, restarting and being probed with the cloud
 * gone; their status and events go up through the outbox. Containers outlive
 * the agent (as with a kubelet): a restarted agent adopts them.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, NodeCondition, Pod, PodStatus, Taint } from '../api/types/core.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { certificateTimes } from '../pki/times.ts';
import type * as PkiModule from '../pki/index.ts';
// The rest of the PKI (join, CSRs) loads only when needed: first start, rotation.
const pki = (): Promise<typeof PkiModule> => import('../pki/index.ts');
import { EdgeLink, type LinkCredentials } from '../hub/edge/link.ts';
import type { ApiRequest, Change, InventoryItem } from '../hub/protocol.ts';
import {
  errorMessage,
  InvalidError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  isUnavailable,
} from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { rfc3339 } from '../util/time.ts';
import { VERGE_VERSION } from '../util/version.ts';
import {
  LocalStore,
  openEdgeDatabase,
  type EdgeDatabase,
  type LocalChange,
} from './local-store.ts';
import { newNode, readNodeStatus } from './node-status.ts';
import { hostIPv4 } from '../util/host-ip.ts';
import { Outbox } from './outbox.ts';
import { Kubelet } from './kubelet/index.ts';
import { startLocalApi } from './local-api.ts';
import { chooseRuntime } from './runtime/detect.ts';
import type { Runtime } from './runtime/types.ts';
import { createStreamHandler } from './streams.ts';
import { createHash } from 'node:crypto';
import { X509Certificate } from 'node:crypto';

export interface EdgeAgentOptions {
  /** The hub, `https://host:port`. */
  server: string;
  /** Needed only for the first start (no certificate in the data dir yet). */
  token?: string;
  nodeName: string;
  dataDir: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  log: Logger;
  /** Progress lines for a human (`joining...`, `connected`, ...). Default: none. */
  say?: (line: string) => void;
  /** How often node status is reported while nothing changes. Default 60 s. */
  statusIntervalMs?: number;
  /** Link options passed through (tests shorten the backoff). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Outbox bounds. */
  outboxMaxEntries?: number;
  /** Container runtime; default: cri if its socket answers, else process. */
  runtime?: 'process' | 'cri';
  /** The CRI socket (default containerd's). */
  criEndpoint?: string;
  /** The local read-only API on 127.0.0.1: default 10550; 0 = any free port; -1 = off. */
  localApiPort?: number;
}

const NODE = { group: '', version: 'v1', resource: 'nodes' };
const EVENTS = { group: '', version: 'v1', resource: 'events' };
const PODS = { group: '', version: 'v1', resource: 'pods' };

interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
  fieldPath?: string;
}

export class EdgeAgent {
  readonly #o: EdgeAgentOptions;
  readonly #log: Logger;
  readonly #say: (line: string) => void;
  #db?: EdgeDatabase;
  store?: LocalStore;
  outbox?: Outbox;
  link?: EdgeLink;
  runtime?: Runtime;
  kubelet?: Kubelet;
  /** The local API's port once listening. */
  localApiPort?: number;
  #runtimeVersion = 'none://';
  #runtimeReady: { ok: boolean; message?: string } = { ok: true };
  /** Event aggregation (as the kubelet's recorder): key -> name and count so far. */
  readonly #events = new Map<string, { name: string; count: number; first: string }>();
  #conditions: NodeCondition[] = [];
  #offlineSince?: number;
  #wake?: () => void;

  constructor(options: EdgeAgentOptions) {
    this.#o = options;
    this.#log = options.log.child({ node: options.nodeName });
    this.#say = options.say ?? (() => {});
  }

  get pkiDir(): string {
    return join(this.#o.dataDir, 'pki');
  }

  /**
   * Joins if needed, opens the local store and runs the link until `signal`
   * aborts. Rejects only for what retrying cannot fix (bad token, wrong CA
   * hash, an unusable data dir); network trouble is retried for ever.
   */
  async run(signal: AbortSignal): Promise<void> {
    mkdirSync(this.#o.dataDir, { recursive: true });
    await this.#ensureCredentials();
    this.#db = openEdgeDatabase(join(this.#o.dataDir, 'edge.db'));
    try {
      this.store = new LocalStore(this.#db, { log: this.#log });
      this.outbox = new Outbox(this.#db, {
        log: this.#log,
        maxEntries: this.#o.outboxMaxEntries,
      });
      this.#say(`local store: ${this.store.count()} objects, ${this.outbox.size()} updates queued`);
      await this.#startPods(signal);
      const link = new EdgeLink({
        server: this.#o.server,
        node: this.#o.nodeName,
        agentVersion: VERGE_VERSION,
        credentials: () => this.#credentials(),
        inventory: () => this.#inventory(),
        apply: (changes) => this.#apply(changes),
        log: this.#log,
        backoff: { baseMs: this.#o.backoffBaseMs, capMs: this.#o.backoffCapMs },
        onStream: createStreamHandler({
          lookup: this.kubelet!,
          runtime: this.runtime!,
          log: this.#log,
        }),
      });
      this.link = link;
      link.on('connected', () => this.#say('connected'));
      link.on('ready', (n) => {
        this.#say(`in sync (${n} objects)`);
        void this.#onReady();
      });
      link.on('offline', ({ reason, retryInMs }) => {
        if (this.#offlineSince === undefined) {
          this.#offlineSince = Date.now();
          this.#event('Warning', 'CloudUnreachable', `lost the connection to the cloud: ${reason}`);
        }
        this.#say(`offline (${reason}), retrying in ${(retryInMs / 1000).toFixed(1)}s`);
      });
      link.on('refused', (reason) => this.#say(`refused by the server: ${reason}`));
      this.outbox.onPut(() => this.#wake?.());
      const timers = this.#startTimers(signal);
      this.#say('connecting...');
      const drain = this.#drainLoop(signal);
      await link.run(signal);
      this.#wake?.();
      await drain;
      for (const t of timers) clearInterval(t);
    } finally {
      // Containers keep running: a restarted agent adopts them.
      await this.kubelet?.stop();
      await this.#localApi?.close();
      await this.runtime?.close();
      this.#db.close();
    }
  }

  #localApi?: { close(): Promise<void> };

  /** Picks the runtime, starts the Kubelet (adopting what runs) and the local API. */
  async #startPods(signal: AbortSignal): Promise<void> {
    const { runtime, why } = await chooseRuntime({
      runtime: this.#o.runtime,
      criEndpoint: this.#o.criEndpoint,
      stateDir: join(this.#o.dataDir, 'runtime'),
      log: this.#log,
    });
    this.runtime = runtime;
    const v = await runtime.version();
    this.#runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
    this.#say(`runtime: ${runtime.driver} (${why})`);
    this.kubelet = new Kubelet({
      nodeName: this.#o.nodeName,
      store: this.store!,
      runtime,
      rootDir: join(this.#o.dataDir, 'kubelet'),
      hostIP: () => hostIPv4(),
      updateStatus: (pod, status) => this.#podStatus(pod, status),
      deletePod: (pod) => this.#deletePod(pod),
      recordEvent: (pod, type, reason, message) =>
        this.#event(
          type,
          reason,
          message,
          {
            apiVersion: 'v1',
            kind: 'Pod',
            name: pod.metadata.name ?? '',
            namespace: pod.metadata.namespace,
            uid: pod.metadata.uid ?? '',
          },
          pod.metadata.namespace ?? 'default',
        ),
      log: this.#log,
    });
    const started = Date.now();
    await this.kubelet.start(signal);
    const statuses = [...this.kubelet.podStatuses().values()];
    const running = statuses.filter((s) => s.phase === 'Running').length;
    this.#say(
      `pods: ${running} running of ${statuses.length} bound here (first sync ${Date.now() - started} ms; running containers were adopted)`,
    );
    const port = this.#o.localApiPort ?? 10550;
    if (port >= 0) {
      try {
        const api = await startLocalApi({
          store: this.store!,
          port,
          log: this.#log,
          nodeName: this.#o.nodeName,
        });
        this.#localApi = api;
        this.localApiPort = api.port;
        this.#say(`local API (read-only) on http://127.0.0.1:${api.port}`);
      } catch (err) {
        // Pods run without it; say why (usually the port is taken).
        this.#say(`local API not started: ${errorMessage(err)}`);
      }
    }
  }

  /** Queues a pod's status (coalesced per pod: only the latest is sent). */
  #podStatus(pod: Pod, status: PodStatus): void {
    const { namespace = 'default', name, uid } = pod.metadata;
    this.outbox!.put({
      key: `Pod/${namespace}/${name}/status`,
      kind: 'status',
      payload: {
        verb: 'patch',
        resource: PODS,
        namespace,
        name,
        subresource: 'status',
        patchType: 'merge',
        // A merge patch replaces the lists whole; top-level fields the kubelet
        // owns are cleared when absent. The uid keeps a status meant for an
        // earlier pod of the same name off its successor (Invalid: dropped).
        body: {
          metadata: { uid },
          status: { reason: null, message: null, ...status },
        },
        // Not quiet: the answer goes into the local store (#keepOwnWrite), so
        // the edge's copy does not fall behind by its own writes (the hub does
        // not echo status-only changes) and a reconnect does not resend it.
      } satisfies ApiRequest,
    });
  }

  /**
   * Stores the cloud's answer to this node's pod status write, if the pod (the
   * same uid) is still here and the answer is newer than the stored copy.
   */
  #keepOwnWrite(answer: unknown): void {
    const pod = answer as Pod | undefined;
    const m = pod?.metadata;
    if (pod?.kind !== 'Pod' || !m?.name || !m.resourceVersion) return;
    const stored = this.store!.get('Pod', m.namespace ?? 'default', m.name);
    if (!stored || stored.metadata.uid !== m.uid) return;
    if (Number(stored.metadata.resourceVersion) >= Number(m.resourceVersion)) return;
    delete m.managedFields; // as the hub's view sends objects
    this.store!.apply([{ type: 'put', kind: 'Pod', object: pod as unknown as KubeObject }]);
  }

  /** The final delete of a pod whose containers have stopped (kubelet's last step). */
  #deletePod(pod: Pod): void {
    const { namespace = 'default', name, uid } = pod.metadata;
    this.outbox!.put({
      key: `Pod/${namespace}/${name}/delete`,
      kind: 'status',
      payload: {
        verb: 'delete',
        resource: PODS,
        namespace,
        name,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid },
        },
        quiet: true,
      } satisfies ApiRequest,
    });
  }

  // ---- credentials ----
  async #ensureCredentials(): Promise<void> {
    const nodePem = join(this.pkiDir, 'node.pem');
    const caPath = join(this.pkiDir, 'ca.crt');
    if (existsSync(nodePem) && existsSync(caPath)) {
      const cert = new X509Certificate(readFileSync(nodePem, 'utf8'));
      const user = /^CN=(.*)$/m.exec(cert.subject)?.[1];
      if (user !== `system:node:${this.#o.nodeName}`) {
        throw new InvalidError(
          `${nodePem} is for ${user ?? 'nobody'}, not system:node:${this.#o.nodeName}; use another --data-dir or the same --node-name`,
        );
      }
      return;
    }
    if (!this.#o.token) {
      throw new InvalidError(
        `${this.#o.dataDir} has no node certificate yet: give a join token (--token) for the first start`,
      );
    }
    const { parseJoinToken, fetchVerifiedCa, createCsr, requestNodeCertificate } = await pki();
    const token = parseJoinToken(this.#o.token);
    this.#say(`joining ${this.#o.server} as ${this.#o.nodeName}...`);
    const caPem = await fetchVerifiedCa(this.#o.server, token.caHash);
    const { csrPem, keyPem } = await createCsr({
      commonName: `system:node:${this.#o.nodeName}`,
      organizations: ['system:nodes'],
    });
    const answer = await requestNodeCertificate(
      this.#o.server,
      caPem,
      this.#o.token,
      this.#o.nodeName,
      csrPem,
    );
    mkdirSync(this.pkiDir, { recursive: true, mode: 0o700 });
    writeFileSync(caPath, caPem);
    writeAtomic(nodePem, answer.certificate + keyPem);
    this.#say(`joined: certificate for system:node:${this.#o.nodeName} stored in ${this.pkiDir}`);
  }

  #credentials(): LinkCredentials {
    const pem = readFileSync(join(this.pkiDir, 'node.pem'), 'utf8');
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(pem)?.[0];
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(pem)?.[0];
    if (!cert || !key) throw new InvalidError(`${this.pkiDir}/node.pem lacks a certificate or key`);
    return { certPem: cert, keyPem: key, caPem: readFileSync(join(this.pkiDir, 'ca.crt'), 'utf8') };
  }

  /** Renews the certificate over the link once 80% of its life has passed. */
  async #maybeRotate(): Promise<void> {
    const link = this.link;
    if (!link?.ready) return;
    const { certPem } = this.#credentials();
    if (Date.now() < certificateTimes(certPem).renewAt.getTime()) return;
    const { createCsr } = await pki();
    const { csrPem, keyPem } = await createCsr({
      commonName: `system:node:${this.#o.nodeName}`,
      organizations: ['system:nodes'],
    });
    const certificate = await link.renew(csrPem);
    writeAtomic(join(this.pkiDir, 'node.pem'), certificate + keyPem);
    this.#say(
      `certificate renewed (valid until ${certificateTimes(certificate).notAfter.toISOString()})`,
    );
  }

  // ---- downward ----
  #inventory(): InventoryItem[] {
    return this.store!.inventory().map((i) => [i.kind, i.namespace, i.name, i.resourceVersion]);
  }

  #apply(changes: Change[]): void {
    const local: LocalChange[] = changes.map((c) =>
      c.op === 'put'
        ? { type: 'put', kind: c.kind, object: c.object as KubeObject }
        : { type: 'delete', kind: c.kind, namespace: c.namespace, name: c.name },
    );
    this.store!.apply(local);
    this.#log.debug(
      {
        keys: changes.map((c) =>
          c.op === 'put'
            ? `${c.kind}/${c.object.metadata.namespace ?? ''}/${c.object.metadata.name}`
            : `${c.kind}/${c.namespace}/${c.name}`,
        ),
      },
      'applied sync batch',
    );
  }

  // ---- upward ----
  async #onReady(): Promise<void> {
    if (this.#offlineSince !== undefined) {
      const s = Math.round((Date.now() - this.#offlineSince) / 1000);
      this.#offlineSince = undefined;
      this.#event('Normal', 'CloudReachable', `reconnected to the cloud after ${s}s offline`);
    }
    try {
      await this.#register();
    } catch (err) {
      this.#log.warn({ err: errorMessage(err) }, 'node registration failed; will retry');
      this.#say(`node registration failed: ${errorMessage(err)}`);
    }
    this.#wake?.();
  }

  /** Creates the Node if the cloud has none (kubelet's registration). */
  async #register(): Promise<void> {
    if (this.store!.get('Node', '', this.#o.nodeName)) {
      this.#reportStatus();
      return;
    }
    const status = this.#status();
    const node = newNode(this.#o.nodeName, this.#o.labels ?? {}, this.#o.taints ?? [], status);
    try {
      await this.link!.request({ verb: 'create', resource: NODE, body: node });
      this.#say(`registered node ${this.#o.nodeName}`);
      this.#event('Normal', 'RegisteredNode', `Node ${this.#o.nodeName} event: Registered Node`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      this.#reportStatus();
    }
  }

  #status(): ReturnType<typeof readNodeStatus> {
    const status = readNodeStatus(
      {
        dataDir: this.#o.dataDir,
        runtimeVersion: this.#runtimeVersion,
        runtimeReady: this.#runtimeReady,
      },
      this.#conditions,
    );
    this.#conditions = status.conditions ?? [];
    return status;
  }

  /** Queues the node's status (coalesced: only the latest is ever sent). */
  #reportStatus(): void {
    const status = this.#status();
    this.outbox!.put({
      key: `Node//${this.#o.nodeName}/status`,
      kind: 'status',
      payload: {
        verb: 'patch',
        resource: NODE,
        name: this.#o.nodeName,
        subresource: 'status',
        patchType: 'strategic',
        body: { status },
        quiet: true,
      } satisfies ApiRequest,
    });
  }

  /**
   * Records an event (through the outbox, so offline ones arrive later). By
   * default about this node. Repeats of the same reason and message for the
   * same object are aggregated as the kubelet's recorder does: one Event whose
   * count and lastTimestamp move on.
   */
  #event(
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    involved?: InvolvedObject,
    namespace = 'default',
  ): void {
    const now = rfc3339(new Date());
    const node = this.store?.get('Node', '', this.#o.nodeName) as Node | undefined;
    const about: InvolvedObject = involved ?? {
      apiVersion: 'v1',
      kind: 'Node',
      name: this.#o.nodeName,
      uid: node?.metadata.uid ?? this.#o.nodeName,
    };
    const aggregate = createHash('sha256')
      .update(`${about.kind}/${namespace}/${about.name}/${about.uid}/${type}/${reason}/${message}`)
      .digest('hex');
    const seen = this.#events.get(aggregate);
    try {
      if (seen) {
        seen.count++;
        this.outbox?.put({
          key: `Event/${namespace}/${seen.name}/count`,
          kind: 'event',
          payload: {
            verb: 'patch',
            resource: EVENTS,
            namespace,
            name: seen.name,
            patchType: 'merge',
            body: { count: seen.count, lastTimestamp: now },
            quiet: true,
          } satisfies ApiRequest,
        });
        return;
      }
      const name = `${about.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 4096).toString(16)}`;
      if (this.#events.size >= 4096) this.#events.clear();
      this.#events.set(aggregate, { name, count: 1, first: now });
      const event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: about,
        reason,
        message,
        type,
        source: { component: 'kubelet', host: this.#o.nodeName },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: 'kubelet',
        reportingInstance: this.#o.nodeName,
      };
      this.outbox?.put({
        key: `Event/${namespace}/${name}`,
        kind: 'event',
        payload: {
          verb: 'create',
          resource: EVENTS,
          namespace,
          body: event,
          quiet: true,
        } satisfies ApiRequest,
      });
    } catch (err) {
      this.#log.warn({ err: errorMessage(err) }, 'cannot queue an event');
    }
  }

  #startTimers(signal: AbortSignal): ReturnType<typeof setInterval>[] {
    const status = setInterval(() => {
      if (signal.aborted) return;
      // The runtime's health for the Ready condition (seen at the next report).
      this.runtime?.version().then(
        () => (this.#runtimeReady = { ok: true }),
        (err: unknown) => (this.#runtimeReady = { ok: false, message: errorMessage(err) }),
      );
      // Not registered yet (a refused or failed registration): try again.
      if (this.link?.ready && !this.store!.get('Node', '', this.#o.nodeName)) {
        void this.#onReady();
        return;
      }
      this.#reportStatus();
    }, this.#o.statusIntervalMs ?? 60_000);
    const rotate = setInterval(() => {
      void this.#maybeRotate().catch((err: unknown) =>
        this.#log.warn({ err: errorMessage(err) }, 'certificate rotation failed; will retry'),
      );
    }, 10_000);
    return [status, rotate];
  }

  /**
   * Sends outbox entries in order while the link is in sync, a few at a time;
   * an entry leaves the outbox only when the cloud answered it (or refused it
   * for good: the object is gone, or the write is invalid or forbidden).
   */
  async #drainLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const link = this.link!;
      const batch = link.ready ? this.outbox!.pending(16) : [];
      if (batch.length === 0) {
        // Woken by a put, by the link becoming ready (#onReady) or by shutdown.
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      const results = await Promise.allSettled(
        batch.map((e) => link.request(e.payload as ApiRequest)),
      );
      let pause = false;
      results.forEach((r, i) => {
        const entry = batch[i]!;
        if (r.status === 'fulfilled') {
          this.outbox!.ack(entry.key, entry.seq);
          if (entry.key.startsWith('Pod/') && entry.key.endsWith('/status')) {
            this.#keepOwnWrite(r.value);
          }
          return;
        }
        const err = r.reason as unknown;
        if (isNotFound(err) || isInvalid(err) || isForbidden(err)) {
          this.#log.warn({ key: entry.key, err: errorMessage(err) }, 'update refused; dropped');
          this.outbox!.ack(entry.key, entry.seq);
        } else if (isAlreadyExists(err) && entry.kind === 'event') {
          this.outbox!.ack(entry.key, entry.seq);
        } else if (isConflict(err) && (entry.payload as ApiRequest).verb === 'delete') {
          // A uid precondition that failed: the pod was replaced; nothing to delete.
          this.outbox!.ack(entry.key, entry.seq);
        } else {
          pause = true;
          if (!isUnavailable(err)) {
            this.#log.warn({ key: entry.key, err: errorMessage(err) }, 'update failed; will retry');
          }
        }
      });
      if (pause) await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}
