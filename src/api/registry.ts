/**
 * The registry of served resources: one `ResourceType` per (group, version,
 * resource), built-in or from a CustomResourceDefinition. The API server, the
 * discovery documents, the OpenAPI documents and the in-process client all read
 * it; nothing else decides what is served.
 *
 * A ResourceType carries the per-kind behaviour (`hooks`) that the generic REST
 * layer (src/apiserver/rest.ts) calls at fixed points, in the spirit of
 * Kubernetes' registry strategies: defaulting, preparing on create and update,
 * validation, selectable fields, table printing.
 */
import type { FieldCause } from '../util/errors.ts';
import type { ServedResource } from './client.ts';
import type { GroupVersionKind, JSONSchemaProps, SchemaResolver } from './schema.ts';
import type { TableColumnDefinition, TablePrinter } from './tables/table.ts';
import type { KubeObject } from './types/meta.ts';

export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: readonly Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label' | 'pathSegment';

/** How the scale subresource maps onto the object (CRD `subresources.scale`, or built-in). */
export interface ScaleMapping {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One table column as Kubernetes describes it in a Table response. */
export type TableColumn = TableColumnDefinition;

/** The table printer of a kind (src/api/tables). */
export type TablePrinterHook = TablePrinter;

/**
 * Per-kind behaviour. Every hook is optional; each is called with an object the
 * caller owns and may mutate in place.
 */
export interface ResourceHooks {
  /** Fills defaults in place (Kubernetes does it while decoding, on every write). */
  defaults?(obj: KubeObject): void;
  /** Resets what a client may not set on create (e.g. status when there is a status subresource). */
  prepareForCreate?(obj: KubeObject): void;
  /** Carries over what a client may not change on update from `old` (e.g. status). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Every validation problem; `old` is set on update. Metadata rules are checked by the caller. */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldCause[];
  /** Field-selectable values beyond metadata.name and metadata.namespace. */
  fields?(obj: KubeObject): Record<string, string>;
  /** Table printer for `kubectl get`. */
  table?: TablePrinterHook;
  /** Converts a stored object (storage version) to this version's shape. Default: set apiVersion. */
  fromStorage?(obj: KubeObject): KubeObject;
  /** Converts an object of this version to the storage version's shape. Default: set apiVersion. */
  toStorage?(obj: KubeObject): KubeObject;
}

export interface SubresourceType {
  name: string;
  /** The kind the subresource speaks (e.g. autoscaling/v1 Scale for `scale`). */
  responseKind: GroupVersionKind;
  verbs: readonly string[];
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: `pods`. */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  categories: readonly string[];
  verbs: readonly Verb[];
  subresources: readonly SubresourceType[];
  nameRule: NameRule;
  /** Storage key prefix shared by every version of the resource: `/registry/apps/deployments/`. */
  storagePrefix: string;
  /** apiVersion of the objects as stored. */
  storageVersion: string;
  /** The first version clients should use (discovery lists it first). */
  preferred: boolean;
  /** True for kinds with a `status` subresource: main-resource writes keep status, status writes keep the rest. */
  hasStatus: boolean;
  scale?: ScaleMapping;
  /** Schema of the kind (root), for patching, apply and unknown fields; resolved through `resolver`. */
  schema?: JSONSchemaProps;
  /** Name of the kind's definition in `resolver.definitions`, for the OpenAPI documents. */
  schemaName?: string;
  /** Name of the list kind's definition, if there is one. */
  listSchemaName?: string;
  resolver: SchemaResolver;
  /** For CRD-defined types: the CRD's name. */
  crd?: string;
  /** Allow PUT to create a missing object (Kubernetes: only a few kinds). */
  allowCreateOnUpdate?: boolean;
  hooks: ResourceHooks;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** What a client's discovery shows of a served type. */
export function servedResource(t: ResourceType): ServedResource {
  return {
    group: t.group,
    version: t.version,
    resource: t.resource,
    kind: t.kind,
    namespaced: t.namespaced,
    verbs: t.verbs,
    preferred: t.preferred,
  };
}

export function gvkOf(t: ResourceType): GroupVersionKind {
  return { group: t.group, version: t.version, kind: t.kind };
}

type Listener = () => void;

/**
 * The live set of served resources. Mutated only by the server (at start for
 * built-ins, and as CRDs become established or go away); readers subscribe to
 * learn of changes (discovery and OpenAPI caches).
 */
export class ResourceRegistry {
  readonly #byGvr = new Map<string, ResourceType>();
  readonly #listeners = new Set<Listener>();

  static #key(group: string, version: string, resource: string): string {
    return `${group}/${version}/${resource}`;
  }

  /** Adds or replaces a resource at its group/version. */
  add(type: ResourceType): void {
    this.#byGvr.set(ResourceRegistry.#key(type.group, type.version, type.resource), type);
    this.#changed();
  }

  /** Removes every version of group/resource; returns whether anything was removed. */
  removeResource(group: string, resource: string): boolean {
    let removed = false;
    for (const [k, t] of this.#byGvr) {
      if (t.group === group && t.resource === resource) {
        this.#byGvr.delete(k);
        removed = true;
      }
    }
    if (removed) this.#changed();
    return removed;
  }

  get(group: string, version: string, resource: string): ResourceType | undefined {
    return this.#byGvr.get(ResourceRegistry.#key(group, version, resource));
  }

  /** By kind, for the in-process client and for conversion; the preferred version wins. */
  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    for (const t of this.#byGvr.values()) {
      if (t.group === group && t.version === version && t.kind === kind) return t;
    }
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.#byGvr.values()];
  }

  /** Groups with their versions, preferred version first, in a stable order (core first). */
  groups(): { group: string; versions: string[] }[] {
    const byGroup = new Map<string, { preferred?: string; versions: Set<string> }>();
    for (const t of this.#byGvr.values()) {
      let g = byGroup.get(t.group);
      if (!g) byGroup.set(t.group, (g = { versions: new Set() }));
      g.versions.add(t.version);
      if (t.preferred) g.preferred = t.version;
    }
    return [...byGroup.entries()]
      .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
      .map(([group, g]) => {
        const versions = [...g.versions].sort(compareVersions);
        if (g.preferred) {
          versions.splice(versions.indexOf(g.preferred), 1);
          versions.unshift(g.preferred);
        }
        return { group, versions };
      });
  }

  resourcesIn(group: string, version: string): ResourceType[] {
    return this.all()
      .filter((t) => t.group === group && t.version === version)
      .sort((a, b) => a.resource.localeCompare(b.resource));
  }

  /** Called after any change; returns an unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }
}

/**
 * Kubernetes' version priority: GA (v2 > v1) before beta before alpha, then by
 * number; other strings last, alphabetically.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stage, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) {
    if (pa[0] !== pb[0]) return pb[0] - pa[0];
    if (pa[1] !== pb[1]) return pb[1] - pa[1];
    return pb[2] - pa[2];
  }
  if (pa) return -1;
  if (pb) return 1;
  return a.localeCompare(b);
}
