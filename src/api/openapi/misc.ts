/**
 * OpenAPI definitions of the small groups Verge serves beside core and apps:
 * autoscaling/v1 Scale (the `scale` subresource), coordination.k8s.io/v1 Lease,
 * events.k8s.io/v1 Event, and the self-reviews of authorization.k8s.io/v1 and
 * authentication.k8s.io/v1. Named and shaped as Kubernetes 1.33 publishes them
 * in its OpenAPI v3 documents (types, formats, required fields, list types);
 * descriptions are Verge's own. Written with the helpers of ./dsl.ts.
 */

import type { Definitions, GroupVersionKind, JSONSchemaProps } from '../schema.ts';
import {
  CORE_V1,
  META_V1,
  arrayOf,
  atomicList,
  bool,
  int32,
  kindObj,
  listKindObj,
  mapOf,
  microTime,
  obj,
  ref,
  refTo,
  required,
  str,
  stringList,
  time,
} from './dsl.ts';

const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';
const COORDINATION = 'io.k8s.api.coordination.v1.';
const EVENTS = 'io.k8s.api.events.v1.';
const AUTHZ = 'io.k8s.api.authorization.v1.';
const AUTHN = 'io.k8s.api.authentication.v1.';

function id(group: string, kind: string): GroupVersionKind {
  return { group, version: 'v1', kind };
}

/** Parsed selector requirements (`+listType=atomic` in Kubernetes). */
function requirements(item: string): JSONSchemaProps {
  return arrayOf(ref(item), 'The selector, parsed; all must hold.', atomicList);
}

export const autoscalingDefinitions: Definitions = {
  [AUTOSCALING + 'Scale']: kindObj(
    id('autoscaling', 'Scale'),
    'The replica count of a scalable object (a Deployment, a ReplicaSet, a custom resource with a scale subresource), read and written through its scale subresource.',
    {
      spec: refTo(AUTOSCALING + 'ScaleSpec', 'The wanted replica count.'),
      status: refTo(
        AUTOSCALING + 'ScaleStatus',
        'The current replica count, as last observed. Read-only.',
      ),
    },
  ),
  [AUTOSCALING + 'ScaleSpec']: obj('The wanted size of a scalable object.', {
    replicas: int32('Number of replicas wanted.'),
  }),
  [AUTOSCALING + 'ScaleStatus']: obj(
    'The observed size of a scalable object.',
    {
      replicas: int32('Number of replicas observed.'),
      selector: str(
        'Label selector of the pods being counted, in query-string form (for example app=web). Lets an autoscaler find them.',
      ),
    },
    required('replicas'),
  ),
};

export const coordinationDefinitions: Definitions = {
  [COORDINATION + 'Lease']: kindObj(
    id('coordination.k8s.io', 'Lease'),
    'A claim held by one party for a limited time and renewed while it lives; used for leader election and node heartbeats.',
    { spec: refTo(COORDINATION + 'LeaseSpec', 'Who holds the lease and until when.') },
  ),
  [COORDINATION + 'LeaseSpec']: obj('The holder and timing of a lease.', {
    acquireTime: microTime('When the current holder took the lease.'),
    holderIdentity: str('Identity of the current holder.'),
    leaseDurationSeconds: int32(
      'Seconds after renewTime that the lease stays held; others may take it once this has passed.',
    ),
    leaseTransitions: int32('How many times the lease has changed holder.'),
    preferredHolder: str(
      'Holder that coordinated leader election would like to take over (for example, after an upgrade). Needs the CoordinatedLeaderElection feature.',
    ),
    renewTime: microTime('When the current holder last renewed the lease.'),
    strategy: str(
      'How coordinated leader election picks a holder, such as OldestEmulationVersion. Needs the CoordinatedLeaderElection feature.',
    ),
  }),
  [COORDINATION + 'LeaseList']: listKindObj(
    id('coordination.k8s.io', 'LeaseList'),
    COORDINATION + 'Lease',
    'A list of leases.',
    'The leases.',
  ),
};

