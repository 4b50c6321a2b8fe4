/**
 * The Node an edge agent registers and the status it reports, read from the
 * real machine: CPU, memory, ephemeral storage and pods capacity, addresses,
 * OS, kernel and boot identity, and the pressure conditions.
 */
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
  /** Reported as `nodeInfo.containerRuntimeVersion`. */
  runtimeVersion?: string;
  /** Memory available below this is MemoryPressure. Default 100 MiB. */
  memoryPressureBytes?: number;
  /** Free space on the data filesystem below this share is DiskPressure. Default 0.10. */
  diskPressureRatio?: number;
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

function internalIp(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
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
 * condition's lastTransitionTime while its status does not change.
 */
export function readNodeStatus(
  options: NodeStatusOptions,
  previous: NodeCondition[] = [],
  now = new Date(),
): NodeStatus {
  const cpu = String(os.availableParallelism());
  const memoryKi = `${Math.floor(os.totalmem() / 1024)}Ki`;
  const pods = String(options.maxPods ?? 110);
  let storage: string | undefined;
  let diskFree = 1;
  try {
    const fs = statfsSync(options.dataDir);
    storage = `${Math.floor((fs.blocks * fs.bsize) / 1024)}Ki`;
    diskFree = fs.blocks > 0 ? fs.bavail / fs.blocks : 1;
  } catch {
    // No data dir yet: no storage figure.
  }
  const capacity: Record<string, string> = { cpu, memory: memoryKi, pods };
  if (storage) capacity['ephemeral-storage'] = storage;
  const time = rfc3339(now);
  const memoryPressure = availableMemory() < (options.memoryPressureBytes ?? 100 * 1024 * 1024);
  const diskPressure = diskFree < (options.diskPressureRatio ?? 0.1);
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
  const ip = internalIp();
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: [
      condition(
        'MemoryPressure',
        memoryPressure,
        ['KubeletHasSufficientMemory', 'KubeletHasInsufficientMemory'],
        ['agent has sufficient memory available', 'agent has insufficient memory available'],
      ),
      condition(
        'DiskPressure',
        diskPressure,
        ['KubeletHasNoDiskPressure', 'KubeletHasDiskPressure'],
        ['agent has no disk pressure', 'agent has disk pressure'],
      ),
      condition(
        'PIDPressure',
        false,
        ['KubeletHasSufficientPID', 'KubeletHasInsufficientPID'],
        ['agent has sufficient PID available', 'agent has insufficient PID available'],
      ),
      condition(
        'Ready',
        false,
        ['KubeletReady', 'KubeletNotReady'],
        ['verge edge agent is posting ready status', 'verge edge agent is not ready'],
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
