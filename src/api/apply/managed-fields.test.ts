import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import type { KubeObject, ManagedFieldsEntry } from '../types/meta.ts';
import {
  decodeManagedFields,
  encodeManagedFields,
  updateManagedFields,
  type UpdateOptions,
} from './managed-fields.ts';
import { FieldSet } from './field-set.ts';
import { deploymentSchema as schema, testClock, testResolver as resolver } from './test-schema.ts';

function text(v: unknown): string {
  return JSON.stringify(v);
}

function deployment(
  o: { replicas?: number; image?: string; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'uid-1',
      resourceVersion: '7',
      generation: 1,
      creationTimestamp: '2024-05-01T09:00:00Z',
      labels: o.labels ?? { app: 'web' },
    },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: o.image ?? 'nginx:1', ports: [{ containerPort: 80 }] },
          ],
        },
      },
    },
  };
}

/** The fieldsV1 of every field `deployment()` sets, as an Update on create records them. */
const createdFields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': {
              '.': {},
              'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
            },
          },
        },
      },
    },
  },
};

function entry(
  manager: string,
  time: string,
  fieldsV1: Record<string, unknown>,
  more: Partial<ManagedFieldsEntry> = {},
): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = {
    manager,
    operation: more.operation ?? 'Update',
    apiVersion: more.apiVersion ?? 'apps/v1',
    time,
  };
  e.fieldsType = 'FieldsV1';
  e.fieldsV1 = fieldsV1;
  if (more.subresource !== undefined) e.subresource = more.subresource;
  return e;
}

function setup(): {
  opts: (manager: string, more?: Partial<UpdateOptions>) => UpdateOptions;
  clock: ReturnType<typeof testClock>;
} {
  const clock = testClock();
  return {
    clock,
    opts: (manager, more = {}) => ({
      manager,
      apiVersion: 'apps/v1',
      schema,
      resolver,
      now: clock.now,
      ...more,
    }),
  };
}

function withEntries(obj: KubeObject, managedFields: unknown): KubeObject {
  return {
    ...obj,
    metadata: { ...obj.metadata, managedFields: managedFields as ManagedFieldsEntry[] },
  };
}

describe('decodeManagedFields / encodeManagedFields', () => {
  it('round-trips entries in Kubernetes order and canonical form', () => {
    const decoded = decodeManagedFields([
      entry('b', '2024-05-01T10:00:02Z', { 'f:a': {} }),
      entry('z', '2024-05-01T10:00:05Z', { 'f:b': {} }, { operation: 'Apply' }),
      entry('a', '2024-05-01T10:00:02Z', { 'f:c': { 'k:{"y":1,"x":2}': {} } }),
      entry('c', '2024-05-01T10:00:01Z', { 'f:d': {} }, { subresource: 'status' }),
    ]);
    assert.equal(
      text(encodeManagedFields(decoded)),
      text([
        entry('z', '2024-05-01T10:00:05Z', { 'f:b': {} }, { operation: 'Apply' }),
        entry('c', '2024-05-01T10:00:01Z', { 'f:d': {} }, { subresource: 'status' }),
        entry('a', '2024-05-01T10:00:02Z', { 'f:c': { 'k:{"x":2,"y":1}': {} } }),
        entry('b', '2024-05-01T10:00:02Z', { 'f:a': {} }),
      ]),
    );
  });

  it('keys Apply entries without their apiVersion, Update entries with it', () => {
    const decoded = decodeManagedFields([
      entry('m', 't', { 'f:a': {} }, { operation: 'Apply', apiVersion: 'apps/v1beta1' }),
      entry('m', 't', { 'f:b': {} }, { operation: 'Apply', apiVersion: 'apps/v1' }),
      entry('m', 't', { 'f:c': {} }, { apiVersion: 'apps/v1beta1' }),
      entry('m', 't', { 'f:d': {} }, { apiVersion: 'apps/v1' }),
    ]);
    assert.deepEqual(
      [...decoded.keys()],
      [
        '{"manager":"m","operation":"Apply"}',
        '{"manager":"m","operation":"Update","apiVersion":"apps/v1beta1"}',
        '{"manager":"m","operation":"Update","apiVersion":"apps/v1"}',
      ],
    );
    assert.equal(
      text(decoded.get('{"manager":"m","operation":"Apply"}')!.fields.toFieldsV1()),
      '{"f:b":{}}',
    );
  });

  const invalid: { name: string; entries: unknown; message: string }[] = [
    {
      name: 'an unknown operation',
      entries: [{ manager: 'm', operation: 'Patch', apiVersion: 'v1', fieldsType: 'FieldsV1' }],
      message: 'failed to decode managed fields: operation must be `Apply` or `Update`',
    },
    {
      name: 'no apiVersion',
      entries: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1' }],
      message: 'failed to decode managed fields: apiVersion must not be empty',
    },
    {
      name: 'no fieldsType',
      entries: [{ manager: 'm', operation: 'Update', apiVersion: 'v1' }],
      message: 'failed to decode managed fields: missing fieldsType in managed fields entry 0',
    },
    {
      name: 'another fieldsType',
      entries: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }],
      message:
        'failed to decode managed fields: invalid fieldsType "FieldsV2" in managed fields entry 0',
    },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      assert.throws(
        () => decodeManagedFields(c.entries),
        (err: unknown) => isInvalid(err) && err.message === c.message,
      );
    });
  }
});

