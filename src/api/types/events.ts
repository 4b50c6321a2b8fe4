/**
 * events.k8s.io/v1 Event: the newer shape of the same objects core/v1 Event
 * stores (the two are served from one storage in Kubernetes). Named
 * `EventsV1Event` so it cannot be confused with core/v1 `Event`. Field names
 * follow the Kubernetes API (1.33).
 */

import type { EventSource, ObjectReference } from './core.ts';
import type { KubeList, KubeObject } from './meta.ts';

export interface EventsV1Event extends KubeObject {
  apiVersion?: 'events.k8s.io/v1';
  kind?: 'Event';
  /** RFC 3339 with microseconds (meta/v1 MicroTime). Required. */
  eventTime: string;
  series?: EventSeries;
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  related?: ObjectReference;
  note?: string;
  /** `Normal` or `Warning`. */
  type?: string;
  deprecatedSource?: EventSource;
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
}

export interface EventSeries {
  count: number;
  /** RFC 3339 with microseconds (meta/v1 MicroTime). */
  lastObservedTime: string;
}

export type EventsV1EventList = KubeList<EventsV1Event>;
