/**
 * When each node last showed a sign of life, on the controller's own clock.
 *
 * A heartbeat is a CHANGE the node agent made: a new Lease renewTime or a new
 * lastHeartbeatTime on its Ready condition. The time recorded is when the
 * controller saw the change, not the timestamp the node wrote, as Kubernetes'
 * controller does: edge clocks drift, and a node whose clock runs ten minutes
 * slow must not look dead while it renews every ten seconds. The first time a
 * node is seen (a new node, or every node after a controller restart) counts
 * as a heartbeat, so a restart after a long cloud outage gives each node a full
 * grace period to reconnect instead of failing them all at once.
 *
 * In memory only; losing it on restart is safe for the reason above.
 */
export class HeartbeatTracker {
  readonly #seen = new Map<string, { lease?: string; ready?: string; at: number }>();

  /**
   * Records what the node shows now (`lease`: the Lease's renewTime; `ready`:
   * the Ready condition's lastHeartbeatTime) and returns the time of its last
   * heartbeat: `now` if either changed (or the node is new), else the earlier
   * time. A value that disappears (a deleted Lease) is not a heartbeat.
   */
  observe(name: string, lease: string | undefined, ready: string | undefined, now: number): number {
    const prev = this.#seen.get(name);
    if (!prev) {
      this.#seen.set(name, { lease, ready, at: now });
      return now;
    }
    const beat = (!!lease && lease !== prev.lease) || (!!ready && ready !== prev.ready);
    prev.lease = lease;
    prev.ready = ready;
    if (beat) prev.at = now;
    return prev.at;
  }

  /**
   * Records a Ready lastHeartbeatTime the controller wrote itself (a condition
   * it added for a node that never reported), so that it does not count as a
   * heartbeat when the write comes back through the informer.
   */
  acknowledge(name: string, ready: string | undefined): void {
    const prev = this.#seen.get(name);
    if (prev) prev.ready = ready;
  }

  forget(name: string): void {
    this.#seen.delete(name);
  }
}
