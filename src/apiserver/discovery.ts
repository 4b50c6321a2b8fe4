/**
 * Discovery documents, built from the registry: the legacy ones (/api, /apis,
 * /apis/<group>, /api/v1, /apis/<group>/<version>) and the aggregated one
 * (apidiscovery.k8s.io v2 and v2beta1) that kubectl 1.26+ asks for first.
 * Documents are cached until the registry changes.
 */
import { apiVersionOf, type ResourceRegistry, type ResourceType } from '../api/registry.ts';

function resourceVerbs(t: ResourceType): string[] {
  return [...t.verbs].sort();
}

/** APIResourceList entries, subresources as `pods/status`. */
function apiResources(types: ResourceType[]): unknown[] {
  const out: unknown[] = [];
  for (const t of types) {
    const entry: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: resourceVerbs(t),
    };
    if (t.shortNames.length) entry.shortNames = [...t.shortNames];
    if (t.categories.length) entry.categories = [...t.categories];
    out.push(entry);
    for (const sub of t.subresources) {
      const s: Record<string, unknown> = {
        name: `${t.resource}/${sub.name}`,
        singularName: '',
        namespaced: t.namespaced,
        kind: sub.responseKind.kind,
        verbs: [...sub.verbs],
      };
      if (sub.responseKind.group !== t.group) s.group = sub.responseKind.group;
      if (sub.responseKind.version !== t.version) s.version = sub.responseKind.version;
      out.push(s);
    }
  }
  return out;
}

export class Discovery {
  readonly #registry: ResourceRegistry;
  #cache = new Map<string, unknown>();

  constructor(registry: ResourceRegistry) {
    this.#registry = registry;
    registry.onChange(() => (this.#cache = new Map()));
  }

  #cached(key: string, build: () => unknown): unknown {
    let v = this.#cache.get(key);
    if (v === undefined) this.#cache.set(key, (v = build()));
    return v;
  }

  /** GET /api */
  apiVersions(serverAddress: string): unknown {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  #group(group: string, versions: string[]): Record<string, unknown> {
    const vs = versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v }));
    return { name: group, versions: vs, preferredVersion: vs[0] };
  }

  /** GET /apis */
  apiGroupList(): unknown {
    return this.#cached('groups', () => ({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.#registry
        .groups()
        .filter((g) => g.group !== '')
        .map((g) => this.#group(g.group, g.versions)),
    }));
  }

  /** GET /apis/<group>; undefined when the group is not served. */
  apiGroup(group: string): unknown {
    const g = this.#registry.groups().find((x) => x.group === group && group !== '');
    return g && { kind: 'APIGroup', apiVersion: 'v1', ...this.#group(g.group, g.versions) };
  }

  /** GET /api/v1 or /apis/<group>/<version>; undefined when not served. */
  apiResourceList(group: string, version: string): unknown {
    return (
      this.#cached(`rl/${group}/${version}`, () => {
        const types = this.#registry.resourcesIn(group, version);
        if (types.length === 0) return null;
        return {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: apiVersionOf(group, version),
          resources: apiResources(types),
        };
      }) ?? undefined
    );
  }

  /** The aggregated document for /api (`legacy`) or /apis. */
  aggregated(legacy: boolean, version: 'v2' | 'v2beta1'): unknown {
    return this.#cached(`agg/${legacy}/${version}`, () => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: this.#registry
        .groups()
        .filter((g) => (g.group === '') === legacy)
        .map((g) => ({
          metadata: { name: g.group, creationTimestamp: null },
          versions: g.versions.map((v) => ({
            version: v,
            freshness: 'Current',
            resources: this.#registry.resourcesIn(g.group, v).map((t) => {
              const r: Record<string, unknown> = {
                resource: t.resource,
                responseKind: { group: t.group, version: t.version, kind: t.kind },
                scope: t.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: t.singular,
                verbs: resourceVerbs(t),
              };
              if (t.shortNames.length) r.shortNames = [...t.shortNames];
              if (t.categories.length) r.categories = [...t.categories];
              if (t.subresources.length) {
                r.subresources = t.subresources.map((s) => ({
                  subresource: s.name,
                  responseKind: s.responseKind,
                  verbs: [...s.verbs],
                }));
              }
              return r;
            }),
          })),
        })),
    }));
  }
}
