/**
 * Pod volumes on the node's disk, under `<rootDir>/pods/<uid>/volumes/<plugin>/<name>`
 * (the kubelet's layout and plugin names, e.g. `kubernetes.io~configmap`).
 *
 * `setUpVolumes` is idempotent and cheap when nothing changed, so the pod
 * manager calls it on every sync of a running pod: that is how a changed
 * ConfigMap or Secret reaches the files of running containers.
 *
 * ConfigMap, Secret, downwardAPI and projected volumes are written the way the
 * kubelet's atomic writer does: the files live in a hidden `..<hash>` directory,
 * `..data` is a symlink to it, and each top-level name is a symlink through
 * `..data`. An update writes a new directory and renames a new `..data` over the
 * old one, so a reader sees either the old set of files or the new one, never a
 * mix.
 *
 * Differences from the kubelet, all because there is no mount namespace here:
 * - emptyDir with `medium: Memory` is a plain directory (no tmpfs is mounted,
 *   and `sizeLimit` is not enforced);
 * - persistentVolumeClaim volumes are a directory per claim on this node
 *   (`<rootDir>/claims/<namespace>/<claim>`), kept when pods come and go; the
 *   claim must exist in the node's view;
 * - projected serviceAccountToken and clusterTrustBundle sources are not
 *   written (the pod gets a Warning event saying so);
 * - other volume types (nfs, csi, ...) fail to mount with a clear message.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  closeSync,
  openSync,
  chmodSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  Container,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  Volume,
} from '../../api/types/core.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { podFieldValue, resourceFieldValue, type ObjectSource, type PodAddresses } from './env.ts';

export interface VolumeSource extends ObjectSource {
  /** A PersistentVolumeClaim of the node's view, or undefined. */
  claim(namespace: string, name: string): KubeObject | undefined;
}

export interface VolumeContext {
  pod: Pod;
  rootDir: string;
  objects: VolumeSource;
  addr: PodAddresses;
  /** A source of a volume that is skipped (Warning event, once per pod and message). */
  warn(message: string): void;
}

export interface MountedVolume {
  /** Where the volume is on the node. */
  path: string;
  /** ConfigMap, Secret, downward API and projected volumes are always mounted read-only. */
  readOnly: boolean;
}

export interface VolumeSetUp {
  volumes: Map<string, MountedVolume>;
  /** One kubelet-worded message per volume that could not be set up (`MountVolume.SetUp failed for volume ...`). */
  failures: string[];
  /**
   * Volumes set up before whose refresh failed (their ConfigMap was deleted,
   * say): as in the kubelet they stay mounted with their last content, and
   * the message is only reported.
   */
  stale: string[];
}

/** `<rootDir>/pods/<uid>`: everything of one pod on the node (removed with the pod). */
export function podDir(rootDir: string, uid: string): string {
  return join(rootDir, 'pods', uid);
}

const DEFAULT_MODE = 0o644;

interface FileEntry {
  data: Buffer;
  mode: number;
}

/** A volume failure: its message is what the FailedMount event says after the volume name. */
class MountFailure extends Error {
  override name = 'MountFailure';
}

/** Sets up every volume of the pod; see the file comment. */
export function setUpVolumes(ctx: VolumeContext): VolumeSetUp {
  const out: VolumeSetUp = { volumes: new Map(), failures: [], stale: [] };
  const base = join(podDir(ctx.rootDir, ctx.pod.metadata.uid ?? ''), 'volumes');
  for (const volume of ctx.pod.spec?.volumes ?? []) {
    try {
      out.volumes.set(volume.name, setUpVolume(ctx, base, volume));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const text = `MountVolume.SetUp failed for volume "${volume.name}" : ${message}`;
      const previous = writtenBefore(base, volume);
      if (previous) {
        out.volumes.set(volume.name, { path: previous, readOnly: true });
        out.stale.push(text);
      } else {
        out.failures.push(text);
      }
    }
  }
  return out;
}

/** The directory of a ConfigMap/Secret/downwardAPI/projected volume already written for this pod. */
function writtenBefore(base: string, v: Volume): string | undefined {
  const plugin = v.configMap
    ? 'kubernetes.io~configmap'
    : v.secret
      ? 'kubernetes.io~secret'
      : v.downwardAPI
        ? 'kubernetes.io~downward-api'
        : v.projected
          ? 'kubernetes.io~projected'
          : undefined;
  if (!plugin) return undefined;
  const path = join(base, plugin, v.name);
  return existsSync(join(path, '..data')) ? path : undefined;
}

