/**
 * The pod table: the columns of `kubectl get pods` and kubectl's reading of a
 * pod's state (the STATUS column), which users know better than the phase.
 */
import type { Container, ContainerStatus, Pod, PodCondition } from '../types/core.ts';
import type { KubeObject } from '../types/meta.ts';
import { age, humanDuration, isSetTime, parseTimestamp } from './format.ts';
import {
  ageColumn,
  column,
  nameColumn,
  type TablePrinter,
  type TableRowCells,
  type TableRowCondition,
} from './table.ts';

/** Reason the node lifecycle controller gives pods on a node that stopped reporting. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

/** An init container that keeps running beside the app containers (a sidecar). */
function isRestartable(container: Container | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

/** Whether the first condition of `type` is True (Kubernetes ignores later duplicates). */
function firstConditionTrue(conditions: PodCondition[] | undefined, type: string): boolean {
  return conditions?.find((x) => x.type === type)?.status === 'True';
}

/** Whether any condition of `type` is True. */
function anyConditionTrue(conditions: PodCondition[] | undefined, type: string): boolean {
  return conditions?.some((x) => x.type === type && x.status === 'True') ?? false;
}

/** The later of `latest` and the finish time of the container's previous run, in epoch ms. */
function laterFinish(latest: number | undefined, status: ContainerStatus): number | undefined {
  const finished = status.lastState?.terminated?.finishedAt;
  if (!isSetTime(finished)) return latest;
  const t = parseTimestamp(finished);
  return t !== undefined && (latest === undefined || t > latest) ? t : latest;
}

function terminatedText(exit: { exitCode?: number; signal?: number }, prefix: string): string {
  return (exit.signal ?? 0) !== 0
    ? `${prefix}Signal:${exit.signal}`
    : `${prefix}ExitCode:${exit.exitCode ?? 0}`;
}

interface PodState {
  ready: string;
  status: string;
  restarts: string;
}

/**
 * kubectl's summary of a pod: READY (`ready/total`, sidecars counted), STATUS
 * (the phase, refined by the pod's reason, scheduling gates, init progress,
 * container waiting/terminated reasons, and deletion) and RESTARTS (with the
 * age of the last restart when known).
 */
export function podState(pod: Pod, now: Date): PodState {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const initSpecs = spec?.initContainers ?? [];
  const initByName = new Map(initSpecs.map((c) => [c.name, c]));

  const total = (spec?.containers ?? []).length + initSpecs.filter(isRestartable).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;

  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestart = laterFinish(lastRestart, cs);
    const restartable = isRestartable(initByName.get(cs.name));
    if (restartable) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated !== undefined && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated !== undefined) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminatedText(terminated, 'Init:');
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || firstConditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Backwards, so the first container with something to say has the last word.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = laterFinish(lastRestart, cs);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated !== undefined) {
        reason = terminatedText(terminated, '');
      } else if (cs.ready && cs.state?.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    // Some containers finished, others still run: the pod is not "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = anyConditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp != null && status.reason === NODE_UNREACHABLE_REASON) {
    reason = 'Unknown';
  } else if (
    pod.metadata.deletionTimestamp != null &&
    phase !== 'Succeeded' &&
    phase !== 'Failed'
  ) {
    reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsText = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  let met = 0;
  for (const gate of gates) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (c?.status === 'True') met++;
  }
  return `${met}/${gates.length}`;
}

const COMPLETED: Record<string, TableRowCondition> = {
  Succeeded: {
    type: 'Completed',
    status: 'True',
    reason: 'Succeeded',
    message: 'Every container finished successfully.',
  },
  Failed: {
    type: 'Completed',
    status: 'True',
    reason: 'Failed',
    message: 'The pod finished with a failure.',
  },
};

export const podPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Ready containers out of all containers (sidecars included).'),
    column('Status', 'string', "kubectl's summary of the pod's state."),
    column('Restarts', 'string', 'Container restarts, and how long ago the last one was.'),
    ageColumn(),
    column('IP', 'string', "The pod's first IP address.", { priority: 1 }),
    column('Node', 'string', 'Node the pod is bound to.', { priority: 1 }),
    column('Nominated Node', 'string', 'Node a preempting pod is expected to run on.', {
      priority: 1,
    }),
    column('Readiness Gates', 'string', 'Readiness gates satisfied out of all declared.', {
      priority: 1,
    }),
  ],
  row(obj: KubeObject, now: Date): TableRowCells {
    const pod = obj as Pod;
    const state = podState(pod, now);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    const row: TableRowCells = {
      cells: [
        pod.metadata.name ?? '',
        state.ready,
        state.status,
        state.restarts,
        age(pod.metadata.creationTimestamp, now),
        ip,
        pod.spec?.nodeName || '<none>',
        pod.status?.nominatedNodeName || '<none>',
        readinessGates(pod),
      ],
    };
    const completed = COMPLETED[pod.status?.phase ?? ''];
    if (completed !== undefined) row.conditions = [{ ...completed }];
    return row;
  },
};
