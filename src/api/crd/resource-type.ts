/**
 * Turns one served version of a CustomResourceDefinition into a ResourceType:
 * the same registry entry built-in kinds have, with hooks driven by the CRD's
 * schema (structural defaulting, validation, CEL rules), printer columns and
 * selectable fields. Versions share one storage (conversion strategy None:
 * only apiVersion changes between them).
 */
import type { FieldCause } from '../../util/errors.ts';
import { metaDefinitions } from '../openapi/meta.ts';
import {
  ALL_VERBS,
  compareVersions,
  type ResourceHooks,
  type ResourceType,
  type SubresourceType,
} from '../registry.ts';
import { REF_PREFIX, SchemaResolver, type JSONSchemaProps } from '../schema.ts';
import { applyDefaults, validateValue } from '../structural/index.ts';
import { JsonPath } from '../tables/jsonpath.ts';
import { printerFromColumns } from '../tables/custom.ts';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
} from '../types/apiextensions.ts';
import type { KubeObject } from '../types/meta.ts';
import { validateObjectMeta } from '../validation/index.ts';
import { evaluateRules } from '../cel/index.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** Kubernetes names CR schemas by reversed group: `com.example.stable.v1.CronTab`. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The CRD's names as served: acceptedNames once the server accepted them, else spec.names. */
export function servedNames(
  crd: CustomResourceDefinition,
): CustomResourceDefinition['spec']['names'] {
  const accepted = crd.status?.acceptedNames;
  return accepted?.plural ? accepted : crd.spec.names;
}

/** The published OpenAPI definitions of one version: the kind and its list. */
function publishedDefinitions(
  group: string,
  version: string,
  kind: string,
  listKind: string,
  schema: JSONSchemaProps,
): Record<string, JSONSchemaProps> {
  const name = definitionName(group, version, kind);
  const gvk = [{ group, version, kind }];
  const object: JSONSchemaProps = {
    ...schema,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'The versioned schema of this object.' },
      kind: { type: 'string', description: 'The kind of this object.' },
      metadata: { $ref: REF_PREFIX + OBJECT_META, description: 'Standard object metadata.' },
      ...schema.properties,
    },
    'x-kubernetes-group-version-kind': gvk,
  };
  const list: JSONSchemaProps = {
    type: 'object',
    description: `A list of ${kind} objects.`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'The versioned schema of this list.' },
      kind: { type: 'string', description: 'The kind of this list.' },
      metadata: { $ref: REF_PREFIX + LIST_META, description: 'Standard list metadata.' },
      items: {
        type: 'array',
        description: `The ${kind} objects.`,
        items: { $ref: REF_PREFIX + name },
      },
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind: listKind }],
  };
  return { [name]: object, [definitionName(group, version, listKind)]: list };
}

/** Values of a CRD's `selectableFields`, as strings for field selectors. */
function selectableFieldsOf(
  version: CustomResourceDefinitionVersion,
): ((obj: KubeObject) => Record<string, string>) | undefined {
  const fields = version.selectableFields ?? [];
  if (fields.length === 0) return undefined;
  const parsed = fields.map((f) => ({
    name: f.jsonPath.replace(/^\./, ''),
    path: JsonPath.parse(`{${f.jsonPath}}`),
  }));
  return (obj) => {
    const out: Record<string, string> = {};
    for (const f of parsed) {
      let value: unknown;
      try {
        value = f.path.findResults(obj)[0]?.[0];
      } catch {
        value = undefined;
      }
      out[f.name] = value === undefined || value === null ? '' : String(value);
    }
    return out;
  };
}

/** The served ResourceTypes of a CRD, one per served version. */
export function crdResourceTypes(crd: CustomResourceDefinition): ResourceType[] {
  const spec = crd.spec;
  const names = servedNames(crd);
  const group = spec.group;
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0].name;
  const served = spec.versions.filter((v) => v.served);
  const preferred = [...served].sort((a, b) => compareVersions(a.name, b.name))[0]?.name;
  return served.map((version) => {
    const schema: JSONSchemaProps = version.schema?.openAPIV3Schema ?? {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    };
    const listKind = names.listKind ?? `${names.kind}List`;
    const published = publishedDefinitions(group, version.name, names.kind, listKind, schema);
    const resolver = new SchemaResolver({ ...metaDefinitions, ...published });
    const hasStatus =
      version.subresources?.status !== undefined && version.subresources.status !== null;
    const scale = version.subresources?.scale ?? undefined;
    const subresources: SubresourceType[] = [];
    if (hasStatus)
      subresources.push({
        name: 'status',
        responseKind: { group, version: version.name, kind: names.kind },
        verbs: ['get', 'patch', 'update'],
      });
    if (scale)
      subresources.push({
        name: 'scale',
        responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        verbs: ['get', 'patch', 'update'],
      });
    const namespaced = spec.scope === 'Namespaced';
    const hooks: ResourceHooks = {
      defaults: (obj) => applyDefaults(obj, schema, resolver),
      validate: (obj, old): FieldCause[] => {
        const causes = validateObjectMeta(obj.metadata, {
          namespaced,
          nameRule: 'dns1123Subdomain',
          path: 'metadata',
        });
        causes.push(...validateValue(obj, schema, resolver));
        // Rules only run on a value that is otherwise valid, as in Kubernetes.
        if (causes.length === 0) causes.push(...evaluateRules(obj, old, schema, resolver));
        return causes;
      },
      table: printerFromColumns(version.additionalPrinterColumns ?? []),
    };
    const fields = selectableFieldsOf(version);
    if (fields) hooks.fields = fields;
    return {
      group,
      version: version.name,
      resource: names.plural,
      kind: names.kind,
      listKind,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: ALL_VERBS,
      subresources,
      nameRule: 'dns1123Subdomain',
      storagePrefix: `/registry/${group}/${names.plural}/`,
      storageVersion: `${group}/${storage}`,
      preferred: version.name === preferred,
      hasStatus,
      scale: scale
        ? {
            specReplicasPath: scale.specReplicasPath.replace(/^\./, ''),
            statusReplicasPath: scale.statusReplicasPath.replace(/^\./, ''),
            labelSelectorPath: scale.labelSelectorPath?.replace(/^\./, ''),
          }
        : undefined,
      schema,
      schemaName: definitionName(group, version.name, names.kind),
      listSchemaName: definitionName(group, version.name, listKind),
      resolver,
      crd: crd.metadata.name,
      hooks,
    } satisfies ResourceType;
  });
}
