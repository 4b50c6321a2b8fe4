import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { REF_PREFIX, SchemaResolver } from '../schema.ts';
import type { GroupVersionKind, JSONSchemaProps } from '../schema.ts';
import type { CustomResourceDefinition } from '../types/apiextensions.ts';
import type { Deployment } from '../types/apps.ts';
import type { SelfSubjectAccessReview } from '../types/authorization.ts';
import type { Lease } from '../types/coordination.ts';
import type { EventsV1Event } from '../types/events.ts';
import { apiextensionsDefinitions } from './apiextensions.ts';
import { appsDefinitions } from './apps.ts';
import { builtinDefinitionParts, builtinDefinitions, definitionFor } from './builtin.ts';
import { miscDefinitions } from './misc.ts';

const resolver = new SchemaResolver(builtinDefinitions);
const APPS = 'io.k8s.api.apps.v1.';
const AE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

/** Every schema object reachable from `schema` without following $refs, with a path for messages. */
function* subschemas(schema: JSONSchemaProps, path: string): Generator<[string, JSONSchemaProps]> {
  yield [path, schema];
  for (const [name, p] of Object.entries(schema.properties ?? {})) {
    yield* subschemas(p, `${path}.${name}`);
  }
  if (schema.items !== undefined) yield* subschemas(schema.items, `${path}[]`);
  if (typeof schema.additionalProperties === 'object') {
    yield* subschemas(schema.additionalProperties, `${path}{}`);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    for (const [i, s] of (schema[key] ?? []).entries())
      yield* subschemas(s, `${path}.${key}[${i}]`);
  }
  if (schema.not !== undefined) yield* subschemas(schema.not, `${path}.not`);
}

function allSubschemas(): [string, JSONSchemaProps][] {
  const out: [string, JSONSchemaProps][] = [];
  for (const [name, schema] of Object.entries(builtinDefinitions))
    out.push(...subschemas(schema, name));
  return out;
}

/** The target of a property that is a reference, in either notation. */
function refOf(s: JSONSchemaProps): string | undefined {
  return s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
}

/**
 * Field names in `value` that its schema does not know, the way strict field
 * validation finds them. Used to check that objects written against the
 * TypeScript interfaces fit the definitions.
 */
function unknownFields(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
): string[] {
  const s = resolver.resolve(schema);
  if (s === undefined) return [`${path} (no schema)`];
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => unknownFields(v, s.items, `${path}[${i}]`));
  }
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const field =
      s.properties?.[k] ??
      (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (field === undefined) out.push(`${path}.${k}`);
    else out.push(...unknownFields(v, field, `${path}.${k}`));
  }
  return out;
}

