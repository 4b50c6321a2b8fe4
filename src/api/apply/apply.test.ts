import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConflict, isInvalid, type ConflictError } from '../../util/errors.ts';
import type { KubeObject } from '../types/meta.ts';
import { LAST_APPLIED_ANNOTATION, serverSideApply, type ApplyOptions } from './apply.ts';
import { FieldSet, goJSON } from './field-set.ts';
import { updateManagedFields, type UpdateOptions } from './managed-fields.ts';
import { deploymentSchema as schema, testClock, testResolver as resolver } from './test-schema.ts';

function text(v: unknown): string {
  return JSON.stringify(v);
}

interface Config {
  replicas?: number;
  image?: string;
  labels?: Record<string, string>;
  containers?: unknown[];
  annotations?: Record<string, string>;
}

/** A Deployment configuration; fields left out of `o` are left out of the object. */
function config(o: Config): KubeObject {
  const metadata: KubeObject['metadata'] = { name: 'web', namespace: 'default' };
  if (o.labels !== undefined) metadata.labels = o.labels;
  if (o.annotations !== undefined) metadata.annotations = o.annotations;
  const spec: Record<string, unknown> = {};
  if (o.replicas !== undefined) spec.replicas = o.replicas;
  const containers =
    o.containers ?? (o.image === undefined ? undefined : [{ name: 'web', image: o.image }]);
  if (containers !== undefined) spec.template = { spec: { containers } };
  const obj: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata };
  // An empty `spec: {}` would be a field of its own (an empty map is a leaf).
  if (Object.keys(spec).length > 0) obj.spec = spec;
  return obj;
}

function setup() {
  const clock = testClock();
  const apply = (
    live: KubeObject | undefined,
    applied: KubeObject,
    manager: string,
    more: Partial<ApplyOptions> = {},
  ): KubeObject =>
    serverSideApply(live, applied, {
      manager,
      force: false,
      apiVersion: 'apps/v1',
      schema,
      resolver,
      now: clock.now,
      ...more,
    });
  const update = (
    before: KubeObject | undefined,
    after: KubeObject,
    manager: string,
    more: Partial<UpdateOptions> = {},
  ): KubeObject =>
    updateManagedFields(before, after, {
      manager,
      apiVersion: 'apps/v1',
      schema,
      resolver,
      now: clock.now,
      ...more,
    });
  return { clock, apply, update };
}

/** `obj` with `change` applied to a copy, keeping its managedFields (what a PUT sends back). */
function edited(
  obj: KubeObject,
  change: (o: KubeObject & { spec: Record<string, unknown> }) => void,
): KubeObject {
  const copy = structuredClone(obj) as KubeObject & { spec: Record<string, unknown> };
  change(copy);
  return copy;
}

/** Manager name -> fieldsV1, to assert ownership without times. */
function owners(obj: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of obj.metadata.managedFields ?? []) {
    out[`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`] = e.fieldsV1;
  }
  return out;
}

