// Keeps four things in step: the Device and DeviceModel CRDs under examples/crds,
// the example manifests under examples/devices, the TypeScript types of
// devices.ts, and the facts of KubeEdge's v1beta1 API (names, enums, required
// lists) that make KubeEdge manifests apply unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { SchemaResolver, type JSONSchemaProps } from '../schema.ts';
import { checkStructural, unknownFields, validateValue } from '../structural/index.ts';
import type { CustomResourceDefinition } from './apiextensions.ts';
import type { LocalObjectReference } from './core.ts';
import {
  DEVICES_API_VERSION,
  DEVICES_GROUP,
  DEVICES_VERSION,
  PROPERTY_ACCESS_MODES,
  PROPERTY_TYPES,
  type DBMethodConfig,
  type DBMethodInfluxdb2,
  type DBMethodMySQL,
  type DBMethodRedis,
  type DBMethodTDEngine,
  type Device,
  type DeviceMethod,
  type DeviceModel,
  type DeviceModelSpec,
  type DeviceProperty,
  type DeviceSpec,
  type DeviceStatus,
  type Influxdb2ClientConfig,
  type Influxdb2DataConfig,
  type ModelProperty,
  type MySQLClientConfig,
  type ProtocolConfig,
  type PushMethod,
  type PushMethodHTTP,
  type PushMethodMQTT,
  type PushMethodOTEL,
  type RedisClientConfig,
  type StateReportConfig,
  type TDEngineClientConfig,
  type Twin,
  type TwinProperty,
  type VisitorConfig,
} from './devices.ts';

const ROOT = new URL('../../../', import.meta.url);
const CRD_DIR = new URL('examples/crds/', ROOT);
const EXAMPLES_DIR = new URL('examples/devices/', ROOT);

