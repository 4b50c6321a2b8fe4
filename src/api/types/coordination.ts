/**
 * coordination.k8s.io/v1 Lease: a named, renewable claim used for leader
 * election and node heartbeats. Field names follow the Kubernetes API (1.33).
 */

import type { KubeList, KubeObject } from './meta.ts';

export interface Lease extends KubeObject {
  apiVersion?: 'coordination.k8s.io/v1';
  kind?: 'Lease';
  spec?: LeaseSpec;
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** RFC 3339 with microseconds (meta/v1 MicroTime). */
  acquireTime?: string;
  /** RFC 3339 with microseconds (meta/v1 MicroTime). */
  renewTime?: string;
  leaseTransitions?: number;
  /** Coordinated leader election only (alpha in Kubernetes 1.33). */
  strategy?: string;
  /** Coordinated leader election only (alpha in Kubernetes 1.33). */
  preferredHolder?: string;
}

export type LeaseList = KubeList<Lease>;
