/**
 * The admission plugins Verge runs, each a Kubernetes default plugin:
 *
 * - NamespaceLifecycle: objects go only into namespaces that exist and are not
 *   being deleted; the system namespaces cannot be deleted.
 * - ServiceAccount: pods run as the namespace's `default` account unless they
 *   name one.
 * - Service IPs: a Service gets a cluster IP from the service range (and node
 *   ports for NodePort/LoadBalancer), released when it goes.
 */
import { ForbiddenError, InvalidError, NotFoundError } from '../util/errors.ts';
import { isObject } from '../util/objects.ts';
import { fieldError, invalidObject } from '../api/field-errors.ts';
import type { ResourceRegistry, ResourceType } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import type { AdmissionPlugin, AdmissionRequest } from './admission.ts';
import { systemContext } from './context.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const UNDELETABLE = new Set(['default', 'kube-system', 'kube-public']);

function isCore(type: ResourceType, resource: string): boolean {
  return type.group === '' && type.resource === resource;
}

export function namespaceLifecycle(registry: ResourceRegistry): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(r: AdmissionRequest) {
      if (r.operation === 'DELETE' && isCore(r.type, 'namespaces')) {
        const name = r.oldObject?.metadata.name ?? '';
        if (UNDELETABLE.has(name)) {
          throw new ForbiddenError(
            `namespaces "${name}" is forbidden: this namespace may not be deleted`,
            {
              name,
              kind: 'namespaces',
            },
          );
        }
        return;
      }
      if (r.operation !== 'CREATE' || !r.type.namespaced) return;
      const namespace = r.object?.metadata.namespace;
      if (!namespace) return;
      const nsType = registry.get('', 'v1', 'namespaces');
      if (!nsType) return;
      let ns: KubeObject;
      try {
        ns = await r.storage.get(systemContext(), nsType, undefined, namespace);
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new NotFoundError(`namespaces "${namespace}" not found`, {
            name: namespace,
            kind: 'namespaces',
          });
        }
        throw err;
      }
      // Events about a namespace being torn down are still welcome.
      if (ns.metadata.deletionTimestamp && !isCore(r.type, 'events')) {
        throw new ForbiddenError(
          `unable to create new content in namespace ${namespace} because it is being terminated`,
          { name: r.object?.metadata.name, kind: r.type.resource },
        );
      }
    },
  };
}

export function serviceAccountDefault(): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    mutate(r) {
      if (r.operation !== 'CREATE' || !isCore(r.type, 'pods') || !r.object) return;
      const spec = r.object.spec;
      if (isObject(spec) && !spec.serviceAccountName) {
        spec.serviceAccountName = (spec.serviceAccount as string | undefined) || 'default';
        spec.serviceAccount = spec.serviceAccountName;
      }
    },
  };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Parses `a.b.c.d/n`; InvalidError otherwise. */
export function parseCidr(cidr: string): { base: number; size: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m || Number(m[2]) < 8 || Number(m[2]) > 30)
    throw new InvalidError(`invalid service CIDR ${JSON.stringify(cidr)} (IPv4 /8 to /30)`);
  const size = 2 ** (32 - Number(m[2]));
  return { base: ipToInt(m[1]) - (ipToInt(m[1]) % size), size };
}

export interface ServiceAllocatorOptions {
  /** Default 10.43.0.0/16 (K3s' default). */
  serviceCidr?: string;
  /** Default 30000-32767. */
  nodePortRange?: [number, number];
}

/**
 * Cluster IPs and node ports. What is in use is learned from the stored
 * Services on first use and kept in memory after; allocations made by a create
 * that then fails validation are returned when the next scan runs.
 */