describe('updateManagedFields', () => {
  it('records a create as the creator owning every field it set, except identity and bookkeeping', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    assert.equal(
      text(created.metadata.managedFields),
      text([entry('kubectl-create', '2024-05-01T10:00:00Z', createdFields)]),
    );
    assert.deepEqual(
      { ...created, metadata: { ...created.metadata, managedFields: undefined } },
      {
        ...deployment(),
        metadata: { ...deployment().metadata, managedFields: undefined },
      },
    );
  });

  it('gives changed fields to the writer and takes them from their owners', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const edited = updateManagedFields(
      created,
      {
        ...deployment({ image: 'nginx:2', labels: { app: 'web', tier: 'front' } }),
        metadata: {
          ...deployment({ labels: { app: 'web', tier: 'front' } }).metadata,
          managedFields: created.metadata.managedFields,
        },
      },
      opts('kubectl-edit'),
    );
    const createdWithoutImage = structuredClone(createdFields) as typeof createdFields;
    delete (
      createdWithoutImage['f:spec']['f:template']['f:spec']['f:containers'][
        'k:{"name":"web"}'
      ] as Record<string, unknown>
    )['f:image'];
    assert.equal(
      text(edited.metadata.managedFields),
      text([
        entry('kubectl-create', '2024-05-01T10:00:00Z', createdWithoutImage),
        entry('kubectl-edit', '2024-05-01T10:00:01Z', {
          // The labels map existed, so only the new key is taken.
          'f:metadata': { 'f:labels': { 'f:tier': {} } },
          'f:spec': {
            'f:template': {
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } },
            },
          },
        }),
      ]),
    );
  });

  it('leaves entries (and their times) alone when nothing changed', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const again = updateManagedFields(created, created, opts('kubectl-edit'));
    assert.deepEqual(again, created);
  });

  it('takes removed fields away from their owners', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const after = deployment({ labels: {} });
    delete after.metadata.labels;
    const edited = updateManagedFields(
      created,
      withEntries(after, created.metadata.managedFields),
      opts('kubectl-edit'),
    );
    const fields = edited.metadata.managedFields![0].fieldsV1 as typeof createdFields;
    assert.equal(edited.metadata.managedFields!.length, 1, 'removing gives the remover nothing');
    assert.equal(fields['f:metadata'], undefined);
  });

  it('records a scale subresource write under subresource scale, ignoring managedFields in the request', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const scaled = updateManagedFields(
      created,
      withEntries(deployment({ replicas: 5 }), [{}]),
      opts('kubectl', { subresource: 'scale' }),
    );
    const createdWithoutReplicas = structuredClone(createdFields) as Record<
      string,
      Record<string, unknown>
    >;
    delete createdWithoutReplicas['f:spec']['f:replicas'];
    assert.equal(
      text(scaled.metadata.managedFields),
      text([
        entry('kubectl-create', '2024-05-01T10:00:00Z', createdWithoutReplicas),
        entry(
          'kubectl',
          '2024-05-01T10:00:01Z',
          { 'f:spec': { 'f:replicas': {} } },
          { subresource: 'scale' },
        ),
      ]),
    );
  });

  it('resets managedFields on [{}], and the writer owns only what it changed', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const reset = updateManagedFields(
      created,
      withEntries(deployment(), [{}]),
      opts('kubectl-patch'),
    );
    assert.equal(Object.hasOwn(reset.metadata, 'managedFields'), false);
    const resetAndEdit = updateManagedFields(
      created,
      withEntries(deployment({ replicas: 2 }), [{}]),
      opts('kubectl-patch'),
    );
    assert.equal(
      text(resetAndEdit.metadata.managedFields),
      text([entry('kubectl-patch', '2024-05-01T10:00:01Z', { 'f:spec': { 'f:replicas': {} } })]),
    );
  });

  it('keeps the live entries when the request sends an empty list', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const kept = updateManagedFields(created, withEntries(deployment(), []), opts('kubectl-patch'));
    assert.deepEqual(kept.metadata.managedFields, created.metadata.managedFields);
  });

  it('uses managedFields the request sets (ownership edited by hand)', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const handOver = [entry('someone', '2024-01-01T00:00:00Z', { 'f:spec': { 'f:replicas': {} } })];
    const edited = updateManagedFields(
      created,
      withEntries(deployment(), handOver),
      opts('kubectl-edit'),
    );
    assert.deepEqual(edited.metadata.managedFields, handOver);
  });

  it('gives each apiVersion of one manager its own entry', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('ctl'));
    const later = updateManagedFields(
      created,
      withEntries(deployment({ replicas: 3 }), created.metadata.managedFields),
      opts('ctl', { apiVersion: 'apps/v1beta2' }),
    );
    assert.deepEqual(
      later.metadata.managedFields!.map((e) => [e.manager, e.apiVersion]),
      [
        ['ctl', 'apps/v1'],
        ['ctl', 'apps/v1beta2'],
      ],
    );
  });

  it('leaves ignored fields (reset by the endpoint) to nobody', () => {
    const { opts } = setup();
    const created = updateManagedFields(undefined, deployment(), opts('kubectl-create'));
    const withStatus = { ...deployment(), status: { replicas: 1 } };
    const updated = updateManagedFields(
      created,
      withEntries(withStatus, created.metadata.managedFields),
      opts('sneaky', { ignoredFields: FieldSet.fromPaths([['f:status']]) }),
    );
    assert.deepEqual(updated.metadata.managedFields, created.metadata.managedFields);
  });

  it('merges the oldest of more than ten Update entries into ancient-changes', () => {
    const { opts } = setup();
    let obj = updateManagedFields(undefined, deployment(), opts('creator'));
    for (let i = 1; i <= 11; i++) {
      const labels = { ...obj.metadata.labels, [`l${i}`]: 'x' };
      obj = updateManagedFields(
        obj,
        { ...obj, metadata: { ...obj.metadata, labels } },
        opts(`writer-${i}`),
      );
    }
    const entries = obj.metadata.managedFields!;
    assert.equal(entries.length, 10);
    assert.deepEqual(
      entries.map((e) => [e.manager, e.time]),
      [
        ['ancient-changes', '2024-05-01T10:00:02Z'],
        ...Array.from({ length: 9 }, (_, i) => [
          `writer-${i + 3}`,
          `2024-05-01T10:00:${String(i + 3).padStart(2, '0')}Z`,
        ]),
      ],
    );
    const ancient = FieldSet.fromFieldsV1(entries[0].fieldsV1);
    assert.equal(ancient.has(['f:metadata', 'f:labels', 'f:l1']), true, 'writer-1 merged');
    assert.equal(ancient.has(['f:metadata', 'f:labels', 'f:l2']), true, 'writer-2 merged');
    assert.equal(ancient.has(['f:spec', 'f:replicas']), true, 'creator merged');
  });
});
