/**
 * The one set of schema definitions of the built-in types, and the index of
 * the kinds the API server serves from them. OpenAPI v3 documents, `kubectl
 * explain`, strategic merge patch, server-side apply and strict field
 * validation all read `builtinDefinitions`; nothing else defines a built-in
 * schema.
 *
 * Everything here is built once at import and must be treated as read-only by
 * callers (it is shared by every request).
 */

import type { Definitions, GroupVersionKind } from '../schema.ts';
import { apiextensionsDefinitions } from './apiextensions.ts';
import { appsDefinitions } from './apps.ts';
import { coreDefinitions } from './core.ts';
import { metaDefinitions } from './meta.ts';
import { miscDefinitions } from './misc.ts';

/** The parts `builtinDefinitions` is merged from; exported so a test can check no two define the same name. */
export const builtinDefinitionParts: Readonly<Record<string, Definitions>> = {
  meta: metaDefinitions,
  core: coreDefinitions,
  apps: appsDefinitions,
  misc: miscDefinitions,
  apiextensions: apiextensionsDefinitions,
};

/** meta + core + apps + autoscaling/coordination/events/authorization/authentication + apiextensions. */
export const builtinDefinitions: Definitions = {
  ...metaDefinitions,
  ...coreDefinitions,
  ...appsDefinitions,
  ...miscDefinitions,
  ...apiextensionsDefinitions,
};

/** A kind the API server serves, with the definitions of its object and (if it has one) its list. */
export interface BuiltinKind {
  gvk: GroupVersionKind;
  /** Key of `builtinDefinitions`, e.g. `io.k8s.api.apps.v1.Deployment`. */
  definition: string;
  /** Key of `builtinDefinitions` of the `<Kind>List`; absent for kinds that cannot be listed. */
  listDefinition?: string;
}

function kinds(
  group: string,
  version: string,
  prefix: string,
  entries: [kind: string, listed: boolean][],
): BuiltinKind[] {
  return entries.map(([kind, listed]) => ({
    gvk: { group, version, kind },
    definition: prefix + kind,
    ...(listed ? { listDefinition: `${prefix}${kind}List` } : {}),
  }));
}

/** One entry per served kind. Subresource-only and create-only kinds (Binding, Scale, the reviews) have no list. */
export const builtinKinds: BuiltinKind[] = [
  ...kinds('', 'v1', 'io.k8s.api.core.v1.', [
    ['Pod', true],
    ['Node', true],
    ['Namespace', true],
    ['ConfigMap', true],
    ['Secret', true],
    ['Service', true],
    ['Endpoints', true],
    ['Event', true],
    ['ServiceAccount', true],
    ['Binding', false],
  ]),
  ...kinds('apps', 'v1', 'io.k8s.api.apps.v1.', [
    ['Deployment', true],
    ['ReplicaSet', true],
    ['DaemonSet', true],
    ['ControllerRevision', true],
  ]),
  ...kinds('autoscaling', 'v1', 'io.k8s.api.autoscaling.v1.', [['Scale', false]]),
  ...kinds('coordination.k8s.io', 'v1', 'io.k8s.api.coordination.v1.', [['Lease', true]]),
  ...kinds('events.k8s.io', 'v1', 'io.k8s.api.events.v1.', [['Event', true]]),
  ...kinds('authorization.k8s.io', 'v1', 'io.k8s.api.authorization.v1.', [
    ['SelfSubjectAccessReview', false],
    ['SelfSubjectRulesReview', false],
  ]),
  ...kinds('authentication.k8s.io', 'v1', 'io.k8s.api.authentication.v1.', [
    ['SelfSubjectReview', false],
  ]),
  ...kinds(
    'apiextensions.k8s.io',
    'v1',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.',
    [['CustomResourceDefinition', true]],
  ),
];

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/**
 * Every GVK any definition declares in `x-kubernetes-group-version-kind`
 * (which covers list kinds and meta kinds such as Status), then the served
 * kinds and their lists, which win if the two ever disagree.
 */
const byGVK: ReadonlyMap<string, string> = (() => {
  const index = new Map<string, string>();
  for (const [name, schema] of Object.entries(builtinDefinitions)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) index.set(gvkKey(gvk), name);
  }
  for (const k of builtinKinds) {
    index.set(gvkKey(k.gvk), k.definition);
    if (k.listDefinition !== undefined) {
      index.set(gvkKey({ ...k.gvk, kind: k.gvk.kind + 'List' }), k.listDefinition);
    }
  }
  return index;
})();

/** The name in `builtinDefinitions` of the schema of objects of `gvk` (a kind or a list kind), or undefined. */
export function definitionFor(gvk: GroupVersionKind): string | undefined {
  return byGVK.get(gvkKey(gvk));
}
