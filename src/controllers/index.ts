/**
 * The one registry of Verge's controllers: what `verge server` runs.
 */
import { daemonSetController } from './daemonset.ts';
import { deploymentController } from './deployment.ts';
import { garbageCollectorController } from './garbage-collector.ts';
import type { ControllerFactory } from './manager.ts';
import { namespaceController } from './namespace.ts';
import { nodeLifecycleControllerWith } from './node-lifecycle.ts';
import { podGcController } from './pod-gc.ts';
import { replicaSetController } from './replicaset.ts';
import { schedulerController } from './scheduler.ts';
import { serviceAccountController } from './serviceaccount.ts';

export interface ControllerOptions {
  /** How long a node may be silent before it is marked Unknown. Default 40 s. */
  nodeMonitorGracePeriodMs?: number;
}

export function defaultControllers(options: ControllerOptions = {}): ControllerFactory[] {
  return [
    schedulerController,
    replicaSetController,
    deploymentController,
    daemonSetController,
    garbageCollectorController,
    namespaceController,
    serviceAccountController,
    podGcController,
    nodeLifecycleControllerWith(
      options.nodeMonitorGracePeriodMs === undefined
        ? {}
        : { gracePeriodMs: options.nodeMonitorGracePeriodMs },
    ),
  ];
}