describe('builtinDefinitions', () => {
  it('merges its parts without two parts defining the same name', () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [part, defs] of Object.entries(builtinDefinitionParts)) {
      for (const name of Object.keys(defs)) {
        const other = seen.get(name);
        if (other !== undefined) clashes.push(`${name} (${other} and ${part})`);
        seen.set(name, part);
      }
    }
    assert.deepEqual(clashes, []);
    assert.equal(Object.keys(builtinDefinitions).length, seen.size);
  });

  it('resolves every $ref', () => {
    const dangling: string[] = [];
    for (const [path, s] of allSubschemas()) {
      if (s.$ref === undefined) continue;
      if (
        !s.$ref.startsWith(REF_PREFIX) ||
        builtinDefinitions[s.$ref.slice(REF_PREFIX.length)] === undefined
      ) {
        dangling.push(`${path} -> ${s.$ref}`);
      }
    }
    assert.deepEqual(dangling, []);
  });

  it('gives every property a description and a type, reference, int-or-string or preserve-unknown-fields', () => {
    const bad: string[] = [];
    for (const [path, s] of allSubschemas()) {
      for (const [name, p] of Object.entries(s.properties ?? {})) {
        if (typeof p.description !== 'string' || p.description.trim() === '') {
          bad.push(`${path}.${name}: no description`);
        }
        const typed =
          p.type !== undefined ||
          refOf(p) !== undefined ||
          p['x-kubernetes-int-or-string'] === true ||
          p['x-kubernetes-preserve-unknown-fields'] === true;
        if (!typed) bad.push(`${path}.${name}: no type`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('names only existing properties as required', () => {
    const bad: string[] = [];
    for (const [path, s] of allSubschemas()) {
      for (const r of s.required ?? [])
        if (s.properties?.[r] === undefined) bad.push(`${path}: ${r}`);
    }
    assert.deepEqual(bad, []);
  });

  it('pairs every list-type map with its keys, and every patch merge key with a strategy', () => {
    const bad: string[] = [];
    for (const [path, s] of allSubschemas()) {
      const isMap = s['x-kubernetes-list-type'] === 'map';
      if (isMap !== (s['x-kubernetes-list-map-keys'] !== undefined))
        bad.push(`${path}: list-map-keys`);
      if (
        s['x-kubernetes-patch-merge-key'] !== undefined &&
        s['x-kubernetes-patch-strategy'] === undefined
      ) {
        bad.push(`${path}: merge key without strategy`);
      }
    }
    assert.deepEqual(bad, []);
  });
});

/** A kind the API server serves, with the definitions of its object and (if it has one) its list. */
interface BuiltinKind {
  gvk: GroupVersionKind;
  definition: string;
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

/** Every served kind. Subresource-only and create-only kinds (Binding, Scale, the reviews) have no list. */
const builtinKinds: BuiltinKind[] = [
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

describe('builtinKinds and definitionFor', () => {
  it('points every kind and list at a definition carrying its group/version/kind', () => {
    assert.equal(builtinKinds.length, 21);
    for (const k of builtinKinds) {
      const def = builtinDefinitions[k.definition];
      assert.ok(def, `${k.definition} is defined`);
      assert.deepEqual(def['x-kubernetes-group-version-kind'], [k.gvk], k.definition);
      assert.equal(definitionFor(k.gvk), k.definition);
      for (const p of ['apiVersion', 'kind', 'metadata']) {
        assert.ok(def.properties?.[p], `${k.definition}.${p}`);
      }
      if (k.listDefinition === undefined) continue;
      const listGVK = { ...k.gvk, kind: k.gvk.kind + 'List' };
      const list = builtinDefinitions[k.listDefinition];
      assert.ok(list, `${k.listDefinition} is defined`);
      assert.deepEqual(list['x-kubernetes-group-version-kind'], [listGVK], k.listDefinition);
      assert.equal(definitionFor(listGVK), k.listDefinition);
      assert.deepEqual(list.required, ['items']);
      assert.equal(refOf(list.properties?.items?.items ?? {}), REF_PREFIX + k.definition);
      assert.equal(
        refOf(list.properties?.metadata ?? {}),
        REF_PREFIX + 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
      );
    }
  });

  it('lists each group/version/kind once', () => {
    const keys = builtinKinds.map((k) => `${k.gvk.group}/${k.gvk.version}/${k.gvk.kind}`);
    assert.equal(new Set(keys).size, keys.length);
  });

  it('tells the core Event from the events.k8s.io Event, and knows list-less kinds', () => {
    assert.equal(
      definitionFor({ group: '', version: 'v1', kind: 'Event' }),
      'io.k8s.api.core.v1.Event',
    );
    assert.equal(
      definitionFor({ group: 'events.k8s.io', version: 'v1', kind: 'Event' }),
      'io.k8s.api.events.v1.Event',
    );
    assert.equal(
      definitionFor({ group: '', version: 'v1', kind: 'Binding' }),
      'io.k8s.api.core.v1.Binding',
    );
    assert.equal(
      definitionFor({ group: 'autoscaling', version: 'v1', kind: 'Scale' }),
      'io.k8s.api.autoscaling.v1.Scale',
    );
    assert.equal(
      definitionFor({ group: 'apps', version: 'v1', kind: 'DeploymentList' }),
      APPS + 'DeploymentList',
    );
    assert.equal(definitionFor({ group: 'apps', version: 'v2', kind: 'Deployment' }), undefined);
    assert.equal(definitionFor({ group: 'apps', version: 'v1', kind: 'Nope' }), undefined);
    assert.equal(
      definitionFor({ group: 'autoscaling', version: 'v1', kind: 'ScaleList' }),
      undefined,
    );
  });
});

describe('apps/v1, misc and apiextensions definitions (spot checks against Kubernetes 1.33)', () => {
  it('retains keys when patching a Deployment strategy', () => {
    const spec = resolver.definition(APPS + 'DeploymentSpec');
    const strategy = resolver.property(spec, 'strategy');
    assert.equal(strategy?.['x-kubernetes-patch-strategy'], 'retainKeys');
    assert.equal(strategy?.['x-kubernetes-patch-merge-key'], undefined);
    assert.deepEqual(resolver.property(strategy, 'type')?.enum, ['Recreate', 'RollingUpdate']);
    assert.equal(
      resolver.property(resolver.property(strategy, 'rollingUpdate'), 'maxSurge')?.format,
      'int-or-string',
    );
    assert.deepEqual(spec?.required, ['selector', 'template']);
  });

  it('merges workload status conditions by type', () => {
    for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet']) {
      const c = resolver.property(resolver.definition(`${APPS}${kind}Status`), 'conditions');
      assert.equal(c?.['x-kubernetes-patch-merge-key'], 'type', kind);
      assert.equal(c?.['x-kubernetes-patch-strategy'], 'merge', kind);
      assert.equal(c?.['x-kubernetes-list-type'], 'map', kind);
      assert.deepEqual(c?.['x-kubernetes-list-map-keys'], ['type'], kind);
      assert.deepEqual(resolver.items(c)?.required, ['type', 'status'], kind);
    }
    const deploymentCondition = resolver.definition(APPS + 'DeploymentCondition');
    assert.deepEqual(Object.keys(deploymentCondition?.properties ?? {}).sort(), [
      'lastTransitionTime',
      'lastUpdateTime',
      'message',
      'reason',
      'status',
      'type',
    ]);
  });

  it('declares formats and required fields as Kubernetes does', () => {
    const ds = resolver.definition(APPS + 'DaemonSetStatus');
    assert.deepEqual(ds?.required, [
      'currentNumberScheduled',
      'numberMisscheduled',
      'desiredNumberScheduled',
      'numberReady',
    ]);
    assert.equal(ds?.properties?.observedGeneration?.format, 'int64');
    assert.equal(ds?.properties?.numberReady?.format, 'int32');
    assert.deepEqual(
      resolver.property(resolver.definition(APPS + 'DaemonSetUpdateStrategy'), 'type')?.enum,
      ['OnDelete', 'RollingUpdate'],
    );
    assert.deepEqual(resolver.definition(APPS + 'ReplicaSetStatus')?.required, ['replicas']);
    assert.deepEqual(resolver.definition('io.k8s.api.events.v1.Event')?.required, ['eventTime']);
    assert.equal(
      refOf(
        resolver.definition('io.k8s.api.coordination.v1.LeaseSpec')?.properties?.renewTime ?? {},
      ),
      REF_PREFIX + 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
    );
    assert.deepEqual(
      resolver.definition('io.k8s.api.authorization.v1.SubjectRulesReviewStatus')?.required,
      ['resourceRules', 'nonResourceRules', 'incomplete'],
    );
    assert.equal(
      resolver.definition('io.k8s.api.authorization.v1.ResourceRule')?.properties?.verbs?.[
        'x-kubernetes-list-type'
      ],
      'atomic',
    );
    const extra = resolver.property(
      resolver.definition('io.k8s.api.authentication.v1.UserInfo'),
      'extra',
    );
    assert.deepEqual(resolver.resolve(extra?.additionalProperties as JSONSchemaProps), {
      type: 'array',
      items: { type: 'string' },
    });
  });

  it('keeps CRD versions atomic and conditions keyed by type', () => {
    const spec = resolver.definition(AE + 'CustomResourceDefinitionSpec');
    const versions = resolver.property(spec, 'versions');
    assert.equal(versions?.['x-kubernetes-list-type'], 'atomic');
    assert.equal(versions?.['x-kubernetes-patch-strategy'], undefined);
    assert.deepEqual(spec?.required, ['group', 'names', 'scope', 'versions']);
    assert.deepEqual(resolver.items(versions)?.required, ['name', 'served', 'storage']);
    const status = resolver.definition(AE + 'CustomResourceDefinitionStatus');
    const conditions = resolver.property(status, 'conditions');
    assert.equal(conditions?.['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conditions?.['x-kubernetes-list-map-keys'], ['type']);
    assert.equal(conditions?.['x-kubernetes-patch-merge-key'], undefined);
    assert.equal(resolver.property(status, 'storedVersions')?.['x-kubernetes-list-type'], 'atomic');
  });

  it('makes JSONSchemaProps recursive', () => {
    const schemaProps = resolver.definition(AE + 'JSONSchemaProps');
    assert.ok(schemaProps);
    // CRD -> spec -> versions[] -> schema -> openAPIV3Schema is a JSONSchemaProps ...
    const crd = resolver.definition(AE + 'CustomResourceDefinition');
    const version = resolver.items(resolver.property(resolver.property(crd, 'spec'), 'versions'));
    const top = resolver.property(resolver.property(version, 'schema'), 'openAPIV3Schema');
    assert.deepEqual(
      { ...top, description: undefined },
      { ...schemaProps, description: undefined },
    );
    // ... whose properties.<any name>, allOf[], not, definitions.<any> are JSONSchemaProps again.
    const nested = resolver.property(resolver.property(top, 'properties'), 'spec');
    assert.equal(nested?.properties?.['x-kubernetes-validations'] !== undefined, true);
    assert.equal(
      resolver.items(resolver.property(nested, 'allOf'))?.properties,
      schemaProps.properties,
    );
    assert.equal(resolver.property(nested, 'not')?.properties, schemaProps.properties);
    // items / additionalProperties accept either shape.
    assert.equal(
      resolver.property(nested, 'items')?.['x-kubernetes-preserve-unknown-fields'],
      true,
    );
    assert.equal(
      resolver.property(nested, 'additionalProperties')?.['x-kubernetes-preserve-unknown-fields'],
      true,
    );
    const validations = resolver.property(nested, 'x-kubernetes-validations');
    assert.deepEqual(validations?.['x-kubernetes-list-map-keys'], ['rule']);
    assert.equal(validations?.['x-kubernetes-patch-merge-key'], 'rule');
    assert.deepEqual(resolver.property(resolver.items(validations), 'reason')?.enum, [
      'FieldValueDuplicate',
      'FieldValueForbidden',
      'FieldValueInvalid',
      'FieldValueRequired',
    ]);
  });

  it('names its definitions as Kubernetes does', () => {
    const names = [
      ...Object.keys(appsDefinitions),
      ...Object.keys(miscDefinitions),
      ...Object.keys(apiextensionsDefinitions),
    ].sort();
    assert.equal(names.length, 69);
    for (const n of names) {
      assert.match(
        n,
        /^io\.k8s\.(api\.(apps|autoscaling|coordination|events|authorization|authentication)\.v1|apiextensions-apiserver\.pkg\.apis\.apiextensions\.v1)\.[A-Z][A-Za-z]+$/,
      );
    }
  });
});

describe('TypeScript interfaces fit the definitions', () => {
  it('accepts a Deployment, a Lease, an events/v1 Event and a SelfSubjectAccessReview', () => {
    const deployment: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 2,
        replicas: 3,
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastUpdateTime: '2025-01-01T00:00:00Z',
            lastTransitionTime: '2025-01-01T00:00:00Z',
            reason: 'MinimumReplicasAvailable',
          },
        ],
      },
    };
    const lease: Lease = {
      metadata: { name: 'node-1', namespace: 'kube-node-lease' },
      spec: {
        holderIdentity: 'node-1',
        leaseDurationSeconds: 40,
        renewTime: '2025-01-01T00:00:00.000000Z',
      },
    };
    const event: EventsV1Event = {
      metadata: { name: 'web.1', namespace: 'default' },
      eventTime: '2025-01-01T00:00:00.000000Z',
      reportingController: 'verge/deployment',
      reportingInstance: 'server-1',
      action: 'Scale',
      reason: 'ScalingReplicaSet',
      regarding: { kind: 'Deployment', namespace: 'default', name: 'web' },
      series: { count: 2, lastObservedTime: '2025-01-01T00:01:00.000000Z' },
      type: 'Normal',
    };
    const review: SelfSubjectAccessReview = {
      metadata: {},
      spec: {
        resourceAttributes: {
          verb: 'list',
          resource: 'pods',
          labelSelector: { rawSelector: 'app=web' },
        },
      },
      status: { allowed: true, reason: 'RBAC' },
    };
    assert.deepEqual(unknownFields(deployment, { $ref: REF_PREFIX + APPS + 'Deployment' }, ''), []);
    assert.deepEqual(
      unknownFields(lease, { $ref: REF_PREFIX + 'io.k8s.api.coordination.v1.Lease' }, ''),
      [],
    );
    assert.deepEqual(
      unknownFields(event, { $ref: REF_PREFIX + 'io.k8s.api.events.v1.Event' }, ''),
      [],
    );
    assert.deepEqual(
      unknownFields(
        review,
        { $ref: REF_PREFIX + 'io.k8s.api.authorization.v1.SelfSubjectAccessReview' },
        '',
      ),
      [],
    );
    // The walker does find strays, so the empty results above mean something.
    assert.deepEqual(
      unknownFields(
        { ...deployment, spec: { ...deployment.spec, replica: 1 } },
        { $ref: REF_PREFIX + APPS + 'Deployment' },
        '',
      ),
      ['.spec.replica'],
    );
  });

  it('accepts a CRD with a nested schema', () => {
    const crd: CustomResourceDefinition = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'devices.devices.kubeedge.io' },
      spec: {
        group: 'devices.kubeedge.io',
        scope: 'Namespaced',
        names: { plural: 'devices', singular: 'device', kind: 'Device', shortNames: ['dev'] },
        versions: [
          {
            name: 'v1beta1',
            served: true,
            storage: true,
            subresources: {
              status: {},
              scale: { specReplicasPath: '.spec.n', statusReplicasPath: '.status.n' },
            },
            additionalPrinterColumns: [
              { name: 'Model', type: 'string', jsonPath: '.spec.deviceModelRef.name' },
            ],
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['deviceModelRef'],
                    properties: {
                      deviceModelRef: { type: 'object', properties: { name: { type: 'string' } } },
                      ports: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: { port: { 'x-kubernetes-int-or-string': true } },
                        },
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': ['port'],
                      },
                    },
                    'x-kubernetes-validations': [
                      { rule: 'self.deviceModelRef.name != ""', reason: 'FieldValueInvalid' },
                    ],
                  },
                  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
            },
          },
        ],
        conversion: { strategy: 'None' },
      },
    };
    const crdRef = { $ref: REF_PREFIX + AE + 'CustomResourceDefinition' };
    assert.deepEqual(unknownFields(crd, crdRef, ''), []);
    const typo = structuredClone(crd) as unknown as {
      spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] };
    };
    typo.spec.versions[0].schema.openAPIV3Schema.propertiez = {};
    assert.deepEqual(unknownFields(typo, crdRef, ''), [
      '.spec.versions[0].schema.openAPIV3Schema.propertiez',
    ]);
  });
});
