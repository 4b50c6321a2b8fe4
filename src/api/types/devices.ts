/**
 * devices.kubeedge.io/v1beta1: `Device` and `DeviceModel`, KubeEdge's device API,
 * so that KubeEdge device manifests and mappers work with Verge unchanged.
 *
 * Field names and nesting follow KubeEdge v1.22.2 (kubeedge/api v1.22.0,
 * apis/devices/v1beta1), plus the two fields KubeEdge v1.23 added to the Device
 * spec (`stateReport`, `pushMethod.anomalyDetection`). The CRDs that serve these
 * kinds are examples/crds/devices.kubeedge.io_{devices,devicemodels}.yaml; the
 * test beside this file keeps the two in step, field by field.
 *
 * Optionality follows the CRD schemas, not KubeEdge's comments: KubeEdge calls
 * several fields "required" (a device's model and protocol, a property's name)
 * but its schema enforces only `value` of a twin property, and a Verge that
 * enforced more would refuse manifests KubeEdge accepts. Code that needs those
 * fields checks for them.
 *
 * Values of properties travel as strings whatever their `PropertyType`
 * ("21.5", "true"); the type says how to read them.
 */

import type { LocalObjectReference } from './core.ts';
import type { KubeList, KubeObject } from './meta.ts';

export const DEVICES_GROUP = 'devices.kubeedge.io';
export const DEVICES_VERSION = 'v1beta1';
export const DEVICES_API_VERSION = 'devices.kubeedge.io/v1beta1';

/** The data types a model property may declare, in KubeEdge's order. */
export const PROPERTY_TYPES = [
  'INT',
  'FLOAT',
  'DOUBLE',
  'STRING',
  'BOOLEAN',
  'BYTES',
  'STREAM',
] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** Whether a property only reports values or also takes desired ones. */
export const PROPERTY_ACCESS_MODES = ['ReadWrite', 'ReadOnly'] as const;
export type PropertyAccessMode = (typeof PROPERTY_ACCESS_MODES)[number];

/**
 * Free-form settings read only by a mapper (KubeEdge's `CustomizedValue`). The
 * API stores them as they arrive (`x-kubernetes-preserve-unknown-fields`).
 */
export type CustomizedValue = Record<string, unknown>;

// -------------------------------------------------------------------- Device

export interface Device extends KubeObject {
  apiVersion?: typeof DEVICES_API_VERSION;
  kind?: 'Device';
  spec?: DeviceSpec;
  status?: DeviceStatus;
}

export interface DeviceSpec {
  /** The DeviceModel (same namespace) this device is an instance of. */
  deviceModelRef?: LocalObjectReference;
  /** The edge node whose mapper talks to the device. */
  nodeName?: string;
  /** Per-device settings of the model's properties; names should be unique. */
  properties?: DeviceProperty[];
  /** How the mapper connects to the device as a whole. */
  protocol?: ProtocolConfig;
  /** Named operations over some of the properties; names should be unique. */
  methods?: DeviceMethod[];
  /** Device state reporting. Added in KubeEdge v1.23. */
  stateReport?: StateReportConfig;
}

export interface DeviceProperty {
  /** A property of the model. KubeEdge reserves `saveFrame` and `saveVideo` for streams. */
  name?: string;
  /** The value a ReadWrite property should be driven to. */
  desired?: TwinProperty;
  /** Where the property lives on the device; overrides the model's visitors. */
  visitors?: VisitorConfig;
  /** How often the mapper reports the value (KubeEdge mappers: milliseconds). */
  reportCycle?: number;
  /** How often the mapper reads the value from the device (KubeEdge mappers: milliseconds). */
  collectCycle?: number;
  /** Whether reported values go up to the cloud. */
  reportToCloud?: boolean;
  /** Where the mapper also pushes collected values. */
  pushMethod?: PushMethod;
}

/** One side (desired, reported, observed desired) of a property's value. */
export interface TwinProperty {
  /** The value as text, whatever the property's type. */
  value: string;
  /** Free annotations of the value, such as when it was read. */
  metadata?: Record<string, string>;
}

export interface ProtocolConfig {
  /** Selects the mapper (modbus, opcua, virtual, ...). */
  protocolName?: string;
  configData?: CustomizedValue;
}

export interface VisitorConfig {
  /** The protocol `configData` is written for. */
  protocolName?: string;
  configData?: CustomizedValue;
}

