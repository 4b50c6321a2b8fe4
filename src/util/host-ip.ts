/**
 * The host's first non-loopback IPv4 address (else 127.0.0.1): the node's
 * InternalIP, the pods' hostIP, and the IP of host-network and process-runtime
 * pods. Read at most once a second: the pod manager asks for it per pod, and
 * listing the interfaces is a round of syscalls.
 */
import { networkInterfaces } from 'node:os';

let cached: { ip: string; at: number } | undefined;

export function hostIPv4(now = Date.now()): string {
  if (cached && now - cached.at < 1000) return cached.ip;
  let ip = '127.0.0.1';
  search: for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) {
        ip = a.address;
        break search;
      }
    }
  }
  cached = { ip, at: now };
  return ip;
}