function setUpVolume(ctx: VolumeContext, base: string, v: Volume): MountedVolume {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (v.emptyDir) {
    const path = join(base, 'kubernetes.io~empty-dir', v.name);
    mkdirSync(path, { recursive: true, mode: 0o777 });
    chmodSync(path, 0o777); // as the kubelet: writable by any user the containers run as
    return { path, readOnly: false };
  }
  if (v.hostPath)
    return { path: checkHostPath(v.hostPath.path, v.hostPath.type ?? ''), readOnly: false };
  if (v.persistentVolumeClaim) {
    const claim = v.persistentVolumeClaim.claimName;
    if (!ctx.objects.claim(ns, claim)) {
      throw new MountFailure(`persistentvolumeclaim "${claim}" not found`);
    }
    const path = join(ctx.rootDir, 'claims', ns, claim);
    mkdirSync(path, { recursive: true, mode: 0o777 });
    return { path, readOnly: v.persistentVolumeClaim.readOnly ?? false };
  }
  let plugin: string;
  let files: Map<string, FileEntry>;
  if (v.configMap) {
    plugin = 'kubernetes.io~configmap';
    const mode = v.configMap.defaultMode ?? DEFAULT_MODE;
    files = keyedFiles(
      CONFIG_MAP,
      ctx,
      v.configMap.name ?? '',
      v.configMap.items,
      v.configMap.optional,
      mode,
    );
  } else if (v.secret) {
    plugin = 'kubernetes.io~secret';
    const mode = v.secret.defaultMode ?? DEFAULT_MODE;
    files = keyedFiles(
      SECRET,
      ctx,
      v.secret.secretName ?? '',
      v.secret.items,
      v.secret.optional,
      mode,
    );
  } else if (v.downwardAPI) {
    plugin = 'kubernetes.io~downward-api';
    files = downwardFiles(
      ctx,
      v.downwardAPI.items ?? [],
      v.downwardAPI.defaultMode ?? DEFAULT_MODE,
    );
  } else if (v.projected) {
    plugin = 'kubernetes.io~projected';
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    files = new Map();
    for (const s of v.projected.sources ?? []) {
      let part = new Map<string, FileEntry>();
      if (s.configMap) {
        part = keyedFiles(
          CONFIG_MAP,
          ctx,
          s.configMap.name ?? '',
          s.configMap.items,
          s.configMap.optional,
          mode,
        );
      } else if (s.secret) {
        part = keyedFiles(
          SECRET,
          ctx,
          s.secret.name ?? '',
          s.secret.items,
          s.secret.optional,
          mode,
        );
      } else if (s.downwardAPI) {
        part = downwardFiles(ctx, s.downwardAPI.items ?? [], mode);
      } else if (s.serviceAccountToken) {
        ctx.warn(
          `volume "${v.name}": serviceAccountToken projection (path ${s.serviceAccountToken.path}) is not supported by verge edge; the token file is not written`,
        );
      } else if (s.clusterTrustBundle) {
        ctx.warn(
          `volume "${v.name}": clusterTrustBundle projection (path ${s.clusterTrustBundle.path}) is not supported by verge edge; the file is not written`,
        );
      }
      for (const [k, f] of part) files.set(k, f);
    }
  } else {
    const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
    throw new MountFailure(`volume type ${kind} is not supported by verge edge`);
  }
  const path = join(base, plugin, v.name);
  writeAtomically(path, files);
  return { path, readOnly: true };
}

function itemFiles(
  keys: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Map<string, FileEntry> {
  const out = new Map<string, FileEntry>();
  if (!items || items.length === 0) {
    for (const [k, data] of keys) out.set(k, { data, mode });
    return out;
  }
  for (const item of items) {
    const data = keys.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new MountFailure(missingKey(item.key));
    }
    out.set(checkPath(item.path), { data, mode: item.mode ?? mode });
  }
  return out;
}

/** What differs between the configMap and secret sources of a volume. */
interface KeyedKind {
  /** Looks the object up and decodes its keys; undefined when there is none. */
  keys(ctx: VolumeContext, ns: string, name: string): Map<string, Buffer> | undefined;
  notFound: string;
  missingKey: (key: string) => string;
}

const CONFIG_MAP: KeyedKind = {
  keys(ctx, ns, name) {
    const cm = ctx.objects.configMap(ns, name);
    if (!cm) return undefined;
    const keys = new Map<string, Buffer>();
    for (const [k, v] of Object.entries(cm.data ?? {})) keys.set(k, Buffer.from(v, 'utf8'));
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) keys.set(k, Buffer.from(v, 'base64'));
    return keys;
  },
  notFound: 'configmap',
  missingKey: (k) => `configmap references non-existent config key: ${k}`,
};

const SECRET: KeyedKind = {
  keys(ctx, ns, name) {
    const secret = ctx.objects.secret(ns, name);
    if (!secret) return undefined;
    const keys = new Map<string, Buffer>();
    for (const [k, v] of Object.entries(secret.data ?? {})) keys.set(k, Buffer.from(v, 'base64'));
    return keys;
  },
  notFound: 'secret',
  missingKey: (k) => `references non-existent secret key: ${k}`,
};

