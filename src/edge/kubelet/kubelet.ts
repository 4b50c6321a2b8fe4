/**
 * The lite kubelet: runs the pods of the node's view (the local store) through
 * a `Runtime`, and reports their status.
 *
 * What it reconciles from, and nothing else: the local store (so it works
 * offline) and the runtime's own lists of sandboxes and containers with their
 * labels (so a restarted agent adopts what runs instead of starting it again).
 * The restart count of a container is its instance's `attempt`; the next
 * instance gets `attempt + 1`. Nothing is kept only in memory that cannot be
 * lost: backoff delays and probe results start afresh after a restart, as in
 * the kubelet.
 *
 * Concurrency: one worker per pod (syncs of a pod never overlap, pods sync in
 * parallel). A worker is woken by a store change of its pod or of a ConfigMap /
 * Secret / claim it uses, by a change of its containers' states (the runtime's
 * container list is polled, one call for all pods, every `pollIntervalMs`), by
 * its own timers (backoff ends, deadlines, retries), by probe results, and by
 * the resync (`resyncIntervalMs`), which also removes orphans: sandboxes and
 * containers with our labels whose pod is not desired here.
 *
 * Kept per container: the current instance and the previous one (for
 * `kubectl logs --previous` and `lastState`); older ones are removed. A pod's
 * volumes and logs are removed with it.
 *
 * Not done (yet): termination message files (`terminationMessagePath`;
 * FallbackToLogsOnError's log tail is done), ephemeral containers (`kubectl debug`), in-place
 * resize, image pull secrets (the runtime's pull has no credentials), service
 * link environment variables, and cluster DNS (ClusterFirst gets only what
 * `dnsConfig` says; the runtime falls back to the host's resolver).
 *
 * The last status reported per pod is kept in the store's meta table
 * (`kubelet/status/<uid>`), so that a restarted agent keeps readiness (no
 * NotReady flap while the first probes run), transition times and startTime.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type {
  Container,
  ContainerState as ApiContainerState,
  ContainerStateTerminated,
  ContainerStatus as ApiContainerStatus,
  ConfigMap,
  Pod,
  PodCondition,
  PodPhase,
  PodStatus,
  Secret,
} from '../../api/types/core.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { realClock, sleep, type Clock, type Timer } from '../../util/clock.ts';
import {
  errorMessage,
  InvalidError,
  isInvalid,
  isNotFound,
  NotFoundError,
} from '../../util/errors.ts';
import type { Logger } from '../../util/log.ts';
import { rfc3339 } from '../../util/time.ts';
import type { LocalEvent, LocalStore } from '../local-store.ts';
import { readLogs } from '../runtime/cri-log.ts';
import {
  ContainerStartError,
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  type ContainerConfig,
  type ContainerStatus as RtContainer,
  type Mount,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type Runtime,
} from '../runtime/types.ts';
import { containerEnv, expand, expandCommand, linuxResources, type PodAddresses } from './env.ts';
import type { ContainerLookup, ContainerRef } from './lookup.ts';
import { ContainerProber, hasProbes } from './probes.ts';
import { podDir, setUpVolumes, type MountedVolume, type VolumeSource } from './volumes.ts';

export interface KubeletOptions {
  nodeName: string;
  /** The node's view: its Pods, and the ConfigMaps/Secrets/PVCs/ServiceAccounts they reference. */
  store: LocalStore;
  runtime: Runtime;
  /** e.g. `<dataDir>/kubelet`: `pods/<uid>/volumes/...`, `logs/pods/<ns>_<name>_<uid>/<container>/<attempt>.log`. */
  rootDir: string;
  hostIP: () => string;
  /** Called with the full desired status whenever it changes (the agent queues it as a status patch). */
  updateStatus: (pod: Pod, status: PodStatus) => void;
  /** Final delete once a terminating pod's containers are gone (DELETE, grace 0, uid precondition). */
  deletePod: (pod: Pod) => void;
  recordEvent: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  log: Logger;
  /** Default: the real clock. */
  clock?: Clock;
  /** Reconcile period of every pod (resync) and of orphan removal. Default 10,000 ms. */
  resyncIntervalMs?: number;
  /** How often the runtime's containers are listed to notice exits. Default 1,000 ms. */
  pollIntervalMs?: number;
}

/** The kubelet's restart backoff: 10 s doubling to 5 min. */
const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long before exiting starts its backoff afresh. */
const BACKOFF_RESET_MS = 600_000;
/** Retry of a failed volume set-up or sandbox creation. */
const RETRY_MS = 2_000;
/** Identical events of a pod within this window are recorded once. */
const EVENT_DEDUP_MS = 60_000;
/** How often the final delete of a terminated pod is asked again while it is still in the store. */
const DELETE_RETRY_MS = 60_000;
const DEFAULT_GRACE_S = 30;
/** How long a list of all sandboxes serves every worker (see #listSandboxes). */
const SANDBOX_LIST_TTL_MS = 1_000;
/** Meta keys of the last reported statuses (see #loadStatus). */
const STATUS_META_PREFIX = 'kubelet/status/';
/** The longest `start` waits for the first sync of every pod. */
const FIRST_SYNC_WAIT_MS = 10_000;
const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';
/**
 * The image as the pod spec wrote it, kept on the container: a runtime may
 * report a normalized reference (`docker.io/library/x:1`), and an image change
 * is detected against what the spec said.
 */
const ANNOTATION_SPEC_IMAGE = 'verge.io/spec-image';

/** An init container that keeps running beside the app containers (restartPolicy Always). */
function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

function specImage(c: RtContainer): string {
  return c.annotations[ANNOTATION_SPEC_IMAGE] ?? c.image;
}

type Waiting = { reason: string; message?: string };

interface BackoffEntry {
  delayMs: number;
  lastUpdate: number;
}

/** One kill the sync must do (asked by a prober or by a spec change). */
interface KillRequest {
  containerName: string;
  message: string;
  restart: boolean;
  graceSeconds: number;
}

interface PodWorker {
  uid: string;
  key: string;
  /** The desired pod; undefined once it left the store (or this node). */
  pod?: Pod;
  /** The last pod seen, for clean-up and events after it left the store. */
  lastPod: Pod;
  busy: boolean;
  dirty: boolean;
  running?: Promise<void>;
  timer?: Timer;
  timerAt: number;
  /** Why a container is waiting, keyed by name; `after` is the instance it follows ('' for none). */
  waiting: Map<string, Waiting & { after: string }>;
  crashBackoff: Map<string, BackoffEntry>;
  pullBackoff: Map<string, BackoffEntry>;
  probers: Map<string, ContainerProber>;
  kills: Map<string, KillRequest>;
  skipBackoff: Set<string>;
  forceRestart: Set<string>;
  startErrors: Map<string, string>;
  /** FallbackToLogsOnError messages read from the logs, by instance. */
  logMessages: Map<string, string>;
  /** BackOff events already recorded, by container instance. */
  backoffEvents: Set<string>;
  events: Map<string, number>;
  /** The last status reported (initially the store's). */
  status?: PodStatus;
  startTime?: string;
  deadlineExceeded: boolean;
  sandboxStopped: boolean;
  deleteSentAt?: number;
}

interface PodView {
  sandboxes: PodSandboxStatus[];
  containers: RtContainer[];
}

function podKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

