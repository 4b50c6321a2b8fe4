/**
 * Events (core/v1 and events.k8s.io/v1, one kind in two shapes) and
 * coordination.k8s.io/v1 Leases.
 *
 * Kubernetes validates Events leniently through core/v1 (old clients write
 * them) and strictly through events.k8s.io/v1. Its messages name the fields by
 * their core/v1 (internal) names (`message`, `involvedObject`, `firstTimestamp`)
 * whichever version was written; so do these.
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError, FieldPath } from '../field-errors.ts';
import type { Event } from '../types/core.ts';
import type { Lease } from '../types/coordination.ts';
import type { EventsV1Event } from '../types/events.ts';
import { isObject, isSet, jsonEqual, map, num, str, type JsonObject } from './access.ts';
import { goQuote, invalidRaw } from './format.ts';
import { FIELD_IMMUTABLE } from './meta.ts';
import { byteLength, isDns1123Subdomain, isQualifiedName } from './names.ts';

type Causes = FieldCause[];
const root = (name: string): FieldPath => FieldPath.root(name);

/** The fields of an Event, under their core/v1 names, whichever version it came in. */
interface EventView {
  namespace: string;
  involvedObject: JsonObject;
  reason: string;
  message: string;
  source: JsonObject | undefined;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  count: unknown;
  type: string;
  eventTime: string;
  series: JsonObject | undefined;
  action: string;
  related: unknown;
  reportingController: string;
  reportingInstance: string;
}

function coreView(e: Event): EventView {
  const o = e as unknown as JsonObject;
  return {
    namespace: str(e.metadata?.namespace),
    involvedObject: map(o.involvedObject) ?? {},
    reason: str(o.reason),
    message: str(o.message),
    source: map(o.source),
    firstTimestamp: o.firstTimestamp,
    lastTimestamp: o.lastTimestamp,
    count: o.count,
    type: str(o.type),
    eventTime: str(o.eventTime),
    series: map(o.series),
    action: str(o.action),
    related: o.related,
    reportingController: str(o.reportingComponent),
    reportingInstance: str(o.reportingInstance),
  };
}

function eventsV1View(e: EventsV1Event): EventView {
  const o = e as unknown as JsonObject;
  return {
    namespace: str(e.metadata?.namespace),
    involvedObject: map(o.regarding) ?? {},
    reason: str(o.reason),
    message: str(o.note),
    source: map(o.deprecatedSource),
    firstTimestamp: o.deprecatedFirstTimestamp,
    lastTimestamp: o.deprecatedLastTimestamp,
    count: o.deprecatedCount,
    type: str(o.type),
    eventTime: str(o.eventTime),
    series: map(o.series),
    action: str(o.action),
    related: o.related,
    reportingController: str(o.reportingController),
    reportingInstance: str(o.reportingInstance),
  };
}

