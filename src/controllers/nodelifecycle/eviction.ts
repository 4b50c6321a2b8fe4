/**
 * Eviction decisions for pods on unreachable or not-ready nodes, Verge's edge
 * rules (see src/controllers/node-lifecycle.ts for why they differ from
 * Kubernetes), and the bounds that keep a mass outage from becoming a storm of
 * deletions.
 */
import type { Node, Pod, Taint } from '../../api/types/core.ts';
import { parseDuration } from '../../util/duration.ts';
import { readyStatus } from './conditions.ts';
import { matchingToleration } from './taints.ts';

/** Per-node opt-in to Kubernetes-style eviction of pods that do not tolerate the taint. */
export const EVICTION_ANNOTATION = 'node.verge.io/unreachable-eviction';

/**
 * How long pods WITHOUT a matching toleration may stay on the node once it is
 * tainted unreachable or not-ready, from the node's annotation: a duration
 * (`5m`, `90s`, `0s`), or undefined for never (`never`, empty or absent: the
 * edge default). Throws InvalidError for anything else.
 */
export function untoleratedEvictionAfter(node: Node): number | undefined {
  const value = node.metadata.annotations?.[EVICTION_ANNOTATION]?.trim();
  if (!value || value === 'never') return undefined;
  return parseDuration(value, EVICTION_ANNOTATION);
}

/**
 * When (ms since the epoch) `pod` is to be evicted because of `taint`, counted
 * from `taintSince` (the taint's timeAdded); undefined when never. A matching
 * toleration decides: with tolerationSeconds, that many seconds (zero or less:
 * at once); without, forever. With no matching toleration the pod stays unless
 * the node opted in (`untoleratedAfterMs`).
 */
export function evictionTime(
  pod: Pod,
  taint: Taint,
  taintSince: number,
  untoleratedAfterMs: number | undefined,
): number | undefined {
  const toleration = matchingToleration(pod.spec?.tolerations, taint);
  if (toleration) {
    const seconds = toleration.tolerationSeconds;
    if (seconds == null) return undefined;
    return taintSince + Math.max(0, seconds) * 1000;
  }
  return untoleratedAfterMs === undefined ? undefined : taintSince + untoleratedAfterMs;
}

/**
 * Whether evictions should pause because so many nodes are unhealthy (Ready
 * not True) at once that the likelier cause is the network between the cloud
 * and the edge, not the nodes: more than two nodes, and at least `threshold`
 * of all nodes. Kubernetes stops evictions in the same situation in clusters
 * of up to 50 nodes (partial or full disruption); Verge applies it cluster-wide
 * whatever the size, without zones.
 */
export function evictionsPaused(nodes: readonly Node[], threshold: number): boolean {
  let unhealthy = 0;
  for (const n of nodes) if (readyStatus(n) !== 'True') unhealthy++;
  return unhealthy > 2 && unhealthy >= threshold * nodes.length;
}

/**
 * A token bucket on an injected time source: `burst` tokens, refilled at
 * `perSecond`. Not thread-safe by design (one event loop).
 */
export class TokenBucket {
  readonly #perSecond: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, burst: number, now: number) {
    this.#perSecond = perSecond;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
    this.#at = now;
  }

  /**
   * Takes a token if one is there and returns 0; otherwise takes nothing and
   * returns how many ms until one will be (Infinity when the rate is zero).
   */
  take(now: number): number {
    if (now > this.#at) {
      this.#tokens = Math.min(
        this.#burst,
        this.#tokens + ((now - this.#at) / 1000) * this.#perSecond,
      );
      this.#at = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    if (this.#perSecond <= 0) return Infinity;
    return Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000);
  }
}
