/**
 * Which served resources the garbage collector and the namespace controller work
 * on, chosen from discovery, and how an ownerReference's apiVersion/kind maps to
 * a served resource. Pure functions over `ServedResource` lists.
 */
import type { GroupVersionResource, ServedResource } from '../../api/client.ts';
import { compareVersions } from '../../api/registry.ts';

/** group/resource, the key of a resource across its versions. */
export function groupResource(r: { group: string; resource: string }): string {
  return `${r.group}/${r.resource}`;
}

export function gvrOf(r: GroupVersionResource): GroupVersionResource {
  return { group: r.group, version: r.version, resource: r.resource };
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Resources Kubernetes' garbage collector ignores by default: events of both groups. */
export const GC_IGNORED_RESOURCES: ReadonlySet<string> = new Set([
  '/events',
  'events.k8s.io/events',
]);

function hasVerbs(r: ServedResource, verbs: readonly string[]): boolean {
  return verbs.every((v) => r.verbs.includes(v));
}

/**
 * One version per group/resource among `resources` that have every verb in
 * `verbs`: the group's preferred version when it serves the resource, else the
 * highest version by Kubernetes' version priority (as client-go's
 * ServerPreferredResources picks).
 */
export function preferredResources(
  resources: readonly ServedResource[],
  verbs: readonly string[],
  filter: (r: ServedResource) => boolean = () => true,
): Map<string, ServedResource> {
  const out = new Map<string, ServedResource>();
  for (const r of resources) {
    if (!hasVerbs(r, verbs) || !filter(r)) continue;
    const key = groupResource(r);
    const have = out.get(key);
    if (
      !have ||
      (r.preferred && !have.preferred) ||
      (r.preferred === have.preferred && compareVersions(r.version, have.version) < 0)
    ) {
      out.set(key, r);
    }
  }
  return out;
}

/** What the garbage collector watches: deletable, listable, watchable, not ignored. */
export function gcMonitoredResources(
  resources: readonly ServedResource[],
  ignored: ReadonlySet<string> = GC_IGNORED_RESOURCES,
): Map<string, ServedResource> {
  return preferredResources(
    resources,
    ['delete', 'list', 'watch'],
    (r) => !ignored.has(groupResource(r)),
  );
}

/** What the namespace controller empties: every namespaced resource that can be deleted. */
export function namespacedDeletableResources(
  resources: readonly ServedResource[],
): ServedResource[] {
  return [...preferredResources(resources, ['delete'], (r) => r.namespaced).values()].sort((a, b) =>
    groupResource(a).localeCompare(groupResource(b)),
  );
}

/**
 * Maps apiVersion + kind to the served resource, as Kubernetes' REST mapper does:
 * the version must be served.
 */
export class KindResolver {
  readonly #byKind = new Map<string, ServedResource>();

  constructor(resources: readonly ServedResource[] = []) {
    for (const r of resources) {
      const key = `${apiVersionOf(r)}\u0000${r.kind}`;
      // Two resources of one kind in a group version: take the first.
      if (!this.#byKind.has(key)) this.#byKind.set(key, r);
    }
  }

  resolve(apiVersion: string, kind: string): ServedResource | undefined {
    return this.#byKind.get(`${apiVersion}\u0000${kind}`);
  }
}
