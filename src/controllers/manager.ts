/**
 * Runs Verge's controllers in process. Each controller is built with a
 * ControllerContext, from which it takes shared informers (one per resource,
 * however many controllers watch it) and an event recorder; the manager starts
 * the informers, waits until each has loaded its first list, then runs the
 * controllers until the signal aborts.
 *
 * The registry of controllers is `DEFAULT_CONTROLLERS` in ./index.ts: one place.
 */
import type { Logger } from '../util/log.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { gvrKey, type Client, type GroupVersionResource } from '../api/client.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { EventRecorder } from './events.ts';
import { Informer } from './informer.ts';

export interface Controller {
  readonly name: string;
  /** Runs until `signal` aborts. Called once the informers it took have synced. */
  run(signal: AbortSignal): Promise<void>;
}

export interface ControllerContext {
  client: Client;
  log: Logger;
  clock: Clock;
  /** The shared informer of a resource (cluster-wide, unfiltered). */
  informer<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): Informer<T>;
  /** An event recorder reporting as `component`. */
  recorder(component: string): EventRecorder;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

export interface ControllerManagerOptions {
  client: Client;
  log: Logger;
  clock?: Clock;
}

export class ControllerManager implements ControllerContext {
  readonly client: Client;
  readonly log: Logger;
  readonly clock: Clock;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #controllers: Controller[] = [];
  readonly #recorders = new Map<string, EventRecorder>();

  constructor(options: ControllerManagerOptions) {
    this.client = options.client;
    this.log = options.log.child({ component: 'controller-manager' });
    this.clock = options.clock ?? realClock;
  }

  informer<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): Informer<T> {
    const key = gvrKey(gvr);
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, gvr, this.log, { clock: this.clock });
      this.#informers.set(key, inf);
    }
    return inf as unknown as Informer<T>;
  }

  recorder(component: string): EventRecorder {
    let r = this.#recorders.get(component);
    if (!r) {
      r = new EventRecorder(this.client, this.log, { component, clock: this.clock });
      this.#recorders.set(component, r);
    }
    return r;
  }

  add(factory: ControllerFactory): Controller {
    const c = factory(this);
    this.#controllers.push(c);
    return c;
  }

  /** Resolves when every informer has its first list (tests use it). */
  async synced(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.synced()));
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [...this.#informers.values()].map((i) => i.run(signal));
    await Promise.race([
      this.synced(),
      new Promise((r) => signal.addEventListener('abort', r, { once: true })),
    ]);
    if (signal.aborted) {
      await Promise.all(informers);
      return;
    }
    this.log.info({ controllers: this.#controllers.map((c) => c.name) }, 'controllers starting');
    const controllers = this.#controllers.map((c) =>
      c
        .run(signal)
        .catch((err: unknown) => this.log.error({ err, controller: c.name }, 'controller stopped')),
    );
    await Promise.all([...informers, ...controllers]);
  }
}