function keyedFiles(
  kind: KeyedKind,
  ctx: VolumeContext,
  name: string,
  items: KeyToPath[] | undefined,
  optional: boolean | undefined,
  mode: number,
): Map<string, FileEntry> {
  const keys = kind.keys(ctx, ctx.pod.metadata.namespace ?? 'default', name);
  if (!keys) {
    if (optional) return new Map();
    throw new MountFailure(`${kind.notFound} "${name}" not found`);
  }
  return itemFiles(keys, items, mode, optional ?? false, kind.missingKey);
}

function downwardFiles(
  ctx: VolumeContext,
  items: DownwardAPIVolumeFile[],
  mode: number,
): Map<string, FileEntry> {
  const out = new Map<string, FileEntry>();
  const containers: Container[] = [
    ...(ctx.pod.spec?.containers ?? []),
    ...(ctx.pod.spec?.initContainers ?? []),
  ];
  for (const item of items) {
    let value: string;
    if (item.fieldRef) {
      value = podFieldValue(ctx.pod, item.fieldRef.fieldPath, ctx.addr);
    } else if (item.resourceFieldRef) {
      const c = containers.find((x) => x.name === item.resourceFieldRef!.containerName);
      if (!c) {
        throw new MountFailure(
          `resourceFieldRef: container "${item.resourceFieldRef.containerName ?? ''}" not found`,
        );
      }
      value = resourceFieldValue(c, item.resourceFieldRef);
    } else {
      continue;
    }
    out.set(checkPath(item.path), { data: Buffer.from(value, 'utf8'), mode: item.mode ?? mode });
  }
  return out;
}

/** A relative path without `..` (API validation already refuses others; this guards the disk). */
function checkPath(p: string): string {
  if (p === '' || p.startsWith('/') || p.split('/').includes('..')) {
    throw new MountFailure(
      `invalid path ${JSON.stringify(p)}: must be relative and may not contain '..'`,
    );
  }
  return p;
}

/** hostPath `type` checks, with the kubelet's messages. */
function checkHostPath(path: string, type: string): string {
  const st = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  switch (type) {
    case '':
      return path;
    case 'DirectoryOrCreate':
      if (!st) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory())
        throw new MountFailure(`hostPath type check failed: ${path} is not a directory`);
      return path;
    case 'Directory':
      if (!st?.isDirectory())
        throw new MountFailure(`hostPath type check failed: ${path} is not a directory`);
      return path;
    case 'FileOrCreate':
      if (!st) closeSync(openSync(path, 'a', 0o644));
      else if (!st.isFile())
        throw new MountFailure(`hostPath type check failed: ${path} is not a file`);
      return path;
    case 'File':
      if (!st?.isFile())
        throw new MountFailure(`hostPath type check failed: ${path} is not a file`);
      return path;
    case 'Socket':
      if (!st?.isSocket())
        throw new MountFailure(`hostPath type check failed: ${path} is not a socket file`);
      return path;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) {
        throw new MountFailure(`hostPath type check failed: ${path} is not a character device`);
      }
      return path;
    case 'BlockDevice':
      if (!st?.isBlockDevice())
        throw new MountFailure(`hostPath type check failed: ${path} is not a block device`);
      return path;
    default:
      throw new MountFailure(`hostPath type ${JSON.stringify(type)} is not known`);
  }
}

/**
 * Writes `files` into `dir` kubelet-style (see the file comment). Returns false
 * without touching the disk when the content and modes are what `..data`
 * already shows: the data directory is named after a hash of both.
 */
export function writeAtomically(dir: string, files: Map<string, FileEntry>): boolean {
  const h = createHash('sha256');
  for (const p of [...files.keys()].sort()) {
    const f = files.get(p)!;
    h.update(`${p}\0${f.mode}\0${f.data.length}\0`).update(f.data);
  }
  const dataDir = `..${h.digest('hex').slice(0, 24)}`;
  const dataLink = join(dir, '..data');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  let current: string | undefined;
  try {
    current = readlinkSync(dataLink);
  } catch {
    current = undefined;
  }
  if (current === dataDir && existsSync(join(dir, dataDir))) return false;

  const target = join(dir, dataDir);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { mode: 0o755 });
  for (const [p, f] of files) {
    const file = join(target, p);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, f.data, { mode: f.mode });
    chmodSync(file, f.mode); // exactly the mode asked for, whatever the umask
  }
  const tmpLink = join(dir, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(dataDir, tmpLink);
  renameSync(tmpLink, dataLink);

  const top = new Set([...files.keys()].map((p) => p.split('/')[0]));
  for (const name of top) {
    const link = join(dir, name);
    if (!isSymlink(link)) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(join('..data', name), link);
    }
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..')) {
      if (name !== '..data' && name !== dataDir)
        rmSync(join(dir, name), { recursive: true, force: true });
    } else if (!top.has(name)) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  return true;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
