/**
 * Resource arithmetic for scheduling, in plain numbers: cpu in millicores,
 * everything else (memory, ephemeral storage, extended resources) in whole
 * units rounded up, as Kubernetes' `Quantity.Value()` gives. Every value the
 * scheduler compares fits a double exactly (below 2^53), so no bigint is carried
 * past parsing.
 *
 * A pod's request follows Kubernetes' `PodRequests`: the sum of its containers
 * (plus restartable "sidecar" init containers), or the largest init container
 * (plus the sidecars started before it) if that is more, plus `spec.overhead`.
 */
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { Container, Node, PodSpec, ResourceList } from '../../api/types/core.ts';

/** Requested (or allocatable) amounts. `scalar` holds extended resources and hugepages. */
export interface Resources {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (`example.com/gpu`), hugepages; absent when none. */
  scalar?: Record<string, number>;
}

/** A node's allocatable resources: Resources plus the pod count. */
export interface Allocatable extends Resources {
  pods: number;
}

/** What the scoring plugins assume a container needs when it requests nothing. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0 };
}

/**
 * The value of a quantity in the unit the scheduler uses for `name`
 * (millicores for cpu, whole units rounded up otherwise). A quantity that does
 * not parse counts as 0: stored objects were validated, so this only guards
 * against a foreign writer.
 */
export function quantityValue(name: string, q: string | number | undefined): number {
  if (q === undefined) return 0;
  let milli: bigint;
  try {
    milli = parseQuantity(q).milli;
  } catch {
    return 0;
  }
  if (name === 'cpu') return Number(milli);
  // Value() rounds up to a whole unit.
  const whole = milli >= 0n ? (milli + 999n) / 1000n : milli / 1000n;
  return Number(whole);
}

/**
 * True for resources the fit filter checks besides cpu, memory,
 * ephemeral-storage and pods: extended resources (`nvidia.com/gpu`), prefixed
 * native resources, hugepages and attachable volumes.
 */
export function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  return name.includes('/') && !name.startsWith('requests.');
}

function addList(into: Resources, list: ResourceList | undefined): void {
  if (!list) return;
  for (const name of Object.keys(list)) {
    const v = quantityValue(name, list[name]);
    switch (name) {
      case 'cpu':
        into.milliCpu += v;
        break;
      case 'memory':
        into.memory += v;
        break;
      case 'ephemeral-storage':
        into.ephemeralStorage += v;
        break;
      default:
        if (isScalarResource(name)) {
          into.scalar ??= {};
          into.scalar[name] = (into.scalar[name] ?? 0) + v;
        }
    }
  }
}

function addResources(into: Resources, r: Resources): void {
  into.milliCpu += r.milliCpu;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  if (r.scalar) {
    into.scalar ??= {};
    for (const k of Object.keys(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + r.scalar[k];
  }
}

function maxResources(into: Resources, r: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, r.milliCpu);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar) {
    into.scalar ??= {};
    for (const k of Object.keys(r.scalar))
      into.scalar[k] = Math.max(into.scalar[k] ?? 0, r.scalar[k]);
  }
}

function cloneResources(r: Resources): Resources {
  const out: Resources = {
    milliCpu: r.milliCpu,
    memory: r.memory,
    ephemeralStorage: r.ephemeralStorage,
  };
  if (r.scalar) out.scalar = { ...r.scalar };
  return out;
}

/** A container's requests; with `nonZero`, missing cpu/memory take the scoring defaults. */
function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = emptyResources();
  const requests = c.resources?.requests;
  addList(r, requests);
  if (nonZero) {
    if (requests?.cpu === undefined) r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
    if (requests?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * What a pod asks of a node (Kubernetes' `PodRequests`). With `nonZero`,
 * containers that request no cpu or memory count as 100m / 200Mi, which is what
 * the scoring plugins use so that many request-less pods still spread out.
 * Pure; the result is a fresh object.
 */
export function podRequests(spec: PodSpec | undefined, nonZero = false): Resources {
  const reqs = emptyResources();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) addResources(reqs, containerRequests(c, nonZero));
  // Sidecars (init containers with restartPolicy Always) run alongside the
  // main containers, so they add to the sum; a regular init container runs
  // alone, but beside the sidecars started before it.
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResources(reqs, r);
      addResources(sidecars, r);
      maxResources(initMax, sidecars);
    } else {
      const during = cloneResources(r);
      addResources(during, sidecars);
      maxResources(initMax, during);
    }
  }
  maxResources(reqs, initMax);
  addList(reqs, spec.overhead);
  return reqs;
}

/** A node's `status.allocatable` (capacity when allocatable is absent, as the kubelet reports both). */
export function nodeAllocatable(node: Node): Allocatable {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  const r = emptyResources();
  addList(r, list);
  return { ...r, pods: quantityValue('pods', list.pods) };
}