/** `name_namespace(uid)`, the kubelet's way to name a pod in messages. */
function formatPod(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})`;
}

/** A Go duration string (`10s`, `1m20s`, `5m0s`), as the kubelet prints backoff delays. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** JSON with sorted keys, to compare statuses regardless of field order. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : x,
  );
}

/** Default pull policy: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Newest instance first (by attempt, then creation). */
function byNewest(a: RtContainer, b: RtContainer): number {
  return b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt;
}

export class Kubelet implements ContainerLookup {
  readonly #o: KubeletOptions;
  readonly #rt: Runtime;
  readonly #store: LocalStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #workers = new Map<string, PodWorker>();
  /** ns/name -> uid of the worker that runs it. */
  readonly #byKey = new Map<string, string>();
  #scheme = '';
  #abort = new AbortController();
  #loops: Promise<void>[] = [];
  #unwatch?: () => void;
  #stopped = false;
  /** Container states seen at the last poll, by pod uid (a change wakes the pod). */
  #seen = new Map<string, string>();
  #sandboxCache?: { at: number; list: Promise<PodSandboxStatus[]> };
  /** When `start` was called: containers started before were adopted. */
  #startedAt = 0;

  constructor(o: KubeletOptions) {
    this.#o = o;
    this.#rt = o.runtime;
    this.#store = o.store;
    this.#clock = o.clock ?? realClock;
    this.#log = o.log.child({ component: 'kubelet' });
  }

  /**
   * Adopts what the runtime runs, removes orphans and syncs every desired pod
   * once; resolves after that first full sync (or after 10 s of it, so that
   * image pulls do not hold up the agent). Keeps working (watching the
   * store, polling the runtime, resyncing) until `signal` aborts or `stop`.
   * Call once per instance: a stopped Kubelet does not start again (make a
   * new one; it adopts what runs).
   */
  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.#startedAt = this.#clock.now();
    signal.addEventListener('abort', () => void this.stop(), { once: true });
    this.#scheme = (await this.#rt.version()).runtimeName;
    this.#unwatch = this.#store.watch((events) => this.#onStoreEvents(events));
    this.#refreshDesired();
    await this.#removeOrphans();
    // Bounded: a first sync that pulls an image must not hold up the agent.
    await Promise.race([
      Promise.all([...this.#workers.values()].map((w) => this.#wake(w))),
      sleep(this.#clock, FIRST_SYNC_WAIT_MS, this.#abort.signal),
    ]);
    const s = this.#abort.signal;
    this.#loops.push(this.#pollLoop(s), this.#resyncLoop(s));
  }

  /** Stops the workers, probers and loops; leaves containers running (the agent may restart). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort();
    this.#unwatch?.();
    for (const w of this.#workers.values()) {
      w.timer?.cancel();
      for (const p of w.probers.values()) p.stop();
    }
    await Promise.allSettled([
      ...this.#loops,
      ...[...this.#workers.values()].map((w) => w.running),
    ]);
  }

  /** The last status reported per pod, keyed `namespace/name` (tests, benchmarks). */
  podStatuses(): Map<string, PodStatus> {
    const out = new Map<string, PodStatus>();
    for (const w of this.#workers.values()) if (w.pod && w.status) out.set(w.key, w.status);
    return out;
  }

  /** Pods of this node that are not terminal (for capacity reporting). */
  activePods(): number {
    let n = 0;
    for (const w of this.#workers.values()) {
      const phase = w.status?.phase;
      if (w.pod && phase !== 'Succeeded' && phase !== 'Failed') n++;
    }
    return n;
  }

  // ---- desired pods ----

  #isOurs(o: KubeObject): boolean {
    return (o as Pod).spec?.nodeName === this.#o.nodeName && Boolean(o.metadata.uid);
  }

  #setDesired(pod: Pod): PodWorker {
    const uid = pod.metadata.uid!;
    const key = podKey(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '');
    const old = this.#byKey.get(key);
    if (old !== undefined && old !== uid) this.#forget(old);
    this.#byKey.set(key, uid);
    let w = this.#workers.get(uid);
    if (!w) {
      const reported = this.#loadStatus(uid);
      w = {
        uid,
        key,
        lastPod: pod,
        busy: false,
        dirty: false,
        timerAt: Infinity,
        waiting: new Map(),
        crashBackoff: new Map(),
        pullBackoff: new Map(),
        probers: new Map(),
        kills: new Map(),
        skipBackoff: new Set(),
        forceRestart: new Set(),
        startErrors: new Map(),
        logMessages: new Map(),
        backoffEvents: new Set(),
        events: new Map(),
        status: reported ?? pod.status,
        startTime: reported?.startTime ?? pod.status?.startTime,
        deadlineExceeded: (reported ?? pod.status)?.reason === 'DeadlineExceeded',
        sandboxStopped: false,
      };
      this.#workers.set(uid, w);
    }
    w.pod = pod;
    w.lastPod = pod;
    return w;
  }

  /**
   * The last status reported for a pod, kept in the store's meta table: the
   * hub does not echo the statuses the edge writes, so after an agent restart
   * the store's copy is older than what was reported. With it, a restarted
   * agent keeps readiness, transition times and startTime, and does not
   * report again what it already did.
   */
  #loadStatus(uid: string): PodStatus | undefined {
    try {
      const raw = this.#store.getMeta(`${STATUS_META_PREFIX}${uid}`);
      return raw === undefined ? undefined : (JSON.parse(raw) as PodStatus);
    } catch (err) {
      this.#log.warn({ uid, err: errorMessage(err) }, 'cannot read the last reported pod status');
      return undefined;
    }
  }

  #saveStatus(uid: string, status: PodStatus | undefined): void {
    try {
      const key = `${STATUS_META_PREFIX}${uid}`;
      if (status === undefined) this.#store.deleteMeta(key);
      else this.#store.setMeta(key, JSON.stringify(status));
    } catch (err) {
      this.#log.warn({ uid, err: errorMessage(err) }, 'cannot keep the reported pod status');
    }
  }

  /** The pod left the store or this node: its worker cleans up and ends. */
  #forget(uid: string): void {
    const w = this.#workers.get(uid);
    if (!w) return;
    w.pod = undefined;
    if (this.#byKey.get(w.key) === uid) this.#byKey.delete(w.key);
    void this.#wake(w);
  }

  /** Reads every desired pod from the store (start, resync). */
  #refreshDesired(): void {
    const desired = new Set<string>();
    for (const o of this.#store.list('Pod')) {
      if (!this.#isOurs(o)) continue;
      desired.add(o.metadata.uid!);
      this.#setDesired(o as Pod);
    }
    for (const uid of [...this.#workers.keys()]) if (!desired.has(uid)) this.#forget(uid);
  }

  #onStoreEvents(events: LocalEvent[]): void {
    const touched = new Set<PodWorker>();
    for (const e of events) {
      const o = e.object;
      const ns = o.metadata.namespace ?? '';
      if (e.kind === 'Pod') {
        const key = podKey(ns || 'default', o.metadata.name ?? '');
        if (e.type !== 'DELETED' && this.#isOurs(o)) {
          const before = this.#workers.get(o.metadata.uid ?? '')?.pod;
          const w = this.#setDesired(o as Pod);
          // The cloud's answer to our own status write (the agent stores it):
          // nothing to do. Syncing on it would, for one, replace ErrImagePull
          // with ImagePullBackOff at once instead of at the next sync.
          if (!before || !statusOnlyChange(before, o as Pod)) touched.add(w);
        } else {
          // Deleted, bound elsewhere, or replaced by a pod of another node.
          const uid = this.#byKey.get(key);
          if (uid !== undefined) this.#forget(uid);
        }
      } else if (
        e.kind === 'ConfigMap' ||
        e.kind === 'Secret' ||
        e.kind === 'PersistentVolumeClaim'
      ) {
        for (const w of this.#workers.values()) {
          if (
            w.pod &&
            (w.pod.metadata.namespace ?? 'default') === ns &&
            references(w.pod, e.kind, o.metadata.name ?? '')
          ) {
            touched.add(w);
          }
        }
      }
    }
    for (const w of touched) void this.#wake(w);
  }

  // ---- loops ----

  async #pollLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#clock, this.#o.pollIntervalMs ?? 1000, signal);
      if (signal.aborted) return;
      try {
        const list = await this.#rt.listContainers();
        const now = new Map<string, string[]>();
        for (const c of list) {
          const uid = c.labels[LABEL_POD_UID];
          if (uid === undefined) continue;
          let a = now.get(uid);
          if (!a) now.set(uid, (a = []));
          a.push(`${c.id}:${c.state}`);
        }
        for (const [uid, states] of now) {
          const sig = states.sort().join(',');
          if (this.#seen.get(uid) !== sig) {
            this.#seen.set(uid, sig);
            const w = this.#workers.get(uid);
            if (w) void this.#wake(w);
          }
        }
        for (const uid of [...this.#seen.keys()]) if (!now.has(uid)) this.#seen.delete(uid);
      } catch (err) {
        this.#log.warn({ err: errorMessage(err) }, 'cannot list containers');
      }
    }
  }

  async #resyncLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#clock, this.#o.resyncIntervalMs ?? 10_000, signal);
      if (signal.aborted) return;
      try {
        this.#refreshDesired();
        await this.#removeOrphans();
        for (const w of this.#workers.values()) void this.#wake(w);
      } catch (err) {
        this.#log.warn({ err: errorMessage(err) }, 'resync failed');
      }
    }
  }

  /** Sandboxes and containers with our labels whose pod has no worker: stopped and removed. */
  async #removeOrphans(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([
      this.#listSandboxes(),
      this.#rt.listContainers(),
    ]);
    const orphanSandboxes = new Set<string>();
    for (const sb of sandboxes) {
      const uid = sb.labels[LABEL_POD_UID];
      if (uid !== undefined && !this.#workers.has(uid)) orphanSandboxes.add(sb.id);
    }
    for (const c of containers) {
      const uid = c.labels[LABEL_POD_UID];
      if (uid === undefined || this.#workers.has(uid) || orphanSandboxes.has(c.podSandboxId))
        continue;
      this.#log.info({ container: c.id, uid }, 'removing orphaned container');
      await this.#quiet(this.#rt.stopContainer(c.id, 0));
      await this.#quiet(this.#rt.removeContainer(c.id));
    }
    for (const id of orphanSandboxes) {
      this.#log.info({ sandbox: id }, 'removing orphaned pod sandbox');
      await this.#quiet(this.#stopSandbox(id));
      await this.#quiet(this.#removeSandbox(id));
    }
  }

  /**
   * All sandboxes, listed at most once per `SANDBOX_LIST_TTL_MS` for all
   * workers (each pod's sync needs its own few, and the runtime can only list
   * them all: without this a resync would be quadratic in the number of
   * pods). Our own changes drop the cached list.
   */
  #listSandboxes(): Promise<PodSandboxStatus[]> {
    const now = this.#clock.now();
    if (!this.#sandboxCache || now - this.#sandboxCache.at >= SANDBOX_LIST_TTL_MS) {
      const list = this.#rt.listPodSandboxes();
      const entry = { at: now, list };
      this.#sandboxCache = entry;
      list.catch(() => {
        if (this.#sandboxCache === entry) this.#sandboxCache = undefined;
      });
    }
    return this.#sandboxCache.list;
  }

  async #stopSandbox(id: string): Promise<void> {
    try {
      await this.#rt.stopPodSandbox(id);
    } finally {
      this.#sandboxCache = undefined;
    }
  }

  async #removeSandbox(id: string): Promise<void> {
    try {
      await this.#rt.removePodSandbox(id);
    } finally {
      this.#sandboxCache = undefined;
    }
  }

  /** Runs a runtime call whose NotFound means "already done". */
  async #quiet(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- workers ----

  /** Syncs `w` now, or again right after the sync in progress. Resolves when idle. */
  #wake(w: PodWorker): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (w.busy && w.running) {
      w.dirty = true;
      return w.running;
    }
    w.busy = true;
    w.dirty = true;
    w.running = (async () => {
      try {
        while (w.dirty && !this.#stopped) {
          w.dirty = false;
          try {
            await this.#sync(w);
          } catch (err) {
            this.#log.warn(
              { pod: w.key, uid: w.uid, err: errorMessage(err) },
              'pod sync failed; will retry',
            );
            this.#wakeAt(w, this.#clock.now() + RETRY_MS);
          }
        }
      } finally {
        w.busy = false;
      }
    })();
    return w.running;
  }

  /** Wakes `w` at `at` (keeps the earliest of the pending wake-ups; each sync asks again for what it still needs). */
  #wakeAt(w: PodWorker, at: number): void {
    if (this.#stopped) return;
    if (w.timer && w.timerAt <= at) return;
    w.timer?.cancel();
    w.timerAt = at;
    w.timer = this.#clock.after(Math.max(0, at - this.#clock.now()), () => {
      w.timer = undefined;
      w.timerAt = Infinity;
      void this.#wake(w);
    });
  }

  /**
   * Records an event about the pod. `repeat`: `always` for what happens once
   * per action (Created, Started, Killing, Unhealthy: the agent aggregates
   * repeats into a count); `throttle` for what every retry of a sync would say
   * again (FailedMount every 2 s): at most once a minute; `once` per pod.
   */
  #event(
    w: PodWorker,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    repeat: 'always' | 'throttle' | 'once' = 'always',
  ): void {
    if (repeat !== 'always') {
      const key = `${type}\0${reason}\0${message}`;
      const now = this.#clock.now();
      const last = w.events.get(key);
      if (last !== undefined && (repeat === 'once' || now - last < EVENT_DEDUP_MS)) return;
      if (w.events.size >= 256) {
        for (const [k, at] of w.events) if (now - at >= EVENT_DEDUP_MS) w.events.delete(k);
      }
      w.events.set(key, now);
    }
    try {
      this.#o.recordEvent(w.lastPod, type, reason, message);
    } catch (err) {
      this.#log.warn({ err: errorMessage(err) }, 'cannot record an event');
    }
  }

  async #view(uid: string): Promise<PodView> {
    const [sandboxes, containers] = await Promise.all([
      this.#listSandboxes(),
      this.#rt.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } }),
    ]);
    return {
      sandboxes: sandboxes
        .filter((s) => s.labels[LABEL_POD_UID] === uid)
        .sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt),
      containers: containers.sort(byNewest),
    };
  }

  async #sync(w: PodWorker): Promise<void> {
    const pod = w.pod;
    const view = await this.#view(w.uid);
    if (!pod) {
      await this.#teardown(w, view);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      await this.#terminate(w, pod, view);
      return;
    }
    const spec = pod.spec!;
    const now = this.#clock.now();
    if (!w.startTime) {
      const created = view.sandboxes.length
        ? Math.min(...view.sandboxes.map((s) => s.createdAt))
        : now;
      w.startTime = rfc3339(new Date(created));
    }
    const phase = w.status?.phase;
    const deadline = spec.activeDeadlineSeconds;
    if (
      !w.deadlineExceeded &&
      deadline !== undefined &&
      phase !== 'Succeeded' &&
      phase !== 'Failed'
    ) {
      const at = Date.parse(w.startTime) + deadline * 1000;
      if (now >= at) {
        w.deadlineExceeded = true;
        this.#event(
          w,
          'Warning',
          'DeadlineExceeded',
          'Pod was active on the node longer than the specified deadline',
        );
      } else {
        this.#wakeAt(w, at);
      }
    }
    if (w.deadlineExceeded || phase === 'Succeeded' || phase === 'Failed') {
      // Nothing left in the runtime (removed while the agent was down): the
      // last status stands, rather than one without its containers.
      if (view.containers.length === 0 && !w.deadlineExceeded) return;
      await this.#killAll(w, pod, view, this.#graceOf(pod));
      if (!w.sandboxStopped) {
        for (const sb of view.sandboxes) await this.#quiet(this.#stopSandbox(sb.id));
        w.sandboxStopped = true;
      }
      await this.#publish(w, pod, false);
      return;
    }

    const addr: PodAddresses = { hostIP: this.#o.hostIP(), podIPs: [] };
    let sandbox = view.sandboxes.find((s) => s.state === 'ready');
    const created = !sandbox;
    if (sandbox) addr.podIPs = this.#podIPs(sandbox);

    // Volumes first, as the kubelet does: a pod whose volumes cannot be set up
    // gets no sandbox and waits in ContainerCreating.
    const volumes = setUpVolumes({
      pod,
      rootDir: this.#o.rootDir,
      objects: this.#objects(),
      addr,
      warn: (m) => this.#event(w, 'Warning', 'FailedMount', m, 'once'),
    });
    for (const f of volumes.stale) this.#event(w, 'Warning', 'FailedMount', f, 'throttle');
    if (volumes.failures.length > 0) {
      for (const f of volumes.failures) this.#event(w, 'Warning', 'FailedMount', f, 'throttle');
      this.#wakeAt(w, now + RETRY_MS);
      await this.#publish(w, pod, false);
      return;
    }

    if (!sandbox) {
      if (view.sandboxes.length > 0) {
        this.#event(
          w,
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
          'throttle',
        );
        for (const sb of view.sandboxes) await this.#quiet(this.#stopSandbox(sb.id));
      }
      const attempt = view.sandboxes.length ? view.sandboxes[0].metadata.attempt + 1 : 0;
      const config = this.#sandboxConfig(pod, attempt);
      try {
        mkdirSync(config.logDirectory, { recursive: true });
        const id = await this.#rt.runPodSandbox(config);
        this.#sandboxCache = undefined;
        sandbox = await this.#rt.podSandboxStatus(id);
        w.sandboxStopped = false;
      } catch (err) {
        this.#event(
          w,
          'Warning',
          'FailedCreatePodSandBox',
          `Failed to create pod sandbox: ${errorMessage(err)}`,
          'throttle',
        );
        this.#wakeAt(w, now + RETRY_MS);
        await this.#publish(w, pod, false);
        return;
      }
      addr.podIPs = this.#podIPs(sandbox);
    }

    await this.#doKills(w, pod, view);
    const current = await this.#rt.listContainers({ labelSelector: { [LABEL_POD_UID]: w.uid } });
    current.sort(byNewest);
    const instances = (name: string): RtContainer[] =>
      current.filter((c) => c.labels[LABEL_CONTAINER_NAME] === name);
    const ctx: StartContext = { pod, sandbox, addr, volumes: volumes.volumes };

    const policy = spec.restartPolicy ?? 'Always';
    // Init containers in order, each to completion; a sidecar (an init container
    // with restartPolicy Always) only has to be running for the next to start,
    // and is restarted whenever it exits. An init container that ran in an
    // earlier sandbox runs again in the new one, as in the kubelet.
    let initDone = true;
    for (const c of spec.initContainers ?? []) {
      const [cur] = instances(c.name);
      const stale = cur !== undefined && cur.state !== 'running' && cur.podSandboxId !== sandbox.id;
      if (!cur || stale) {
        await this.#startContainer(w, ctx, c, cur);
        initDone = false;
        break;
      }
      if (isSidecar(c)) {
        if (cur.state === 'running') {
          if (w.probers.get(cur.id)?.started === false) {
            initDone = false;
            break;
          }
          continue;
        }
        await this.#restart(w, ctx, c, cur);
        initDone = false;
        break;
      }
      if (cur.state === 'running') {
        initDone = false;
        break;
      }
      const exit = this.#exitOf(w, cur);
      if (exit.exitCode === 0) continue;
      initDone = false;
      if (policy !== 'Never') await this.#restart(w, ctx, c, cur);
      break;
    }
    if (initDone) {
      for (const c of spec.containers) {
        const [cur] = instances(c.name);
        if (!cur) {
          await this.#startContainer(w, ctx, c, undefined);
          continue;
        }
        if (cur.state === 'running') {
          if (c.image !== undefined && specImage(cur) !== c.image) {
            // Kubernetes restarts a changed container whatever the restart policy.
            w.forceRestart.add(c.name);
            await this.#kill(
              w,
              cur,
              c,
              this.#graceOf(pod),
              `Container ${c.name} definition changed, will be restarted`,
            );
            await this.#startContainer(w, ctx, c, cur);
          }
          continue;
        }
        const exit = this.#exitOf(w, cur);
        const restart =
          w.forceRestart.has(c.name) ||
          policy === 'Always' ||
          (policy === 'OnFailure' && exit.exitCode !== 0);
        if (restart) await this.#restart(w, ctx, c, cur);
      }
    }
    if (view.sandboxes.length > (created ? 0 : 1)) await this.#removeOldSandboxes(w, sandbox.id);
    await this.#publish(w, pod, false);
  }

  /**
   * Removes sandboxes other than the current one that hold no container's
   * latest instance (an older instance goes with its sandbox, so
   * `logs --previous` across a sandbox change may find nothing).
   */
  async #removeOldSandboxes(w: PodWorker, current: string): Promise<void> {
    const view = await this.#view(w.uid);
    const keep = new Set<string>([current]);
    const seen = new Map<string, number>();
    for (const c of view.containers) {
      const name = c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name;
      const k = seen.get(name) ?? 0;
      if (k < 1) keep.add(c.podSandboxId);
      seen.set(name, k + 1);
    }
    for (const sb of view.sandboxes) {
      if (keep.has(sb.id)) continue;
      await this.#quiet(this.#stopSandbox(sb.id));
      await this.#quiet(this.#removeSandbox(sb.id));
    }
  }

  /** Restarts `c` after `cur` exited, unless it is backing off (then waits in CrashLoopBackOff). */
  async #restart(w: PodWorker, ctx: StartContext, c: Container, cur: RtContainer): Promise<void> {
    // A container the runtime cannot vouch for may still run: never start a
    // second one beside it.
    if (cur.state === 'unknown') await this.#quiet(this.#rt.stopContainer(cur.id, 0));
    if (w.skipBackoff.delete(c.name)) {
      await this.#startContainer(w, ctx, c, cur);
      return;
    }
    const since = cur.finishedAt || cur.createdAt;
    const entry = w.crashBackoff.get(c.name);
    const now = this.#clock.now();
    const expired = !entry || since - entry.lastUpdate > BACKOFF_RESET_MS;
    if (entry && !expired && now - since < entry.delayMs) {
      const delay = goDuration(entry.delayMs);
      w.waiting.set(c.name, {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} restarting failed container=${c.name} pod=${formatPod(ctx.pod)}`,
        after: cur.id,
      });
      if (!w.backoffEvents.has(cur.id)) {
        w.backoffEvents.add(cur.id);
        this.#event(
          w,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${formatPod(ctx.pod)}`,
        );
      }
      this.#wakeAt(w, since + entry.delayMs);
      return;
    }
    w.crashBackoff.set(c.name, {
      delayMs: expired ? BACKOFF_INITIAL_MS : Math.min(entry.delayMs * 2, BACKOFF_MAX_MS),
      lastUpdate: now,
    });
    await this.#startContainer(w, ctx, c, cur);
  }

  /** Pulls, configures, creates and starts one instance of `c`; records why it waits when it cannot. */
  async #startContainer(
    w: PodWorker,
    ctx: StartContext,
    c: Container,
    prev: RtContainer | undefined,
  ): Promise<void> {
    const after = prev?.id ?? '';
    const wait = (reason: string, message?: string): void => {
      w.waiting.set(c.name, { reason, message, after });
    };
    const image = c.image ?? '';
    if (!(await this.#ensureImage(w, c, image, wait))) return;

    let config: ContainerConfig;
    try {
      config = this.#containerConfig(ctx, c, prev ? prev.metadata.attempt + 1 : 0);
    } catch (err) {
      if (!isInvalid(err)) throw err;
      wait('CreateContainerConfigError', err.message);
      this.#event(w, 'Warning', 'Failed', `Error: ${err.message}`, 'throttle');
      return;
    }
    const sandboxConfig = this.#sandboxConfig(ctx.pod, ctx.sandbox.metadata.attempt);
    mkdirSync(join(sandboxConfig.logDirectory, c.name), { recursive: true });
    let id: string;
    try {
      id = await this.#rt.createContainer(ctx.sandbox.id, config, sandboxConfig);
    } catch (err) {
      wait('CreateContainerError', errorMessage(err));
      this.#event(w, 'Warning', 'Failed', `Error: ${errorMessage(err)}`, 'throttle');
      return;
    }
    this.#event(w, 'Normal', 'Created', `Created container: ${c.name}`);
    w.waiting.delete(c.name);
    w.forceRestart.delete(c.name);
    try {
      await this.#rt.startContainer(id);
    } catch (err) {
      if (!(err instanceof ContainerStartError)) throw err;
      w.startErrors.set(id, err.message);
      this.#event(w, 'Warning', 'Failed', `Error: ${err.message}`);
      // The instance is now exited (StartError): the next sync restarts it or backs off.
      w.dirty = true;
      await this.#gcInstances(w, c.name, id, prev);
      return;
    }
    this.#event(w, 'Normal', 'Started', `Started container ${c.name}`);
    await this.#gcInstances(w, c.name, id, prev);
    const postStart = c.lifecycle?.postStart?.exec?.command;
    if (postStart && postStart.length > 0) {
      try {
        const r = await this.#rt.exec(id, {
          cmd: postStart,
          tty: false,
          timeoutMs: this.#graceOf(ctx.pod) * 1000,
        });
        if (r.exitCode !== 0 || r.timedOut)
          throw new Error(`command '${postStart.join(' ')}' exited with ${r.exitCode}`);
      } catch (err) {
        this.#event(
          w,
          'Warning',
          'FailedPostStartHook',
          `PostStartHook failed: ${errorMessage(err)}`,
        );
        const inst = await this.#rt.containerStatus(id);
        await this.#kill(w, inst, c, this.#graceOf(ctx.pod), `FailedPostStartHook`);
      }
    }
  }

  /** Keeps the new instance and the one before it (for `logs --previous`); removes older ones. */
  async #gcInstances(
    w: PodWorker,
    name: string,
    keepNew: string,
    keepPrev: RtContainer | undefined,
  ): Promise<void> {
    const all = await this.#rt.listContainers({
      labelSelector: { [LABEL_POD_UID]: w.uid, [LABEL_CONTAINER_NAME]: name },
    });
    for (const c of all) {
      if (c.id === keepNew || c.id === keepPrev?.id || c.state === 'running') continue;
      await this.#quiet(this.#rt.removeContainer(c.id));
      w.startErrors.delete(c.id);
      w.backoffEvents.delete(c.id);
      w.logMessages.delete(c.id);
    }
  }

  /** Pull per imagePullPolicy, with the kubelet's reasons, events and backoff. False: not now. */
  async #ensureImage(
    w: PodWorker,
    c: Container,
    image: string,
    wait: (reason: string, message?: string) => void,
  ): Promise<boolean> {
    const policy = pullPolicy(c);
    const present = policy === 'Always' ? null : await this.#rt.imageStatus(image);
    if (policy === 'Never') {
      if (present) return true;
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      wait('ErrImageNeverPull', msg);
      this.#event(w, 'Warning', 'ErrImageNeverPull', msg, 'throttle');
      return false;
    }
    if (policy === 'IfNotPresent' && present) {
      this.#event(w, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return true;
    }
    const now = this.#clock.now();
    const entry = w.pullBackoff.get(image);
    if (entry && now - entry.lastUpdate < entry.delayMs) {
      const msg = `Back-off pulling image "${image}"`;
      wait('ImagePullBackOff', msg);
      this.#event(w, 'Normal', 'BackOff', msg, 'throttle');
      this.#wakeAt(w, entry.lastUpdate + entry.delayMs);
      return false;
    }
    this.#event(w, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = this.#clock.now();
    try {
      await this.#rt.pullImage(image, { signal: this.#abort.signal });
    } catch (err) {
      const delayMs = entry ? Math.min(entry.delayMs * 2, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
      w.pullBackoff.set(image, { delayMs, lastUpdate: this.#clock.now() });
      wait('ErrImagePull', errorMessage(err));
      this.#event(w, 'Warning', 'Failed', `Failed to pull image "${image}": ${errorMessage(err)}`);
      this.#event(w, 'Warning', 'Failed', 'Error: ErrImagePull');
      this.#wakeAt(w, this.#clock.now() + delayMs);
      return false;
    }
    w.pullBackoff.delete(image);
    const took = ((this.#clock.now() - t0) / 1000).toFixed(3);
    this.#event(w, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took}s`);
    return true;
  }

  #containerConfig(ctx: StartContext, c: Container, attempt: number): ContainerConfig {
    const { pod } = ctx;
    const envs = containerEnv(pod, c, this.#objects(), ctx.addr);
    const { command, args } = expandCommand(c, envs);
    const envMap = new Map(envs.map((e) => [e.name, e.value]));
    const mounts: Mount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const vol: MountedVolume | undefined = ctx.volumes.get(m.name);
      if (!vol)
        throw new InvalidError(
          `cannot find volume "${m.name}" to mount into container "${c.name}"`,
        );
      const sub = m.subPathExpr ? expand(m.subPathExpr, (n) => envMap.get(n)) : (m.subPath ?? '');
      if (sub.startsWith('/') || sub.split('/').includes('..')) {
        throw new InvalidError(
          `subPath ${JSON.stringify(sub)} must be relative and may not contain '..'`,
        );
      }
      const hostPath = sub ? join(vol.path, sub) : vol.path;
      if (sub && !vol.readOnly) mkdirSync(hostPath, { recursive: true });
      mounts.push({
        containerPath: m.mountPath,
        hostPath,
        readonly: Boolean(m.readOnly) || vol.readOnly,
      });
    }
    const sc = c.securityContext;
    const psc = pod.spec?.securityContext;
    const labels = {
      [LABEL_POD_NAME]: pod.metadata.name ?? '',
      [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default',
      [LABEL_POD_UID]: pod.metadata.uid ?? '',
      [LABEL_CONTAINER_NAME]: c.name,
    };
    return {
      metadata: { name: c.name, attempt },
      image: c.image ?? '',
      command,
      args,
      workingDir: c.workingDir,
      envs,
      mounts,
      logPath: `${c.name}/${attempt}.log`,
      stdin: c.stdin ?? false,
      stdinOnce: c.stdinOnce ?? false,
      tty: c.tty ?? false,
      labels,
      annotations: {
        'io.kubernetes.container.restartCount': String(attempt),
        [ANNOTATION_SPEC_IMAGE]: c.image ?? '',
        'io.kubernetes.pod.terminationGracePeriod': String(this.#graceOf(pod)),
      },
      resources: linuxResources(c),
      runAsUser: sc?.runAsUser ?? psc?.runAsUser,
      runAsGroup: sc?.runAsGroup ?? psc?.runAsGroup,
      privileged: sc?.privileged,
      readOnlyRootFilesystem: sc?.readOnlyRootFilesystem,
    };
  }

  #sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const spec = pod.spec!;
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const uid = pod.metadata.uid ?? '';
    const portMappings = spec.containers.flatMap((c) =>
      (c.ports ?? [])
        .filter((p) => p.hostPort)
        .map((p) => ({
          protocol: p.protocol ?? ('TCP' as const),
          containerPort: p.containerPort,
          hostPort: p.hostPort,
          hostIp: p.hostIP,
        })),
    );
    const dns = spec.dnsConfig;
    return {
      metadata: { name, namespace: ns, uid, attempt },
      hostname: (spec.hostname ?? name).slice(0, 63),
      logDirectory: this.#logDirectory(pod),
      hostNetwork: spec.hostNetwork ?? false,
      dnsServers: dns?.nameservers,
      dnsSearches: dns?.searches,
      dnsOptions: dns?.options?.map((o) =>
        o.value === undefined ? (o.name ?? '') : `${o.name}:${o.value}`,
      ),
      portMappings,
      labels: {
        ...(pod.metadata.labels ?? {}),
        [LABEL_POD_NAME]: name,
        [LABEL_POD_NAMESPACE]: ns,
        [LABEL_POD_UID]: uid,
      },
      annotations: { ...(pod.metadata.annotations ?? {}) },
    };
  }

  /** `<rootDir>/logs/pods/<ns>_<name>_<uid>`, as the kubelet's /var/log/pods. */
  #logDirectory(pod: Pod): string {
    const { namespace = 'default', name = '', uid = '' } = pod.metadata;
    return join(this.#o.rootDir, 'logs', 'pods', `${namespace}_${name}_${uid}`);
  }

  /** The pod's volumes and logs, once its containers are gone (claims' directories stay). */
  #removePodDirs(pod: Pod): void {
    rmSync(podDir(this.#o.rootDir, pod.metadata.uid ?? ''), { recursive: true, force: true });
    rmSync(this.#logDirectory(pod), { recursive: true, force: true });
  }

  #podIPs(sb: PodSandboxStatus): string[] {
    const ips = [sb.ip, ...(sb.additionalIps ?? [])].filter((x): x is string => Boolean(x));
    return ips.length ? ips : [this.#o.hostIP()];
  }

  #objects(): VolumeSource {
    const s = this.#store;
    return {
      configMap: (ns, name) => s.get('ConfigMap', ns, name) as ConfigMap | undefined,
      secret: (ns, name) => s.get('Secret', ns, name) as Secret | undefined,
      claim: (ns, name) => s.get('PersistentVolumeClaim', ns, name),
    };
  }

  #graceOf(pod: Pod): number {
    return pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S;
  }

  /** How an exited (or never started) instance ended. */
  #exitOf(w: PodWorker, c: RtContainer): ContainerStateTerminated {
    const containerID = `${this.#scheme}://${c.id}`;
    const startError = w.startErrors.get(c.id);
    if (startError !== undefined || c.state === 'created') {
      return {
        exitCode: 128,
        reason: 'StartError',
        message: startError ?? (c.message || 'the container was created but never started'),
        startedAt: rfc3339(new Date(0)),
        finishedAt: rfc3339(new Date(c.finishedAt || c.createdAt)),
        containerID,
      };
    }
    if (c.state === 'unknown') {
      return {
        exitCode: c.exitCode || 137,
        reason: c.reason || 'ContainerStatusUnknown',
        message: c.message || 'The container could not be located when the pod was terminated',
        startedAt: rfc3339(new Date(c.startedAt)),
        finishedAt: rfc3339(new Date(c.finishedAt || c.startedAt)),
        containerID,
      };
    }
    const t: ContainerStateTerminated = {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      startedAt: rfc3339(new Date(c.startedAt)),
      finishedAt: rfc3339(new Date(c.finishedAt)),
      containerID,
    };
    const message = c.message || w.logMessages.get(c.id);
    if (message) t.message = message;
    return t;
  }

  // ---- killing ----

  /** Stops one instance (preStop exec hook first, within the grace period). */
  async #kill(
    w: PodWorker,
    inst: RtContainer,
    spec: Container | undefined,
    graceSeconds: number,
    message: string,
  ): Promise<void> {
    this.#event(w, 'Normal', 'Killing', message);
    w.probers.get(inst.id)?.stop();
    w.probers.delete(inst.id);
    let grace = graceSeconds;
    const preStop = spec?.lifecycle?.preStop?.exec?.command;
    if (preStop && preStop.length > 0 && grace > 0 && inst.state === 'running') {
      const t0 = this.#clock.now();
      try {
        const r = await this.#rt.exec(inst.id, {
          cmd: preStop,
          tty: false,
          timeoutMs: grace * 1000,
        });
        if (r.exitCode !== 0) {
          this.#event(
            w,
            'Warning',
            'FailedPreStopHook',
            `PreStopHook failed: command '${preStop.join(' ')}' exited with ${r.exitCode}`,
          );
        }
      } catch (err) {
        this.#event(w, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${errorMessage(err)}`);
      }
      grace = Math.max(2, grace - Math.ceil((this.#clock.now() - t0) / 1000));
    }
    await this.#quiet(this.#rt.stopContainer(inst.id, grace));
  }

  async #killAll(w: PodWorker, pod: Pod, view: PodView, grace: number): Promise<void> {
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    await Promise.all(
      view.containers
        .filter((c) => c.state === 'running' || c.state === 'created')
        .map((c) => {
          const name = c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name;
          const spec = specs.find((s) => s.name === name);
          return this.#kill(w, c, spec, grace, `Stopping container ${name}`);
        }),
    );
  }

  /** Kill requests of probers (liveness/startup failures). */
  async #doKills(w: PodWorker, pod: Pod, view: PodView): Promise<void> {
    for (const [id, k] of [...w.kills]) {
      w.kills.delete(id);
      const inst = view.containers.find((c) => c.id === id);
      if (!inst || inst.state !== 'running') continue;
      const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
        (s) => s.name === k.containerName,
      );
      if (k.restart) w.skipBackoff.add(k.containerName);
      await this.#kill(w, inst, spec, k.graceSeconds, k.message);
    }
  }

  /** Graceful deletion: stop everything, report the final status, remove, then ask for the final delete. */
  async #terminate(w: PodWorker, pod: Pod, view: PodView): Promise<void> {
    const now = this.#clock.now();
    if (w.deleteSentAt !== undefined) {
      if (now - w.deleteSentAt >= DELETE_RETRY_MS) {
        w.deleteSentAt = now;
        this.#o.deletePod(pod);
      }
      this.#wakeAt(w, w.deleteSentAt + DELETE_RETRY_MS);
      return;
    }
    const grace = pod.metadata.deletionGracePeriodSeconds ?? this.#graceOf(pod);
    await this.#killAll(w, pod, view, grace);
    for (const sb of view.sandboxes) await this.#quiet(this.#stopSandbox(sb.id));
    // With no containers left (an agent restart during termination) the last
    // status stands.
    if (view.containers.length > 0) await this.#publish(w, pod, true);
    for (const sb of view.sandboxes) await this.#quiet(this.#removeSandbox(sb.id));
    await this.#removeLeftovers(w.uid);
    this.#removePodDirs(w.lastPod);
    this.#saveStatus(w.uid, undefined);
    w.deleteSentAt = now;
    this.#o.deletePod(pod);
    this.#wakeAt(w, now + DELETE_RETRY_MS);
  }

  /** The pod left the store (deleted in the cloud, or bound elsewhere): kill and clean up. */
  async #teardown(w: PodWorker, view: PodView): Promise<void> {
    const pod = w.lastPod;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? this.#graceOf(pod);
    if (w.deleteSentAt === undefined) await this.#killAll(w, pod, view, grace);
    for (const sb of view.sandboxes) {
      await this.#quiet(this.#stopSandbox(sb.id));
      await this.#quiet(this.#removeSandbox(sb.id));
    }
    await this.#removeLeftovers(w.uid);
    this.#removePodDirs(w.lastPod);
    this.#saveStatus(w.uid, undefined);
    w.timer?.cancel();
    w.timer = undefined;
    w.timerAt = Infinity;
    for (const p of w.probers.values()) p.stop();
    w.probers.clear();
    if (!w.pod) this.#workers.delete(w.uid);
  }

  /** Containers of the pod outside any sandbox we removed (a crash between steps). */
  async #removeLeftovers(uid: string): Promise<void> {
    for (const c of await this.#rt.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } })) {
      await this.#quiet(this.#rt.stopContainer(c.id, 0));
      await this.#quiet(this.#rt.removeContainer(c.id));
    }
  }

  // ---- status ----

  async #publish(w: PodWorker, pod: Pod, terminal: boolean): Promise<void> {
    if (this.#stopped) return;
    const view = await this.#view(w.uid);
    this.#syncProbers(w, pod, view);
    await this.#readFallbackMessages(w, pod, view);
    const status = this.#computeStatus(w, pod, view, terminal);
    if (w.status && stableJson(w.status) === stableJson(status)) return;
    w.status = status;
    this.#saveStatus(w.uid, status);
    if (!w.pod) return;
    try {
      this.#o.updateStatus(w.pod, status);
    } catch (err) {
      this.#log.warn({ pod: w.key, err: errorMessage(err) }, 'cannot queue the pod status');
    }
  }

  /**
   * terminationMessagePolicy FallbackToLogsOnError: an instance that failed
   * without a message gets the tail of its log (80 lines, 2 KiB at most), read
   * once per instance.
   */
  async #readFallbackMessages(w: PodWorker, pod: Pod, view: PodView): Promise<void> {
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const inst of view.containers) {
      if (inst.state !== 'exited' || inst.exitCode === 0 || inst.message) continue;
      if (w.logMessages.has(inst.id) || w.startErrors.has(inst.id)) continue;
      const name = inst.labels[LABEL_CONTAINER_NAME] ?? inst.metadata.name;
      const spec = specs.find((c) => c.name === name);
      if (spec?.terminationMessagePolicy !== 'FallbackToLogsOnError') continue;
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          cb();
        },
      });
      try {
        await readLogs(inst.logPath, { tailLines: 80, limitBytes: 2048 }, sink);
      } catch (err) {
        if (!isNotFound(err)) this.#log.debug({ err: errorMessage(err) }, 'cannot read a log');
      }
      w.logMessages.set(inst.id, Buffer.concat(chunks).toString('utf8'));
    }
  }

  /** A prober per running instance that has probes; stopped ones go. */
  #syncProbers(w: PodWorker, pod: Pod, view: PodView): void {
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    const running = new Set<string>();
    const sandbox = view.sandboxes.find((s) => s.state === 'ready');
    for (const inst of view.containers) {
      if (inst.state !== 'running') continue;
      running.add(inst.id);
      if (w.probers.has(inst.id)) continue;
      const name = inst.labels[LABEL_CONTAINER_NAME] ?? inst.metadata.name;
      const spec = specs.find((s) => s.name === name);
      if (!spec || !hasProbes(spec)) continue;
      if (!pod.spec?.containers.includes(spec) && !isSidecar(spec)) continue;
      const reported = [
        ...(w.status?.containerStatuses ?? []),
        ...(w.status?.initContainerStatuses ?? []),
      ].find((x) => x.containerID === `${this.#scheme}://${inst.id}`);
      const prober = new ContainerProber({
        // As the kubelet: a container that started before this agent did has
        // passed its startup probe; readiness is kept if the last status said so.
        initial: {
          started: reported?.started === true || inst.startedAt < this.#startedAt,
          ready: reported?.ready === true,
        },
        runtime: this.#rt,
        clock: this.#clock,
        container: spec,
        containerId: inst.id,
        startedAt: inst.startedAt,
        podIP: sandbox ? this.#podIPs(sandbox)[0] : this.#o.hostIP(),
        onChange: () => void this.#wake(w),
        onFailure: (kind) => {
          const policy = pod.spec?.restartPolicy ?? 'Always';
          const restart = policy !== 'Never';
          const probe = kind === 'Liveness' ? spec.livenessProbe : spec.startupProbe;
          w.kills.set(inst.id, {
            containerName: name,
            message: `Container ${name} failed ${kind.toLowerCase()} probe${restart ? ', will be restarted' : ''}`,
            restart,
            graceSeconds: probe?.terminationGracePeriodSeconds ?? this.#graceOf(pod),
          });
          void this.#wake(w);
        },
        event: (type, reason, message) => this.#event(w, type, reason, message),
        warnOnce: (message) => this.#event(w, 'Warning', 'ProbeNotSupported', message, 'once'),
      });
      w.probers.set(inst.id, prober);
      prober.start();
    }
    for (const [id, p] of [...w.probers]) {
      if (!running.has(id)) {
        p.stop();
        w.probers.delete(id);
      }
    }
  }

  #containerStatus(
    w: PodWorker,
    c: Container,
    insts: RtContainer[],
    defaultWaiting: string,
    isInit: boolean,
  ): ApiContainerStatus {
    const [cur, prev] = insts;
    const waiting = w.waiting.get(c.name);
    const wait = waiting && waiting.after === (cur?.id ?? '') ? waiting : undefined;
    const waitingState = (x: Waiting): ApiContainerState => ({
      waiting:
        x.message === undefined ? { reason: x.reason } : { reason: x.reason, message: x.message },
    });
    const s: ApiContainerStatus = {
      name: c.name,
      state: {},
      lastState: {},
      ready: false,
      restartCount: cur?.metadata.attempt ?? 0,
      image: cur?.image || c.image || '',
      imageID: cur?.imageRef ?? '',
      started: false,
    };
    if (!cur) {
      s.state = waitingState(wait ?? { reason: defaultWaiting });
      return s;
    }
    s.containerID = `${this.#scheme}://${cur.id}`;
    if (cur.state === 'running') {
      s.state = { running: { startedAt: rfc3339(new Date(cur.startedAt)) } };
      if (prev) s.lastState = { terminated: this.#exitOf(w, prev) };
      const prober = w.probers.get(cur.id);
      s.started = prober ? prober.started : true;
      s.ready = isInit && !isSidecar(c) ? false : prober ? prober.started && prober.ready : true;
      return s;
    }
    const t = this.#exitOf(w, cur);
    if (wait) {
      s.state = waitingState(wait);
      s.lastState = { terminated: t };
    } else {
      s.state = { terminated: t };
      if (prev) s.lastState = { terminated: this.#exitOf(w, prev) };
    }
    if (isInit && !isSidecar(c) && !wait && t.exitCode === 0) s.ready = true;
    return s;
  }

  #computeStatus(w: PodWorker, pod: Pod, view: PodView, terminal: boolean): PodStatus {
    const spec = pod.spec!;
    const now = rfc3339(new Date(this.#clock.now()));
    const hostIP = this.#o.hostIP();
    const sandbox = view.sandboxes.find((s) => s.state === 'ready');
    const byName = new Map<string, RtContainer[]>();
    for (const c of view.containers) {
      const name = c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name;
      let a = byName.get(name);
      if (!a) byName.set(name, (a = []));
      a.push(c);
    }
    const inits = spec.initContainers ?? [];
    const defaultWaiting = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
    const initStatuses = inits.map((c) =>
      this.#containerStatus(w, c, byName.get(c.name) ?? [], defaultWaiting, true),
    );
    const statuses = spec.containers.map((c) =>
      this.#containerStatus(w, c, byName.get(c.name) ?? [], defaultWaiting, false),
    );

    const sidecars = new Set(inits.filter(isSidecar).map((c) => c.name));
    let phase = computePhase(
      spec.restartPolicy ?? 'Always',
      initStatuses,
      statuses,
      terminal,
      sidecars,
    );
    const prevPhase = w.status?.phase;
    if (prevPhase === 'Succeeded' || prevPhase === 'Failed') phase = prevPhase;
    let reason: string | undefined;
    let message: string | undefined;
    if (w.deadlineExceeded) {
      phase = 'Failed';
      reason = 'DeadlineExceeded';
      message = 'Pod was active on the node longer than the specified deadline';
    }
    const done = phase === 'Succeeded' || phase === 'Failed';

    const incompleteInit = initStatuses
      .filter((s) => (sidecars.has(s.name) ? !sidecarUp(s) : s.state?.terminated?.exitCode !== 0))
      .map((s) => s.name);
    const unready = [...initStatuses.filter((s) => sidecars.has(s.name)), ...statuses]
      .filter((s) => !s.ready)
      .map((s) => s.name);
    const gates = (spec.readinessGates ?? []).map((g) => g.conditionType);
    const stored = pod.status?.conditions ?? [];
    const gateProblem = gates
      .map((g) => {
        const cond = stored.find((x) => x.type === g);
        if (!cond) return `corresponding condition of pod readiness gate "${g}" does not exist.`;
        return cond.status === 'True'
          ? ''
          : `the status of pod readiness gate "${g}" is not "True", but ${cond.status}`;
      })
      .filter(Boolean);

    const mine: PodCondition[] = [];
    const cond = (type: string, ok: boolean, why?: string, text?: string): void => {
      const c: PodCondition = { type, status: ok ? 'True' : 'False' };
      if (why) c.reason = why;
      if (text) c.message = text;
      mine.push(c);
    };
    cond('PodReadyToStartContainers', Boolean(sandbox) && !done);
    if (incompleteInit.length === 0) cond('Initialized', true, done ? 'PodCompleted' : undefined);
    else
      cond(
        'Initialized',
        false,
        'ContainersNotInitialized',
        `containers with incomplete status: [${incompleteInit.join(' ')}]`,
      );
    const containersMsg = `containers with unready status: [${unready.join(' ')}]`;
    if (done) {
      cond('Ready', false, 'PodCompleted');
      cond('ContainersReady', false, 'PodCompleted');
    } else {
      if (unready.length > 0) cond('Ready', false, 'ContainersNotReady', containersMsg);
      else if (gateProblem.length > 0)
        cond('Ready', false, 'ReadinessGatesNotReady', gateProblem.join(', '));
      else cond('Ready', true);
      if (unready.length > 0) cond('ContainersReady', false, 'ContainersNotReady', containersMsg);
      else cond('ContainersReady', true);
    }
    const previous = w.status?.conditions ?? [];
    for (const c of mine) {
      const p = previous.find((x) => x.type === c.type);
      c.lastTransitionTime =
        p && p.status === c.status && p.lastTransitionTime ? p.lastTransitionTime : now;
    }
    const owned = new Set(mine.map((c) => c.type));
    const conditions = [...mine, ...stored.filter((c) => !owned.has(c.type))];

    const status: PodStatus = { phase, conditions };
    if (reason) status.reason = reason;
    if (message) status.message = message;
    status.hostIP = hostIP;
    status.hostIPs = [{ ip: hostIP }];
    if (sandbox) {
      const ips = this.#podIPs(sandbox);
      status.podIP = ips[0];
      status.podIPs = ips.map((ip) => ({ ip }));
    } else if (w.status?.podIP && done) {
      status.podIP = w.status.podIP;
      status.podIPs = w.status.podIPs;
    }
    if (w.startTime) status.startTime = w.startTime;
    if (inits.length > 0) status.initContainerStatuses = initStatuses;
    status.containerStatuses = statuses;
    const qos = pod.status?.qosClass ?? w.status?.qosClass;
    if (qos) status.qosClass = qos;
    return status;
  }

  // ---- ContainerLookup ----

  #podFor(namespace: string, name: string): Pod {
    const pod = this.#store.get('Pod', namespace, name) as Pod | undefined;
    if (!pod || !this.#isOurs(pod)) throw new NotFoundError(`pod "${name}" not found`);
    return pod;
  }

  async findContainer(
    namespace: string,
    pod: string,
    container: string | undefined,
    options: { previous?: boolean; forExec?: boolean },
  ): Promise<ContainerRef> {
    const p = this.#podFor(namespace, pod);
    const spec = p.spec!;
    let name = container;
    if (!name) {
      const def = p.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
      if (def && spec.containers.some((c) => c.name === def)) name = def;
      else if (spec.containers.length === 1) name = spec.containers[0].name;
      else {
        throw new InvalidError(
          `a container name must be specified for pod ${pod}, choose one of: [${spec.containers.map((c) => c.name).join(' ')}]`,
        );
      }
    }
    const c = [...spec.containers, ...(spec.initContainers ?? [])].find((x) => x.name === name);
    if (!c) throw new InvalidError(`container ${name} is not valid for pod ${pod}`);
    const insts = (
      await this.#rt.listContainers({
        labelSelector: { [LABEL_POD_UID]: p.metadata.uid!, [LABEL_CONTAINER_NAME]: name },
      })
    ).sort(byNewest);
    let inst: RtContainer | undefined;
    if (options.previous) {
      inst = insts[1];
      if (!inst)
        throw new InvalidError(`previous terminated container "${name}" in pod "${pod}" not found`);
    } else {
      inst = insts[0];
      if (!inst) {
        const w = this.#workers.get(p.metadata.uid!);
        const waiting = w?.waiting.get(name)?.reason;
        const why =
          waiting === 'ErrImagePull' || waiting === 'ImagePullBackOff'
            ? 'trying and failing to pull image'
            : (waiting ??
              ((spec.initContainers ?? []).length > 0 ? 'PodInitializing' : 'ContainerCreating'));
        throw new InvalidError(`container "${name}" in pod "${pod}" is waiting to start: ${why}`);
      }
    }
    const running = inst.state === 'running';
    if (options.forExec && !running) throw new InvalidError(`container ${name} is not running`);
    return {
      containerId: inst.id,
      logPath: inst.logPath,
      running,
      stdin: c.stdin ?? false,
      tty: c.tty ?? false,
    };
  }

  async findSandbox(namespace: string, pod: string): Promise<string> {
    const p = this.#podFor(namespace, pod);
    const sb = (await this.#listSandboxes()).find(
      (s) => s.labels[LABEL_POD_UID] === p.metadata.uid && s.state === 'ready',
    );
    if (!sb) throw new InvalidError(`pod ${pod} is not running`);
    return sb.id;
  }
}

