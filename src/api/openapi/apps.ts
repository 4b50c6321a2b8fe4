/**
 * OpenAPI definitions of apps/v1 Deployment, ReplicaSet, DaemonSet and
 * ControllerRevision (the history the DaemonSet controller keeps), named and
 * shaped as Kubernetes 1.33 publishes them in its OpenAPI v3 documents: the same
 * types, formats, required fields, enums and merge metadata (patch strategies
 * and list types), so strategic merge patch, server-side apply and `kubectl`
 * behave as they do against Kubernetes. Descriptions are Verge's own. Written
 * with the helpers of ./dsl.ts, whose conventions apply.
 *
 * Schema `default`s are left out: Kubernetes publishes only Go zero values here,
 * and workload defaults (replicas 1, 25% surge, ...) are applied in code.
 */

import type { Definitions, JSONSchemaProps } from '../schema.ts';
import {
  CORE_V1,
  META_V1,
  RAW_EXTENSION,
  arrayOf,
  bool,
  enumStr,
  int32,
  int64,
  intOrString,
  kindObj,
  listKindObj,
  mapList,
  obj,
  patch,
  patchMerge,
  ref,
  refTo,
  required,
  str,
  time,
} from './dsl.ts';

const APPS = 'io.k8s.api.apps.v1.';
const POD_TEMPLATE = CORE_V1 + 'PodTemplateSpec';
const LABEL_SELECTOR = META_V1 + 'LabelSelector';

/** Status conditions: merged by `type`, both by strategic merge patch and by server-side apply. */
function conditions(item: string, description: string): JSONSchemaProps {
  return arrayOf(ref(item), description, mapList('type'), patchMerge('type'));
}

/** The condition shape of ReplicaSet and DaemonSet (Deployment's adds lastUpdateTime). */
function condition(what: string): JSONSchemaProps {
  return obj(
    `One aspect of the state of a ${what}, such as a failure to create pods.`,
    {
      lastTransitionTime: time('When status last changed value.'),
      message: str('Details of the last transition, for people.'),
      reason: str('One-word CamelCase cause of the last transition, for programs.'),
      status: str('True, False or Unknown.'),
      type: str('What aspect this condition reports.'),
    },
    required('type', 'status'),
  );
}

function workload(kind: string, description: string, what: string): JSONSchemaProps {
  return kindObj({ group: 'apps', version: 'v1', kind }, description, {
    spec: refTo(APPS + kind + 'Spec', `Desired state of the ${what}.`),
    status: refTo(
      APPS + kind + 'Status',
      `Observed state of the ${what}, written by its controller. May lag behind the spec.`,
    ),
  });
}

function workloadList(kind: string, plural: string): JSONSchemaProps {
  return listKindObj(
    { group: 'apps', version: 'v1', kind: kind + 'List' },
    APPS + kind,
    `A list of ${plural}.`,
    `The ${plural}.`,
  );
}

const minReadySeconds = (): JSONSchemaProps =>
  int32(
    'How long a new pod must stay ready, with no container crashing, before it counts as available. Default 0.',
  );

