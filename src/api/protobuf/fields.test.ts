import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinDefinitions } from '../openapi/builtin.ts';
import { SchemaResolver } from '../schema.ts';
import { decodeProtobufMessage } from './decode.ts';
import { protobufFields, protobufFieldTable } from './fields.ts';

const resolver = new SchemaResolver(builtinDefinitions);
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const AE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

/** Definitions decode.ts decodes by name, and one (Patch) that is never a message field. */
const DECODED_BY_NAME = new Set([
  META + 'Time',
  META + 'MicroTime',
  META + 'FieldsV1',
  META + 'Patch',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  AE + 'JSON',
  AE + 'JSONSchemaPropsOrArray',
  AE + 'JSONSchemaPropsOrBool',
  AE + 'JSONSchemaPropsOrStringArray',
]);

/** Table keys that are Go structs JSON inlines, with no definition of their own. */
const INLINE_ONLY = new Set([
  'io.k8s.api.core.v1.VolumeSource',
  'io.k8s.api.core.v1.ProbeHandler',
  'io.k8s.api.core.v1.EphemeralContainerCommon',
]);

/** JSON property names a definition's message carries, following inlined messages. */
function jsonNames(table: string): string[] {
  const out: string[] = [];
  for (const f of protobufFields(table)?.values() ?? []) {
    if (f.kind === 'inline') out.push(...jsonNames(f.table));
    else out.push(f.name);
  }
  return out;
}

describe('protobuf field table', () => {
  it('has an entry for every definition with a protobuf message, and no others', () => {
    for (const name of Object.keys(builtinDefinitions)) {
      assert.equal(
        Object.hasOwn(protobufFieldTable, name),
        !DECODED_BY_NAME.has(name),
        `table entry for ${name}`,
      );
    }
    for (const key of Object.keys(protobufFieldTable)) {
      assert.ok(
        Object.hasOwn(builtinDefinitions, key) || INLINE_ONLY.has(key),
        `${key} is neither a definition nor an inlined struct`,
      );
    }
  });

  it('maps every property of every definition, and only properties it has', () => {
    for (const key of Object.keys(protobufFieldTable)) {
      if (INLINE_ONLY.has(key)) continue;
      const schema = resolver.resolve(builtinDefinitions[key]);
      const props = Object.keys(schema?.properties ?? {});
      const names = jsonNames(key);
      assert.equal(new Set(names).size, names.length, `${key}: a JSON name twice`);
      for (const n of names) assert.ok(props.includes(n), `${key}: no property ${n}`);
      // apiVersion and kind of a top-level kind travel in the envelope, not the message.
      const isKind = schema?.['x-kubernetes-group-version-kind'] !== undefined;
      const missing = props.filter(
        (p) => !names.includes(p) && !(isKind && (p === 'apiVersion' || p === 'kind')),
      );
      assert.deepEqual(missing, [], `${key}: properties with no field number`);
    }
  });

  it('is written in ascending field-number order with well-formed tokens', () => {
    for (const [key, text] of Object.entries(protobufFieldTable)) {
      const nums = text === '' ? [] : text.split(' ').map((t) => Number(t.split(':')[0]));
      assert.ok(
        nums.every((n, i) => Number.isInteger(n) && n > 0 && (i === 0 || n > nums[i - 1])),
        key,
      );
      assert.equal(protobufFields(key)?.size, nums.length, key);
    }
  });

  it('gives every definition a decodable message (field types resolve from the schema)', () => {
    for (const key of Object.keys(protobufFieldTable)) {
      if (INLINE_ONLY.has(key)) continue;
      assert.deepEqual(decodeProtobufMessage(new Uint8Array(0), key, resolver), {}, key);
    }
  });

  it('agrees with generated.proto on a sample of numbers', () => {
    const at = (def: string, num: number): unknown => protobufFields(def)?.get(num);
    assert.deepEqual(at(META + 'ObjectMeta', 17), {
      kind: 'field',
      name: 'managedFields',
      keepZero: false,
      wrappedList: false,
    });
    assert.deepEqual(at('io.k8s.api.core.v1.PodSpec', 37), {
      kind: 'field',
      name: 'hostUsers',
      keepZero: true,
      wrappedList: false,
    });
    assert.deepEqual(at('io.k8s.api.core.v1.Volume', 2), {
      kind: 'inline',
      table: 'io.k8s.api.core.v1.VolumeSource',
    });
    assert.deepEqual(at(META + 'APIResource', 4), {
      kind: 'field',
      name: 'verbs',
      keepZero: false,
      wrappedList: true,
    });
    assert.equal(
      (at(AE + 'JSONSchemaProps', 44) as { name: string }).name,
      'x-kubernetes-validations',
    );
    assert.equal(at(META + 'ObjectMeta', 15), undefined); // clusterName, removed
  });
});