export const eventsDefinitions: Definitions = {
  [EVENTS + 'Event']: kindObj(
    id('events.k8s.io', 'Event'),
    'A report that something happened to an object, meant for people debugging it. Events are kept only for a short time.',
    {
      action: str('What the reporting controller did (or failed to do), in CamelCase.'),
      deprecatedCount: int32('Legacy core/v1 count; kept for compatibility.'),
      deprecatedFirstTimestamp: time('Legacy core/v1 firstTimestamp; kept for compatibility.'),
      deprecatedLastTimestamp: time('Legacy core/v1 lastTimestamp; kept for compatibility.'),
      deprecatedSource: refTo(
        CORE_V1 + 'EventSource',
        'Legacy core/v1 source; kept for compatibility.',
      ),
      eventTime: microTime('When the event first happened. Required.'),
      note: str('Free text for people, at most 1 KB.'),
      reason: str('Why the action was taken, in CamelCase.'),
      regarding: refTo(CORE_V1 + 'ObjectReference', 'The object the event is about.'),
      related: refTo(
        CORE_V1 + 'ObjectReference',
        'A second object involved, if any (for example the node a pod was bound to).',
      ),
      reportingController: str(
        'Name of the controller that reported the event, such as example.com/my-operator.',
      ),
      reportingInstance: str(
        'Which instance of the controller reported the event, such as a host name.',
      ),
      series: refTo(
        EVENTS + 'EventSeries',
        'Present when the same event keeps recurring: how often, and when it was last seen.',
      ),
      type: str('Normal or Warning.'),
    },
    required('eventTime'),
  ),
  [EVENTS + 'EventSeries']: obj(
    'Repeats of one event, folded into one object instead of one object per repeat.',
    {
      count: int32('How many times the event has been seen so far.'),
      lastObservedTime: microTime('When the event was last seen.'),
    },
    required('count', 'lastObservedTime'),
  ),
  [EVENTS + 'EventList']: listKindObj(
    id('events.k8s.io', 'EventList'),
    EVENTS + 'Event',
    'A list of events.',
    'The events.',
  ),
};