export const appsDefinitions: Definitions = {
  // ------------------------------------------------------------ Deployment
  [APPS + 'Deployment']: workload(
    'Deployment',
    'Runs a replicated, stateless set of pods and rolls them to a new template by way of ReplicaSets.',
    'deployment',
  ),
  [APPS + 'DeploymentSpec']: obj(
    'What a deployment should run, how many copies, and how to move to a new version.',
    {
      minReadySeconds: minReadySeconds(),
      paused: bool('When true, template changes are not rolled out until it is set back to false.'),
      progressDeadlineSeconds: int32(
        'Seconds a rollout may go without progress before the Progressing condition turns False. Default 600.',
      ),
      replicas: int32('Number of pods wanted. Default 1.'),
      revisionHistoryLimit: int32(
        'How many old, scaled-down ReplicaSets to keep for rollback. Default 10.',
      ),
      selector: refTo(
        LABEL_SELECTOR,
        "Which pods belong to the deployment. Must match the template's labels; cannot change after creation.",
      ),
      strategy: refTo(
        APPS + 'DeploymentStrategy',
        'How old pods are replaced by new ones when the template changes.',
        patch('retainKeys'),
      ),
      template: refTo(POD_TEMPLATE, 'The pod to run; every replica is created from it.'),
    },
    required('selector', 'template'),
  ),
  [APPS + 'DeploymentStrategy']: obj('How a deployment replaces its pods.', {
    rollingUpdate: refTo(
      APPS + 'RollingUpdateDeployment',
      'Pace of a rolling update. Only allowed when type is RollingUpdate.',
    ),
    type: enumStr(
      ['Recreate', 'RollingUpdate'],
      'Recreate (stop all old pods first) or RollingUpdate (the default).',
    ),
  }),
  [APPS + 'RollingUpdateDeployment']: obj('Limits that pace a rolling update of a deployment.', {
    maxSurge: intOrString(
      'How many pods may exist above the desired count during the update: a number or a percentage (rounded up). Default 25%.',
    ),
    maxUnavailable: intOrString(
      'How many pods may be unavailable during the update: a number or a percentage (rounded down). Default 25%.',
    ),
  }),
  [APPS + 'DeploymentStatus']: obj('What the deployment controller last observed.', {
    availableReplicas: int32('Pods of this deployment that have been ready for minReadySeconds.'),
    collisionCount: int32(
      'Bumped when the hash naming a new ReplicaSet collides with an existing one, to pick another name.',
    ),
    conditions: conditions(APPS + 'DeploymentCondition', 'Latest observations of the rollout.'),
    observedGeneration: int64('The metadata.generation this status was computed for.'),
    readyReplicas: int32('Pods of this deployment whose Ready condition is True.'),
    replicas: int32('Pods of this deployment that are not terminating, old and new.'),
    terminatingReplicas: int32(
      'Pods of this deployment that are terminating (deletionTimestamp set, phase not final). Alpha.',
    ),
    unavailableReplicas: int32(
      'Pods still needed for the deployment to have its full desired count available.',
    ),
    updatedReplicas: int32('Pods that are not terminating and run the current template.'),
  }),
  [APPS + 'DeploymentCondition']: obj(
    'One aspect of a deployment: Available, Progressing or ReplicaFailure.',
    {
      lastTransitionTime: time('When status last changed value.'),
      lastUpdateTime: time('When the condition was last written.'),
      message: str('Details of the last transition, for people.'),
      reason: str('One-word CamelCase cause of the last transition, for programs.'),
      status: str('True, False or Unknown.'),
      type: str('What aspect this condition reports.'),
    },
    required('type', 'status'),
  ),
  [APPS + 'DeploymentList']: workloadList('Deployment', 'deployments'),

  // ------------------------------------------------------------ ReplicaSet
  [APPS + 'ReplicaSet']: workload(
    'ReplicaSet',
    'Keeps a given number of identical pods running. Usually owned and driven by a Deployment.',
    'replica set',
  ),
  [APPS + 'ReplicaSetSpec']: obj(
    'Which pods a replica set keeps, and how many.',
    {
      minReadySeconds: minReadySeconds(),
      replicas: int32('Number of pods wanted. Default 1.'),
      selector: refTo(
        LABEL_SELECTOR,
        "Which pods count toward the replica count. Must match the template's labels.",
      ),
      template: refTo(POD_TEMPLATE, 'The pod created when there are too few.'),
    },
    required('selector'),
  ),
  [APPS + 'ReplicaSetStatus']: obj(
    'What the replica set controller last observed.',
    {
      availableReplicas: int32(
        'Pods of this replica set that have been ready for minReadySeconds.',
      ),
      conditions: conditions(
        APPS + 'ReplicaSetCondition',
        'Latest observations of the replica set.',
      ),
      fullyLabeledReplicas: int32(
        "Pods whose labels match all of the template's labels, not just the selector.",
      ),
      observedGeneration: int64('The metadata.generation this status was computed for.'),
      readyReplicas: int32('Pods of this replica set whose Ready condition is True.'),
      replicas: int32('Pods of this replica set that are not terminating.'),
      terminatingReplicas: int32(
        'Pods of this replica set that are terminating (deletionTimestamp set, phase not final). Alpha.',
      ),
    },
    required('replicas'),
  ),
  [APPS + 'ReplicaSetCondition']: condition('replica set'),
  [APPS + 'ReplicaSetList']: workloadList('ReplicaSet', 'replica sets'),

  // ------------------------------------------------------------ DaemonSet
  [APPS + 'DaemonSet']: workload(
    'DaemonSet',
    'Runs one copy of a pod on every node that matches its template.',
    'daemon set',
  ),
  [APPS + 'DaemonSetSpec']: obj(
    'What a daemon set runs on each node, and how it updates.',
    {
      minReadySeconds: minReadySeconds(),
      revisionHistoryLimit: int32('How many old revisions to keep for rollback. Default 10.'),
      selector: refTo(
        LABEL_SELECTOR,
        "Which pods belong to the daemon set. Must match the template's labels.",
      ),
      template: refTo(
        POD_TEMPLATE,
        'The pod to run on each eligible node (those its node selector and affinity allow). restartPolicy must be Always.',
      ),
      updateStrategy: refTo(
        APPS + 'DaemonSetUpdateStrategy',
        'How pods are replaced when the template changes.',
      ),
    },
    required('selector', 'template'),
  ),
  [APPS + 'DaemonSetUpdateStrategy']: obj('How a daemon set replaces its pods.', {
    rollingUpdate: refTo(
      APPS + 'RollingUpdateDaemonSet',
      'Pace of a rolling update. Only allowed when type is RollingUpdate.',
    ),
    type: enumStr(
      ['OnDelete', 'RollingUpdate'],
      'RollingUpdate (the default: replace pods node by node) or OnDelete (replace a pod only once it is deleted).',
    ),
  }),
  [APPS + 'RollingUpdateDaemonSet']: obj('Limits that pace a rolling update of a daemon set.', {
    maxSurge: intOrString(
      'How many nodes may run an old and a new pod at once during the update: a number or a percentage of eligible nodes (rounded up). Default 0.',
    ),
    maxUnavailable: intOrString(
      'How many nodes may be without an available pod during the update: a number or a percentage of eligible nodes (rounded up). Default 1.',
    ),
  }),
  [APPS + 'DaemonSetStatus']: obj(
    'What the daemon set controller last observed.',
    {
      collisionCount: int32(
        'Bumped when the hash naming a new revision collides with an existing one, to pick another name.',
      ),
      conditions: conditions(APPS + 'DaemonSetCondition', 'Latest observations of the daemon set.'),
      currentNumberScheduled: int32('Eligible nodes that run at least one pod of the daemon set.'),
      desiredNumberScheduled: int32('Nodes that should run a pod of the daemon set.'),
      numberAvailable: int32(
        'Eligible nodes whose pod of the daemon set has been ready for minReadySeconds.',
      ),
      numberMisscheduled: int32('Nodes that run a pod of the daemon set but should not.'),
      numberReady: int32('Eligible nodes whose pod of the daemon set is Ready.'),
      numberUnavailable: int32('Eligible nodes with no available pod of the daemon set.'),
      observedGeneration: int64('The metadata.generation this status was computed for.'),
      updatedNumberScheduled: int32('Nodes that run a pod of the current template.'),
    },
    required(
      'currentNumberScheduled',
      'numberMisscheduled',
      'desiredNumberScheduled',
      'numberReady',
    ),
  ),
  [APPS + 'DaemonSetCondition']: condition('daemon set'),
  [APPS + 'DaemonSetList']: workloadList('DaemonSet', 'daemon sets'),

  // ------------------------------------------------------------ ControllerRevision
  [APPS + 'ControllerRevision']: kindObj(
    { group: 'apps', version: 'v1', kind: 'ControllerRevision' },
    'A snapshot of what a controller applied at one revision (for a DaemonSet: its pod template), kept for rollback. Its data cannot change after creation.',
    {
      data: refTo(RAW_EXTENSION, 'The snapshot, in whatever form its controller wrote it.'),
      revision: int64('Number of the revision the snapshot belongs to.'),
    },
    required('revision'),
  ),
  [APPS + 'ControllerRevisionList']: workloadList('ControllerRevision', 'controller revisions'),
};