/** Every YAML document of a file, as plain data; fails on any parse error. */
function loadDocuments(url: URL): unknown[] {
  const docs = parseAllDocuments(readFileSync(url, 'utf8'));
  assert.ok(Array.isArray(docs), `${url.pathname}: no YAML documents`);
  return docs.map((doc, i) => {
    assert.deepEqual(
      doc.errors.map((e) => e.message),
      [],
      `${url.pathname}, document ${i}: YAML errors`,
    );
    return doc.toJS() as unknown;
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function loadCRD(file: string): CustomResourceDefinition {
  const docs = loadDocuments(new URL(file, CRD_DIR));
  assert.equal(docs.length, 1, `${file}: one document`);
  const crd = docs[0];
  assert.ok(isPlainObject(crd) && isPlainObject(crd.spec) && isPlainObject(crd.metadata), file);
  return crd as unknown as CustomResourceDefinition;
}

function rootSchema(crd: CustomResourceDefinition): JSONSchemaProps {
  const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema;
  assert.ok(schema !== undefined, `${crd.metadata.name}: openAPIV3Schema`);
  return schema;
}

const deviceCRD = loadCRD('devices.kubeedge.io_devices.yaml');
const modelCRD = loadCRD('devices.kubeedge.io_devicemodels.yaml');
const deviceSchema = rootSchema(deviceCRD);
const modelSchema = rootSchema(modelCRD);
const NO_DEFINITIONS = new SchemaResolver({});

/**
 * Every node of a schema with its path, written the way the node's values are
 * addressed: `spec.properties[]` for array items, `{}` for map values. Root is ''.
 */
function* schemaNodes(s: JSONSchemaProps, path = ''): Generator<[string, JSONSchemaProps]> {
  yield [path, s];
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    yield* schemaNodes(child, path === '' ? name : `${path}.${name}`);
  }
  if (s.items !== undefined) yield* schemaNodes(s.items, `${path}[]`);
  if (isPlainObject(s.additionalProperties)) {
    yield* schemaNodes(s.additionalProperties as JSONSchemaProps, `${path}{}`);
  }
}

/** The schema node at a `schemaNodes` path. */
function nodeAt(schema: JSONSchemaProps, path: string): JSONSchemaProps {
  const found = [...schemaNodes(schema)].find(([p]) => p === path);
  assert.ok(found !== undefined, `no schema node at ${path}`);
  return found[1];
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const FORBIDDEN_KEYWORDS = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not', 'nullable'] as const;

/**
 * Problems that make a schema non-structural (or that these CRDs avoid): a node
 * with no type outside preserve-unknown-fields / int-or-string, composition or
 * references, properties beside additionalProperties, children that do not fit
 * the node's type, a preserve-unknown-fields node that is not a bare object.
 */
function structuralProblems(schema: JSONSchemaProps): string[] {
  const problems: string[] = [];
  for (const [path, s] of schemaNodes(schema)) {
    const at = path === '' ? '<root>' : path;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const intOrString = s['x-kubernetes-int-or-string'] === true;
    if (s.type === undefined) {
      if (!preserve && !intOrString) problems.push(`${at}: no type`);
    } else if (!TYPES.has(s.type)) {
      problems.push(`${at}: unknown type ${String(s.type)}`);
    }
    for (const k of FORBIDDEN_KEYWORDS) if (s[k] !== undefined) problems.push(`${at}: uses ${k}`);
    if (s.properties !== undefined && s.additionalProperties !== undefined) {
      problems.push(`${at}: properties beside additionalProperties`);
    }
    if (
      s.type !== 'object' &&
      (s.properties !== undefined || s.additionalProperties !== undefined)
    ) {
      problems.push(`${at}: fields on a ${String(s.type)}`);
    }
    if ((s.type === 'array') !== (s.items !== undefined)) {
      problems.push(`${at}: items and type array must go together`);
    }
    if (preserve && (s.type !== 'object' || s.properties !== undefined)) {
      problems.push(`${at}: preserve-unknown-fields must be a bare object`);
    }
  }
  return problems;
}

/**
 * Paths of the fields of `value` that `schema` does not declare, and of values
 * whose JSON type or enum the schema refuses. `metadata` at the root is
 * ObjectMeta, which the API server checks itself, so it is not walked.
 */
function undeclaredFields(value: unknown, schema: JSONSchemaProps, path = ''): string[] {
  const at = path === '' ? '<root>' : path;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) {
    return isPlainObject(value) ? [] : [`${at}: not an object`];
  }
  if (Array.isArray(value)) {
    if (schema.type !== 'array' || schema.items === undefined) return [`${at}: unexpected array`];
    const items = schema.items;
    return value.flatMap((v, i) => undeclaredFields(v, items, `${path}[${i}]`));
  }
  if (isPlainObject(value)) {
    if (schema.type !== 'object') return [`${at}: unexpected object`];
    const found: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      const child = path === '' ? key : `${path}.${key}`;
      if (path === '' && key === 'metadata') {
        if (!isPlainObject(v)) found.push('metadata: not an object');
        continue;
      }
      const declared = schema.properties?.[key];
      const extra = isPlainObject(schema.additionalProperties)
        ? (schema.additionalProperties as JSONSchemaProps)
        : undefined;
      const sub = declared ?? extra;
      if (sub === undefined) found.push(child);
      else found.push(...undeclaredFields(v, sub, child));
    }
    return found;
  }
  const kind =
    typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  const fits = schema.type === kind || (schema.type === 'number' && kind === 'integer');
  if (!fits) return [`${at}: ${kind} where the schema has ${String(schema.type)}`];
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    return [`${at}: ${JSON.stringify(value)} is not one of the enum values`];
  }
  return [];
}

// ------------------------------------------------------------- CRD shape