interface StartContext {
  pod: Pod;
  sandbox: PodSandboxStatus;
  addr: PodAddresses;
  volumes: Map<string, MountedVolume>;
}

/** Whether the pod uses the ConfigMap / Secret / claim `name` (volumes, env, envFrom). */
function references(pod: Pod, kind: string, name: string): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  for (const v of spec.volumes ?? []) {
    if (kind === 'ConfigMap' && v.configMap?.name === name) return true;
    if (kind === 'Secret' && v.secret?.secretName === name) return true;
    if (kind === 'PersistentVolumeClaim' && v.persistentVolumeClaim?.claimName === name)
      return true;
    for (const s of v.projected?.sources ?? []) {
      if (kind === 'ConfigMap' && s.configMap?.name === name) return true;
      if (kind === 'Secret' && s.secret?.name === name) return true;
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const f of c.envFrom ?? []) {
      if (kind === 'ConfigMap' && f.configMapRef?.name === name) return true;
      if (kind === 'Secret' && f.secretRef?.name === name) return true;
    }
    for (const e of c.env ?? []) {
      if (kind === 'ConfigMap' && e.valueFrom?.configMapKeyRef?.name === name) return true;
      if (kind === 'Secret' && e.valueFrom?.secretKeyRef?.name === name) return true;
    }
  }
  return false;
}