export const authorizationDefinitions: Definitions = {
  [AUTHZ + 'SelfSubjectAccessReview']: kindObj(
    id('authorization.k8s.io', 'SelfSubjectAccessReview'),
    'Asks whether the caller may perform one action. Create it, read the answer in status; nothing is stored.',
    {
      spec: refTo(
        AUTHZ + 'SelfSubjectAccessReviewSpec',
        'The action to check. Set exactly one of its fields.',
      ),
      status: refTo(AUTHZ + 'SubjectAccessReviewStatus', 'The answer, filled in by the server.'),
    },
    required('spec'),
  ),
  [AUTHZ + 'SelfSubjectAccessReviewSpec']: obj(
    'The action to check: on an API resource or on a non-resource path. Exactly one must be set.',
    {
      nonResourceAttributes: refTo(
        AUTHZ + 'NonResourceAttributes',
        'A request to a path such as /healthz.',
      ),
      resourceAttributes: refTo(AUTHZ + 'ResourceAttributes', 'A request on an API resource.'),
    },
  ),
  [AUTHZ + 'ResourceAttributes']: obj(
    'A request on an API resource, as an authorizer sees it. An empty field means all.',
    {
      fieldSelector: refTo(
        AUTHZ + 'FieldSelectorAttributes',
        'Field selector of a list or watch, for authorizers that limit by it.',
      ),
      group: str('API group; "*" means all groups.'),
      labelSelector: refTo(
        AUTHZ + 'LabelSelectorAttributes',
        'Label selector of a list or watch, for authorizers that limit by it.',
      ),
      name: str('Name of the object; empty for all names (as with list and create).'),
      namespace: str(
        'Namespace of the object; empty for cluster-scoped resources or all namespaces.',
      ),
      resource: str('Resource type (plural); "*" means all.'),
      subresource: str('Subresource, such as status or scale; empty for the object itself.'),
      verb: str(
        'API verb such as get, list, watch, create, update, patch or delete; "*" means all.',
      ),
      version: str('API version; "*" means all.'),
    },
  ),
  [AUTHZ + 'FieldSelectorAttributes']: obj(
    'A field selector, as text or parsed. Set at most one of the two.',
    {
      rawSelector: str('The selector as written in the query (fieldSelector=...).'),
      requirements: requirements(META_V1 + 'FieldSelectorRequirement'),
    },
  ),
  [AUTHZ + 'LabelSelectorAttributes']: obj(
    'A label selector, as text or parsed. Set at most one of the two.',
    {
      rawSelector: str('The selector as written in the query (labelSelector=...).'),
      requirements: requirements(META_V1 + 'LabelSelectorRequirement'),
    },
  ),
  [AUTHZ + 'NonResourceAttributes']: obj('A request to a path that is not an API resource.', {
    path: str('URL path, such as /healthz or /version.'),
    verb: str('HTTP verb in lower case, such as get.'),
  }),
  [AUTHZ + 'SubjectAccessReviewStatus']: obj(
    'Whether the action is allowed.',
    {
      allowed: bool('True when the action is allowed.'),
      denied: bool(
        'True when an authorizer explicitly denied the action (no later authorizer was asked). Never true together with allowed.',
      ),
      evaluationError: str(
        'Set when an authorizer failed to decide; the answer may still be valid from the others.',
      ),
      reason: str('Why the action is allowed or denied, if an authorizer said.'),
    },
    required('allowed'),
  ),
  [AUTHZ + 'SelfSubjectRulesReview']: kindObj(
    id('authorization.k8s.io', 'SelfSubjectRulesReview'),
    'Lists what the caller may do in a namespace. The list may be incomplete; use a SelfSubjectAccessReview for a decision.',
    {
      spec: refTo(AUTHZ + 'SelfSubjectRulesReviewSpec', 'The namespace to list rules for.'),
      status: refTo(AUTHZ + 'SubjectRulesReviewStatus', 'The rules, filled in by the server.'),
    },
    required('spec'),
  ),
  [AUTHZ + 'SelfSubjectRulesReviewSpec']: obj('Where to list rules.', {
    namespace: str('Namespace to list rules for.'),
  }),
  [AUTHZ + 'SubjectRulesReviewStatus']: obj(
    'The rules that apply to the caller in a namespace.',
    {
      evaluationError: str('Set when an authorizer could not list its rules.'),
      incomplete: bool(
        'True when some authorizer cannot list its rules, so the lists may miss permissions.',
      ),
      nonResourceRules: arrayOf(
        ref(AUTHZ + 'NonResourceRule'),
        'Allowed actions on non-resource paths.',
        atomicList,
      ),
      resourceRules: arrayOf(
        ref(AUTHZ + 'ResourceRule'),
        'Allowed actions on API resources.',
        atomicList,
      ),
    },
    required('resourceRules', 'nonResourceRules', 'incomplete'),
  ),
  [AUTHZ + 'ResourceRule']: obj(
    'Verbs allowed on some resources. An item "*" matches everything.',
    {
      apiGroups: stringList('API groups of the resources; "*" for all.', atomicList),
      resourceNames: stringList(
        'Names of the objects the rule is limited to; empty for all.',
        atomicList,
      ),
      resources: stringList(
        'Resource types, with "resource/subresource" for subresources; "*" for all.',
        atomicList,
      ),
      verbs: stringList('Allowed API verbs; "*" for all.', atomicList),
    },
    required('verbs'),
  ),
  [AUTHZ + 'NonResourceRule']: obj(
    'Verbs allowed on some non-resource paths.',
    {
      nonResourceURLs: stringList(
        'Paths the rule covers; a trailing "*" matches a prefix, and "*" alone matches all.',
        atomicList,
      ),
      verbs: stringList('Allowed HTTP verbs in lower case; "*" for all.', atomicList),
    },
    required('verbs'),
  ),
};

export const authenticationDefinitions: Definitions = {
  [AUTHN + 'SelfSubjectReview']: kindObj(
    id('authentication.k8s.io', 'SelfSubjectReview'),
    'Asks who the caller is authenticated as. Create it, read the answer in status; nothing is stored.',
    { status: refTo(AUTHN + 'SelfSubjectReviewStatus', 'The answer, filled in by the server.') },
  ),
  [AUTHN + 'SelfSubjectReviewStatus']: obj('Who the caller is.', {
    userInfo: refTo(AUTHN + 'UserInfo', 'The user the request was authenticated as.'),
  }),
  [AUTHN + 'UserInfo']: obj('An authenticated user, as authorizers see it.', {
    extra: mapOf(
      { type: 'array', items: { type: 'string' } },
      'Further attributes the authenticator supplied, each a list of strings.',
    ),
    groups: stringList('Groups the user belongs to.', atomicList),
    uid: str('Identifier that stays the same for the user over time, unlike the name.'),
    username: str('Name that identifies the user.'),
  }),
};

/** Every definition of this file, in one object. */
export const miscDefinitions: Definitions = {
  ...autoscalingDefinitions,
  ...coordinationDefinitions,
  ...eventsDefinitions,
  ...authorizationDefinitions,
  ...authenticationDefinitions,
};
