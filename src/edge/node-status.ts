/**
 * The Node an edge agent registers and the status it reports, read from the
 * real machine: CPU, memory, ephemeral storage and pods capacity, addresses,
 * OS, kernel and boot identity, and the pressure conditions.
 */
import { hostIPv4 } from '../util/host-ip.ts';
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Node, NodeCondition, NodeStatus, NodeSystemInfo, Taint } from '../api/types/core.ts';
import { rfc3339 } from '../util/time.ts';
import { GIT_VERSION } from '../util/version.ts';

export interface NodeStatusOptions {
  /** Where the agent keeps its data (its filesystem is the node's ephemeral storage). */
  dataDir: string;
  /** Pods capacity. Default 110. */
  maxPods?: number;
  /**
   * Reported as `nodeInfo.containerRuntimeVersion`, `NAME://VERSION` as the
   * kubelet does (`containerd://1.7.20`, `process://0.1.0`). Default `none://`.
   */
  runtimeVersion?: string;
  /**
   * Whether the container runtime answers. Ready is False (KubeletNotReady) with
   * the message while it does not. Default: ready.
   */
  runtimeReady?: { ok: boolean; message?: string };
  /** Memory available below this is MemoryPressure (the kubelet's memory.available<100Mi). Default 100 MiB. */
  memoryPressureBytes?: number;
  /** Free space on the data filesystem below this share is DiskPressure. Default 0.10. */
  diskPressureRatio?: number;
  /** Free space on the data filesystem below this many bytes is DiskPressure too. Default 1 GiB. */
  diskPressureBytes?: number;
  /** Pids in use above this share of the kernel's pid_max is PIDPressure. Default 0.90. */
  pidPressureRatio?: number;
  /** Where the readings come from. Default: this machine (/proc, statfs). */
  probe?: Partial<NodeProbe>;
}