/** A sidecar counts as initialized once it has started (or ran before and is being restarted). */
function sidecarUp(s: ApiContainerStatus): boolean {
  return s.state?.running ? s.started === true : s.restartCount > 0;
}

/** The pod phase as the kubelet's getPhase computes it from the container statuses. */
export function computePhase(
  restartPolicy: string,
  inits: ApiContainerStatus[],
  containers: ApiContainerStatus[],
  podIsTerminal: boolean,
  sidecars: ReadonlySet<string> = new Set(),
): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of inits) {
    const st = s.state ?? {};
    if (sidecars.has(s.name)) {
      if (!sidecarUp(s)) pendingInit++;
      continue;
    }
    if (st.running) pendingInit++;
    else if (st.terminated) {
      if (st.terminated.exitCode !== 0) failedInit++;
    } else if (st.waiting) {
      const last = s.lastState?.terminated;
      if (last) {
        if (last.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of containers) {
    const st = s.state ?? {};
    if (st.running) running++;
    else if (st.terminated) {
      stopped++;
      if (st.terminated.exitCode === 0) succeeded++;
    } else if (st.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (podIsTerminal) {
    // Everything was stopped for a deletion: the kubelet reports a terminal phase.
    if (running > 0) return 'Running';
    return stopped > 0 && stopped === succeeded && waiting === 0 ? 'Succeeded' : 'Failed';
  }
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Never') return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    return stopped === succeeded ? 'Succeeded' : 'Running';
  }
  return 'Pending';
}

/** True when `next` differs from `prev` only in status and bookkeeping metadata. */
function statusOnlyChange(prev: Pod, next: Pod): boolean {
  const strip = (p: Pod): unknown => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = p.metadata;
    return { meta, spec: p.spec };
  };
  return JSON.stringify(strip(prev)) === JSON.stringify(strip(next));
}