describe('device CRDs: apiextensions.k8s.io/v1 shape', () => {
  const cases = [
    {
      crd: deviceCRD,
      names: { kind: 'Device', listKind: 'DeviceList', plural: 'devices', singular: 'device' },
      subresources: { status: {} },
      columns: [
        { name: 'Model', type: 'string', jsonPath: '.spec.deviceModelRef.name' },
        { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' },
        { name: 'Protocol', type: 'string', jsonPath: '.spec.protocol.protocolName', priority: 1 },
        { name: 'State', type: 'string', jsonPath: '.status.state' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
    {
      crd: modelCRD,
      names: {
        kind: 'DeviceModel',
        listKind: 'DeviceModelList',
        plural: 'devicemodels',
        singular: 'devicemodel',
      },
      subresources: undefined,
      columns: [
        { name: 'Protocol', type: 'string', jsonPath: '.spec.protocol' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ];

  for (const { crd, names, subresources, columns } of cases) {
    it(`${names.kind}: names, scope, one served storage version v1beta1`, () => {
      assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(crd.kind, 'CustomResourceDefinition');
      assert.equal(crd.metadata.name, `${names.plural}.${DEVICES_GROUP}`);
      assert.equal(crd.spec.group, DEVICES_GROUP);
      // KubeEdge declares no shortNames or categories; neither do we.
      assert.deepEqual(crd.spec.names, names);
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.equal(crd.spec.conversion, undefined);
      assert.equal(crd.spec.preserveUnknownFields, undefined);
      assert.equal(crd.spec.versions.length, 1);
      const [v] = crd.spec.versions;
      assert.deepEqual(
        Object.keys(v).sort(),
        ['additionalPrinterColumns', 'name', 'schema', 'served', 'storage']
          .concat(subresources === undefined ? [] : ['subresources'])
          .sort(),
      );
      assert.equal(v.name, DEVICES_VERSION);
      assert.equal(v.served, true);
      assert.equal(v.storage, true);
      assert.deepEqual(v.subresources, subresources);
    });

    it(`${names.kind}: printer columns`, () => {
      const got = crd.spec.versions[0].additionalPrinterColumns?.map(
        ({ description: _, ...rest }) => rest,
      );
      assert.deepEqual(got, columns);
    });

    it(`${names.kind}: schema is structural`, () => {
      const schema = rootSchema(crd);
      assert.equal(schema.type, 'object');
      assert.deepEqual(structuralProblems(schema), []);
      // The shared engine runs the API server's own checks (structure,
      // defaults, v1 OpenAPI restrictions) on the same schema.
      assert.deepEqual(checkStructural(schema, 'spec.validation.openAPIV3Schema'), []);
    });

    it(`${names.kind}: every field has a description`, () => {
      const missing = [...schemaNodes(rootSchema(crd))]
        .filter(
          ([p, s]) => p !== 'metadata' && !p.endsWith('{}') && !p.endsWith('[]') && !s.description,
        )
        .map(([p]) => p);
      assert.deepEqual(missing, []);
    });
  }

  it('the structural check finds what it is meant to find', () => {
    const bad: JSONSchemaProps = {
      type: 'object',
      properties: {
        a: { description: 'untyped' },
        b: { type: 'array' },
        c: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {} },
        d: { 'x-kubernetes-int-or-string': true },
        e: { type: 'string', properties: { x: { type: 'string' } } },
      },
    };
    assert.deepEqual(structuralProblems(bad), [
      'a: no type',
      'b: items and type array must go together',
      'c: preserve-unknown-fields must be a bare object',
      'e: fields on a string',
    ]);
  });
});

// --------------------------------------------------- KubeEdge v1beta1 facts

describe('device CRDs: KubeEdge v1beta1 fields', () => {
  it('Device: top level, spec and status fields', () => {
    assert.deepEqual(Object.keys(deviceSchema.properties ?? {}).sort(), [
      'apiVersion',
      'kind',
      'metadata',
      'spec',
      'status',
    ]);
  });

  it('DeviceModel has no status', () => {
    assert.deepEqual(Object.keys(modelSchema.properties ?? {}).sort(), [
      'apiVersion',
      'kind',
      'metadata',
      'spec',
    ]);
  });

  it('required lists are exactly KubeEdge’s', () => {
    const required = (schema: JSONSchemaProps) =>
      Object.fromEntries(
        [...schemaNodes(schema)].filter(([, s]) => s.required).map(([p, s]) => [p, s.required]),
      );
    assert.deepEqual(required(deviceSchema), {
      'spec.properties[].desired': ['value'],
      'status.twins[].reported': ['value'],
      'status.twins[].observedDesired': ['value'],
    });
    assert.deepEqual(required(modelSchema), {});
  });

  it('enums are exactly KubeEdge’s, and the TypeScript unions match', () => {
    const enums = (schema: JSONSchemaProps) =>
      Object.fromEntries(
        [...schemaNodes(schema)].filter(([, s]) => s.enum).map(([p, s]) => [p, s.enum]),
      );
    assert.deepEqual(enums(deviceSchema), {});
    assert.deepEqual(enums(modelSchema), {
      'spec.properties[].type': ['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN', 'BYTES', 'STREAM'],
      'spec.properties[].accessMode': ['ReadWrite', 'ReadOnly'],
    });
    assert.deepEqual(nodeAt(modelSchema, 'spec.properties[].type').enum, [...PROPERTY_TYPES]);
    assert.deepEqual(nodeAt(modelSchema, 'spec.properties[].accessMode').enum, [
      ...PROPERTY_ACCESS_MODES,
    ]);
  });

  it('integer fields and their formats', () => {
    const integers = (schema: JSONSchemaProps) =>
      Object.fromEntries(
        [...schemaNodes(schema)]
          .filter(([, s]) => s.type === 'integer')
          .map(([p, s]) => [p, s.format ?? '']),
      );
    assert.deepEqual(integers(deviceSchema), {
      'spec.properties[].reportCycle': 'int64',
      'spec.properties[].collectCycle': 'int64',
      'spec.properties[].pushMethod.http.port': 'int64',
      'spec.properties[].pushMethod.http.timeout': 'int64',
      'spec.properties[].pushMethod.mqtt.qos': 'int32',
      'spec.properties[].pushMethod.dbMethod.redis.redisClientConfig.db': '',
      'spec.properties[].pushMethod.dbMethod.redis.redisClientConfig.poolsize': '',
      'spec.properties[].pushMethod.dbMethod.redis.redisClientConfig.minIdleConns': '',
      'spec.stateReport.reportCycle': 'int64',
      'status.reportCycle': 'int64',
    });
    assert.deepEqual(integers(modelSchema), {});
  });

  it('free-form maps preserve unknown fields, and nothing else does', () => {
    const preserved = (schema: JSONSchemaProps) =>
      [...schemaNodes(schema)]
        .filter(([, s]) => s['x-kubernetes-preserve-unknown-fields'] === true)
        .map(([p]) => p);
    assert.deepEqual(preserved(deviceSchema), [
      'spec.properties[].visitors.configData',
      'spec.properties[].pushMethod.anomalyDetection',
      'spec.protocol.configData',
    ]);
    assert.deepEqual(preserved(modelSchema), [
      'spec.properties[].visitors.configData',
      'spec.protocolConfigData',
    ]);
  });

  it('deviceModelRef is an atomic LocalObjectReference', () => {
    const ref = nodeAt(deviceSchema, 'spec.deviceModelRef');
    assert.equal(ref['x-kubernetes-map-type'], 'atomic');
    assert.deepEqual(Object.keys(ref.properties ?? {}), ['name']);
    assert.equal(ref.properties?.name.default, '');
  });
});

// ------------------------------------------------- schema <-> TypeScript

/**
 * The field names of T, listed once. `Record<keyof T, true>` makes the compiler
 * refuse a list that misses a field of T or names one T lacks, so each list
 * below is exactly its interface's fields.
 */
function fieldsOf<T>(fields: Record<keyof T, true>): string[] {
  return Object.keys(fields).sort();
}

const twinPropertyFields = fieldsOf<TwinProperty>({ value: true, metadata: true });
const visitorFields = fieldsOf<VisitorConfig>({ protocolName: true, configData: true });

/** For every object node of the schemas that declares properties: the TS interface's fields. */
const DEVICE_OBJECTS: Record<string, string[]> = {
  '': ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  spec: fieldsOf<DeviceSpec>({
    deviceModelRef: true,
    nodeName: true,
    properties: true,
    protocol: true,
    methods: true,
    stateReport: true,
  }),
  'spec.deviceModelRef': fieldsOf<LocalObjectReference>({ name: true }),
  'spec.properties[]': fieldsOf<DeviceProperty>({
    name: true,
    desired: true,
    visitors: true,
    reportCycle: true,
    collectCycle: true,
    reportToCloud: true,
    pushMethod: true,
  }),
  'spec.properties[].desired': twinPropertyFields,
  'spec.properties[].visitors': visitorFields,
  'spec.properties[].pushMethod': fieldsOf<PushMethod>({
    http: true,
    mqtt: true,
    otel: true,
    dbMethod: true,
    anomalyDetection: true,
  }),
  'spec.properties[].pushMethod.http': fieldsOf<PushMethodHTTP>({
    hostName: true,
    port: true,
    requestPath: true,
    timeout: true,
  }),
  'spec.properties[].pushMethod.mqtt': fieldsOf<PushMethodMQTT>({
    address: true,
    topic: true,
    qos: true,
    retained: true,
  }),
  'spec.properties[].pushMethod.otel': fieldsOf<PushMethodOTEL>({ endpointURL: true }),
  'spec.properties[].pushMethod.dbMethod': fieldsOf<DBMethodConfig>({
    influxdb2: true,
    redis: true,
    TDEngine: true,
    mysql: true,
  }),
  'spec.properties[].pushMethod.dbMethod.influxdb2': fieldsOf<DBMethodInfluxdb2>({
    influxdb2ClientConfig: true,
    influxdb2DataConfig: true,
  }),
  'spec.properties[].pushMethod.dbMethod.influxdb2.influxdb2ClientConfig':
    fieldsOf<Influxdb2ClientConfig>({ url: true, org: true, bucket: true }),
  'spec.properties[].pushMethod.dbMethod.influxdb2.influxdb2DataConfig':
    fieldsOf<Influxdb2DataConfig>({ measurement: true, tag: true, fieldKey: true }),
  'spec.properties[].pushMethod.dbMethod.redis': fieldsOf<DBMethodRedis>({
    redisClientConfig: true,
  }),
  'spec.properties[].pushMethod.dbMethod.redis.redisClientConfig': fieldsOf<RedisClientConfig>({
    addr: true,
    db: true,
    poolsize: true,
    minIdleConns: true,
  }),
  'spec.properties[].pushMethod.dbMethod.TDEngine': fieldsOf<DBMethodTDEngine>({
    TDEngineClientConfig: true,
  }),
  'spec.properties[].pushMethod.dbMethod.TDEngine.TDEngineClientConfig':
    fieldsOf<TDEngineClientConfig>({ addr: true, dbName: true }),
  'spec.properties[].pushMethod.dbMethod.mysql': fieldsOf<DBMethodMySQL>({
    mysqlClientConfig: true,
  }),
  'spec.properties[].pushMethod.dbMethod.mysql.mysqlClientConfig': fieldsOf<MySQLClientConfig>({
    addr: true,
    database: true,
    userName: true,
  }),
  'spec.protocol': fieldsOf<ProtocolConfig>({ protocolName: true, configData: true }),
  'spec.methods[]': fieldsOf<DeviceMethod>({ name: true, description: true, propertyNames: true }),
  'spec.stateReport': fieldsOf<StateReportConfig>({ reportToCloud: true, reportCycle: true }),
  status: fieldsOf<DeviceStatus>({
    twins: true,
    state: true,
    lastOnlineTime: true,
    reportToCloud: true,
    reportCycle: true,
  }),
  'status.twins[]': fieldsOf<Twin>({ propertyName: true, reported: true, observedDesired: true }),
  'status.twins[].reported': twinPropertyFields,
  'status.twins[].observedDesired': twinPropertyFields,
};

const MODEL_OBJECTS: Record<string, string[]> = {
  '': ['apiVersion', 'kind', 'metadata', 'spec'],
  spec: fieldsOf<DeviceModelSpec>({ properties: true, protocol: true, protocolConfigData: true }),
  'spec.properties[]': fieldsOf<ModelProperty>({
    name: true,
    description: true,
    type: true,
    accessMode: true,
    minimum: true,
    maximum: true,
    unit: true,
    visitors: true,
  }),
  'spec.properties[].visitors': visitorFields,
};

describe('device types: the TypeScript interfaces declare what the CRDs declare', () => {
  for (const [kind, schema, objects] of [
    ['Device', deviceSchema, DEVICE_OBJECTS],
    ['DeviceModel', modelSchema, MODEL_OBJECTS],
  ] as const) {
    it(kind, () => {
      const fromSchema = Object.fromEntries(
        [...schemaNodes(schema)]
          .filter(([, s]) => s.properties !== undefined)
          .map(([p, s]) => [p, Object.keys(s.properties ?? {}).sort()]),
      );
      assert.deepEqual(fromSchema, objects);
    });
  }
});

// -------------------------------------------------------------- examples

/*
 * The example manifests, as typed constants. The compiler checks them against
 * the interfaces (an object literal may not carry a field its type lacks), and
 * the tests below check that they are exactly what the YAML files hold, so
 * every field the examples use is typed.
 */

const virtualThermometerModel: DeviceModel = {
  apiVersion: DEVICES_API_VERSION,
  kind: 'DeviceModel',
  metadata: { name: 'thermometer', namespace: 'default' },
  spec: {
    protocol: 'virtual',
    properties: [
      {
        name: 'temperature',
        description: 'Air temperature measured by the sensor.',
        type: 'DOUBLE',
        accessMode: 'ReadOnly',
        minimum: '-40',
        maximum: '125',
        unit: 'Celsius',
      },
      {
        name: 'setpoint',
        description: 'Temperature the heater holds the room at.',
        type: 'DOUBLE',
        accessMode: 'ReadWrite',
        minimum: '5',
        maximum: '35',
        unit: 'Celsius',
      },
      {
        name: 'heater',
        description: 'Whether the heater is switched on.',
        type: 'BOOLEAN',
        accessMode: 'ReadWrite',
      },
    ],
  },
};

const virtualThermometer: Device = {
  apiVersion: DEVICES_API_VERSION,
  kind: 'Device',
  metadata: { name: 'thermometer-1', namespace: 'default', labels: { room: 'lab' } },
  spec: {
    deviceModelRef: { name: 'thermometer' },
    nodeName: 'edge-1',
    protocol: { protocolName: 'virtual' },
    properties: [
      {
        name: 'temperature',
        collectCycle: 1000,
        reportCycle: 5000,
        reportToCloud: true,
        visitors: { protocolName: 'virtual', configData: { dataType: 'double' } },
      },
      {
        name: 'setpoint',
        desired: { value: '21.5' },
        reportToCloud: true,
        visitors: { protocolName: 'virtual', configData: { dataType: 'double' } },
      },
      {
        name: 'heater',
        desired: { value: 'true' },
        reportToCloud: true,
        visitors: { protocolName: 'virtual', configData: { dataType: 'boolean' } },
      },
    ],
  },
};

const modbusModel: DeviceModel = {
  apiVersion: DEVICES_API_VERSION,
  kind: 'DeviceModel',
  metadata: { name: 'climate-sensor', namespace: 'default' },
  spec: {
    protocol: 'modbus',
    properties: [
      {
        name: 'temperature',
        description:
          'Air temperature (the register holds tenths of a degree; see scale in the Device).',
        type: 'FLOAT',
        accessMode: 'ReadOnly',
        minimum: '-20',
        maximum: '60',
        unit: 'Celsius',
      },
      {
        name: 'humidity',
        description: 'Relative humidity.',
        type: 'FLOAT',
        accessMode: 'ReadOnly',
        minimum: '0',
        maximum: '100',
        unit: '%',
      },
      {
        name: 'high-alarm',
        description: 'Temperature above which the sensor raises its alarm output.',
        type: 'INT',
        accessMode: 'ReadWrite',
        minimum: '-20',
        maximum: '60',
        unit: 'Celsius',
      },
    ],
  },
};

function modbusRegister(register: string, offset: number, scale: number, dataType: string) {
  return {
    protocolName: 'modbus',
    configData: {
      register,
      offset,
      limit: 1,
      scale,
      isSwap: false,
      isRegisterSwap: false,
      dataType,
    },
  } satisfies VisitorConfig;
}

const modbusDevice: Device = {
  apiVersion: DEVICES_API_VERSION,
  kind: 'Device',
  metadata: { name: 'climate-sensor-1', namespace: 'default' },
  spec: {
    deviceModelRef: { name: 'climate-sensor' },
    nodeName: 'edge-1',
    protocol: {
      protocolName: 'modbus',
      configData: { communicateMode: 'TCP', ip: '192.168.1.50', port: 502, slaveID: 1 },
    },
    properties: [
      {
        name: 'temperature',
        collectCycle: 2000,
        reportCycle: 10000,
        reportToCloud: true,
        visitors: modbusRegister('InputRegister', 0, 0.1, 'float'),
        pushMethod: {
          mqtt: {
            address: 'tcp://127.0.0.1:1883',
            topic: 'site/hall-1/temperature',
            qos: 0,
            retained: false,
          },
        },
      },
      {
        name: 'humidity',
        collectCycle: 2000,
        reportCycle: 10000,
        reportToCloud: true,
        visitors: modbusRegister('InputRegister', 1, 0.1, 'float'),
      },
      {
        name: 'high-alarm',
        desired: { value: '30' },
        reportToCloud: true,
        visitors: modbusRegister('HoldingRegister', 0, 1, 'int'),
      },
    ],
    methods: [
      {
        name: 'read-climate',
        description: 'Read temperature and humidity together.',
        propertyNames: ['temperature', 'humidity'],
      },
    ],
  },
};

/** The example files and, in order, the documents each holds. */
const EXAMPLES: Record<string, (Device | DeviceModel)[]> = {
  'modbus-tcp-sensor.yaml': [modbusModel, modbusDevice],
  'virtual-thermometer.yaml': [virtualThermometerModel, virtualThermometer],
};

/** A Device as the edge leaves it, to exercise the status half of schema and types. */
const reportedThermometer: Device = {
  ...virtualThermometer,
  status: {
    state: 'online',
    lastOnlineTime: '2025-06-01T10:00:00Z',
    reportToCloud: true,
    reportCycle: 5000,
    twins: [
      {
        propertyName: 'temperature',
        reported: { value: '20.8', metadata: { timestamp: '1748772000000', type: 'double' } },
      },
      {
        propertyName: 'setpoint',
        reported: { value: '21.5' },
        observedDesired: { value: '21.5' },
      },
    ],
  },
};

function schemaFor(obj: unknown): JSONSchemaProps {
  assert.ok(isPlainObject(obj));
  assert.equal(obj.apiVersion, DEVICES_API_VERSION);
  if (obj.kind === 'Device') return deviceSchema;
  if (obj.kind === 'DeviceModel') return modelSchema;
  assert.fail(`unexpected kind ${String(obj.kind)}`);
}

describe('device examples', () => {
  const files = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('are the files the typed constants mirror', () => {
    assert.deepEqual(files, Object.keys(EXAMPLES).sort());
  });

  for (const file of files) {
    const docs = loadDocuments(new URL(file, EXAMPLES_DIR));

    it(`${file}: equals its typed constants`, () => {
      assert.deepEqual(docs, EXAMPLES[file]);
    });

    it(`${file}: uses only fields the CRD schemas declare`, () => {
      for (const doc of docs) {
        const schema = schemaFor(doc);
        assert.deepEqual(undeclaredFields(doc, schema), []);
        assert.deepEqual(unknownFields(doc, schema, NO_DEFINITIONS), []);
        assert.deepEqual(validateValue(doc, schema, NO_DEFINITIONS), []);
      }
    });
  }

  it('a Device with reported status fits the schema', () => {
    assert.deepEqual(undeclaredFields(reportedThermometer, deviceSchema), []);
    assert.deepEqual(validateValue(reportedThermometer, deviceSchema, NO_DEFINITIONS), []);
  });

  it('every Device names a model of the examples and only that model’s properties', () => {
    const all = Object.values(EXAMPLES).flat();
    const models = new Map(
      all
        .filter((o): o is DeviceModel => o.kind === 'DeviceModel')
        .map((m) => [m.metadata.name, m]),
    );
    const devices = all.filter((o): o is Device => o.kind === 'Device');
    assert.equal(devices.length, 2);
    assert.equal(models.size, 2);
    for (const d of devices) {
      const model = models.get(d.spec?.deviceModelRef?.name);
      assert.ok(model !== undefined, `${d.metadata.name}: model`);
      const modes = new Map(model.spec?.properties?.map((p) => [p.name, p.accessMode]));
      for (const p of d.spec?.properties ?? []) {
        assert.ok(modes.has(p.name), `${d.metadata.name}: ${p.name} is in the model`);
        // A desired value only makes sense for a property that can be written.
        if (p.desired !== undefined) assert.equal(modes.get(p.name), 'ReadWrite', p.name);
      }
      assert.equal(d.spec?.protocol?.protocolName, model.spec?.protocol);
    }
  });

  it('the thermometer reports a read-only double and takes writable settings', () => {
    const props = virtualThermometerModel.spec?.properties ?? [];
    assert.deepEqual(
      props.map((p) => [p.name, p.type, p.accessMode]),
      [
        ['temperature', 'DOUBLE', 'ReadOnly'],
        ['setpoint', 'DOUBLE', 'ReadWrite'],
        ['heater', 'BOOLEAN', 'ReadWrite'],
      ],
    );
  });

  it('the field walk reports undeclared fields and wrong types, and leaves configData alone', () => {
    const edited = structuredClone(virtualThermometer) as Record<string, unknown> & Device;
    const spec = edited.spec as DeviceSpec & Record<string, unknown>;
    spec.replicas = 2;
    const first = spec.properties?.[0] as DeviceProperty & Record<string, unknown>;
    first.unit = 'Celsius';
    first.collectCycle = '1s' as unknown as number;
    first.visitors = { protocolName: 'virtual', configData: { anything: { goes: [1] } } };
    edited.status = { twins: [{ propertyName: 'x', reported: { value: 1 as unknown as string } }] };
    assert.deepEqual(undeclaredFields(edited, deviceSchema), [
      'spec.properties[0].collectCycle: string where the schema has integer',
      'spec.properties[0].unit',
      'spec.replicas',
      'status.twins[0].reported.value: integer where the schema has string',
    ]);
    const model = structuredClone(modbusModel);
    const p0 = model.spec?.properties?.[0] as ModelProperty;
    p0.type = 'DECIMAL' as ModelProperty['type'];
    assert.deepEqual(undeclaredFields(model, modelSchema), [
      'spec.properties[0].type: "DECIMAL" is not one of the enum values',
    ]);
  });
});
