import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaResolver, ref, type JSONSchemaProps } from '../schema.ts';
import { applyDefaults } from './defaults.ts';

const none = new SchemaResolver({});

/** A Webhook resource whose spec fields have defaults. */
const webhook: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        url: { type: 'string' },
        method: { type: 'string', default: 'POST' },
        retries: { type: 'integer', default: 3 },
        timeout: { type: 'string', nullable: true, default: '10s' },
        note: { type: 'string', nullable: true },
        label: { type: 'string' },
        tls: {
          type: 'object',
          default: {},
          properties: { verify: { type: 'boolean', default: true }, ca: { type: 'string' } },
        },
        headers: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, value: { type: 'string', default: '' } },
          },
        },
        weights: { type: 'array', items: { type: 'integer', default: 1 } },
        params: { type: 'object', additionalProperties: { type: 'string', default: 'on' } },
        backoff: {
          type: 'object',
          default: { initial: '1s', factor: 2, jitter: 'yes' },
          properties: { initial: { type: 'string' }, factor: { type: 'integer' } },
        },
      },
    },
  },
};

function defaulted(obj: unknown, schema: JSONSchemaProps = webhook): unknown {
  const copy = structuredClone(obj);
  applyDefaults(copy, schema, none);
  return copy;
}

describe('applyDefaults', () => {
  it('fills missing fields of objects that exist, recursing into inserted defaults', () => {
    assert.deepEqual(defaulted({ spec: { url: 'https://x' } }), {
      spec: {
        url: 'https://x',
        method: 'POST',
        retries: 3,
        timeout: '10s',
        tls: { verify: true },
        backoff: { initial: '1s', factor: 2 },
      },
    });
  });

  it('does not create parent objects', () => {
    assert.deepEqual(defaulted({}), {});
    assert.deepEqual(defaulted({ spec: { headers: [] } }), {
      spec: {
        headers: [],
        method: 'POST',
        retries: 3,
        timeout: '10s',
        tls: { verify: true },
        backoff: { initial: '1s', factor: 2 },
      },
    });
  });

  it('leaves values that are set', () => {
    const obj = { spec: { method: 'GET', retries: 0, tls: { verify: false } } };
    assert.deepEqual(defaulted(obj), {
      spec: {
        method: 'GET',
        retries: 0,
        timeout: '10s',
        tls: { verify: false },
        backoff: { initial: '1s', factor: 2 },
      },
    });
  });

  it('null: defaulted when not nullable, kept when nullable, dropped when not nullable without default', () => {
    const out = defaulted({
      spec: { method: null, timeout: null, note: null, label: null, tls: null },
    }) as {
      spec: Record<string, unknown>;
    };
    assert.equal(out.spec.method, 'POST');
    assert.equal(out.spec.timeout, null);
    assert.equal(out.spec.note, null);
    assert.equal(Object.hasOwn(out.spec, 'label'), false);
    assert.deepEqual(out.spec.tls, { verify: true });
  });

  it('defaults inside array items and map values, and null items', () => {
    const out = defaulted({
      spec: {
        headers: [{ name: 'a' }, { name: 'b', value: 'x' }],
        weights: [5, null],
        params: { a: 'off', b: null },
      },
    }) as { spec: Record<string, unknown> };
    assert.deepEqual(out.spec.headers, [
      { name: 'a', value: '' },
      { name: 'b', value: 'x' },
    ]);
    assert.deepEqual(out.spec.weights, [5, 1]);
    assert.deepEqual(out.spec.params, { a: 'off', b: 'on' });
  });

  it('prunes defaults of undeclared fields and inserts copies', () => {
    const a = defaulted({ spec: {} }) as {
      spec: { backoff: Record<string, unknown>; tls: object };
    };
    assert.deepEqual(a.spec.backoff, { initial: '1s', factor: 2 });
    a.spec.backoff.initial = 'changed';
    const b = defaulted({ spec: {} }) as { spec: { backoff: Record<string, unknown> } };
    assert.equal(b.spec.backoff.initial, '1s');
    assert.deepEqual(webhook.properties!.spec.properties!.backoff.default, {
      initial: '1s',
      factor: 2,
      jitter: 'yes',
    });
  });

  it('keeps what a default holds under x-kubernetes-preserve-unknown-fields', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        extra: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          default: { free: { form: 1 } },
        },
      },
    };
    assert.deepEqual(defaulted({}, s), { extra: { free: { form: 1 } } });
  });

  it('embedded resources: apiVersion/kind defaults kept, metadata defaults pruned as ObjectMeta', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: {
            apiVersion: { type: 'string', default: 'v1' },
            kind: { type: 'string', default: 'ConfigMap' },
            metadata: { type: 'object', default: { labels: { app: 'x' }, junk: 1 } },
          },
        },
      },
    };
    assert.deepEqual(defaulted({ template: {} }, s), {
      template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { labels: { app: 'x' } } },
    });
  });

  it('follows $ref', () => {
    const resolver = new SchemaResolver({
      Probe: { type: 'object', properties: { period: { type: 'integer', default: 10 } } },
    });
    const s: JSONSchemaProps = { type: 'object', properties: { probe: ref('Probe') } };
    const obj = { probe: {} };
    applyDefaults(obj, s, resolver);
    assert.deepEqual(obj, { probe: { period: 10 } });
  });

  it('is idempotent', () => {
    const once = defaulted({
      spec: { headers: [{}], weights: [null], params: { x: null }, tls: null },
    });
    assert.deepEqual(defaulted(once), once);
  });
});

describe('applyDefaults with hostile field names', () => {
  it('sets a declared __proto__ field as an own field, never as the prototype', () => {
    const s = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"default":{"polluted":true}}}}',
    ) as JSONSchemaProps;
    const obj: Record<string, unknown> = {};
    applyDefaults(obj, s, none);
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('is idempotent for apiVersion defaults of a resource that hold a disallowed null', () => {
    // Found by the property test: apiVersion/kind defaults are not pruned, but a
    // null in them that the schema does not allow must still go in the first pass.
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        apiVersion: {
          type: 'object',
          properties: { c: { type: 'object' } },
          default: { c: null, d: 1 },
        },
      },
    };
    const obj: Record<string, unknown> = {};
    applyDefaults(obj, s, none);
    assert.deepEqual(obj, { apiVersion: { d: 1 } });
    applyDefaults(obj, s, none);
    assert.deepEqual(obj, { apiVersion: { d: 1 } });
  });
});