function legacyChecks(e: EventView, reportingField: string): Causes {
  const out: Causes = [];
  const involvedNs = str(e.involvedObject.namespace);
  const nsPath = root('involvedObject').child('namespace');
  if (e.eventTime === '') {
    if (involvedNs === '') {
      if (e.namespace !== '' && e.namespace !== 'default')
        out.push(fieldError.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    } else if (e.namespace !== involvedNs) {
      out.push(fieldError.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && e.namespace !== 'default' && e.namespace !== 'kube-system') {
      out.push(fieldError.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    }
    if (e.reportingController === '') out.push(fieldError.required(reportingField));
    for (const m of isQualifiedName(e.reportingController))
      out.push(fieldError.invalid(reportingField, e.reportingController, m));
    const limited: [string, string, number][] = [
      ['reportingInstance', e.reportingInstance, 128],
      ['action', e.action, 128],
      ['reason', e.reason, 128],
    ];
    for (const [field, value, limit] of limited) {
      if (value === '') out.push(fieldError.required(field));
      if (byteLength(value) > limit)
        out.push(fieldError.invalid(field, '', `can have at most ${limit} characters`));
    }
    if (byteLength(e.message) > 1024)
      out.push(fieldError.invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDns1123Subdomain(e.namespace))
    out.push(fieldError.invalid('namespace', e.namespace, m));
  return out;
}

/** core/v1 Event: the lenient rules old clients rely on. */
export function validateCoreEvent(e: Event): Causes {
  return legacyChecks(coreView(e), 'reportingComponent');
}

function seriesChecks(e: EventView): Causes {
  const out: Causes = [];
  if (e.series) {
    if ((num(e.series.count) ?? 0) < 2)
      out.push(fieldError.invalid('series.count', '', 'should be at least 2'));
    if (str(e.series.lastObservedTime) === '')
      out.push(fieldError.required('series.lastObservedTime'));
  }
  return out;
}

function goObjectReference(v: unknown): string {
  const r = isObject(v) ? v : {};
  const f = (k: string): string => goQuote(str(r[k]));
  return (
    `core.ObjectReference{Kind:${f('kind')}, Namespace:${f('namespace')}, Name:${f('name')}, UID:${f('uid')}, ` +
    `APIVersion:${f('apiVersion')}, ResourceVersion:${f('resourceVersion')}, FieldPath:${f('fieldPath')}}`
  );
}

/** events.k8s.io/v1 Event: legacy rules plus the strict ones of the newer API; on update, what may not change. */
export function validateEventsV1Event(e: EventsV1Event, old?: EventsV1Event): Causes {
  const v = eventsV1View(e);
  const out = legacyChecks(v, 'reportingController');
  if (old) {
    const o = eventsV1View(old);
    if (!jsonEqual(v.series, o.series)) out.push(...seriesChecks(v));
    const immutable = (
      field: string,
      a: unknown,
      b: unknown,
      show: (x: unknown) => string,
    ): void => {
      if (!jsonEqual(a ?? null, b ?? null)) out.push(invalidRaw(field, show(a), FIELD_IMMUTABLE));
    };
    const quoted = (x: unknown): string => (typeof x === 'number' ? String(x) : goQuote(str(x)));
    immutable('involvedObject', v.involvedObject, o.involvedObject, goObjectReference);
    immutable('reason', v.reason, o.reason, quoted);
    immutable('message', v.message, o.message, quoted);
    immutable('source', v.source ?? {}, o.source ?? {}, (x) => {
      const s = isObject(x) ? x : {};
      return `core.EventSource{Component:${goQuote(str(s.component))}, Host:${goQuote(str(s.host))}}`;
    });
    immutable('firstTimestamp', v.firstTimestamp, o.firstTimestamp, quoted);
    immutable('lastTimestamp', v.lastTimestamp, o.lastTimestamp, quoted);
    immutable('count', v.count ?? 0, o.count ?? 0, quoted);
    immutable('type', v.type, o.type, quoted);
    // Kubernetes tolerates differences below a microsecond.
    const micro = (t: string): string => (t === '' ? '' : t.replace(/(\.\d{6})\d*/, '$1'));
    immutable('eventTime', micro(v.eventTime), micro(o.eventTime), quoted);
    immutable('action', v.action, o.action, quoted);
    immutable('related', v.related, o.related, (x) => (isSet(x) ? goObjectReference(x) : 'null'));
    immutable('reportingController', v.reportingController, o.reportingController, quoted);
    immutable('reportingInstance', v.reportingInstance, o.reportingInstance, quoted);
    return out;
  }
  out.push(...seriesChecks(v));
  if (v.eventTime === '') out.push(fieldError.required('eventTime'));
  if (v.type !== 'Normal' && v.type !== 'Warning')
    out.push(fieldError.invalid('type', '', `has invalid value: ${v.type}`));
  if (isSet(v.firstTimestamp) && v.firstTimestamp !== '')
    out.push(fieldError.invalid('firstTimestamp', '', 'needs to be unset'));
  if (isSet(v.lastTimestamp) && v.lastTimestamp !== '')
    out.push(fieldError.invalid('lastTimestamp', '', 'needs to be unset'));
  if ((num(v.count) ?? 0) !== 0) out.push(fieldError.invalid('count', '', 'needs to be unset'));
  if (str(v.source?.component) !== '' || str(v.source?.host) !== '')
    out.push(fieldError.invalid('source', '', 'needs to be unset'));
  return out;
}

/** coordination.k8s.io/v1 Lease. */
export function validateLease(lease: Lease): Causes {
  const out: Causes = [];
  const spec = (map(lease.spec) ?? {}) as JsonObject;
  const path = root('spec');
  if (isSet(spec.leaseDurationSeconds) && (num(spec.leaseDurationSeconds) ?? 0) <= 0) {
    out.push(
      fieldError.invalid(
        path.child('leaseDurationSeconds'),
        spec.leaseDurationSeconds,
        'must be greater than 0',
      ),
    );
  }
  if (isSet(spec.leaseTransitions) && (num(spec.leaseTransitions) ?? 0) < 0) {
    out.push(
      fieldError.invalid(
        path.child('leaseTransitions'),
        spec.leaseTransitions,
        'must be greater than or equal to 0',
      ),
    );
  }
  if (str(spec.preferredHolder) !== '' && str(spec.strategy) === '') {
    out.push(
      fieldError.forbidden(
        path.child('preferredHolder'),
        'may only be specified if `strategy` is defined',
      ),
    );
  }
  return out;
}
