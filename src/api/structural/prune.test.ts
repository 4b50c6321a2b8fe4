import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaResolver, ref, type JSONSchemaProps } from '../schema.ts';
import { prune, unknownFields } from './prune.ts';

const none = new SchemaResolver({});

/** A BackupJob resource, in the style of the Kubernetes CRD documentation's examples. */
const backupJob: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        schedule: { type: 'string' },
        target: { type: 'string' },
        retention: { type: 'object', properties: { days: { type: 'integer' } } },
        hooks: {
          type: 'array',
          items: { type: 'object', properties: { command: { type: 'string' } } },
        },
        settings: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { mode: { type: 'object', properties: { name: { type: 'string' } } } },
        },
        labels: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { value: { type: 'string' } } },
        },
        anything: { type: 'object', additionalProperties: true },
        pod: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { nodeName: { type: 'string' } } } },
        },
      },
    },
  },
};

describe('prune', () => {
  it('removes undeclared fields and reports them sorted', () => {
    const obj = {
      apiVersion: 'backup.example.com/v1',
      kind: 'BackupJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 2 * * *',
        target: 's3://x',
        colour: 'blue',
        retention: { days: 7, weeks: 2 },
      },
      status: { lastRun: 'never' },
    };
    assert.deepEqual(prune(obj, backupJob, none), [
      'spec.colour',
      'spec.retention.weeks',
      'status',
    ]);
    assert.deepEqual(obj, {
      apiVersion: 'backup.example.com/v1',
      kind: 'BackupJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 2 * * *', target: 's3://x', retention: { days: 7 } },
    });
  });

  it('prunes inside array items', () => {
    const obj = { spec: { hooks: [{ command: 'a', shell: 'sh' }, { command: 'b' }] } };
    assert.deepEqual(prune(obj, backupJob, none), ['spec.hooks[0].shell']);
    assert.deepEqual(obj.spec.hooks, [{ command: 'a' }, { command: 'b' }]);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields, but prunes declared ones', () => {
    const obj = {
      spec: { settings: { free: { form: [1, { x: 2 }] }, mode: { name: 'fast', extra: true } } },
    };
    assert.deepEqual(prune(obj, backupJob, none), ['spec.settings.mode.extra']);
    assert.deepEqual(obj.spec.settings, { free: { form: [1, { x: 2 }] }, mode: { name: 'fast' } });
  });

  it('items of a preserving array keep unknown fields; their declared fields are still pruned', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        list: {
          type: 'array',
          'x-kubernetes-preserve-unknown-fields': true,
          items: {
            type: 'object',
            properties: { a: { type: 'object', properties: { x: { type: 'string' } } } },
          },
        },
      },
    };
    const obj = { list: [{ extra: 1, a: { x: 'y', junk: 2 } }, 'scalar'] };
    assert.deepEqual(prune(obj, schema, none), ['list[0].a.junk']);
    assert.deepEqual(obj, { list: [{ extra: 1, a: { x: 'y' } }, 'scalar'] });
  });

  it('keeps every key of a map and prunes its values by additionalProperties', () => {
    const obj = { spec: { labels: { a: { value: '1', junk: 1 }, b: { value: '2' } } } };
    assert.deepEqual(prune(obj, backupJob, none), ['spec.labels.a.junk']);
    assert.deepEqual(obj.spec.labels, { a: { value: '1' }, b: { value: '2' } });
  });

  it('additionalProperties: true keeps the keys; values get no schema (Kubernetes prunes their fields)', () => {
    const obj = { spec: { anything: { n: 1, s: 'x', o: { deep: 1 }, l: [{ deep: 2 }, 3] } } };
    assert.deepEqual(prune(obj, backupJob, none), [
      'spec.anything.l[0].deep',
      'spec.anything.o.deep',
    ]);
    assert.deepEqual(obj.spec.anything, { n: 1, s: 'x', o: {}, l: [{}, 3] });
  });

  it('keeps apiVersion, kind and metadata of embedded resources, pruning metadata as ObjectMeta', () => {
    const obj = {
      spec: {
        pod: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'p',
            labels: { a: 'b' },
            bogus: 1,
            ownerReferences: [{ name: 'o', extra: 1 }],
          },
          spec: { nodeName: 'n1', hostNetwork: true },
        },
      },
    };
    assert.deepEqual(prune(obj, backupJob, none), [
      'spec.pod.metadata.bogus',
      'spec.pod.metadata.ownerReferences[0].extra',
      'spec.pod.spec.hostNetwork',
    ]);
    assert.deepEqual(obj.spec.pod, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' }, ownerReferences: [{ name: 'o' }] },
      spec: { nodeName: 'n1' },
    });
  });

  it('keeps apiVersion and kind at the root even when the schema does not declare them', () => {
    const obj = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', uid: 'u', nonsense: 1 },
      spec: 1,
    };
    assert.deepEqual(prune(obj, { type: 'object' }, none), ['metadata.nonsense', 'spec']);
    assert.deepEqual(obj, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', uid: 'u' } });
  });

  it('is idempotent', () => {
    const obj = { spec: { schedule: 'x', colour: 'blue', hooks: [{ shell: 1 }] } };
    prune(obj, backupJob, none);
    const once = structuredClone(obj);
    assert.deepEqual(prune(obj, backupJob, none), []);
    assert.deepEqual(obj, once);
  });
});

