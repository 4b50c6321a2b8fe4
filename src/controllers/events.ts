/**
 * Records core/v1 Events about objects, as Kubernetes' event recorder does:
 * `kubectl describe` and `kubectl get events` show them.
 *
 * - Repeats aggregate: the same (object, type, reason, message) within ten
 *   minutes bumps `count` and `lastTimestamp` of one Event instead of creating
 *   another.
 * - Spam is bounded: each object may emit 25 events in a burst, then one per
 *   five minutes (Kubernetes' defaults); the excess is dropped, never queued.
 * - Recording never blocks or fails the caller: writes happen in the background,
 *   and a failed write is logged and forgotten.
 */
import { randomBytes } from 'node:crypto';
import { isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { GVR, type Client } from '../api/client.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { rfc3339 } from './time.ts';

export type EventType = 'Normal' | 'Warning';

const AGGREGATE_WINDOW_MS = 10 * 60_000;
const BURST = 25;
const REFILL_MS = 5 * 60_000;
const MAX_TRACKED = 4096;

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  last: number;
}

export interface EventRecorderOptions {
  /** The component that reports (source.component), e.g. `deployment-controller`. */
  component: string;
  clock?: Clock;
}

export class EventRecorder {
  readonly #client: Client;
  readonly #log: Logger;
  readonly #component: string;
  readonly #clock: Clock;
  readonly #recent = new Map<string, Recorded>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #chain: Promise<void> = Promise.resolve();

  constructor(client: Client, log: Logger, options: EventRecorderOptions) {
    this.#client = client;
    this.#log = log;
    this.#component = options.component;
    this.#clock = options.clock ?? realClock;
  }

  /** Resolves once every event recorded so far has been written (tests). */
  flush(): Promise<void> {
    return this.#chain;
  }

  #allow(uid: string): boolean {
    const now = this.#clock.now();
    let b = this.#buckets.get(uid);
    if (!b) {
      if (this.#buckets.size >= MAX_TRACKED)
        this.#buckets.delete(this.#buckets.keys().next().value!);
      this.#buckets.set(uid, (b = { tokens: BURST, at: now }));
    }
    const refill = Math.floor((now - b.at) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.at += refill * REFILL_MS;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  /** Records an event about `obj`. Returns at once. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const uid = obj.metadata.uid ?? `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
    if (!this.#allow(uid)) return;
    const key = `${uid}\u0000${type}\u0000${reason}\u0000${message}`;
    const now = this.#clock.now();
    this.#chain = this.#chain
      .then(() => this.#write(obj, key, type, reason, message, now))
      .catch((err: unknown) => {
        this.#log.debug({ err, reason }, 'event not recorded');
      });
  }

  async #write(
    obj: KubeObject,
    key: string,
    type: EventType,
    reason: string,
    message: string,
    now: number,
  ): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const seen = this.#recent.get(key);
    if (seen && now - seen.last < AGGREGATE_WINDOW_MS) {
      seen.count++;
      seen.last = now;
      try {
        await this.#client.patch(GVR.events, seen.namespace, seen.name, 'merge', {
          count: seen.count,
          lastTimestamp: rfc3339(now),
        });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // Deleted meanwhile: record afresh below.
      }
    }
    const name = `${obj.metadata.name}.${now.toString(16)}${randomBytes(2).toString('hex')}`;
    await this.#client.create(GVR.events, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#component,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
    });
    if (this.#recent.size >= MAX_TRACKED) this.#recent.delete(this.#recent.keys().next().value!);
    this.#recent.set(key, { name, namespace, count: 1, last: now });
  }
}
