/**
 * Node conditions as the node lifecycle controller reads and writes them. The
 * wording (reasons, messages) is Kubernetes' own, so `kubectl describe node`
 * reads the same as on any cluster.
 */
import type { Node, NodeCondition } from '../../api/types/core.ts';
import { clone } from '../../util/objects.ts';

/**
 * The conditions a node agent reports and the controller turns Unknown when it
 * falls silent. NetworkUnavailable is left alone, as in Kubernetes: it belongs
 * to the network plugin, not the agent.
 */
export const AGENT_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const REASON_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** The node's Ready status; undefined when it has never reported one. */
export function readyStatus(node: Node): NodeCondition['status'] | undefined {
  return nodeCondition(node, 'Ready')?.status;
}

/**
 * The node with every agent condition set to Unknown, as for a node whose
 * agent stopped reporting: a condition that was True or False becomes Unknown
 * with reason NodeStatusUnknown and a new lastTransitionTime, keeping its
 * lastHeartbeatTime (the last time the agent really spoke); a missing one is
 * added with reason NodeStatusNeverUpdated and the node's creation time as its
 * heartbeat. Conditions already Unknown are kept as they are, so the result is
 * stable: returns undefined when nothing would change. Does not mutate `node`;
 * the caller owns the returned copy.
 */
export function markNodeStatusUnknown(node: Node, now: string): Node | undefined {
  const out = clone(node);
  out.status ??= {};
  const conditions = (out.status.conditions ??= []);
  let changed = false;
  for (const type of AGENT_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: REASON_NEVER_UPDATED,
        message: MESSAGE_NEVER_UPDATED,
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = REASON_STATUS_UNKNOWN;
      c.message = MESSAGE_STATUS_UNKNOWN;
      c.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? out : undefined;
}
