/**
 * Event tables. core/v1 and events.k8s.io/v1 Events are one kind stored once
 * in Kubernetes and printed by one printer; an events.k8s.io/v1 object is
 * mapped onto the core/v1 field names first (`note` is the message,
 * `regarding` the involved object, `deprecated*` the old counters).
 */
import type { Event, EventSource, ObjectReference } from '../types/core.ts';
import type { EventsV1Event } from '../types/events.ts';
import type { KubeObject } from '../types/meta.ts';
import { age, isSetTime } from './format.ts';
import { column, type TablePrinter } from './table.ts';

/** The fields the printer reads, named as core/v1 names them. */
interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  involvedObject: ObjectReference;
  source: EventSource;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series?: { count?: number; lastObservedTime?: string };
}

function fromCore(e: Event): EventView {
  return {
    name: e.metadata.name ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.message ?? '',
    involvedObject: e.involvedObject ?? {},
    source: e.source ?? {},
    reportingController: e.reportingComponent ?? '',
    reportingInstance: e.reportingInstance ?? '',
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    count: e.count ?? 0,
    series: e.series,
  };
}

function fromEventsV1(e: EventsV1Event): EventView {
  return {
    name: e.metadata.name ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.note ?? '',
    involvedObject: e.regarding ?? {},
    source: e.deprecatedSource ?? {},
    reportingController: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    count: e.deprecatedCount ?? 0,
    series: e.series,
  };
}

/** `component, host`, each falling back to the reporting controller and instance. */
function eventSource(e: EventView): string {
  const component = e.source.component || e.reportingController;
  const instance = e.source.host || e.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

function eventRow(e: EventView, now: Date): unknown[] {
  const first = isSetTime(e.firstTimestamp) ? age(e.firstTimestamp, now) : age(e.eventTime, now);
  let last = isSetTime(e.lastTimestamp) ? age(e.lastTimestamp, now) : first;
  let count = e.count;
  if (e.series != null) {
    last = age(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // a singleton event of the newer API carries no count
  }
  const kind = (e.involvedObject.kind ?? '').toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  return [
    last,
    e.type,
    e.reason,
    target,
    e.involvedObject.fieldPath ?? '',
    eventSource(e),
    e.message.trim(),
    first,
    count,
    e.name,
  ];
}

const columns = [
  column('Last Seen', 'string', 'Time since the event was last observed.'),
  column('Type', 'string', 'Normal or Warning.'),
  column('Reason', 'string', 'Short machine-readable cause.'),
  column('Object', 'string', 'The object the event is about (kind/name).'),
  column('Subobject', 'string', 'Part of the object the event is about.', { priority: 1 }),
  column('Source', 'string', 'Component (and host) that reported the event.', { priority: 1 }),
  column('Message', 'string', 'Human-readable description.'),
  column('First Seen', 'string', 'Time since the event was first observed.', { priority: 1 }),
  column('Count', 'string', 'Number of times the event occurred.', { priority: 1 }),
  column('Name', 'string', 'Name of the event object.', { priority: 1, format: 'name' }),
];

/** core/v1 events. */
export const eventPrinter: TablePrinter = {
  columns,
  row(obj: KubeObject, now: Date) {
    return { cells: eventRow(fromCore(obj as Event), now) };
  },
};

/** events.k8s.io/v1 events: the same table, read through the newer field names. */
export const eventsV1Printer: TablePrinter = {
  columns,
  row(obj: KubeObject, now: Date) {
    return { cells: eventRow(fromEventsV1(obj as EventsV1Event), now) };
  },
};
