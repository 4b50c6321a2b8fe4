import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import { ref } from '../schema.ts';
import { FieldSet, pathText } from './field-set.ts';
import { deploymentSchema, testResolver } from './test-schema.ts';
import {
  checkListItems,
  compareObjects,
  fieldsOf,
  mergeObjects,
  removeFields,
  withNamedFields,
  type WalkContext,
} from './typed.ts';

const ctx: WalkContext = { resolver: testResolver, strict: false };
const podSpec = ref('PodSpec');

function text(v: unknown): string {
  return JSON.stringify(v);
}

function paths(s: FieldSet): string[] {
  return s.paths().map(pathText);
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['b', 'a'] },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { rollingUpdate: { maxSurge: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            args: ['-g', 'daemon off;'],
            ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
          },
        ],
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'k' }],
        extra: { nested: { deep: 1 }, list: [1, 2], empty: {} },
      },
    },
  },
};

describe('fieldsOf', () => {
  it('walks a Deployment with its schema', () => {
    assert.equal(
      text(fieldsOf(deployment, deploymentSchema, testResolver).toFieldsV1()),
      text({
        'f:apiVersion': {},
        'f:kind': {},
        'f:metadata': {
          // A set list: one member per value.
          'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} },
          // Keys of a map the schema does not declare are members themselves.
          'f:labels': { 'f:app': {} },
          'f:name': {},
        },
        'f:spec': {
          'f:replicas': {},
          // An atomic map is one leaf.
          'f:selector': {},
          'f:strategy': { 'f:rollingUpdate': { 'f:maxSurge': {} } },
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  '.': {},
                  // A list without a list type is atomic.
                  'f:args': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': {
                    // protocol is a key field with a default, filled in for the key.
                    'k:{"containerPort":53,"protocol":"UDP"}': {
                      '.': {},
                      'f:containerPort': {},
                      'f:protocol': {},
                    },
                    'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                  },
                },
              },
              // Preserved unknown fields: maps granular (each key a member), lists atomic.
              'f:extra': {
                'f:empty': {},
                'f:list': {},
                'f:nested': { '.': {}, 'f:deep': {} },
              },
              'f:nodeSelector': {},
              'f:tolerations': {},
            },
          },
        },
      }),
    );
  });

  it('walks an object without a schema by its deduced shape', () => {
    const set = fieldsOf(
      { spec: { a: { b: 1 }, list: [{ x: 1 }], empty: {} } },
      undefined,
      testResolver,
    );
    assert.equal(
      text(set.toFieldsV1()),
      text({
        'f:spec': {
          '.': {},
          'f:a': { '.': {}, 'f:b': {} },
          'f:empty': {},
          'f:list': {},
        },
      }),
    );
  });

  it('counts a repeated live list item as one member without its fields', () => {
    const set = fieldsOf(
      {
        containers: [
          { name: 'a', image: '1' },
          { name: 'a', image: '2' },
          { name: 'b', image: '3' },
        ],
      },
      podSpec,
      testResolver,
    );
    assert.deepEqual(paths(set), [
      '.containers[name="a"]',
      '.containers[name="b"]',
      '.containers[name="b"].image',
      '.containers[name="b"].name',
    ]);
  });
});

describe('checkListItems', () => {
  const cases: { name: string; spec: unknown; message: string }[] = [
    {
      name: 'a map-list item without its key',
      spec: { containers: [{ image: 'x' }] },
      message:
        '.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)',
    },
    {
      name: 'a repeated map-list key',
      spec: { containers: [{ name: 'a' }, { name: 'a' }] },
      message: '.containers: duplicate entries for key [name="a"]',
    },
    {
      name: 'a repeated multi-key item (default filled in)',
      spec: {
        containers: [
          { name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] },
        ],
      },
      message:
        '.containers[name="a"].ports: duplicate entries for key [containerPort=80,protocol="TCP"]',
    },
    {
      name: 'a map-list item that is not an object',
      spec: { containers: ['x'] },
      message: '.containers: element 0: associative list with keys may not have non-map elements',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      assert.throws(
        () => checkListItems(ctx, c.spec, podSpec),
        (err: unknown) => isInvalid(err) && err.message === c.message,
      );
    });
  }

  it('rejects a repeated set item', () => {
    assert.throws(
      () => checkListItems(ctx, { finalizers: ['a', 'a'] }, ref('ObjectMeta')),
      (err: unknown) =>
        isInvalid(err) && err.message === '.finalizers: duplicate entries for key [="a"]',
    );
  });

  it('accepts items that differ in one key field', () => {
    checkListItems(
      ctx,
      {
        containers: [
          { name: 'a', ports: [{ containerPort: 53 }, { containerPort: 53, protocol: 'UDP' }] },
        ],
      },
      podSpec,
    );
  });
});

