import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCause, fieldError, FieldPath } from '../field-errors.ts';
import {
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type ObjectMetaOptions,
} from './meta.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const namespaced: ObjectMetaOptions = { namespaced: true, nameRule: 'dns1123Subdomain' };
const cluster: ObjectMetaOptions = { namespaced: false, nameRule: 'dns1123Label' };

function lines(meta: unknown, opts: ObjectMetaOptions): string[] {
  return validateObjectMeta(meta, opts).map(describeCause);
}

describe('validateObjectMeta', () => {
  const cases: [string, unknown, ObjectMetaOptions, string[]][] = [
    [
      'a valid object',
      { name: 'web', namespace: 'default', labels: { app: 'web' } },
      namespaced,
      [],
    ],
    [
      'a missing name',
      { namespace: 'default' },
      namespaced,
      ['metadata.name: Required value: name or generateName is required'],
    ],
    [
      'a generateName instead of a name',
      { generateName: 'web-', namespace: 'default' },
      namespaced,
      [],
    ],
    [
      'a bad generateName',
      { generateName: 'Web-', namespace: 'default' },
      namespaced,
      [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`],
    ],
    [
      'a bad name',
      { name: 'Web', namespace: 'default' },
      namespaced,
      [`metadata.name: Invalid value: "Web": ${SUBDOMAIN_MSG}`],
    ],
    [
      'a dotted name where a label is needed',
      { name: 'a.b' },
      cluster,
      ['metadata.name: Invalid value: "a.b": must not contain dots'],
    ],
    [
      'a Service name starting with a digit',
      { name: '1web', namespace: 'default' },
      { namespaced: true, nameRule: 'dns1035Label' },
      [
        "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    [
      'a path-segment name',
      { name: 'a/b', namespace: 'ns' },
      { namespaced: true, nameRule: 'pathSegment' },
      ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
    ],
    ['a missing namespace', { name: 'web' }, namespaced, ['metadata.namespace: Required value']],
    [
      'a bad namespace',
      { name: 'web', namespace: 'Prod' },
      namespaced,
      [`metadata.namespace: Invalid value: "Prod": ${LABEL_MSG}`],
    ],
    [
      'a namespace on a cluster-scoped kind',
      { name: 'web', namespace: 'x' },
      cluster,
      ['metadata.namespace: Forbidden: not allowed on this type'],
    ],
    [
      'a negative generation',
      { name: 'web', generation: -1 },
      cluster,
      ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'bad label keys and values',
      { name: 'web', labels: { '-bad': 'ok', good: '-bad' } },
      cluster,
      [
        `metadata.labels: Invalid value: "-bad": ${QNAME_MSG}`,
        `metadata.labels: Invalid value: "-bad": ${VALUE_MSG}`,
      ],
    ],
    [
      'mixed-case annotation keys',
      { name: 'web', annotations: { 'Example.com/Key': 'x' } },
      cluster,
      [],
    ],
    [
      'a bad annotation key',
      { name: 'web', annotations: { 'a/b/c': 'x' } },
      cluster,
      [
        "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
    [
      'annotations over 256 KiB',
      { name: 'web', annotations: { big: 'x'.repeat(256 * 1024) } },
      cluster,
      ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    ],
    [
      'annotations of exactly 256 KiB',
      { name: 'web', annotations: { big: 'x'.repeat(256 * 1024 - 3) } },
      cluster,
      [],
    ],
    [
      'incomplete owner references',
      { name: 'web', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }] },
      cluster,
      [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
      ],
    ],
    [
      'an Event as owner',
      { name: 'web', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] },
      cluster,
      [
        'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
      ],
    ],
    [
      'two controllers',
      {
        name: 'web',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
        ],
      },
      cluster,
      [
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"a", UID:"1", Controller:&true, BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"2", Controller:&true, BlockOwnerDeletion:(*bool)(nil)}}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
      ],
    ],
    [
      'bad finalizers',
      { name: 'web', finalizers: ['example.com/ok', 'a/b/c', 'orphan', 'foregroundDeletion'] },
      cluster,
      [
        "metadata.finalizers: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        'metadata.finalizers: Invalid value: []string{"example.com/ok", "a/b/c", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
      ],
    ],
  ];
  for (const [name, meta, opts, expected] of cases) {
    it(name, () => assert.deepEqual(lines(meta, opts), expected));
  }

  it('names a different metadata path when asked', () => {
    assert.deepEqual(
      validateObjectMeta({}, { ...cluster, path: 'spec.template.metadata' }).map(describeCause),
      ['spec.template.metadata.name: Required value: name or generateName is required'],
    );
  });

  it('survives garbage', () => {
    assert.deepEqual(lines('nonsense', cluster), [
      'metadata.name: Required value: name or generateName is required',
    ]);
    assert.deepEqual(
      lines({ name: 'a', labels: 'x', ownerReferences: 3, finalizers: {} }, cluster),
      [],
    );
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = {
    name: 'web',
    namespace: 'default',
    uid: 'u1',
    generation: 3,
    creationTimestamp: '2024-05-01T10:00:00Z',
    finalizers: ['a.io/x'],
  };
  it('accepts an unchanged identity', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { x: 'y' } }, old), []);
  });
  it('rejects changes to immutable fields', () => {
    assert.deepEqual(
      validateObjectMetaUpdate(
        {
          ...old,
          name: 'web2',
          uid: 'u2',
          generation: 2,
          creationTimestamp: '2024-05-02T10:00:00Z',
          deletionGracePeriodSeconds: 5,
        },
        old,
      ).map(describeCause),
      [
        'metadata.generation: Invalid value: 2: must not be decremented',
        'metadata.name: Invalid value: "web2": field is immutable',
        'metadata.uid: Invalid value: "u2": field is immutable',
        'metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable',
        'metadata.deletionGracePeriodSeconds: Invalid value: 5: field is immutable',
      ],
    );
  });
  it('takes system fields the update leaves out as carried over', () => {
    assert.deepEqual(
      validateObjectMetaUpdate({ name: 'web', namespace: 'default', creationTimestamp: null }, old),
      [],
    );
  });
  it('forbids new finalizers once deletion has started', () => {
    const deleting = { ...old, deletionTimestamp: '2024-05-03T00:00:00Z' };
    assert.deepEqual(
      validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y'] }, deleting).map(
        describeCause,
      ),
      [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
      ],
    );
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), []);
  });
});

describe('validateLabelSelector', () => {
  const path = FieldPath.root('spec').child('selector');
  it('checks operators, values and keys', () => {
    assert.deepEqual(
      validateLabelSelector(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'a', operator: 'In', values: [] },
            { key: 'b', operator: 'Exists', values: ['x'] },
            { key: 'c', operator: 'Gt', values: ['1'] },
            { key: '-d', operator: 'NotIn', values: ['-v'] },
          ],
        },
        path,
      ).map(describeCause),
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        'spec.selector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator',
        `spec.selector.matchExpressions[3].key: Invalid value: "-d": ${QNAME_MSG}`,
        `spec.selector.matchExpressions[3].values[0]: Invalid value: "-v": ${VALUE_MSG}`,
      ],
    );
  });
  it('produces causes with Kubernetes reasons', () => {
    const [c] = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }, path);
    assert.deepEqual(
      c,
      fieldError.required(
        'spec.selector.matchExpressions[0].values',
        "must be specified when `operator` is 'In' or 'NotIn'",
      ),
    );
  });
});