export function serviceAllocator(
  options: ServiceAllocatorOptions = {},
): AdmissionPlugin & { firstIp(): string } {
  const range = parseCidr(options.serviceCidr ?? '10.43.0.0/16');
  const [portLo, portHi] = options.nodePortRange ?? [30000, 32767];
  let used: { ips: Set<string>; ports: Set<number> } | undefined;

  const load = async (r: AdmissionRequest): Promise<{ ips: Set<string>; ports: Set<number> }> => {
    if (used) return used;
    const list = await r.storage.list(systemContext(), r.type, undefined, {});
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const svc of list.items) {
      const spec = svc.spec as
        { clusterIPs?: string[]; clusterIP?: string; ports?: { nodePort?: number }[] } | undefined;
      for (const ip of spec?.clusterIPs ?? (spec?.clusterIP ? [spec.clusterIP] : [])) ips.add(ip);
      for (const p of spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    }
    used = { ips, ports };
    return used;
  };

  const allocateIp = (u: { ips: Set<string> }): string => {
    // Skip the network address and .1 (the kubernetes service's).
    for (let tries = 0; tries < range.size * 2; tries++) {
      const candidate = intToIp(range.base + 2 + Math.floor(Math.random() * (range.size - 3)));
      if (!u.ips.has(candidate)) return candidate;
    }
    throw new InvalidError('the service IP range is full');
  };

  return {
    name: 'ServiceIPs',
    firstIp: () => intToIp(range.base + 1),
    async mutate(r) {
      if (!isCore(r.type, 'services') || !r.object) return;
      const spec = r.object.spec as Record<string, unknown> & {
        type?: string;
        clusterIP?: string;
        clusterIPs?: string[];
        ports?: { nodePort?: number }[];
      };
      if (!isObject(spec)) return;
      const u = await load(r);
      if (r.operation === 'UPDATE') {
        const old = r.oldObject?.spec as typeof spec | undefined;
        if (old?.clusterIP && !spec.clusterIP) spec.clusterIP = old.clusterIP;
        if (old?.clusterIPs && !spec.clusterIPs) spec.clusterIPs = old.clusterIPs;
      }
      if (r.operation === 'CREATE' && spec.type !== 'ExternalName') {
        const wanted = spec.clusterIP;
        if (wanted === undefined || wanted === '') {
          spec.clusterIP = allocateIp(u);
        } else if (wanted !== 'None') {
          const n = ipToInt(wanted);
          if (
            !/^\d+\.\d+\.\d+\.\d+$/.test(wanted) ||
            n < range.base ||
            n >= range.base + range.size
          ) {
            throw invalidObject('Service', r.object.metadata.name ?? '', [
              fieldError.invalid(
                'spec.clusterIPs[0]',
                wanted,
                `provided IP is not in the valid range. The range of valid IPs is ${intToIp(range.base)}/${32 - Math.log2(range.size)}`,
              ),
            ]);
          }
          if (u.ips.has(wanted)) {
            throw invalidObject('Service', r.object.metadata.name ?? '', [
              fieldError.invalid('spec.clusterIPs[0]', wanted, 'provided IP is already allocated'),
            ]);
          }
        }
        if (spec.clusterIP !== 'None') u.ips.add(spec.clusterIP!);
        spec.clusterIPs = [spec.clusterIP!];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
        for (const p of spec.ports ?? []) {
          if (p.nodePort) {
            if (r.operation === 'CREATE' && u.ports.has(p.nodePort)) {
              throw invalidObject('Service', r.object.metadata.name ?? '', [
                fieldError.invalid(
                  'spec.ports[0].nodePort',
                  p.nodePort,
                  'provided port is already allocated',
                ),
              ]);
            }
            u.ports.add(p.nodePort);
            continue;
          }
          for (let tries = 0; tries < 10000; tries++) {
            const port = portLo + Math.floor(Math.random() * (portHi - portLo + 1));
            if (!u.ports.has(port)) {
              p.nodePort = port;
              u.ports.add(port);
              break;
            }
          }
        }
      }
    },
    async validate(r) {
      if (r.operation !== 'DELETE' || !isCore(r.type, 'services') || !r.oldObject) return;
      const u = await load(r);
      const spec = r.oldObject.spec as
        { clusterIPs?: string[]; ports?: { nodePort?: number }[] } | undefined;
      for (const ip of spec?.clusterIPs ?? []) u.ips.delete(ip);
      for (const p of spec?.ports ?? []) if (p.nodePort) u.ports.delete(p.nodePort);
    },
  };
}