describe('compareObjects', () => {
  const cases: {
    name: string;
    before: unknown;
    after: unknown;
    added: string[];
    modified: string[];
    removed: string[];
  }[] = [
    {
      name: 'scalars',
      before: { containers: [{ name: 'a', image: '1' }] },
      after: { containers: [{ name: 'a', image: '2' }] },
      added: [],
      modified: ['.containers[name="a"].image'],
      removed: [],
    },
    {
      name: 'a list item added and one removed, with everything in them',
      before: { containers: [{ name: 'a' }] },
      after: { containers: [{ name: 'b', image: 'x' }] },
      added: ['.containers[name="b"]', '.containers[name="b"].image', '.containers[name="b"].name'],
      modified: [],
      removed: ['.containers[name="a"]', '.containers[name="a"].name'],
    },
    {
      name: 'an atomic map changed inside is modified as a whole',
      before: { nodeSelector: { a: '1' } },
      after: { nodeSelector: { a: '2', b: '1' } },
      added: [],
      modified: ['.nodeSelector'],
      removed: [],
    },
    {
      name: 'an atomic list reordered is modified',
      before: { containers: [{ name: 'a', args: ['1', '2'] }] },
      after: { containers: [{ name: 'a', args: ['2', '1'] }] },
      added: [],
      modified: ['.containers[name="a"].args'],
      removed: [],
    },
    {
      name: 'a map-list reordered is not modified',
      before: { containers: [{ name: 'a' }, { name: 'b' }] },
      after: { containers: [{ name: 'b' }, { name: 'a' }] },
      added: [],
      modified: [],
      removed: [],
    },
    {
      name: 'empty map and absent map compare as a leaf',
      before: { extra: { m: {} } },
      after: { extra: {} },
      added: [],
      modified: [],
      removed: ['.extra.m'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const cmp = compareObjects(ctx, c.before, c.after, podSpec);
      assert.deepEqual(
        { added: paths(cmp.added), modified: paths(cmp.modified), removed: paths(cmp.removed) },
        { added: c.added, modified: c.modified, removed: c.removed },
      );
    });
  }

  it('compares a create against the zero value of struct types', () => {
    const cmp = compareObjects(ctx, undefined, deployment, deploymentSchema, true);
    const added = paths(cmp.added);
    // Structs exist in the zero value; required lists exist as null.
    for (const p of ['.spec', '.spec.template', '.spec.template.spec.containers', '.metadata']) {
      assert.equal(added.includes(p), false, p);
    }
    // Optional maps and lists, and list items, are new as a whole.
    for (const p of [
      '.metadata.labels',
      '.spec.template.metadata.labels',
      '.spec.template.spec.containers[name="web"]',
      '.spec.template.spec.containers[name="web"].ports',
      '.spec.replicas',
    ]) {
      assert.equal(added.includes(p), true, p);
    }
  });
});