export interface DeviceMethod {
  name?: string;
  description?: string;
  /** The properties the method reads or changes. */
  propertyNames?: string[];
}

export interface StateReportConfig {
  reportToCloud?: boolean;
  reportCycle?: number;
}

export interface PushMethod {
  http?: PushMethodHTTP;
  mqtt?: PushMethodMQTT;
  otel?: PushMethodOTEL;
  dbMethod?: DBMethodConfig;
  /** Settings for an anomaly detection service, read only by the mapper. Added in KubeEdge v1.23. */
  anomalyDetection?: CustomizedValue;
}

export interface PushMethodHTTP {
  hostName?: string;
  port?: number;
  requestPath?: string;
  timeout?: number;
}

export interface PushMethodMQTT {
  /** Broker URL, e.g. `tcp://127.0.0.1:1883`. */
  address?: string;
  topic?: string;
  /** 0, 1 or 2. */
  qos?: number;
  retained?: boolean;
}

export interface PushMethodOTEL {
  /** OTLP endpoint, e.g. `https://localhost:4318/v1/metrics`. */
  endpointURL?: string;
}

/** Database sinks. `TDEngine` is capitalized on the wire, as in KubeEdge. */
export interface DBMethodConfig {
  influxdb2?: DBMethodInfluxdb2;
  redis?: DBMethodRedis;
  TDEngine?: DBMethodTDEngine;
  mysql?: DBMethodMySQL;
}

export interface DBMethodInfluxdb2 {
  influxdb2ClientConfig?: Influxdb2ClientConfig;
  influxdb2DataConfig?: Influxdb2DataConfig;
}

export interface Influxdb2ClientConfig {
  url?: string;
  org?: string;
  bucket?: string;
}

export interface Influxdb2DataConfig {
  measurement?: string;
  tag?: Record<string, string>;
  fieldKey?: string;
}

export interface DBMethodRedis {
  redisClientConfig?: RedisClientConfig;
}

export interface RedisClientConfig {
  addr?: string;
  db?: number;
  poolsize?: number;
  minIdleConns?: number;
}

export interface DBMethodTDEngine {
  TDEngineClientConfig?: TDEngineClientConfig;
}

export interface TDEngineClientConfig {
  addr?: string;
  dbName?: string;
}

export interface DBMethodMySQL {
  mysqlClientConfig?: MySQLClientConfig;
}

export interface MySQLClientConfig {
  addr?: string;
  database?: string;
  userName?: string;
}

/**
 * State strings KubeEdge's mapper framework writes to `status.state`. Others may
 * appear: the field is a free string.
 */
export type KnownDeviceState =
  'ok' | 'online' | 'offline' | 'disconnected' | 'unhealthy' | 'unknown';

/** Written by the edge, through the status subresource. */
export interface DeviceStatus {
  /** Reported values, one per property that has any. */
  twins?: Twin[];
  /** A `KnownDeviceState`, or whatever else a mapper reports. */
  state?: string;
  /** When the device was last seen online, as the mapper formatted it. */
  lastOnlineTime?: string;
  reportToCloud?: boolean;
  reportCycle?: number;
}

/** The reported side of one property. */
export interface Twin {
  propertyName?: string;
  /** The value the device last reported. */
  reported?: TwinProperty;
  /** The desired value the mapper last received: shows whether a spec change reached it. */
  observedDesired?: TwinProperty;
}

export type DeviceList = KubeList<Device>;

// --------------------------------------------------------------- DeviceModel

/** A kind of device. Has no status. */
export interface DeviceModel extends KubeObject {
  apiVersion?: typeof DEVICES_API_VERSION;
  kind?: 'DeviceModel';
  spec?: DeviceModelSpec;
}

export interface DeviceModelSpec {
  properties?: ModelProperty[];
  /** The protocol devices of this model speak. */
  protocol?: string;
  /** Default connection settings; a Device's `protocol.configData` may override them. */
  protocolConfigData?: CustomizedValue;
}

export interface ModelProperty {
  /** Referred to by Devices' `properties[].name` and `status.twins[].propertyName`. */
  name?: string;
  description?: string;
  type?: PropertyType;
  accessMode?: PropertyAccessMode;
  /** Lowest valid value, as text. */
  minimum?: string;
  /** Highest valid value, as text. */
  maximum?: string;
  unit?: string;
  /** Default access settings; a Device's property visitors override them. */
  visitors?: VisitorConfig;
}

export type DeviceModelList = KubeList<DeviceModel>;
