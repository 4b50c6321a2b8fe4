import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types/meta.ts';
import { defaultPrinter, printerFromColumns } from './custom.ts';

const NOW = new Date('2025-06-01T12:00:00Z');

const widget: KubeObject = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', creationTimestamp: '2025-06-01T11:57:00Z' },
  spec: { replicas: 3, size: 2.75, enabled: true, owner: 'ann', tags: ['a', 'b'], nothing: null },
  status: {
    conditions: [
      { type: 'Synced', status: 'True' },
      { type: 'Ready', status: 'False', lastTransitionTime: '2025-06-01T11:59:15Z' },
    ],
    observed: { b: 2, a: '<x>' },
  },
};

describe('printerFromColumns', () => {
  it('adds Name first and keeps the declared columns as given', () => {
    const p = printerFromColumns([
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      {
        name: 'Ready',
        type: 'string',
        format: 'condition',
        description: 'Ready condition',
        priority: 1,
        jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      },
    ]);
    assert.deepEqual(p.columns, [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description: 'Name of the object, unique within its namespace.',
        priority: 0,
      },
      {
        name: 'Replicas',
        type: 'integer',
        format: '',
        description: 'Custom resource column (JSONPath): .spec.replicas',
        priority: 0,
      },
      {
        name: 'Ready',
        type: 'string',
        format: 'condition',
        description: 'Ready condition',
        priority: 1,
      },
    ]);
    assert.deepEqual(p.row(widget, NOW), { cells: ['w1', 3, 'False'] });
  });

  it('uses a single Age column when the CRD declares none', () => {
    const p = printerFromColumns([]);
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Age', 'date'],
      ],
    );
    assert.deepEqual(p.row(widget, NOW).cells, ['w1', '3m']);
  });

  it('does not add Age to declared columns', () => {
    const p = printerFromColumns([{ name: 'Owner', type: 'string', jsonPath: '.spec.owner' }]);
    assert.deepEqual(
      p.columns.map((c) => c.name),
      ['Name', 'Owner'],
    );
  });

  it('renders each column type as Kubernetes does', () => {
    const col = (type: string, jsonPath: string) => ({ name: 'C', type, jsonPath });
    const cases: [ReturnType<typeof col>, unknown][] = [
      [col('integer', '.spec.replicas'), 3],
      [col('integer', '.spec.size'), 2],
      [col('integer', '.spec.owner'), null],
      [col('number', '.spec.size'), 2.75],
      [col('number', '.spec.replicas'), 3],
      [col('boolean', '.spec.enabled'), true],
      [col('boolean', '.spec.owner'), null],
      [col('string', '.spec.owner'), 'ann'],
      [col('string', '.spec.replicas'), '3'],
      [col('string', '.spec.size'), '2.75'],
      [col('string', '.spec.enabled'), 'true'],
      [col('string', '.spec.tags'), '["a","b"]'],
      [col('string', '.status.observed'), '{"a":"\\u003cx\\u003e","b":2}'],
      [col('string', '.spec.nothing'), '<no value>'],
      [col('integer', '.spec.nothing'), null],
      [col('string', '.spec.missing'), null],
      [col('string', '.status.conditions[*].type'), 'Synced'],
      [col('date', '.status.conditions[?(@.type=="Ready")].lastTransitionTime'), '45s'],
      [col('date', '.metadata.creationTimestamp'), '3m'],
      [col('date', '.spec.owner'), '<invalid>'],
      [col('date', '.spec.replicas'), null],
      [col('fancy', '.spec.owner'), null],
      [col('string', '.spec.replicas[0]'), null],
    ];
    for (const [c, want] of cases) {
      assert.deepEqual(printerFromColumns([c]).row(widget, NOW).cells, ['w1', want], c.jsonPath);
    }
  });

  it('keeps only the columns before one whose path does not parse', () => {
    const p = printerFromColumns([
      { name: 'Owner', type: 'string', jsonPath: '.spec.owner' },
      { name: 'Broken', type: 'string', jsonPath: '.spec[' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    ]);
    assert.deepEqual(
      p.columns.map((c) => c.name),
      ['Name', 'Owner'],
    );
    assert.deepEqual(p.row(widget, NOW).cells, ['w1', 'ann']);
  });
});

describe('defaultPrinter', () => {
  it('prints Name and Created At in UTC', () => {
    assert.deepEqual(
      defaultPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Created At', 'date', '', 0],
      ],
    );
    const obj: KubeObject = {
      metadata: {
        name: 'crontabs.stable.example.com',
        creationTimestamp: '2025-06-01T13:57:00+02:00',
      },
    };
    assert.deepEqual(defaultPrinter.row(obj, NOW), {
      cells: ['crontabs.stable.example.com', '2025-06-01T11:57:00Z'],
    });
  });
});