describe('mergeObjects', () => {
  const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
    {
      name: 'map-list items merge by name, in the configuration order',
      live: {
        containers: [
          { name: 'a', image: 'a1', args: ['x'] },
          { name: 'b', image: 'b1' },
        ],
      },
      config: { containers: [{ name: 'b', image: 'b2' }, { name: 'c' }, { name: 'a' }] },
      want: {
        containers: [
          { name: 'b', image: 'b2' },
          { name: 'c' },
          { name: 'a', image: 'a1', args: ['x'] },
        ],
      },
    },
    {
      name: 'live items the configuration does not mention stay where they were',
      live: { containers: [{ name: 'x' }, { name: 'a' }, { name: 'y' }, { name: 'b' }] },
      config: { containers: [{ name: 'b' }, { name: 'a' }] },
      want: { containers: [{ name: 'x' }, { name: 'y' }, { name: 'b' }, { name: 'a' }] },
    },
    {
      name: 'ports merge by containerPort and protocol together',
      live: {
        containers: [
          { name: 'a', ports: [{ containerPort: 53, name: 'dns' }, { containerPort: 80 }] },
        ],
      },
      config: {
        containers: [
          {
            name: 'a',
            ports: [
              { containerPort: 53, protocol: 'UDP', name: 'dns-udp' },
              { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' },
            ],
          },
        ],
      },
      want: {
        containers: [
          {
            name: 'a',
            ports: [
              { containerPort: 53, protocol: 'UDP', name: 'dns-udp' },
              { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
              { containerPort: 80 },
            ],
          },
        ],
      },
    },
    {
      name: 'atomic lists and maps are replaced whole',
      live: {
        containers: [{ name: 'a', args: ['1', '2', '3'] }],
        nodeSelector: { a: '1', b: '2' },
        tolerations: [{ key: 'x' }],
      },
      config: {
        containers: [{ name: 'a', args: ['9'] }],
        nodeSelector: { c: '3' },
        tolerations: [],
      },
      want: {
        containers: [{ name: 'a', args: ['9'] }],
        nodeSelector: { c: '3' },
        tolerations: [],
      },
    },
    {
      name: 'unknown fields: maps merge, lists replace',
      live: { extra: { m: { a: 1, b: 2 }, l: [1, 2] } },
      config: { extra: { m: { b: 3 }, l: [3] } },
      want: { extra: { m: { a: 1, b: 3 }, l: [3] } },
    },
    {
      name: 'a repeated live item is replaced by the configured one',
      live: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'a', image: '2' },
        ],
      },
      config: { containers: [{ name: 'a', image: '3' }] },
      want: { containers: [{ name: 'a', image: '3' }] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(mergeObjects(ctx, c.live, c.config, podSpec), c.want);
    });
  }

  it('merges set lists by value, keeping live values', () => {
    // `a` is placed where the configuration puts it; `b`, which only the live
    // list has, follows the last item it preceded.
    assert.deepEqual(
      mergeObjects(ctx, { finalizers: ['a', 'b'] }, { finalizers: ['c', 'a'] }, ref('ObjectMeta')),
      { finalizers: ['c', 'a', 'b'] },
    );
  });

  it('shares nothing with its inputs', () => {
    const live = { containers: [{ name: 'a', args: ['1'] }] };
    const config = { containers: [{ name: 'b', args: ['2'] }] };
    const out = mergeObjects(ctx, live, config, podSpec) as typeof live;
    out.containers[0].args.push('x');
    out.containers[1].args.push('y');
    assert.deepEqual(live.containers[0].args, ['1']);
    assert.deepEqual(config.containers[0].args, ['2']);
  });
});

describe('removeFields', () => {
  const obj = {
    containers: [
      { name: 'a', image: '1' },
      { name: 'b', image: '2' },
    ],
    nodeSelector: { x: 'y' },
  };
  it('removes list items and fields, leaving emptied containers null or absent', () => {
    const toRemove = FieldSet.fromPaths([
      ['f:containers', 'k:{"name":"a"}'],
      ['f:containers', 'k:{"name":"b"}', 'f:image'],
      ['f:containers', 'k:{"name":"b"}', 'f:name'],
    ]);
    assert.deepEqual(removeFields(ctx, obj, toRemove, podSpec, 'null'), {
      containers: [null],
      nodeSelector: { x: 'y' },
    });
    assert.deepEqual(removeFields(ctx, obj, toRemove, podSpec, 'absent'), {
      nodeSelector: { x: 'y' },
    });
  });

  it('adds declared struct fields that lead to members', () => {
    const set = FieldSet.fromPaths([
      ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image'],
      ['f:metadata', 'f:labels', 'f:app'],
    ]);
    assert.deepEqual(paths(withNamedFields(ctx, set, deploymentSchema)), [
      '.metadata',
      '.spec',
      '.metadata.labels',
      '.metadata.labels.app',
      '.spec.template',
      '.spec.template.spec',
      '.spec.template.spec.containers',
      '.spec.template.spec.containers[name="a"].image',
    ]);
  });
});