describe('unknownFields', () => {
  it('reports what prune would remove, without changing the value', () => {
    const obj = {
      metadata: { name: 'a', surprise: true },
      spec: { colour: 'blue', retention: { weeks: 2 } },
    };
    const copy = structuredClone(obj);
    assert.deepEqual(unknownFields(obj, backupJob, none), [
      'metadata.surprise',
      'spec.colour',
      'spec.retention.weeks',
    ]);
    assert.deepEqual(obj, copy);
  });

  it('does not descend into x-kubernetes-preserve-unknown-fields', () => {
    assert.deepEqual(
      unknownFields({ spec: { settings: { a: { b: { c: 1 } } } } }, backupJob, none),
      [],
    );
  });

  it('names paths below `path`, and does not treat a sub-value as a resource', () => {
    const spec = backupJob.properties!.spec;
    assert.deepEqual(unknownFields({ kind: 'x', target: 't' }, spec, none, 'spec'), ['spec.kind']);
  });

  it('follows $ref for built-in kinds, including nested ObjectMeta', () => {
    const resolver = new SchemaResolver({
      ObjectMeta: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      Template: { type: 'object', properties: { metadata: ref('ObjectMeta'), spec: ref('Spec') } },
      Spec: {
        type: 'object',
        properties: { containers: { type: 'array', items: ref('Container') } },
      },
      Container: {
        type: 'object',
        properties: { name: { type: 'string' }, image: { type: 'string' } },
      },
      Deployment: {
        type: 'object',
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: ref('ObjectMeta'),
          spec: {
            type: 'object',
            properties: { template: { allOf: [ref('Template')], description: 'pod template' } },
          },
        },
      },
    });
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labelz: {} },
      spec: {
        template: {
          metadata: { labels: { a: 'b' }, lables: {} },
          spec: { containers: [{ name: 'c', image: 'i', imagePullPolice: 'x' }] },
        },
      },
    };
    assert.deepEqual(unknownFields(deployment, ref('Deployment'), resolver), [
      'metadata.labelz',
      'spec.template.metadata.lables',
      'spec.template.spec.containers[0].imagePullPolice',
    ]);
  });
});

describe('field names that are Object.prototype members', () => {
  it('are unknown unless declared, and are pruned as own fields', () => {
    const obj = JSON.parse(
      '{"spec":{"constructor":1,"__proto__":{"x":1},"toString":"s","schedule":"x"}}',
    );
    assert.deepEqual(unknownFields(obj, backupJob, none), [
      'spec.__proto__',
      'spec.constructor',
      'spec.toString',
    ]);
    assert.deepEqual(prune(obj, backupJob, none), [
      'spec.__proto__',
      'spec.constructor',
      'spec.toString',
    ]);
    assert.deepEqual(Object.keys(obj.spec), ['schedule']);
    assert.equal(Object.getPrototypeOf(obj.spec), Object.prototype);
  });
});