/** The readings the conditions are worked out from; replaceable for tests. */
export interface NodeProbe {
  /** Bytes of memory available to new work. */
  availableMemory(): number;
  /** The filesystem holding `path`, in bytes; undefined when it cannot be read. */
  disk(path: string): { total: number; available: number } | undefined;
  /** Pids in use and the most the kernel hands out; undefined when unknown. */
  pids(): { used: number; max: number } | undefined;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const release = readTrimmed('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return m?.[1] ?? `${os.type()} ${os.release()}`;
}

/** The memory available to new work, in bytes (MemAvailable, else free memory). */
export function availableMemory(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readTrimmed('/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : os.freemem();
}

function diskOf(path: string): { total: number; available: number } | undefined {
  try {
    const fs = statfsSync(path);
    // bavail, not bfree: the blocks reserved for root are not the agent's to use.
    return { total: fs.blocks * fs.bsize, available: fs.bavail * fs.bsize };
  } catch {
    return undefined;
  }
}

/**
 * Pids in use: the scheduling entities (threads count, each holds a pid) from
 * /proc/loadavg's fourth field, "running/total".
 */
function pidsInUse(): { used: number; max: number } | undefined {
  const total = /^\S+ \S+ \S+ \d+\/(\d+) /.exec(readTrimmed('/proc/loadavg'));
  const max = Number(readTrimmed('/proc/sys/kernel/pid_max'));
  if (!total || !(max > 0)) return undefined;
  return { used: Number(total[1]), max };
}

const MACHINE_PROBE: NodeProbe = { availableMemory, disk: diskOf, pids: pidsInUse };

function mebibytes(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))}Mi`;
}

let machine: Omit<NodeSystemInfo, 'containerRuntimeVersion'> | undefined;

/** What does not change while the agent runs (read once, not at every report). */
function machineInfo(): Omit<NodeSystemInfo, 'containerRuntimeVersion'> {
  machine ??= {
    machineID: readTrimmed('/etc/machine-id'),
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid') || readTrimmed('/etc/machine-id'),
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: osImage(),
    kubeletVersion: GIT_VERSION.replace(/\+.*$/, ''),
    kubeProxyVersion: '',
    operatingSystem: 'linux',
    architecture: ARCH[process.arch] ?? process.arch,
  };
  return machine;
}

/** The labels the kubelet sets on its Node, plus the user's. */
export function nodeLabels(name: string, extra: Record<string, string>): Record<string, string> {
  const arch = ARCH[process.arch] ?? process.arch;
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': arch,
    // A node may not set node-role.kubernetes.io/* itself (NodeRestriction);
    // this one is in the kubelet's allowed node.kubernetes.io/ prefix.
    'node.kubernetes.io/edge': '',
    ...extra,
  };
}

/** The Node object to create on first registration. */
export function newNode(
  name: string,
  labels: Record<string, string>,
  taints: Taint[],
  status: NodeStatus,
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: nodeLabels(name, labels) },
    spec: taints.length > 0 ? { taints } : {},
    status,
  };
}

/**
 * The node's status now. `previous` (the last reported conditions) keeps each
 * condition's lastTransitionTime while its status does not change;
 * lastHeartbeatTime is always `now`. A reading that fails (no data dir yet, no
 * /proc) counts as no pressure.
 */
export function readNodeStatus(
  options: NodeStatusOptions,
  previous: NodeCondition[] = [],
  now = new Date(),
): NodeStatus {
  const probe: NodeProbe = { ...MACHINE_PROBE, ...options.probe };
  const cpu = String(os.availableParallelism());
  const memoryKi = `${Math.floor(os.totalmem() / 1024)}Ki`;
  const pods = String(options.maxPods ?? 110);
  const disk = probe.disk(options.dataDir);
  const capacity: Record<string, string> = { cpu, memory: memoryKi, pods };
  if (disk) capacity['ephemeral-storage'] = `${Math.floor(disk.total / 1024)}Ki`;
  const time = rfc3339(now);

  const memory = probe.availableMemory();
  const memoryThreshold = options.memoryPressureBytes ?? 100 * 1024 * 1024;
  const memoryPressure = memory < memoryThreshold;

  const diskRatio = options.diskPressureRatio ?? 0.1;
  const diskBytes = options.diskPressureBytes ?? 1024 * 1024 * 1024;
  const diskPressure =
    disk !== undefined &&
    disk.total > 0 &&
    (disk.available / disk.total < diskRatio || disk.available < diskBytes);

  const pids = probe.pids();
  const pidRatio = options.pidPressureRatio ?? 0.9;
  const pidPressure = pids !== undefined && pids.used / pids.max > pidRatio;

  const runtime = options.runtimeReady ?? { ok: true };

  const condition = (
    type: string,
    bad: boolean,
    reason: [string, string],
    message: [string, string],
  ): NodeCondition => {
    const status = type === 'Ready' ? (bad ? 'False' : 'True') : bad ? 'True' : 'False';
    const before = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason: bad ? reason[1] : reason[0],
      message: bad ? message[1] : message[0],
      lastHeartbeatTime: time,
      lastTransitionTime:
        before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : time,
    };
  };
  const hostname = os.hostname();
  const ip = hostIPv4();
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: [
      condition(
        'MemoryPressure',
        memoryPressure,
        ['KubeletHasSufficientMemory', 'KubeletHasInsufficientMemory'],
        [
          'kubelet has sufficient memory available',
          `kubelet has insufficient memory available: ${mebibytes(memory)} available, below ${mebibytes(memoryThreshold)}`,
        ],
      ),
      condition(
        'DiskPressure',
        diskPressure,
        ['KubeletHasNoDiskPressure', 'KubeletHasDiskPressure'],
        [
          'kubelet has no disk pressure',
          disk
            ? `kubelet has disk pressure: ${mebibytes(disk.available)} of ${mebibytes(disk.total)} available on the filesystem of ${options.dataDir} (below ${Math.round(diskRatio * 100)}% or ${mebibytes(diskBytes)})`
            : 'kubelet has disk pressure',
        ],
      ),
      condition(
        'PIDPressure',
        pidPressure,
        ['KubeletHasSufficientPID', 'KubeletHasInsufficientPID'],
        [
          'kubelet has sufficient PID available',
          pids
            ? `kubelet has insufficient PID available: ${pids.used} of ${pids.max} pids in use (above ${Math.round(pidRatio * 100)}%)`
            : 'kubelet has insufficient PID available',
        ],
      ),
      condition(
        'Ready',
        !runtime.ok,
        ['KubeletReady', 'KubeletNotReady'],
        [
          'kubelet is posting ready status',
          `container runtime not ready${runtime.message ? `: ${runtime.message}` : ''}`,
        ],
      ),
    ],
    addresses: [
      ...(ip ? [{ type: 'InternalIP', address: ip }] : []),
      { type: 'Hostname', address: hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      ...machineInfo(),
      containerRuntimeVersion: options.runtimeVersion ?? 'none://',
    },
  };
}

/** Parses `--taints key=value:Effect,key:Effect`. */
export function parseTaints(text: string | undefined): Taint[] {
  if (!text) return [];
  return text.split(',').map((item) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(item.trim());
    if (!m) {
      throw new Error(
        `--taints: ${JSON.stringify(item)} is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute`,
      );
    }
    return { key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as Taint['effect'] };
  });
}

/** Parses `--labels k=v,k2=v2`. */
export function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const item of text.split(',')) {
    const m = /^([^=]+)=(.*)$/.exec(item.trim());
    if (!m) throw new Error(`--labels: ${JSON.stringify(item)} is not key=value`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
