/**
 * The one set of schema definitions of the built-in types, and the index from
 * group/version/kind to definition name. OpenAPI v3 documents, `kubectl
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

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/**
 * Every GVK a definition declares in `x-kubernetes-group-version-kind`: the
 * served kinds and their lists (written with `kindObj`/`listKindObj`) and meta
 * kinds such as Status.
 */
const byGVK: ReadonlyMap<string, string> = (() => {
  const index = new Map<string, string>();
  for (const [name, schema] of Object.entries(builtinDefinitions)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) index.set(gvkKey(gvk), name);
  }
  return index;
})();

/** The name in `builtinDefinitions` of the schema of objects of `gvk` (a kind or a list kind), or undefined. */
export function definitionFor(gvk: GroupVersionKind): string | undefined {
  return byGVK.get(gvkKey(gvk));
}
