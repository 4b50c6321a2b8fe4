/**
 * What a controller has written but its informer cache may not show yet. After
 * creating or deleting pods for a DaemonSet the controller must not act on that
 * DaemonSet again until the cache reflects those writes, or it would create a
 * second pod for a node whose first pod it cannot see yet (Kubernetes'
 * ControllerExpectations serve the same purpose).
 *
 * Unlike Kubernetes' counters, entries name the pods and are checked against
 * the cache when asked (`observed`), so the order in which watch events and
 * write responses arrive does not matter. An entry older than `ttlMs` counts as
 * observed, so a lost event can only delay the controller, never stop it.
 */
export interface PendingCreate {
  namespace: string;
  name: string;
  /** resourceVersion the create returned. */
  resourceVersion: string;
}

export interface PendingDelete {
  namespace: string;
  name: string;
  uid: string;
}

export interface ExpectationChecks {
  /** Whether the cache has seen the create (the pod, or any later state). */
  createObserved(p: PendingCreate): boolean;
  /** Whether the cache shows the pod gone or being deleted. */
  deleteObserved(p: PendingDelete): boolean;
}

interface Entry {
  creates: PendingCreate[];
  deletes: PendingDelete[];
  at: number;
}

/** Default lifetime of an expectation: Kubernetes' ExpectationsTimeout (5 minutes). */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

export class Expectations {
  readonly #entries = new Map<string, Entry>();
  readonly #checks: ExpectationChecks;
  readonly #ttlMs: number;

  constructor(checks: ExpectationChecks, ttlMs = EXPECTATIONS_TTL_MS) {
    this.#checks = checks;
    this.#ttlMs = ttlMs;
  }

  #entry(key: string, now: number): Entry {
    let e = this.#entries.get(key);
    if (!e) this.#entries.set(key, (e = { creates: [], deletes: [], at: now }));
    e.at = now;
    return e;
  }

  expectCreate(key: string, p: PendingCreate, now: number): void {
    this.#entry(key, now).creates.push(p);
  }

  expectDelete(key: string, p: PendingDelete, now: number): void {
    this.#entry(key, now).deletes.push(p);
  }

  /** Drops an expected delete (the delete failed, or found nothing to delete). */
  cancelDelete(key: string, name: string): void {
    const e = this.#entries.get(key);
    if (e) e.deletes = e.deletes.filter((d) => d.name !== name);
  }

  /**
   * True when every write recorded for `key` shows in the cache (those that do
   * are forgotten), or the entry has expired.
   */
  satisfied(key: string, now: number): boolean {
    const e = this.#entries.get(key);
    if (!e) return true;
    e.creates = e.creates.filter((c) => !this.#checks.createObserved(c));
    e.deletes = e.deletes.filter((d) => !this.#checks.deleteObserved(d));
    if ((e.creates.length === 0 && e.deletes.length === 0) || now - e.at > this.#ttlMs) {
      this.#entries.delete(key);
      return true;
    }
    return false;
  }

  /** Forgets `key` (its DaemonSet was deleted). */
  delete(key: string): void {
    this.#entries.delete(key);
  }
}