function withoutManaged(obj: KubeObject): KubeObject {
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function conflictOf(fn: () => unknown): ConflictError {
  try {
    fn();
  } catch (err) {
    if (isConflict(err)) return err;
    throw err;
  }
  assert.fail('expected a conflict');
}

const REPLICAS = { 'f:spec': { 'f:replicas': {} } };

describe('serverSideApply', () => {
  it('creates an object owned by the applier', () => {
    const { apply } = setup();
    const created = apply(
      undefined,
      config({ replicas: 2, image: 'nginx:1', labels: { app: 'web' } }),
      'kubectl',
    );
    assert.equal(
      text(created),
      text({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'web',
          namespace: 'default',
          labels: { app: 'web' },
          managedFields: [
            {
              manager: 'kubectl',
              operation: 'Apply',
              apiVersion: 'apps/v1',
              time: '2024-05-01T10:00:00Z',
              fieldsType: 'FieldsV1',
              fieldsV1: {
                'f:metadata': { 'f:labels': { 'f:app': {} } },
                'f:spec': {
                  'f:replicas': {},
                  'f:template': {
                    'f:spec': {
                      'f:containers': {
                        'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
        spec: {
          replicas: 2,
          template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
        },
      }),
    );
  });

  it('is a no-op, time included, when the same configuration is applied again', () => {
    const { apply } = setup();
    const cfg = config({ replicas: 2, image: 'nginx:1', labels: { app: 'web' } });
    const created = apply(undefined, cfg, 'kubectl');
    // What the server adds on create stays as it is.
    const stored = {
      ...created,
      metadata: { ...created.metadata, uid: 'u', resourceVersion: '3' },
    };
    const again = apply(stored, cfg, 'kubectl');
    assert.deepEqual(again, stored);
  });

  it('stamps a new time when the object changes', () => {
    const { apply } = setup();
    const created = apply(undefined, config({ replicas: 2 }), 'kubectl');
    const changed = apply(created, config({ replicas: 3 }), 'kubectl');
    assert.equal(changed.metadata.managedFields![0].time, '2024-05-01T10:00:01Z');
  });

  describe('conflicts', () => {
    it('reports one conflict with another applier', () => {
      const { apply } = setup();
      const live = apply(undefined, config({ replicas: 1 }), 'alice');
      const err = conflictOf(() => apply(live, config({ replicas: 2 }), 'bob'));
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "alice": .spec.replicas',
      );
      assert.deepEqual(err.details.causes, [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "alice"',
          field: '.spec.replicas',
        },
      ]);
    });

    it('reports every conflict, grouped by manager in identifier order', () => {
      const { apply, update } = setup();
      const created = update(
        undefined,
        config({ replicas: 1, image: 'nginx:1', labels: { app: 'web' } }),
        'kubectl-create',
      );
      // alice applies the same values: no conflict, she shares ownership.
      const shared = apply(created, config({ replicas: 1, image: 'nginx:1' }), 'alice');
      const err = conflictOf(() =>
        apply(shared, config({ replicas: 2, image: 'nginx:2', labels: { app: 'api' } }), 'bob'),
      );
      assert.equal(
        err.message,
        'Apply failed with 5 conflicts: conflicts with "alice":\n' +
          '- .spec.replicas\n' +
          '- .spec.template.spec.containers[name="web"].image\n' +
          'conflicts with "kubectl-create" using apps/v1:\n' +
          '- .metadata.labels.app\n' +
          '- .spec.replicas\n' +
          '- .spec.template.spec.containers[name="web"].image',
      );
      const alice = 'conflict with "alice"';
      const create = 'conflict with "kubectl-create" using apps/v1';
      assert.deepEqual(
        err.details.causes?.map((c) => [c.reason, c.message, c.field]),
        [
          ['FieldManagerConflict', alice, '.spec.replicas'],
          ['FieldManagerConflict', alice, '.spec.template.spec.containers[name="web"].image'],
          ['FieldManagerConflict', create, '.metadata.labels.app'],
          ['FieldManagerConflict', create, '.spec.replicas'],
          ['FieldManagerConflict', create, '.spec.template.spec.containers[name="web"].image'],
        ],
      );
    });

    it('moves ownership with force, dropping entries left empty', () => {
      const { apply } = setup();
      const alice = apply(undefined, config({ replicas: 1, labels: { a: '1' } }), 'alice');
      const carol = apply(alice, config({ replicas: 1 }), 'carol');
      const bob = apply(carol, config({ replicas: 5 }), 'bob', { force: true });
      assert.equal((bob.spec as { replicas: number }).replicas, 5);
      assert.deepEqual(owners(bob), {
        'alice/Apply': { 'f:metadata': { 'f:labels': { 'f:a': {} } } },
        'bob/Apply': REPLICAS,
      });
    });

    it('lets two appliers share a field they set to the same value', () => {
      const { apply } = setup();
      const alice = apply(undefined, config({ replicas: 3 }), 'alice');
      const bob = apply(alice, config({ replicas: 3 }), 'bob');
      assert.deepEqual(owners(bob), { 'alice/Apply': REPLICAS, 'bob/Apply': REPLICAS });
      // The object did not change, but bob's new entry gets a time.
      assert.equal(bob.metadata.managedFields![1].time, '2024-05-01T10:00:01Z');
      // Shared fields stay when one owner lets go, and go when the last one does.
      const aliceLetsGo = apply(bob, config({}), 'alice');
      assert.equal((aliceLetsGo.spec as { replicas?: number }).replicas, 3);
      assert.deepEqual(owners(aliceLetsGo), { 'bob/Apply': REPLICAS });
      const bobLetsGo = apply(aliceLetsGo, config({}), 'bob');
      assert.deepEqual(withoutManaged(bobLetsGo), config({}));
      assert.equal(bobLetsGo.metadata.managedFields, undefined);
    });

    it('conflicts with an Update that took the field (kubectl scale), not when values agree', () => {
      const { apply, update } = setup();
      const created = apply(undefined, config({ replicas: 2, image: 'nginx:1' }), 'kubectl');
      const scaled = update(
        created,
        edited(created, (o) => (o.spec.replicas = 5)),
        'kubectl',
        { subresource: 'scale' },
      );
      const kubectlApply = owners(scaled)['kubectl/Apply'] as { 'f:spec': Record<string, unknown> };
      assert.equal(kubectlApply['f:spec']['f:replicas'], undefined, 'scale took .spec.replicas');
      assert.deepEqual(owners(scaled)['kubectl/Update/scale'], REPLICAS);

      const err = conflictOf(() =>
        apply(scaled, config({ replicas: 3, image: 'nginx:1' }), 'kubectl'),
      );
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
      );
      assert.deepEqual(err.details.causes, [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl" with subresource "scale" using apps/v1',
          field: '.spec.replicas',
        },
      ]);

      const agreed = apply(scaled, config({ replicas: 5, image: 'nginx:1' }), 'kubectl');
      assert.deepEqual(
        (owners(agreed)['kubectl/Apply'] as { 'f:spec': Record<string, unknown> })['f:spec'][
          'f:replicas'
        ],
        {},
      );
      assert.deepEqual(owners(agreed)['kubectl/Update/scale'], REPLICAS);
    });

    it('conflicts with kubectl create on values it set differently', () => {
      const { apply, update } = setup();
      const created = update(
        undefined,
        config({ replicas: 1, image: 'nginx:1' }),
        'kubectl-create',
      );
      const err = conflictOf(() =>
        apply(created, config({ replicas: 1, image: 'nginx:2' }), 'kubectl'),
      );
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.template.spec.containers[name="web"].image',
      );
      const same = apply(created, config({ replicas: 1, image: 'nginx:1' }), 'kubectl');
      assert.deepEqual(Object.keys(owners(same)), ['kubectl/Apply', 'kubectl-create/Update']);
    });
  });

  describe('upgrading from client-side apply', () => {
    /** What client-side `kubectl apply` leaves: the annotation, and an Update entry. */
    function clientSideApplied(
      update: ReturnType<typeof setup>['update'],
      cfg: KubeObject,
    ): KubeObject {
      const annotated = structuredClone(cfg);
      annotated.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(cfg)}\n` };
      return update(undefined, annotated, 'kubectl-client-side-apply');
    }

    it('lets kubectl take fields whose value still matches the annotation, and rewrites it', () => {
      const { apply, update } = setup();
      const live = clientSideApplied(update, config({ replicas: 1, image: 'nginx:1' }));
      const next = config({ replicas: 4, image: 'nginx:2' });
      const upgraded = apply(live, next, 'kubectl');
      assert.deepEqual(upgraded.spec, next.spec);
      assert.equal(upgraded.metadata.annotations![LAST_APPLIED_ANNOTATION], `${goJSON(next)}\n`);
      const csa = owners(upgraded)['kubectl-client-side-apply/Update'] as Record<string, unknown>;
      assert.equal(
        text(csa),
        text({
          'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} } },
          'f:spec': {
            'f:template': {
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {} } } },
            },
          },
        }),
      );
    });

    it('still conflicts where the live value moved away from the annotation', () => {
      const { apply, update } = setup();
      const live = clientSideApplied(update, config({ replicas: 1, image: 'nginx:1' }));
      const scaled = update(
        live,
        edited(live, (o) => (o.spec.replicas = 3)),
        'kubectl',
        { subresource: 'scale' },
      );
      const err = conflictOf(() =>
        apply(scaled, config({ replicas: 4, image: 'nginx:2' }), 'kubectl'),
      );
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
      );
    });

    it('gives no such allowance to other managers', () => {
      const { apply, update } = setup();
      const live = clientSideApplied(update, config({ replicas: 1, image: 'nginx:1' }));
      const err = conflictOf(() => apply(live, config({ replicas: 4 }), 'helm'));
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      );
    });
  });

  describe('dropping fields', () => {
    it('removes fields, map keys and list items the applier no longer sets', () => {
      const { apply } = setup();
      const first = apply(
        undefined,
        config({
          replicas: 2,
          labels: { a: '1', b: '2' },
          containers: [
            { name: 'x', image: 'i' },
            { name: 'y', image: 'j' },
          ],
        }),
        'alice',
      );
      const second = apply(
        first,
        config({ labels: { a: '1' }, containers: [{ name: 'x', image: 'i' }] }),
        'alice',
      );
      assert.deepEqual(
        withoutManaged(second),
        config({ labels: { a: '1' }, containers: [{ name: 'x', image: 'i' }] }),
      );
    });

    it('keeps what another manager owns, and what nobody applied', () => {
      const { apply, update } = setup();
      const alice = apply(
        undefined,
        config({ labels: { a: '1' }, containers: [{ name: 'x', image: 'i' }] }),
        'alice',
      );
      // Someone else adds a label and an argument to alice's container.
      const other = update(
        alice,
        edited(alice, (o) => {
          o.metadata.labels!.b = '2';
          (
            o.spec.template as { spec: { containers: { args?: string[] }[] } }
          ).spec.containers[0].args = ['-v'];
        }),
        'kubectl-edit',
      );
      const dropped = apply(other, config({}), 'alice');
      // alice owned the container item; kubectl-edit owns only a field in it, so the
      // item goes (as structured-merge-diff does); label b stays.
      assert.deepEqual(withoutManaged(dropped), config({ labels: { b: '2' } }));
    });
  });

  describe('list and map semantics', () => {
    it('replaces an atomic list whole, and it conflicts as one field', () => {
      const { apply } = setup();
      const withArgs = (args: string[]): KubeObject =>
        config({ containers: [{ name: 'web', args }] });
      const alice = apply(undefined, withArgs(['a', 'b', 'c']), 'alice');
      const err = conflictOf(() => apply(alice, withArgs(['d']), 'bob'));
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="web"].args',
      );
      const bob = apply(alice, withArgs(['d']), 'bob', { force: true });
      assert.deepEqual(bob.spec, withArgs(['d']).spec);
      assert.deepEqual(owners(bob), {
        'alice/Apply': {
          'f:spec': {
            'f:template': {
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {} } } },
            },
          },
        },
        'bob/Apply': {
          'f:spec': {
            'f:template': {
              'f:spec': {
                'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:args': {}, 'f:name': {} } },
              },
            },
          },
        },
      });
    });

    it('merges containers by name and ports by containerPort and protocol', () => {
      const { apply, update } = setup();
      const created = update(
        undefined,
        config({
          containers: [
            { name: 'web', image: 'nginx', ports: [{ containerPort: 80, name: 'http' }] },
          ],
        }),
        'kubectl-create',
      );
      const sidecar = apply(
        created,
        config({ containers: [{ name: 'log', image: 'fluentbit' }] }),
        'sidecar',
      );
      const dns = apply(
        sidecar,
        config({
          containers: [
            {
              name: 'web',
              ports: [
                { containerPort: 53, protocol: 'UDP' },
                { containerPort: 53, protocol: 'TCP' },
              ],
            },
          ],
        }),
        'dns',
      );
      assert.deepEqual((dns.spec as { template: unknown }).template, {
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx',
              ports: [
                { containerPort: 80, name: 'http' },
                { containerPort: 53, protocol: 'UDP' },
                { containerPort: 53, protocol: 'TCP' },
              ],
            },
            { name: 'log', image: 'fluentbit' },
          ],
        },
      });
      assert.equal(
        text(owners(dns)['dns/Apply']),
        text({
          'f:spec': {
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:name': {},
                    'f:ports': {
                      'k:{"containerPort":53,"protocol":"TCP"}': {
                        '.': {},
                        'f:containerPort': {},
                        'f:protocol': {},
                      },
                      'k:{"containerPort":53,"protocol":"UDP"}': {
                        '.': {},
                        'f:containerPort': {},
                        'f:protocol': {},
                      },
                    },
                  },
                },
              },
            },
          },
        }),
      );
      assert.equal(
        text(owners(dns)['sidecar/Apply']),
        text({
          'f:spec': {
            'f:template': {
              'f:spec': {
                'f:containers': { 'k:{"name":"log"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
              },
            },
          },
        }),
      );
    });

    it('merges maps of unknown fields key by key', () => {
      const { apply } = setup();
      const extra = (v: unknown): KubeObject => ({
        ...config({}),
        spec: { template: { spec: { extra: v } } },
      });
      const a = apply(undefined, extra({ x: { p: 1 }, list: [1] }), 'a');
      const b = apply(a, extra({ x: { q: 2 } }), 'b');
      assert.deepEqual(b.spec, extra({ x: { p: 1, q: 2 }, list: [1] }).spec);
      const err = conflictOf(() => apply(b, extra({ list: [2] }), 'b'));
      assert.equal(
        err.message,
        'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.extra.list',
      );
    });
  });

  describe('invalid configurations', () => {
    const cases: { name: string; applied: KubeObject; message: string }[] = [
      {
        name: 'one carrying managedFields',
        applied: { ...config({}), metadata: { name: 'web', managedFields: [] } },
        message: 'metadata.managedFields must be nil',
      },
      {
        name: 'one naming another version',
        applied: { ...config({}), apiVersion: 'apps/v1beta1' },
        message:
          'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1',
      },
      {
        name: 'one repeating a list key',
        applied: config({ containers: [{ name: 'web' }, { name: 'web' }] }),
        message:
          'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="web"]',
      },
    ];
    for (const c of cases) {
      it(`rejects ${c.name}`, () => {
        const { apply } = setup();
        assert.throws(
          () => apply(undefined, c.applied, 'kubectl'),
          (err: unknown) => isInvalid(err) && err.message === c.message,
        );
      });
    }
  });

  it('leaves ignored fields (status on the main resource) unowned', () => {
    const { apply, update } = setup();
    const live = update(
      undefined,
      { ...config({ replicas: 1 }), status: { replicas: 1 } },
      'controller',
    );
    const applied = apply(
      live,
      { ...config({ replicas: 1 }), status: { replicas: 9 } },
      'kubectl',
      {
        ignoredFields: FieldSet.fromPaths([['f:status']]),
      },
    );
    assert.deepEqual(owners(applied), {
      'kubectl/Apply': REPLICAS,
      'controller/Update': { 'f:spec': { 'f:replicas': {} }, 'f:status': { 'f:replicas': {} } },
    });
  });

  it('does not change its inputs', () => {
    const { apply } = setup();
    const live = apply(undefined, config({ replicas: 1, labels: { a: '1' } }), 'alice');
    const snapshot = structuredClone(live);
    const cfg = config({ replicas: 2, labels: { a: '1' } });
    const cfgSnapshot = structuredClone(cfg);
    const out = apply(live, cfg, 'alice');
    assert.deepEqual(live, snapshot);
    assert.deepEqual(cfg, cfgSnapshot);
    // Nor does the result share anything with them.
    out.metadata.labels!.a = 'changed';
    (out.spec as { replicas: number }).replicas = 99;
    assert.deepEqual(live, snapshot);
    assert.deepEqual(cfg, cfgSnapshot);
  });
});
