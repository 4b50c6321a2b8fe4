/**
 * Validation of Pods, pod specs and pod templates, as Kubernetes 1.33 validates
 * them (pkg/apis/core/validation), with its messages and field paths, quirks
 * included (some paths are not indexed where one would expect it, e.g.
 * `volumeMounts.subPath`; they are what kubectl users see).
 *
 * Expects defaulted objects (see defaults.ts): Kubernetes validates after
 * defaulting, so e.g. a missing restartPolicy has become `Always`, not an error.
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError, FieldPath } from '../field-errors.ts';
import type { Pod, PodSpec, PodTemplateSpec, Probe, Volume } from '../types/core.ts';
import type { ObjectMeta } from '../types/meta.ts';
import {
  isObject,
  isSet,
  jsonDiff,
  jsonEqual,
  list,
  map,
  num,
  sortedKeys,
  str,
  type JsonObject,
} from './access.ts';
import { invalidRaw, notFoundRaw } from './format.ts';
import {
  validateAnnotations,
  validateLabelName,
  validateLabels,
  validateLabelSelector,
  IS_NEGATIVE,
} from './meta.ts';
import {
  checkName,
  inclusiveRangeError,
  isConfigMapKey,
  isDns1123Label,
  isDns1123Subdomain,
  isHttpHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidId,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  parseIP,
  IP_ERROR,
} from './names.ts';
import { compareQuantities, parseQuantity, quantityToString, type Quantity } from './quantity.ts';

type Causes = FieldCause[];

const INT32_MAX = 2147483647;
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const MORE_THAN_ONE_VOLUME = 'may not specify more than 1 volume type';

// ------------------------------------------------------------------ small checks

function nonNegative(v: unknown, path: FieldPath | string): Causes {
  return typeof v === 'number' && v < 0 ? [fieldError.invalid(path, v, IS_NEGATIVE)] : [];
}

function subdomainCauses(value: string, path: FieldPath | string): Causes {
  return isDns1123Subdomain(value).map((m) => fieldError.invalid(path, value, m));
}

function labelCauses(value: string, path: FieldPath | string): Causes {
  return isDns1123Label(value).map((m) => fieldError.invalid(path, value, m));
}

function qualifiedNameCauses(value: string, path: FieldPath | string): Causes {
  return isQualifiedName(value).map((m) => fieldError.invalid(path, value, m));
}

function fileMode(v: unknown, path: FieldPath): Causes {
  return typeof v === 'number' && (v > 0o777 || v < 0)
    ? [fieldError.invalid(path, v, FILE_MODE_ERROR)]
    : [];
}

function hasBacksteps(p: string): boolean {
  return p.replace(/\\/g, '/').split('/').includes('..');
}

function noBacksteps(p: string, path: FieldPath): Causes {
  return hasBacksteps(p) ? [fieldError.invalid(path, p, "must not contain '..'")] : [];
}

function localDescendingPath(p: string, path: FieldPath): Causes {
  const out: Causes = [];
  if (p.startsWith('/')) out.push(fieldError.invalid(path, p, 'must be a relative path'));
  out.push(...noBacksteps(p, path));
  return out;
}

function localNonReservedPath(p: string, path: FieldPath): Causes {
  const out = localDescendingPath(p, path);
  if (p.startsWith('..') && !p.startsWith('../'))
    out.push(fieldError.invalid(path, p, "must not start with '..'"));
  return out;
}

function ipCauses(value: string, path: FieldPath): Causes {
  return parseIP(value) ? [] : [fieldError.invalid(path, value, IP_ERROR)];
}

// ------------------------------------------------------------------ volumes

/** Volume source fields in the order Kubernetes checks them, with the path name it reports. */
const VOLUME_SOURCES: [field: string, reported: string][] = [
  ['emptyDir', 'emptyDir'],
  ['hostPath', 'hostPath'],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  // Kubernetes' own spelling in this one message.
  ['downwardAPI', 'downwarAPI'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['configMap', 'configMap'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected'],
  ['scaleIO', 'scaleIO'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];

/** The JSON names of every volume source, for defaulting (a volume with none gets emptyDir). */
export const VOLUME_SOURCE_FIELDS = VOLUME_SOURCES.map(([f]) => f);

const HOST_PATH_TYPES = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

function validateKeyToPath(kp: unknown, path: FieldPath): Causes {
  const o = isObject(kp) ? kp : {};
  const out: Causes = [];
  const key = str(o.key);
  const p = str(o.path);
  if (key === '') out.push(fieldError.required(path.child('key')));
  if (p === '') out.push(fieldError.required(path.child('path')));
  out.push(...localNonReservedPath(p, path.child('path')));
  out.push(...fileMode(o.mode, path.child('mode')));
  return out;
}

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const VOLUME_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];
const CONVERTIBLE_FIELD_LABELS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

function splitSubscript(fieldPath: string): { path: string; key: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return { path: s.slice(0, at), key: s.slice(at + 2) };
}

/** A downward API field reference (env `fieldRef` or a downwardAPI volume item). */
function validateObjectFieldSelector(
  fs: unknown,
  allowed: readonly string[],
  path: FieldPath,
): Causes {
  const o = isObject(fs) ? fs : {};
  const apiVersion = str(o.apiVersion);
  const fieldPath = str(o.fieldPath);
  if (apiVersion === '') return [fieldError.required(path.child('apiVersion'))];
  if (fieldPath === '') return [fieldError.required(path.child('fieldPath'))];
  const fail = (msg: string): Causes => [
    fieldError.invalid(path.child('fieldPath'), fieldPath, `error converting fieldPath: ${msg}`),
  ];
  if (apiVersion !== 'v1') return fail(`unsupported pod version: ${apiVersion}`);
  const sub = splitSubscript(fieldPath);
  if (sub) {
    if (sub.path === 'metadata.annotations')
      return qualifiedNameCauses(sub.key.toLowerCase(), path);
    if (sub.path === 'metadata.labels') return qualifiedNameCauses(sub.key, path);
    return fail(`field label does not support subscript: ${fieldPath}`);
  }
  const label = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (!CONVERTIBLE_FIELD_LABELS.has(label)) return fail(`field label not supported: ${fieldPath}`);
  if (!allowed.includes(label))
    return [fieldError.notSupported(path.child('fieldPath'), label, allowed)];
  return [];
}

const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const BYTE_DIVISORS = new Set([
  '1',
  '1k',
  '1M',
  '1G',
  '1T',
  '1P',
  '1E',
  '1Ki',
  '1Mi',
  '1Gi',
  '1Ti',
  '1Pi',
  '1Ei',
]);
const BYTE_DIVISOR_LIST = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';

function validateResourceFieldSelector(fs: unknown, path: FieldPath, volume: boolean): Causes {
  const o = isObject(fs) ? fs : {};
  const out: Causes = [];
  const resource = str(o.resource);
  if (volume && str(o.containerName) === '')
    out.push(fieldError.required(path.child('containerName')));
  else if (resource === '') out.push(fieldError.required(path.child('resource')));
  else if (
    !RESOURCE_FIELD_PATHS.includes(resource) &&
    !resource.startsWith('limits.hugepages-') &&
    !resource.startsWith('requests.hugepages-')
  ) {
    out.push(fieldError.notSupported(path.child('resource'), resource, RESOURCE_FIELD_PATHS));
  }
  if (isSet(o.divisor)) {
    let divisor: string | undefined;
    try {
      const q = parseQuantity(o.divisor as string | number);
      divisor = q.milli === 0n ? undefined : quantityToString(q);
    } catch {
      out.push(
        fieldError.invalid(path.child('divisor'), o.divisor, 'must be a valid resource quantity'),
      );
    }
    if (divisor !== undefined) {
      const bad = (kind: string, list: string): void => {
        out.push(
          fieldError.invalid(
            path.child('divisor'),
            resource,
            `only divisor's values ${list} are supported with the ${kind} resource`,
          ),
        );
      };
      if (
        (resource === 'limits.cpu' || resource === 'requests.cpu') &&
        divisor !== '1m' &&
        divisor !== '1'
      ) {
        bad('cpu', '1m and 1');
      } else if (
        (resource === 'limits.memory' || resource === 'requests.memory') &&
        !BYTE_DIVISORS.has(divisor)
      ) {
        bad('memory', BYTE_DIVISOR_LIST);
      } else if (
        (resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') &&
        !BYTE_DIVISORS.has(divisor)
      ) {
        bad('local ephemeral storage', BYTE_DIVISOR_LIST);
      } else if (
        (resource.startsWith('limits.hugepages-') || resource.startsWith('requests.hugepages-')) &&
        !BYTE_DIVISORS.has(divisor)
      ) {
        bad('hugepages', BYTE_DIVISOR_LIST);
      }
    }
  }
  return out;
}

function validateDownwardAPIFile(file: unknown, path: FieldPath): Causes {
  const o = isObject(file) ? file : {};
  const out: Causes = [];
  const p = str(o.path);
  if (p === '') out.push(fieldError.required(path.child('path')));
  out.push(...localNonReservedPath(p, path.child('path')));
  if (isSet(o.fieldRef)) {
    out.push(
      ...validateObjectFieldSelector(o.fieldRef, VOLUME_FIELD_PATHS, path.child('fieldRef')),
    );
    if (isSet(o.resourceFieldRef)) {
      out.push(
        fieldError.invalid(
          path,
          'resource',
          'fieldRef and resourceFieldRef can not be specified simultaneously',
        ),
      );
    }
  } else if (isSet(o.resourceFieldRef)) {
    out.push(
      ...validateResourceFieldSelector(o.resourceFieldRef, path.child('resourceFieldRef'), true),
    );
  } else {
    out.push(fieldError.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  out.push(...fileMode(o.mode, path.child('mode')));
  return out;
}

function validateProjected(src: JsonObject, path: FieldPath): Causes {
  const out: Causes = [...fileMode(src.defaultMode, path.child('defaultMode'))];
  const paths = new Set<string>();
  const claimPath = (p: string, value: string): void => {
    if (p === '') return;
    if (paths.has(p)) out.push(fieldError.invalid(path, value, 'conflicting duplicate paths'));
    else paths.add(p);
  };
  list<unknown>(src.sources).forEach((s, i) => {
    const source = isObject(s) ? s : {};
    const srcPath = path.child('sources').index(i);
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const ref = map(source[kind]);
      if (!ref) continue;
      n++;
      const p = srcPath.child(kind);
      if (str(ref.name) === '') out.push(fieldError.required(p.child('name')));
      list<unknown>(ref.items).forEach((kp, j) => {
        out.push(...validateKeyToPath(kp, p.child('items').index(j)));
        claimPath(str(isObject(kp) ? kp.path : ''), str(ref.name));
      });
    }
    const dapi = map(source.downwardAPI);
    if (dapi) {
      n++;
      for (const file of list<unknown>(dapi.items)) {
        out.push(...validateDownwardAPIFile(file, srcPath.child('downwardAPI')));
        const p = str(isObject(file) ? file.path : '');
        claimPath(p, p);
      }
    }
    const token = map(source.serviceAccountToken);
    if (token) {
      n++;
      const p = srcPath.child('serviceAccountToken');
      const exp = num(token.expirationSeconds) ?? 0;
      if (exp < 600)
        out.push(
          fieldError.invalid(
            p.child('expirationSeconds'),
            exp,
            'may not specify a duration less than 10 minutes',
          ),
        );
      if (exp > 2 ** 32)
        out.push(
          fieldError.invalid(
            p.child('expirationSeconds'),
            exp,
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
      const tokenPath = str(token.path);
      if (tokenPath === '') out.push(fieldError.required(path.child('path')));
      else out.push(...localNonReservedPath(tokenPath, path.child('path')));
    }
    if (isSet(source.clusterTrustBundle)) n++;
    if (n > 1)
      out.push(fieldError.forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return out;
}

function validateVolumeSource(
  vol: JsonObject,
  path: FieldPath,
  podName: string,
  resourceIsPod: boolean,
): Causes {
  const out: Causes = [];
  let count = 0;
  for (const [field, reported] of VOLUME_SOURCES) {
    if (!isSet(vol[field])) continue;
    if (count > 0) {
      out.push(fieldError.forbidden(path.child(reported), MORE_THAN_ONE_VOLUME));
      continue;
    }
    count++;
    const src = isObject(vol[field]) ? (vol[field] as JsonObject) : {};
    const p = path.child(field);
    switch (field) {
      case 'emptyDir':
        if (isSet(src.sizeLimit)) {
          let q: Quantity | undefined;
          try {
            q = parseQuantity(src.sizeLimit as string);
          } catch {
            q = undefined;
          }
          if (!q || q.milli < 0n)
            out.push(
              fieldError.forbidden(
                p.child('sizeLimit'),
                'SizeLimit field must be a valid resource quantity',
              ),
            );
        }
        break;
      case 'hostPath': {
        const hp = str(src.path);
        if (hp === '') {
          out.push(fieldError.required(p.child('path')));
          break;
        }
        out.push(...noBacksteps(hp, p.child('path')));
        if (isSet(src.type) && !HOST_PATH_TYPES.includes(str(src.type))) {
          out.push(fieldError.notSupported(p.child('type'), src.type, HOST_PATH_TYPES));
        }
        break;
      }
      case 'gitRepo':
        if (str(src.repository) === '') out.push(fieldError.required(p.child('repository')));
        out.push(...localDescendingPath(str(src.directory), p.child('directory')));
        break;
      case 'secret':
        if (str(src.secretName) === '') out.push(fieldError.required(p.child('secretName')));
        out.push(...fileMode(src.defaultMode, p.child('defaultMode')));
        list<unknown>(src.items).forEach((kp, i) =>
          out.push(...validateKeyToPath(kp, p.child('items').index(i))),
        );
        break;
      case 'configMap':
        if (str(src.name) === '') out.push(fieldError.required(p.child('name')));
        out.push(...fileMode(src.defaultMode, p.child('defaultMode')));
        list<unknown>(src.items).forEach((kp, i) =>
          out.push(...validateKeyToPath(kp, p.child('items').index(i))),
        );
        break;
      case 'nfs':
        if (str(src.server) === '') out.push(fieldError.required(p.child('server')));
        if (str(src.path) === '') out.push(fieldError.required(p.child('path')));
        if (!str(src.path).startsWith('/'))
          out.push(fieldError.invalid(p.child('path'), str(src.path), 'must be an absolute path'));
        break;
      case 'persistentVolumeClaim':
        if (str(src.claimName) === '') out.push(fieldError.required(p.child('claimName')));
        break;
      case 'downwardAPI':
        out.push(...fileMode(src.defaultMode, p.child('defaultMode')));
        for (const file of list<unknown>(src.items)) out.push(...validateDownwardAPIFile(file, p));
        break;
      case 'projected':
        out.push(...validateProjected(src, p));
        break;
      case 'csi': {
        const driver = str(src.driver);
        const dp = p.child('driver');
        if (driver === '') out.push(fieldError.required(dp));
        if (Buffer.byteLength(driver) > 63) out.push(fieldError.tooLong(dp, 63));
        for (const m of isDns1123Subdomain(driver.toLowerCase()))
          out.push(fieldError.invalid(dp, driver, m));
        const secretRef = map(src.nodePublishSecretRef);
        if (secretRef) {
          if (str(secretRef.name) === '')
            out.push(fieldError.required(p.child('nodePublishSecretRef', 'name')));
          else out.push(...subdomainCauses(str(secretRef.name), p.child('name')));
        }
        break;
      }
      case 'ephemeral':
        if (!isSet(src.volumeClaimTemplate))
          out.push(fieldError.required(p.child('volumeClaimTemplate')));
        if (podName !== '' && str(vol.name) !== '') {
          const pvcName = `${podName}-${str(vol.name)}`;
          for (const m of isDns1123Subdomain(pvcName)) {
            out.push(
              fieldError.invalid(
                path.child('name'),
                str(vol.name),
                `PVC name ${JSON.stringify(pvcName)}: ${m}`,
              ),
            );
          }
        }
        break;
      case 'image':
        if (resourceIsPod && str(src.reference) === '')
          out.push(fieldError.required(p.child('reference')));
        out.push(...validatePullPolicy(src.pullPolicy, p.child('pullPolicy')));
        break;
    }
  }
  if (count === 0) out.push(fieldError.required(path, 'must specify a volume type'));
  return out;
}

/** Returns the volumes that passed validation by name (mounts may only refer to those), and the causes. */
function validateVolumes(
  volumes: unknown,
  podName: string,
  path: FieldPath,
  resourceIsPod: boolean,
): { valid: Map<string, JsonObject>; causes: Causes } {
  const causes: Causes = [];
  const valid = new Map<string, JsonObject>();
  const created = new Set<string>();
  if (podName !== '') {
    for (const v of list<Volume>(volumes))
      if (isObject(v) && isSet(v.ephemeral)) created.add(`${podName}-${str(v.name)}`);
  }
  list<unknown>(volumes).forEach((v, i) => {
    const vol = isObject(v) ? v : {};
    const p = path.index(i);
    const name = str(vol.name);
    const errs = validateVolumeSource(vol, p, podName, resourceIsPod);
    if (name === '') errs.push(fieldError.required(p.child('name')));
    else errs.push(...labelCauses(name, p.child('name')));
    if (valid.has(name)) errs.push(fieldError.duplicate(p.child('name'), name));
    if (errs.length === 0) valid.set(name, vol);
    else causes.push(...errs);
    const claim = map(vol.persistentVolumeClaim);
    if (claim && created.has(str(claim.claimName))) {
      causes.push(
        fieldError.invalid(
          p.child('persistentVolumeClaim').child('claimName'),
          str(claim.claimName),
          'must not reference a PVC that gets created for an ephemeral volume',
        ),
      );
    }
  });
  return { valid, causes };
}

// ------------------------------------------------------------------ containers

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  const names = new Set<string>();
  list<unknown>(ports).forEach((pt, i) => {
    const port = isObject(pt) ? pt : {};
    const p = path.index(i);
    const name = str(port.name);
    if (name !== '') {
      const errs = isValidPortName(name);
      if (errs.length) for (const m of errs) out.push(fieldError.invalid(p.child('name'), name, m));
      else if (names.has(name)) out.push(fieldError.duplicate(p.child('name'), name));
      else names.add(name);
    }
    const containerPort = port.containerPort;
    if (containerPort === undefined || containerPort === null || containerPort === 0) {
      out.push(fieldError.required(p.child('containerPort')));
    } else {
      for (const m of isValidPortNum(containerPort as number))
        out.push(fieldError.invalid(p.child('containerPort'), containerPort, m));
    }
    if (isSet(port.hostPort) && port.hostPort !== 0) {
      for (const m of isValidPortNum(port.hostPort as number))
        out.push(fieldError.invalid(p.child('hostPort'), port.hostPort, m));
    }
    const protocol = str(port.protocol);
    if (protocol === '') out.push(fieldError.required(p.child('protocol')));
    else if (!PROTOCOLS.includes(protocol))
      out.push(fieldError.notSupported(p.child('protocol'), protocol, PROTOCOLS));
  });
  return out;
}

function validateKeySelector(s: JsonObject, path: FieldPath): Causes {
  const out = subdomainCauses(str(s.name), path.child('name'));
  const key = str(s.key);
  if (key === '') out.push(fieldError.required(path.child('key')));
  else for (const m of isConfigMapKey(key)) out.push(fieldError.invalid(path.child('key'), key, m));
  return out;
}

function validateEnv(env: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  list<unknown>(env).forEach((e, i) => {
    const ev = isObject(e) ? e : {};
    const p = path.index(i);
    const name = str(ev.name);
    if (name === '') out.push(fieldError.required(p.child('name')));
    else
      for (const m of isRelaxedEnvVarName(name))
        out.push(fieldError.invalid(p.child('name'), name, m));
    const from = map(ev.valueFrom);
    if (!from) return;
    const fp = p.child('valueFrom');
    let n = 0;
    if (isSet(from.fieldRef)) {
      n++;
      out.push(
        ...validateObjectFieldSelector(from.fieldRef, ENV_FIELD_PATHS, fp.child('fieldRef')),
      );
    }
    if (isSet(from.resourceFieldRef)) {
      n++;
      out.push(
        ...validateResourceFieldSelector(
          from.resourceFieldRef,
          fp.child('resourceFieldRef'),
          false,
        ),
      );
    }
    for (const kind of ['configMapKeyRef', 'secretKeyRef'] as const) {
      if (!isSet(from[kind])) continue;
      n++;
      out.push(...validateKeySelector(map(from[kind]) ?? {}, fp.child(kind)));
    }
    if (n === 0) {
      out.push(
        fieldError.invalid(
          fp,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if (str(ev.value) !== '') {
      out.push(fieldError.invalid(fp, '', 'may not be specified when `value` is not empty'));
    } else if (n > 1) {
      out.push(fieldError.invalid(fp, '', 'may not have more than one field specified at a time'));
    }
  });
  return out;
}

function validateEnvFrom(envFrom: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  list<unknown>(envFrom).forEach((e, i) => {
    const ev = isObject(e) ? e : {};
    const p = path.index(i);
    const prefix = str(ev.prefix);
    if (prefix !== '')
      for (const m of isRelaxedEnvVarName(prefix))
        out.push(fieldError.invalid(p.child('prefix'), prefix, m));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = map(ev[kind]);
      if (!isSet(ev[kind])) continue;
      n++;
      const name = str(ref?.name);
      if (name === '') out.push(fieldError.required(p.child(kind).child('name')));
      else
        for (const m of checkName('dns1123Subdomain', name, true))
          out.push(fieldError.invalid(p.child(kind).child('name'), name, m));
    }
    if (n === 0)
      out.push(fieldError.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1)
      out.push(
        fieldError.invalid(path, '', 'may not have more than one field specified at a time'),
      );
  });
  return out;
}

const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const RECURSIVE_READ_ONLY = ['Disabled', 'Enabled', 'IfPossible'];

function validateVolumeMounts(
  ctr: JsonObject,
  volumes: Map<string, JsonObject>,
  path: FieldPath,
): Causes {
  const out: Causes = [];
  const mountPaths = new Set<string>();
  const devices = new Map<string, string>();
  for (const d of list<unknown>(ctr.volumeDevices))
    if (isObject(d)) devices.set(str(d.name), str(d.devicePath));
  const privileged = isObject(ctr.securityContext) && ctr.securityContext.privileged === true;
  list<unknown>(ctr.volumeMounts).forEach((m, i) => {
    const mnt = isObject(m) ? m : {};
    const p = path.index(i);
    const name = str(mnt.name);
    const mountPath = str(mnt.mountPath);
    if (name === '') out.push(fieldError.required(p.child('name')));
    if (!volumes.has(name)) out.push(fieldError.notFound(p.child('name'), name));
    if (mountPath === '') out.push(fieldError.required(p.child('mountPath')));
    if (mountPaths.has(mountPath))
      out.push(fieldError.invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    if (devices.has(name))
      out.push(
        fieldError.invalid(p.child('name'), name, 'must not already exist in volumeDevices'),
      );
    if ([...devices.values()].includes(mountPath)) {
      out.push(
        fieldError.invalid(
          p.child('mountPath'),
          mountPath,
          'must not already exist as a path in volumeDevices',
        ),
      );
    }
    const subPath = str(mnt.subPath);
    if (subPath !== '') out.push(...localDescendingPath(subPath, path.child('subPath')));
    const subPathExpr = str(mnt.subPathExpr);
    if (subPathExpr !== '') {
      if (subPath !== '')
        out.push(
          fieldError.invalid(
            p.child('subPathExpr'),
            subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      out.push(...localDescendingPath(subPathExpr, path.child('subPathExpr')));
    }
    if (isSet(mnt.mountPropagation)) {
      const mp = str(mnt.mountPropagation);
      const pp = path.child('mountPropagation');
      if (!MOUNT_PROPAGATIONS.includes(mp))
        out.push(fieldError.notSupported(pp, mp, MOUNT_PROPAGATIONS));
      if (mp === 'Bidirectional' && !privileged) {
        out.push(
          fieldError.forbidden(
            pp,
            'Bidirectional mount propagation is available only to privileged containers',
          ),
        );
      }
    }
    if (isSet(mnt.recursiveReadOnly)) {
      const rro = str(mnt.recursiveReadOnly);
      const rp = path.child('recursiveReadOnly');
      if (rro === 'Enabled' || rro === 'IfPossible') {
        if (mnt.readOnly !== true)
          out.push(fieldError.forbidden(rp, 'may only be specified when readOnly is true'));
        if (isSet(mnt.mountPropagation) && mnt.mountPropagation !== 'None') {
          out.push(
            fieldError.forbidden(
              rp,
              'may only be specified when mountPropagation is None or not specified',
            ),
          );
        }
      } else if (rro !== 'Disabled') {
        out.push(fieldError.notSupported(rp, rro, RECURSIVE_READ_ONLY));
      }
    }
  });
  return out;
}

function validateVolumeDevices(
  ctr: JsonObject,
  volumes: Map<string, JsonObject>,
  path: FieldPath,
): Causes {
  const out: Causes = [];
  const mounts = new Map<string, string>();
  for (const m of list<unknown>(ctr.volumeMounts))
    if (isObject(m)) mounts.set(str(m.name), str(m.mountPath));
  const names = new Set<string>();
  const paths = new Set<string>();
  list<unknown>(ctr.volumeDevices).forEach((d, i) => {
    const dev = isObject(d) ? d : {};
    const p = path.index(i);
    const name = str(dev.name);
    const devicePath = str(dev.devicePath);
    const vol = volumes.get(name);
    if (name === '') out.push(fieldError.required(p.child('name')));
    if (names.has(name)) out.push(fieldError.invalid(p.child('name'), name, 'must be unique'));
    if (vol && !isSet(vol.persistentVolumeClaim) && !isSet(vol.ephemeral)) {
      out.push(
        fieldError.invalid(
          p.child('name'),
          name,
          'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
        ),
      );
    }
    if (!vol) out.push(fieldError.notFound(p.child('name'), name));
    if (devicePath === '') out.push(fieldError.required(p.child('devicePath')));
    if (paths.has(devicePath))
      out.push(fieldError.invalid(p.child('devicePath'), devicePath, 'must be unique'));
    if (devicePath !== '' && hasBacksteps(devicePath)) {
      out.push(
        fieldError.invalid(p.child('devicePath'), devicePath, "can not contain backsteps ('..')"),
      );
    } else {
      paths.add(devicePath);
    }
    if (mounts.has(name))
      out.push(fieldError.invalid(p.child('name'), name, 'must not already exist in volumeMounts'));
    if ([...mounts.values()].includes(devicePath)) {
      out.push(
        fieldError.invalid(
          p.child('devicePath'),
          devicePath,
          'must not already exist as a path in volumeMounts',
        ),
      );
    }
    if (name !== '') names.add(name);
  });
  return out;
}

function validatePullPolicy(policy: unknown, path: FieldPath): Causes {
  const p = str(policy);
  if (PULL_POLICIES.includes(p)) return [];
  if (p === '') return [fieldError.required(path)];
  return [fieldError.notSupported(path, p, PULL_POLICIES)];
}

// ------------------------------------------------------------------ resources

const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
const isNativeResource = (name: string): boolean =>
  !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResource = (name: string): boolean =>
  !isNativeResource(name) &&
  !name.startsWith('requests.') &&
  isQualifiedName(`requests.${name}`).length === 0;
const isOvercommitAllowed = (name: string): boolean => isNativeResource(name) && !isHugePages(name);

function validateContainerResourceName(name: string, path: FieldPath): Causes {
  const errs = isQualifiedName(name);
  if (errs.length) return errs.map((m) => fieldError.invalid(path, name, m));
  if (!name.includes('/')) {
    if (
      !STANDARD_RESOURCES.has(name) &&
      !isHugePages(name) &&
      !name.startsWith('requests.hugepages-')
    ) {
      return [
        fieldError.invalid(path, name, 'must be a standard resource type or fully qualified'),
      ];
    }
    if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !isHugePages(name)) {
      return [fieldError.invalid(path, name, 'must be a standard resource for containers')];
    }
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    return [fieldError.invalid(path, name, "doesn't follow extended resource name standard")];
  }
  return [];
}

/** Parses a resource amount; a bad one becomes a cause (Kubernetes rejects it while decoding). */
function quantityAt(value: unknown, path: FieldPath, out: Causes): Quantity | undefined {
  try {
    return parseQuantity(value as string | number);
  } catch (err) {
    out.push(
      fieldError.invalid(
        path,
        typeof value === 'number' ? String(value) : value,
        (err as Error).message,
      ),
    );
    return undefined;
  }
}

function hugePageDivisible(name: string, q: Quantity): boolean {
  let page: Quantity;
  try {
    page = parseQuantity(name.slice('hugepages-'.length));
  } catch {
    return false;
  }
  if (page.milli <= 0n || page.milli % 1000n !== 0n) return false;
  // Quantity.Value() rounds up to a whole number.
  const value = q.milli >= 0n ? (q.milli + 999n) / 1000n : q.milli / 1000n;
  return value % (page.milli / 1000n) === 0n;
}

function validateResourceQuantity(name: string, q: Quantity, path: FieldPath): Causes {
  const out: Causes = [];
  const text = quantityToString(q);
  if (q.milli < 0n) out.push(fieldError.invalid(path, text, IS_NEGATIVE));
  if ((INTEGER_RESOURCES.has(name) || isExtendedResource(name)) && q.milli % 1000n !== 0n) {
    out.push(fieldError.invalid(path, text, 'must be an integer'));
  }
  return out;
}

/** Container resources (and pod overhead): names, amounts, requests within limits. */
function validateResourceRequirements(
  res: unknown,
  path: FieldPath,
  podClaims: Set<string>,
): Causes {
  const out: Causes = [];
  const r = isObject(res) ? res : {};
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  const limitMap = map(r.limits) ?? {};
  for (const name of sortedKeys(limitMap)) {
    const p = limPath.key(name);
    out.push(...validateContainerResourceName(name, p));
    const q = quantityAt(limitMap[name], p, out);
    if (!q) continue;
    limits.set(name, q);
    out.push(...validateResourceQuantity(name, q, p));
    if (isHugePages(name)) {
      hugePages = true;
      if (!hugePageDivisible(name, q))
        out.push(
          fieldError.invalid(
            p,
            quantityToString(q),
            `${quantityToString(q)} is not positive integer multiple of ${name}`,
          ),
        );
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  const requestMap = map(r.requests) ?? {};
  for (const name of sortedKeys(requestMap)) {
    const p = reqPath.key(name);
    out.push(...validateContainerResourceName(name, p));
    const q = quantityAt(requestMap[name], p, out);
    if (!q) continue;
    out.push(...validateResourceQuantity(name, q, p));
    const limit = limits.get(name);
    const text = quantityToString(q);
    if (limit) {
      if (compareQuantities(q, limit) !== 0 && !isOvercommitAllowed(name)) {
        out.push(
          fieldError.invalid(
            reqPath,
            text,
            `must be equal to ${name} limit of ${quantityToString(limit)}`,
          ),
        );
      } else if (compareQuantities(q, limit) > 0) {
        out.push(
          fieldError.invalid(
            reqPath,
            text,
            `must be less than or equal to ${name} limit of ${quantityToString(limit)}`,
          ),
        );
      }
    } else if (!isOvercommitAllowed(name) && !(name in limitMap)) {
      out.push(fieldError.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) {
      hugePages = true;
      if (!hugePageDivisible(name, q))
        out.push(
          fieldError.invalid(p, text, `${text} is not positive integer multiple of ${name}`),
        );
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (!cpuOrMemory && hugePages)
    out.push(fieldError.forbidden(path, 'HugePages require cpu or memory'));
  const names = new Set<string>();
  list<unknown>(r.claims).forEach((c, i) => {
    const name = str(isObject(c) ? c.name : '');
    const p = path.child('claims').index(i);
    if (name === '') {
      out.push(fieldError.required(p));
      return;
    }
    if (names.has(name)) out.push(fieldError.duplicate(p, name));
    names.add(name);
    if (!podClaims.has(name)) {
      const known = [...podClaims].sort();
      out.push(
        notFoundRaw(
          p,
          JSON.stringify(name),
          `must be one of the names in pod.spec.resourceClaims${known.length ? `: ${known.join(', ')}` : ' which is empty'}`,
        ),
      );
    }
  });
  return out;
}

// ------------------------------------------------------------------ probes, lifecycle

interface HandlerContext {
  gracePeriod: number | undefined;
}

function validatePortNumOrName(port: unknown, path: FieldPath): Causes {
  if (typeof port === 'number')
    return isValidPortNum(port).map((m) => fieldError.invalid(path, port, m));
  if (typeof port === 'string')
    return isValidPortName(port).map((m) => fieldError.invalid(path, port, m));
  return isValidPortNum(0).map((m) => fieldError.invalid(path, 0, m));
}

function validateHandler(
  handler: JsonObject,
  kinds: readonly string[],
  path: FieldPath,
  ctx: HandlerContext,
): Causes {
  const out: Causes = [];
  let n = 0;
  for (const kind of kinds) {
    if (!isSet(handler[kind])) continue;
    const p = path.child(kind);
    if (n > 0) {
      out.push(fieldError.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const h = isObject(handler[kind]) ? (handler[kind] as JsonObject) : {};
    switch (kind) {
      case 'exec':
        if (list(h.command).length === 0) out.push(fieldError.required(p.child('command')));
        break;
      case 'httpGet': {
        if (str(h.path) === '') out.push(fieldError.required(p.child('path')));
        out.push(...validatePortNumOrName(h.port, p.child('port')));
        const scheme = str(h.scheme);
        if (scheme !== 'HTTP' && scheme !== 'HTTPS')
          out.push(fieldError.notSupported(p.child('scheme'), scheme, ['HTTP', 'HTTPS']));
        for (const header of list<unknown>(h.httpHeaders)) {
          const name = str(isObject(header) ? header.name : '');
          for (const m of isHttpHeaderName(name))
            out.push(fieldError.invalid(p.child('httpHeaders'), name, m));
        }
        break;
      }
      case 'tcpSocket':
        out.push(...validatePortNumOrName(h.port, p.child('port')));
        break;
      case 'grpc':
        out.push(...validatePortNumOrName(num(h.port) ?? 0, p.child('port')));
        break;
      case 'sleep': {
        const seconds = num(h.seconds) ?? 0;
        const grace = ctx.gracePeriod;
        if (grace !== undefined && (seconds < 0 || seconds > grace)) {
          out.push(
            fieldError.invalid(
              p,
              seconds,
              `must be non-negative and less than terminationGracePeriodSeconds (${grace})`,
            ),
          );
        }
        break;
      }
    }
  }
  if (n === 0) out.push(fieldError.required(path, 'must specify a handler type'));
  return out;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateProbe(
  probe: Probe | undefined,
  kind: 'liveness' | 'readiness' | 'startup',
  path: FieldPath,
  ctx: HandlerContext,
): Causes {
  if (!isObject(probe)) return [];
  const p = probe as unknown as JsonObject;
  const out = validateHandler(p, PROBE_HANDLERS, path, ctx);
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    out.push(...nonNegative(p[f], path.child(f)));
  }
  if (typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0) {
    out.push(
      fieldError.invalid(
        path.child('terminationGracePeriodSeconds'),
        p.terminationGracePeriodSeconds,
        'must be greater than 0',
      ),
    );
  }
  if (kind === 'readiness') {
    if (isSet(p.terminationGracePeriodSeconds)) {
      out.push(
        fieldError.invalid(
          path.child('terminationGracePeriodSeconds'),
          p.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    }
  } else if (p.successThreshold !== 1) {
    out.push(
      fieldError.invalid(path.child('successThreshold'), p.successThreshold ?? 0, 'must be 1'),
    );
  }
  return out;
}

function validateLifecycle(
  lc: unknown,
  path: FieldPath,
  ctx: HandlerContext,
  os: string | undefined,
): Causes {
  const out: Causes = [];
  if (!isObject(lc)) return out;
  for (const hook of ['postStart', 'preStop'] as const) {
    if (isObject(lc[hook]))
      out.push(
        ...validateHandler(lc[hook] as JsonObject, LIFECYCLE_HANDLERS, path.child(hook), ctx),
      );
  }
  if (isSet(lc.stopSignal)) {
    const p = path.child('stopSignal');
    if (os === undefined)
      out.push(fieldError.forbidden(p, 'may not be set for containers with empty `spec.os.name`'));
    else if (os === 'windows' && !['SIGKILL', 'SIGTERM'].includes(str(lc.stopSignal))) {
      out.push(fieldError.notSupported(p, lc.stopSignal, ['SIGKILL', 'SIGTERM']));
    }
  }
  return out;
}

function validateSecurityContext(sc: unknown, path: FieldPath, hostUsers: boolean): Causes {
  const out: Causes = [];
  if (!isObject(sc)) return out;
  for (const f of ['runAsUser', 'runAsGroup'] as const) {
    if (typeof sc[f] === 'number')
      for (const m of isValidId(sc[f])) out.push(fieldError.invalid(path.child(f), sc[f], m));
  }
  if (isSet(sc.procMount)) {
    const pm = str(sc.procMount);
    if (pm !== 'Default' && pm !== 'Unmasked')
      out.push(fieldError.notSupported(path.child('procMount'), pm, ['Default', 'Unmasked']));
    if (hostUsers && pm === 'Unmasked')
      out.push(
        fieldError.invalid(
          path.child('procMount'),
          pm,
          '`hostUsers` must be false to use `Unmasked`',
        ),
      );
  }
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
    out.push(
      invalidRaw(
        path,
        '"object"',
        'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      ),
    );
  }
  return out;
}

interface ContainerContext extends HandlerContext {
  volumes: Map<string, JsonObject>;
  podClaims: Set<string>;
  restartPolicy: string;
  hostUsers: boolean;
  os: string | undefined;
}

function validateContainerCommon(ctr: JsonObject, path: FieldPath, ctx: ContainerContext): Causes {
  const out: Causes = [];
  const name = str(ctr.name);
  if (name === '') out.push(fieldError.required(path.child('name')));
  else out.push(...labelCauses(name, path.child('name')));
  if (str(ctr.image) === '') out.push(fieldError.required(path.child('image')));
  const tmp = str(ctr.terminationMessagePolicy);
  if (tmp === '') out.push(fieldError.required(path.child('terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    out.push(
      fieldError.notSupported(path.child('terminationMessagePolicy'), tmp, [
        'File',
        'FallbackToLogsOnError',
      ]),
    );
  }
  out.push(...validateContainerPorts(ctr.ports, path.child('ports')));
  out.push(...validateEnv(ctr.env, path.child('env')));
  out.push(...validateEnvFrom(ctr.envFrom, path.child('envFrom')));
  out.push(...validateVolumeMounts(ctr, ctx.volumes, path.child('volumeMounts')));
  out.push(...validateVolumeDevices(ctr, ctx.volumes, path.child('volumeDevices')));
  out.push(...validatePullPolicy(ctr.imagePullPolicy, path.child('imagePullPolicy')));
  out.push(...validateResourceRequirements(ctr.resources, path.child('resources'), ctx.podClaims));
  out.push(
    ...validateResizePolicy(ctr.resizePolicy, path.child('resizePolicy'), ctx.restartPolicy),
  );
  out.push(
    ...validateSecurityContext(ctr.securityContext, path.child('securityContext'), ctx.hostUsers),
  );
  return out;
}

function validateResizePolicy(
  policies: unknown,
  path: FieldPath,
  podRestartPolicy: string,
): Causes {
  const out: Causes = [];
  const seen = new Set<string>();
  list<unknown>(policies).forEach((pol, i) => {
    const p = isObject(pol) ? pol : {};
    const resource = str(p.resourceName);
    const restart = str(p.restartPolicy);
    if (seen.has(resource)) out.push(fieldError.duplicate(path.index(i), resource));
    seen.add(resource);
    if (resource === '') out.push(fieldError.required(path));
    else if (resource !== 'cpu' && resource !== 'memory')
      out.push(fieldError.notSupported(path, resource, ['cpu', 'memory']));
    if (restart === '') out.push(fieldError.required(path));
    else if (restart !== 'NotRequired' && restart !== 'RestartContainer') {
      out.push(fieldError.notSupported(path, restart, ['NotRequired', 'RestartContainer']));
    }
    if (podRestartPolicy === 'Never' && restart !== 'NotRequired') {
      out.push(
        fieldError.invalid(path, restart, "must be 'NotRequired' when `restartPolicy` is 'Never'"),
      );
    }
  });
  return out;
}

/** Host ports must not collide (protocol/hostIP/port) across the given containers. */
function checkHostPortConflicts(
  containers: JsonObject[],
  path: FieldPath,
  seen = new Set<string>(),
): Causes {
  const out: Causes = [];
  containers.forEach((c, ci) => {
    list<unknown>(c.ports).forEach((pt, pi) => {
      const port = isObject(pt) ? pt : {};
      const hostPort = num(port.hostPort) ?? 0;
      if (hostPort === 0) return;
      const key = `${str(port.protocol)}/${str(port.hostIP)}/${hostPort}`;
      if (seen.has(key))
        out.push(
          fieldError.duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key),
        );
      else seen.add(key);
    });
  });
  return out;
}

const objects = (v: unknown): JsonObject[] => list<unknown>(v).map((x) => (isObject(x) ? x : {}));

function validateContainers(
  containers: JsonObject[],
  path: FieldPath,
  ctx: ContainerContext,
): Causes {
  if (containers.length === 0) return [fieldError.required(path)];
  const out: Causes = [];
  const names = new Set<string>();
  containers.forEach((ctr, i) => {
    const p = path.index(i);
    out.push(...validateContainerCommon(ctr, p, ctx));
    const name = str(ctr.name);
    if (names.has(name)) out.push(fieldError.duplicate(p.child('name'), name));
    else names.add(name);
    out.push(...validateLifecycle(ctr.lifecycle, p.child('lifecycle'), ctx, ctx.os));
    out.push(
      ...validateProbe(ctr.livenessProbe as Probe, 'liveness', p.child('livenessProbe'), ctx),
    );
    out.push(
      ...validateProbe(ctr.readinessProbe as Probe, 'readiness', p.child('readinessProbe'), ctx),
    );
    out.push(...validateProbe(ctr.startupProbe as Probe, 'startup', p.child('startupProbe'), ctx));
    if (isSet(ctr.restartPolicy))
      out.push(
        fieldError.forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'),
      );
  });
  out.push(...checkHostPortConflicts(containers, path));
  return out;
}

function validateInitContainers(
  inits: JsonObject[],
  regular: JsonObject[],
  path: FieldPath,
  ctx: ContainerContext,
): Causes {
  const out: Causes = [];
  const names = new Set(regular.map((c) => str(c.name)));
  inits.forEach((ctr, i) => {
    const p = path.index(i);
    out.push(...validateContainerCommon(ctr, p, ctx));
    let restartAlways = false;
    if (isSet(ctr.restartPolicy)) {
      if (ctr.restartPolicy !== 'Always')
        out.push(fieldError.notSupported(p.child('restartPolicy'), ctr.restartPolicy, ['Always']));
      restartAlways = ctr.restartPolicy === 'Always';
    }
    const name = str(ctr.name);
    if (names.has(name)) out.push(fieldError.duplicate(p.child('name'), name));
    else if (name !== '') names.add(name);
    out.push(...checkHostPortConflicts([ctr], path));
    if (restartAlways) {
      out.push(...validateLifecycle(ctr.lifecycle, p.child('lifecycle'), ctx, ctx.os));
      out.push(
        ...validateProbe(ctr.livenessProbe as Probe, 'liveness', p.child('livenessProbe'), ctx),
      );
      out.push(
        ...validateProbe(ctr.readinessProbe as Probe, 'readiness', p.child('readinessProbe'), ctx),
      );
      out.push(
        ...validateProbe(ctr.startupProbe as Probe, 'startup', p.child('startupProbe'), ctx),
      );
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (isSet(ctr[f]))
          out.push(
            fieldError.forbidden(
              p.child(f),
              'may not be set for init containers without restartPolicy=Always',
            ),
          );
      }
    }
    // resizePolicy is allowed on init containers while InPlacePodVerticalScaling
    // is on, as it is by default in Kubernetes 1.33.
  });
  return out;
}

// ------------------------------------------------------------------ scheduling

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: string, allowEmpty: boolean, path: FieldPath): Causes {
  if (!allowEmpty && effect === '') return [fieldError.required(path)];
  return TAINT_EFFECTS.includes(effect)
    ? []
    : [fieldError.notSupported(path, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  list<unknown>(tolerations).forEach((t, i) => {
    const tol = isObject(t) ? t : {};
    const p = path.index(i);
    const key = str(tol.key);
    const op = str(tol.operator);
    const value = str(tol.value);
    const effect = str(tol.effect);
    if (key !== '') out.push(...validateLabelName(key, p.child('key')));
    if (key === '' && op !== 'Exists') {
      out.push(
        fieldError.invalid(
          p.child('operator'),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (isSet(tol.tolerationSeconds) && effect !== 'NoExecute') {
      out.push(
        fieldError.invalid(
          p.child('effect'),
          effect,
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (op === 'Equal' || op === '') {
      const errs = isValidLabelValue(value);
      if (errs.length) out.push(fieldError.invalid(p.child('operator'), value, errs.join(';')));
    } else if (op === 'Exists') {
      if (value !== '')
        out.push(
          fieldError.invalid(
            p.child('operator'),
            value,
            "value must be empty when `operator` is 'Exists'",
          ),
        );
    } else {
      out.push(fieldError.notSupported(p.child('operator'), op, ['Equal', 'Exists']));
    }
    if (effect !== '') out.push(...validateTaintEffect(effect, true, p.child('effect')));
  });
  return out;
}

function validateNodeSelectorRequirement(
  req: unknown,
  path: FieldPath,
  allowInvalidValue: boolean,
): Causes {
  const r = isObject(req) ? req : {};
  const out: Causes = [];
  const op = str(r.operator);
  const values = list<unknown>(r.values).map(str);
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        out.push(
          fieldError.required(
            path.child('values'),
            "must be specified when `operator` is 'In' or 'NotIn'",
          ),
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        out.push(
          fieldError.forbidden(
            path.child('values'),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        out.push(
          fieldError.required(
            path.child('values'),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      break;
    default:
      out.push(fieldError.invalid(path.child('operator'), op, 'not a valid selector operator'));
  }
  out.push(...validateLabelName(str(r.key), path.child('key')));
  if (!allowInvalidValue) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v))
        out.push(fieldError.invalid(path.child('values').index(i), v, m));
    });
  }
  return out;
}

function validateNodeFieldSelectorRequirement(req: unknown, path: FieldPath): Causes {
  const r = isObject(req) ? req : {};
  const out: Causes = [];
  const op = str(r.operator);
  const values = list<unknown>(r.values).map(str);
  if (op === 'In' || op === 'NotIn') {
    if (values.length !== 1) {
      out.push(
        fieldError.required(
          path.child('values'),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
    }
  } else {
    out.push(fieldError.invalid(path.child('operator'), op, 'not a valid selector operator'));
  }
  if (str(r.key) !== 'metadata.name') {
    out.push(fieldError.invalid(path.child('key'), str(r.key), 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => out.push(...subdomainCauses(v, path.child('values').index(i))));
  }
  return out;
}

function validateNodeSelectorTerm(
  term: unknown,
  path: FieldPath,
  allowInvalidValue: boolean,
): Causes {
  const t = isObject(term) ? term : {};
  const out: Causes = [];
  list<unknown>(t.matchExpressions).forEach((r, j) =>
    out.push(
      ...validateNodeSelectorRequirement(
        r,
        path.child('matchExpressions').index(j),
        allowInvalidValue,
      ),
    ),
  );
  list<unknown>(t.matchFields).forEach((r, j) =>
    out.push(...validateNodeFieldSelectorRequirement(r, path.child('matchFields').index(j))),
  );
  return out;
}

function validatePodAffinityTerm(term: unknown, path: FieldPath): Causes {
  const t = isObject(term) ? term : {};
  const out: Causes = [];
  out.push(...validateLabelSelector(t.labelSelector, path.child('labelSelector')));
  out.push(...validateLabelSelector(t.namespaceSelector, path.child('namespaceSelector')));
  for (const ns of list<unknown>(t.namespaces).map(str))
    out.push(...labelCauses(ns, path.child('namespace')));
  const topologyKey = str(t.topologyKey);
  if (topologyKey === '')
    out.push(fieldError.required(path.child('topologyKey'), 'can not be empty'));
  out.push(...validateLabelName(topologyKey, path.child('topologyKey')));
  return out;
}

function validateWeighted(
  terms: unknown,
  path: FieldPath,
  validateTerm: (t: unknown, p: FieldPath) => Causes,
  field: string,
): Causes {
  const out: Causes = [];
  list<unknown>(terms).forEach((w, i) => {
    const term = isObject(w) ? w : {};
    const weight = num(term.weight) ?? 0;
    if (weight <= 0 || weight > 100)
      out.push(
        fieldError.invalid(path.index(i).child('weight'), weight, 'must be in the range 1-100'),
      );
    out.push(...validateTerm(term[field], path.index(i).child(field)));
  });
  return out;
}

function validateAffinity(affinity: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  if (!isObject(affinity)) return out;
  const node = map(affinity.nodeAffinity);
  if (node) {
    const np = path.child('nodeAffinity');
    const required = map(node.requiredDuringSchedulingIgnoredDuringExecution);
    if (required) {
      const tp = np
        .child('requiredDuringSchedulingIgnoredDuringExecution')
        .child('nodeSelectorTerms');
      const terms = list<unknown>(required.nodeSelectorTerms);
      if (terms.length === 0)
        out.push(fieldError.required(tp, 'must have at least one node selector term'));
      terms.forEach((t, i) => out.push(...validateNodeSelectorTerm(t, tp.index(i), false)));
    }
    out.push(
      ...validateWeighted(
        node.preferredDuringSchedulingIgnoredDuringExecution,
        np.child('preferredDuringSchedulingIgnoredDuringExecution'),
        (t, p) => validateNodeSelectorTerm(t, p, true),
        'preference',
      ),
    );
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = map(affinity[kind]);
    if (!pa) continue;
    const pp = path.child(kind);
    list<unknown>(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) =>
      out.push(
        ...validatePodAffinityTerm(
          t,
          pp.child('requiredDuringSchedulingIgnoredDuringExecution').index(i),
        ),
      ),
    );
    out.push(
      ...validateWeighted(
        pa.preferredDuringSchedulingIgnoredDuringExecution,
        pp.child('preferredDuringSchedulingIgnoredDuringExecution'),
        validatePodAffinityTerm,
        'podAffinityTerm',
      ),
    );
  }
  return out;
}

function validateTopologySpread(constraints: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  const all = objects(constraints);
  all.forEach((c, i) => {
    const p = path.index(i);
    const maxSkew = num(c.maxSkew) ?? 0;
    if (maxSkew <= 0)
      out.push(fieldError.invalid(p.child('maxSkew'), maxSkew, 'must be greater than zero'));
    if (str(c.topologyKey) === '')
      out.push(fieldError.required(p.child('topologyKey'), 'can not be empty'));
    const when = str(c.whenUnsatisfiable);
    if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') {
      out.push(
        fieldError.notSupported(p.child('whenUnsatisfiable'), when, [
          'DoNotSchedule',
          'ScheduleAnyway',
        ]),
      );
    }
    if (
      all
        .slice(i + 1)
        .some((o) => str(o.topologyKey) === str(c.topologyKey) && str(o.whenUnsatisfiable) === when)
    ) {
      out.push(
        fieldError.duplicate(
          p.child('{topologyKey, whenUnsatisfiable}'),
          `{${str(c.topologyKey)}, ${when}}`,
        ),
      );
    }
    if (isSet(c.minDomains)) {
      const md = num(c.minDomains) ?? 0;
      if (md <= 0)
        out.push(fieldError.invalid(p.child('minDomains'), md, 'must be greater than zero'));
      if (when !== 'DoNotSchedule') {
        out.push(
          fieldError.invalid(
            p.child('minDomains'),
            md,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when}`,
          ),
        );
      }
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      if (isSet(c[f]) && c[f] !== 'Honor' && c[f] !== 'Ignore')
        out.push(fieldError.notSupported(p.child(f), c[f], ['Honor', 'Ignore']));
    }
    out.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return out;
}

const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

function validateDNSConfig(config: unknown, dnsPolicy: string, path: FieldPath): Causes {
  const out: Causes = [];
  const c = map(config);
  if (dnsPolicy === 'None') {
    if (!c) return [fieldError.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (list(c.nameservers).length === 0) {
      return [
        fieldError.required(
          path.child('nameservers'),
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
    }
  }
  if (!c) return out;
  const nameservers = list<unknown>(c.nameservers).map(str);
  if (nameservers.length > 3)
    out.push(
      invalidRaw(
        path.child('nameservers'),
        goSlice(nameservers),
        'must not have more than 3 nameservers',
      ),
    );
  nameservers.forEach((ns, i) => out.push(...ipCauses(ns, path.child('nameservers').index(i))));
  const searches = list<unknown>(c.searches).map(str);
  if (searches.length > 32)
    out.push(
      invalidRaw(
        path.child('searches'),
        goSlice(searches),
        'must not have more than 32 search paths',
      ),
    );
  if (searches.join(' ').length > 2048) {
    out.push(
      invalidRaw(
        path.child('searches'),
        goSlice(searches),
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  }
  searches.forEach((s, i) => {
    if (s === '.') return;
    const name = s.endsWith('.') ? s.slice(0, -1) : s;
    for (const m of isDns1123SubdomainWithUnderscore(name))
      out.push(fieldError.invalid(path.child('searches').index(i), name, m));
  });
  list<unknown>(c.options).forEach((o, i) => {
    if (str(isObject(o) ? o.name : '') === '')
      out.push(fieldError.required(path.child('options').index(i), 'must not be empty'));
  });
  return out;
}

/** Search domains may contain `_` (RelaxedDNSSearchValidation, on by default in 1.33). */
function isDns1123SubdomainWithUnderscore(s: string): string[] {
  const label = '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
  const fmt = `${label}(\\.${label})*`;
  const errs: string[] = [];
  if (Buffer.byteLength(s) > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^(?:${fmt})$`).test(s)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

function goSlice(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

// ------------------------------------------------------------------ pod spec

export interface PodSpecOptions {
  /** The spec is a Pod's own (not a template's): stricter host-network port rules, image volume reference required. */
  resourceIsPod: boolean;
  /** The pod's name, when known (ephemeral volume PVC names derive from it). */
  podName?: string;
}

/** A PodSpec, as Kubernetes' ValidatePodSpec checks it. */
export function validatePodSpec(
  specIn: PodSpec | undefined,
  path: FieldPath,
  opts: PodSpecOptions,
): Causes {
  const spec = (isObject(specIn) ? specIn : {}) as JsonObject;
  const out: Causes = [];
  if (!isSet(spec.terminationGracePeriodSeconds))
    out.push(fieldError.required(path.child('terminationGracePeriodSeconds')));
  const gracePeriod = num(spec.terminationGracePeriodSeconds);
  const hostUsers = spec.hostUsers !== false;
  const { valid: volumes, causes } = validateVolumes(
    spec.volumes,
    opts.podName ?? '',
    path.child('volumes'),
    opts.resourceIsPod,
  );
  out.push(...causes);
  const podClaims = new Set<string>();
  list<unknown>(spec.resourceClaims).forEach((c, i) => {
    const name = str(isObject(c) ? c.name : '');
    const p = path.child('resourceClaims').index(i);
    if (podClaims.has(name)) out.push(fieldError.duplicate(p, name));
    else out.push(...labelCauses(name, p.child('name')));
    podClaims.add(name);
  });
  const os = isObject(spec.os) ? str(spec.os.name) : undefined;
  const restartPolicy = str(spec.restartPolicy);
  const ctx: ContainerContext = { gracePeriod, volumes, podClaims, restartPolicy, hostUsers, os };
  const containers = objects(spec.containers);
  const inits = objects(spec.initContainers);
  out.push(...validateContainers(containers, path.child('containers'), ctx));
  out.push(...validateInitContainers(inits, containers, path.child('initContainers'), ctx));

  if (spec.hostNetwork === true) {
    containers.forEach((c, i) => {
      list<unknown>(c.ports).forEach((pt, j) => {
        const port = isObject(pt) ? pt : {};
        const hp = num(port.hostPort) ?? 0;
        const cp = num(port.containerPort) ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
          out.push(
            fieldError.invalid(
              path.child('containers').index(i).child('ports').index(j).child('hostPort'),
              hp,
              'must match `containerPort` when `hostNetwork` is true',
            ),
          );
        }
      });
    });
  }
  if (restartPolicy === '') out.push(fieldError.required(path.child('restartPolicy')));
  else if (!RESTART_POLICIES.includes(restartPolicy)) {
    out.push(fieldError.notSupported(path.child('restartPolicy'), restartPolicy, RESTART_POLICIES));
  }
  const dnsPolicy = str(spec.dnsPolicy);
  if (dnsPolicy === '') out.push(fieldError.required(path.child('dnsPolicy')));
  else if (!DNS_POLICIES.includes(dnsPolicy))
    out.push(fieldError.notSupported(path.child('dnsPolicy'), dnsPolicy, DNS_POLICIES));
  out.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));

  const psc = map(spec.securityContext);
  if (psc) {
    const scPath = path.child('securityContext');
    for (const f of ['fsGroup', 'runAsUser', 'runAsGroup'] as const) {
      if (typeof psc[f] === 'number')
        for (const m of isValidId(psc[f])) out.push(fieldError.invalid(scPath.child(f), psc[f], m));
    }
    list<unknown>(psc.supplementalGroups).forEach((g, i) => {
      if (typeof g === 'number')
        for (const m of isValidId(g))
          out.push(fieldError.invalid(scPath.child('supplementalGroups').index(i), g, m));
    });
    if (spec.shareProcessNamespace === true && spec.hostPID === true) {
      out.push(
        fieldError.invalid(
          scPath.child('shareProcessNamespace'),
          true,
          'ShareProcessNamespace and HostPID cannot both be enabled',
        ),
      );
    }
    if (
      isSet(psc.fsGroupChangePolicy) &&
      psc.fsGroupChangePolicy !== 'OnRootMismatch' &&
      psc.fsGroupChangePolicy !== 'Always'
    ) {
      out.push(
        fieldError.notSupported(scPath.child('fsGroupChangePolicy'), psc.fsGroupChangePolicy, [
          'Always',
          'OnRootMismatch',
        ]),
      );
    }
    if (
      isSet(psc.supplementalGroupsPolicy) &&
      psc.supplementalGroupsPolicy !== 'Merge' &&
      psc.supplementalGroupsPolicy !== 'Strict'
    ) {
      out.push(
        fieldError.notSupported(
          scPath.child('supplementalGroupsPolicy'),
          psc.supplementalGroupsPolicy,
          ['Merge', 'Strict'],
        ),
      );
    }
  }
  out.push(...validateAffinity(spec.affinity, path.child('affinity')));
  out.push(...validateDNSConfig(spec.dnsConfig, dnsPolicy, path.child('dnsConfig')));
  list<unknown>(spec.readinessGates).forEach((g, i) =>
    out.push(
      ...qualifiedNameCauses(
        str(isObject(g) ? g.conditionType : ''),
        path.child('readinessGates').index(i).child('conditionType'),
      ),
    ),
  );
  const gates = new Set<string>();
  list<unknown>(spec.schedulingGates).forEach((g, i) => {
    const name = str(isObject(g) ? g.name : '');
    const p = path.child('schedulingGates').index(i);
    out.push(...qualifiedNameCauses(name, p));
    if (gates.has(name)) out.push(fieldError.duplicate(p, name));
    gates.add(name);
  });
  out.push(
    ...validateTopologySpread(
      spec.topologySpreadConstraints,
      path.child('topologySpreadConstraints'),
    ),
  );
  if (spec.hostUsers === false) {
    if (spec.hostNetwork === true)
      out.push(
        fieldError.forbidden(path.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'),
      );
    if (spec.hostPID === true)
      out.push(fieldError.forbidden(path.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC === true)
      out.push(fieldError.forbidden(path.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  const sa = str(spec.serviceAccountName);
  if (sa !== '') out.push(...subdomainCauses(sa, path.child('serviceAccountName')));
  const nodeName = str(spec.nodeName);
  if (nodeName !== '') out.push(...subdomainCauses(nodeName, path.child('nodeName')));
  if (isSet(spec.activeDeadlineSeconds)) {
    const v = num(spec.activeDeadlineSeconds) ?? 0;
    if (v < 1 || v > INT32_MAX)
      out.push(
        fieldError.invalid(
          path.child('activeDeadlineSeconds'),
          v,
          inclusiveRangeError(1, INT32_MAX),
        ),
      );
  }
  if (str(spec.hostname) !== '')
    out.push(...labelCauses(str(spec.hostname), path.child('hostname')));
  if (str(spec.subdomain) !== '')
    out.push(...labelCauses(str(spec.subdomain), path.child('subdomain')));
  out.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  list<unknown>(spec.hostAliases).forEach((a, i) => {
    const alias = isObject(a) ? a : {};
    const p = path.child('hostAliases').index(i);
    out.push(...ipCauses(str(alias.ip), p.child('ip')));
    list<unknown>(alias.hostnames).forEach((h, j) =>
      out.push(...subdomainCauses(str(h), p.child('hostnames').index(j))),
    );
  });
  if (str(spec.priorityClassName) !== '')
    out.push(...subdomainCauses(str(spec.priorityClassName), path.child('priorityClassName')));
  if (isSet(spec.runtimeClassName))
    out.push(...subdomainCauses(str(spec.runtimeClassName), path.child('runtimeClassName')));
  if (isSet(spec.preemptionPolicy)) {
    const pp = str(spec.preemptionPolicy);
    if (pp === '') out.push(fieldError.required(path.child('preemptionPolicy')));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') {
      out.push(
        fieldError.notSupported(path.child('preemptionPolicy'), pp, [
          'PreemptLowerPriority',
          'Never',
        ]),
      );
    }
  }
  if (isSet(spec.overhead))
    out.push(
      ...validateResourceRequirements({ limits: spec.overhead }, path.child('overhead'), podClaims),
    );
  if (isObject(spec.os) && os !== 'linux' && os !== 'windows') {
    out.push(fieldError.notSupported(path.child('os').child('name'), os, ['linux', 'windows']));
  }
  return out;
}

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

function validatePodAnnotations(annotations: unknown, spec: JsonObject, path: FieldPath): Causes {
  const out: Causes = [];
  const a = map(annotations) ?? {};
  if (MIRROR_POD_ANNOTATION in a && str(spec.nodeName) === '') {
    out.push(
      fieldError.invalid(
        path.key(MIRROR_POD_ANNOTATION),
        str(a[MIRROR_POD_ANNOTATION]),
        'must set spec.nodeName if mirror pod annotation is set',
      ),
    );
  }
  if (DELETION_COST_ANNOTATION in a) {
    const v = str(a[DELETION_COST_ANNOTATION]);
    const n = /^[+-]?[0-9]+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < -2147483648 || n > INT32_MAX) {
      out.push(
        fieldError.invalid(path.key(DELETION_COST_ANNOTATION), v, 'must be a 32bit integer'),
      );
    }
  }
  return out;
}

/** A pod template embedded in a workload: labels, annotations and the spec (no pod-only rules). */
export function validatePodTemplateSpec(
  template: PodTemplateSpec | undefined,
  path: FieldPath,
): Causes {
  const t = (isObject(template) ? template : {}) as JsonObject;
  const meta = map(t.metadata) ?? {};
  const spec = map(t.spec) ?? {};
  const out: Causes = [];
  out.push(...validateLabels(meta.labels, path.child('labels')));
  out.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  out.push(...validatePodAnnotations(meta.annotations, spec, path.child('annotations')));
  out.push(
    ...validatePodSpec(spec as unknown as PodSpec, path.child('spec'), { resourceIsPod: false }),
  );
  if (list(spec.ephemeralContainers).length > 0) {
    out.push(
      fieldError.forbidden(
        path.child('spec', 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return out;
}

/** Pod-only rules on top of the spec: metadata-dependent checks and image white space. */
function validatePodMetadataAndSpec(pod: Pod): Causes {
  const spec = (map(pod.spec) ?? {}) as JsonObject;
  const meta = (map(pod.metadata) ?? {}) as ObjectMeta;
  const specPath = FieldPath.root('spec');
  const out: Causes = [];
  out.push(
    ...validatePodAnnotations(
      meta.annotations,
      spec,
      FieldPath.root('metadata').child('annotations'),
    ),
  );
  out.push(
    ...validatePodSpec(spec as unknown as PodSpec, specPath, {
      resourceIsPod: true,
      podName: str(meta.name),
    }),
  );
  if (str(spec.serviceAccountName) === '') {
    objects(spec.volumes).forEach((v, vi) => {
      const projected = map(v.projected);
      if (!projected) return;
      list<unknown>(projected.sources).forEach((s, si) => {
        if (isObject(s) && isSet(s.serviceAccountToken)) {
          out.push(
            fieldError.forbidden(
              specPath
                .child('volumes')
                .index(vi)
                .child('projected')
                .child('sources')
                .index(si)
                .child('serviceAccountToken'),
              'must not be specified when serviceAccountName is not set',
            ),
          );
        }
      });
    });
  }
  for (const kind of ['containers', 'initContainers'] as const) {
    objects(spec[kind]).forEach((c, i) => {
      const image = str(c.image);
      if (image !== image.trim()) {
        out.push(
          fieldError.invalid(
            specPath.child(kind).index(i).child('image'),
            image,
            'must not have leading or trailing whitespace',
          ),
        );
      }
    });
  }
  return out;
}

/** A Pod on create (metadata is checked by the caller of this module's index). */
export function validatePod(pod: Pod): Causes {
  const out = validatePodMetadataAndSpec(pod);
  const spec = (map(pod.spec) ?? {}) as JsonObject;
  const specPath = FieldPath.root('spec');
  if (list(spec.ephemeralContainers).length > 0)
    out.push(
      fieldError.forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'),
    );
  if (str(spec.nodeName) !== '' && list(spec.schedulingGates).length > 0) {
    out.push(
      fieldError.forbidden(
        specPath.child('nodeName'),
        'cannot be set until all schedulingGates have been cleared',
      ),
    );
  }
  return out;
}

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(
  newCs: JsonObject[],
  oldCs: JsonObject[],
  path: FieldPath,
): { causes: Causes; stop: boolean } {
  if (newCs.length !== oldCs.length) {
    return {
      causes: [fieldError.forbidden(path, 'pod updates may not add or remove containers')],
      stop: true,
    };
  }
  const causes: Causes = [];
  newCs.forEach((c, i) => {
    const image = str(c.image);
    if (image === '') causes.push(fieldError.required(path.index(i).child('image')));
    if (image.trim() !== image)
      causes.push(
        fieldError.invalid(
          path.index(i).child('image'),
          image,
          'must not have leading or trailing whitespace',
        ),
      );
  });
  return { causes, stop: false };
}

/** What an update may change in a Pod's spec: images, activeDeadlineSeconds (down), tolerations (add), gates (remove). */
export function validatePodUpdate(pod: Pod, old: Pod): Causes {
  const out = validatePodMetadataAndSpec(pod);
  const spec = (map(pod.spec) ?? {}) as JsonObject;
  const oldSpec = (map(old.spec) ?? {}) as JsonObject;
  const specPath = FieldPath.root('spec');
  const annPath = FieldPath.root('metadata').child('annotations');
  const ann = map(pod.metadata?.annotations) ?? {};
  const oldAnn = map(old.metadata?.annotations) ?? {};
  if (
    MIRROR_POD_ANNOTATION in oldAnn &&
    ann[MIRROR_POD_ANNOTATION] !== oldAnn[MIRROR_POD_ANNOTATION]
  ) {
    out.push(
      fieldError.forbidden(
        annPath.key(MIRROR_POD_ANNOTATION),
        'may not remove or update mirror pod annotation',
      ),
    );
  } else if (MIRROR_POD_ANNOTATION in ann && !(MIRROR_POD_ANNOTATION in oldAnn)) {
    out.push(
      fieldError.forbidden(annPath.key(MIRROR_POD_ANNOTATION), 'may not add mirror pod annotation'),
    );
  }

  for (const kind of ['containers', 'initContainers'] as const) {
    const r = containerUpdates(objects(spec[kind]), objects(oldSpec[kind]), specPath.child(kind));
    out.push(...r.causes);
    if (r.stop) return out;
  }

  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (isSet(ads)) {
    const v = num(ads) ?? 0;
    if (v < 0 || v > INT32_MAX) {
      out.push(
        fieldError.invalid(
          specPath.child('activeDeadlineSeconds'),
          v,
          inclusiveRangeError(0, INT32_MAX),
        ),
      );
      return out;
    }
    if (isSet(oldAds) && (num(oldAds) ?? 0) < v) {
      out.push(
        fieldError.invalid(
          specPath.child('activeDeadlineSeconds'),
          v,
          'must be less than or equal to previous value',
        ),
      );
      return out;
    }
  } else if (isSet(oldAds)) {
    out.push(
      fieldError.invalid(
        specPath.child('activeDeadlineSeconds'),
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }

  // Tolerations: every old one must still be there (tolerationSeconds may change).
  const newTols = objects(spec.tolerations);
  for (const oldTol of objects(oldSpec.tolerations)) {
    const found = newTols.some((t) =>
      jsonEqual({ ...oldTol, tolerationSeconds: t.tolerationSeconds }, t),
    );
    if (!found) {
      out.push(
        fieldError.forbidden(
          specPath.child('tolerations'),
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      );
      break;
    }
  }

  // Scheduling gates may only be removed.
  const oldGates = new Set(objects(oldSpec.schedulingGates).map((g) => str(g.name)));
  objects(spec.schedulingGates).forEach((g, i) => {
    const name = str(g.name);
    if (!oldGates.has(name)) {
      out.push(
        fieldError.forbidden(
          specPath.child('schedulingGates').index(i).child('name'),
          `only deletion is allowed, but found new scheduling gate '${name}'`,
        ),
      );
    }
  });

  if (jsonEqual(spec, oldSpec)) return out;
  const munged: JsonObject = structuredClone(spec);
  for (const kind of ['containers', 'initContainers'] as const) {
    const olds = objects(oldSpec[kind]);
    if (Array.isArray(munged[kind])) {
      munged[kind] = (munged[kind] as unknown[]).map((c, i) =>
        isObject(c) ? { ...c, image: olds[i]?.image } : c,
      );
    }
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = num(oldSpec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  if (oldGates.size > 0) {
    // A gated pod may gain node selector entries (never lose or change them).
    const nsPath = specPath.child('nodeSelector');
    const newSel = map(munged.nodeSelector) ?? {};
    const oldSel = map(oldSpec.nodeSelector) ?? {};
    if (!jsonEqual(newSel, oldSel)) {
      for (const k of Object.keys(oldSel)) {
        if (newSel[k] !== oldSel[k]) {
          out.push(
            fieldError.invalid(
              nsPath,
              k,
              'only additions to spec.nodeSelector are allowed (no mutations or deletions)',
            ),
          );
        }
      }
      munged.nodeSelector = oldSpec.nodeSelector;
    }
  }
  if (!jsonEqual(munged, oldSpec)) {
    const show = (v: unknown): string => (v === undefined ? 'null' : JSON.stringify(v));
    const diff = jsonDiff(oldSpec, munged, 'spec')
      .map((c) => `- ${c.path}: ${show(c.before)}\n+ ${c.path}: ${show(c.after)}`)
      .join('\n');
    out.push(
      fieldError.forbidden(
        specPath,
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`,
      ),
    );
  }
  return out;
}
