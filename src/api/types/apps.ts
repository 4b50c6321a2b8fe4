/**
 * apps/v1 workload kinds (Deployment, ReplicaSet, DaemonSet, and the
 * ControllerRevision history of DaemonSets) and the autoscaling/v1 Scale that
 * their `scale` subresource speaks. Field names and meanings follow the
 * Kubernetes API (1.33). Optional fields are optional here
 * too: validation, not the type, is what guarantees a stored object has them.
 * Kinds extend `KubeObject`, so fields Verge does not know survive a round trip.
 */

import type { ConditionStatus, PodTemplateSpec } from './core.ts';
import type { KubeList, KubeObject, LabelSelector } from './meta.ts';

/** An integer count or a percentage string such as `"25%"`. */
type IntOrPercent = number | string;

// ---------------------------------------------------------------- Deployment

export interface Deployment extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'Deployment';
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
}

export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export type DeploymentStrategyType = 'Recreate' | 'RollingUpdate';

export interface DeploymentStrategy {
  type?: DeploymentStrategyType;
  /** Only with `type: RollingUpdate`. */
  rollingUpdate?: RollingUpdateDeployment;
}

export interface RollingUpdateDeployment {
  maxUnavailable?: IntOrPercent;
  maxSurge?: IntOrPercent;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

/** Known types; others may appear. */
export type DeploymentConditionType = 'Available' | 'Progressing' | 'ReplicaFailure';

export interface DeploymentCondition {
  /** A `DeploymentConditionType`, or another type some controller sets. */
  type: string;
  status: ConditionStatus;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type DeploymentList = KubeList<Deployment>;

// ---------------------------------------------------------------- ReplicaSet

export interface ReplicaSet extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'ReplicaSet';
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template?: PodTemplateSpec;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSetCondition {
  /** `ReplicaFailure` is the one type Kubernetes defines. */
  type: string;
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type ReplicaSetList = KubeList<ReplicaSet>;

// ---------------------------------------------------------------- DaemonSet

export interface DaemonSet extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'DaemonSet';
  spec?: DaemonSetSpec;
  status?: DaemonSetStatus;
}

export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplateSpec;
  updateStrategy?: DaemonSetUpdateStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export type DaemonSetUpdateStrategyType = 'OnDelete' | 'RollingUpdate';

export interface DaemonSetUpdateStrategy {
  type?: DaemonSetUpdateStrategyType;
  /** Only with `type: RollingUpdate`. */
  rollingUpdate?: RollingUpdateDaemonSet;
}

export interface RollingUpdateDaemonSet {
  maxUnavailable?: IntOrPercent;
  maxSurge?: IntOrPercent;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: DaemonSetCondition[];
}

export interface DaemonSetCondition {
  type: string;
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type DaemonSetList = KubeList<DaemonSet>;

// ---------------------------------------------------------------- ControllerRevision

/** A snapshot of what a controller applied at one revision; `data` is immutable. */
export interface ControllerRevision extends KubeObject {
  apiVersion?: 'apps/v1';
  kind?: 'ControllerRevision';
  /** Any JSON object; for a DaemonSet, a strategic merge patch holding its pod template. */
  data?: Record<string, unknown>;
  revision: number;
}

export type ControllerRevisionList = KubeList<ControllerRevision>;

// ---------------------------------------------------------------- autoscaling/v1 Scale

/** The body of the `scale` subresource of Deployments, ReplicaSets and scalable custom resources. */
export interface Scale extends KubeObject {
  apiVersion?: 'autoscaling/v1';
  kind?: 'Scale';
  spec?: ScaleSpec;
  status?: ScaleStatus;
}

export interface ScaleSpec {
  replicas?: number;
}

export interface ScaleStatus {
  replicas: number;
  /** The label selector of the scaled pods, in query-string form (`app=web,tier in (a,b)`). */
  selector?: string;
}
