/**
 * Test support for the workload controllers (not a test file itself): the
 * in-process API of src/controllers/testing.ts, with optional extra admission
 * plugins (to make the API refuse pods the way a quota would), the ReplicaSet and Deployment controllers running on a
 * FakeClock, and the test's side of the kubelet (marking pods Ready, removing
 * terminated pods).
 */
import { GVR } from '../../api/client.ts';
import type { Event, Pod } from '../../api/types/core.ts';
import { ForbiddenError } from '../../util/errors.ts';
import type { AdmissionPlugin } from '../../apiserver/admission.ts';
import type { LocalClient } from '../../apiserver/local-client.ts';
import { FakeClock } from '../../util/clock.ts';
import { DeploymentController } from '../deployment.ts';
import { ReplicaSetController } from '../replicaset.ts';
import { testApi } from '../testing.ts';
import { rfc3339 } from '../time.ts';

export interface HarnessOptions {
  /** Extra admission plugins, after the standard ones. */
  admission?: AdmissionPlugin[];
  /** Run the Deployment controller too (default true). */
  deployments?: boolean;
}

export interface UntilOptions {
  /** Fake time to advance between checks. Default 5 ms. */
  stepMs?: number;
  /** Checks before giving up. Default 2000. */
  maxSteps?: number;
}

export interface Harness {
  client: LocalClient;
  clock: FakeClock;
  replicaSets: ReplicaSetController;
  /**
   * Advances fake time in steps until `check` returns a value other than
   * undefined/false/null, and returns it; throws naming `what` otherwise.
   */
  until<T>(
    what: string,
    check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
    options?: UntilOptions,
  ): Promise<T>;
  /** Lets the controllers catch up without a condition to wait for. */
  quiesce(ms?: number): Promise<void>;
  /** Active pods (not terminating, not finished) in `namespace`, by name. */
  pods(namespace?: string): Promise<Pod[]>;
  /** The kubelet's part: Running and Ready since now. */
  markReady(pod: Pod): Promise<void>;
  /** Events in `namespace`, oldest first, as `Reason: message`. */
  events(namespace?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock();
  const api = await testApi({ clock, admission: options.admission });
  const { client } = api;
  const manager = api.manager();
  let replicaSets!: ReplicaSetController;
  manager.add((ctx) => (replicaSets = new ReplicaSetController(ctx)));
  if (options.deployments ?? true) manager.add((ctx) => new DeploymentController(ctx));
  const abort = new AbortController();
  const running = manager.run(abort.signal);
  await manager.synced();

  const harness: Harness = {
    client,
    clock,
    replicaSets,
    async until(what, check, o = {}) {
      const steps = o.maxSteps ?? 2000;
      for (let i = 0; i <= steps; i++) {
        const v = await check();
        if (v !== undefined && v !== false && v !== null) return v;
        await clock.advance(o.stepMs ?? 5);
      }
      throw new Error(`timed out waiting for ${what}`);
    },
    async quiesce(ms = 200) {
      for (let t = 0; t < ms; t += 5) await clock.advance(5);
    },
    async pods(namespace = 'default') {
      const list = await client.list<Pod>(GVR.pods, namespace);
      return list.items
        .filter(
          (p) =>
            !p.metadata.deletionTimestamp &&
            p.status?.phase !== 'Succeeded' &&
            p.status?.phase !== 'Failed',
        )
        .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    },
    async markReady(pod) {
      await client.patch(
        GVR.pods,
        pod.metadata.namespace,
        pod.metadata.name!,
        'merge',
        {
          status: {
            phase: 'Running',
            conditions: [
              { type: 'Ready', status: 'True', lastTransitionTime: rfc3339(clock.now()) },
            ],
          },
        },
        { subresource: 'status' },
      );
    },
    async events(namespace = 'default') {
      const list = await client.list<Event>(GVR.events, namespace);
      return list.items
        .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
        .map((e) => `${e.reason}: ${e.message}`);
    },
    async stop() {
      abort.abort();
      await running;
      await api.close();
    },
  };
  return harness;
}

/**
 * An admission plugin that admits at most `limit.pods` pod creations and
 * refuses the rest as Kubernetes' ResourceQuota does (403 Forbidden,
 * "exceeded quota"). `limit.pods` may be raised during a test; `attempts`
 * counts every pod create that reached admission.
 */
export function podQuota(limit: { pods: number }): AdmissionPlugin & {
  attempts: number;
  admitted: number;
} {
  const plugin = {
    name: 'TestPodQuota',
    attempts: 0,
    admitted: 0,
    validate(r: Parameters<NonNullable<AdmissionPlugin['validate']>>[0]): void {
      if (r.operation !== 'CREATE' || r.type.resource !== 'pods' || r.type.group !== '') return;
      plugin.attempts++;
      if (plugin.admitted >= limit.pods) {
        throw new ForbiddenError(
          `pods "${r.object?.metadata.name}" is forbidden: exceeded quota: pod-count, ` +
            `requested: pods=1, used: pods=${plugin.admitted}, limited: pods=${limit.pods}`,
        );
      }
      plugin.admitted++;
    },
  };
  return plugin;
}
