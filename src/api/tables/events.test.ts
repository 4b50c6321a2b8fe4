import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Event } from '../types/core.ts';
import type { EventsV1Event } from '../types/events.ts';
import { eventPrinter, eventsV1Printer } from './events.ts';

const NOW = new Date('2025-06-01T12:00:00Z');

function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

function coreEvent(extra: Partial<Event>): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-7c9.17f3a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-7c9', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled',
    message: ' Container image "nginx:1.27" already present on machine\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'edge-1' },
    firstTimestamp: ago(600),
    lastTimestamp: ago(45),
    count: 4,
    ...extra,
  };
}

describe('core/v1 event table', () => {
  it('has the columns of kubectl get events -o wide, in order', () => {
    assert.deepEqual(
      eventPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Last Seen', 'string', '', 0],
        ['Type', 'string', '', 0],
        ['Reason', 'string', '', 0],
        ['Object', 'string', '', 0],
        ['Subobject', 'string', '', 1],
        ['Source', 'string', '', 1],
        ['Message', 'string', '', 0],
        ['First Seen', 'string', '', 1],
        ['Count', 'string', '', 1],
        ['Name', 'string', 'name', 1],
      ],
    );
  });

  const cases: [string, Event, unknown[]][] = [
    [
      'a repeated kubelet event',
      coreEvent({}),
      [
        '45s',
        'Normal',
        'Pulled',
        'pod/web-7c9',
        'spec.containers{app}',
        'kubelet, edge-1',
        'Container image "nginx:1.27" already present on machine',
        '10m',
        4,
        'web-7c9.17f3a',
      ],
    ],
    [
      'no last timestamp: first seen is last seen',
      coreEvent({ lastTimestamp: undefined }),
      [
        '10m',
        'Normal',
        'Pulled',
        'pod/web-7c9',
        'spec.containers{app}',
        'kubelet, edge-1',
        'Container image "nginx:1.27" already present on machine',
        '10m',
        4,
        'web-7c9.17f3a',
      ],
    ],
    [
      'newer-API event: event time, series, reporting controller, no count',
      coreEvent({
        firstTimestamp: undefined,
        lastTimestamp: undefined,
        count: undefined,
        source: undefined,
        eventTime: '2025-06-01T11:55:00.123456Z',
        series: { count: 7, lastObservedTime: '2025-06-01T11:59:30.000000Z' },
        reportingComponent: 'default-scheduler',
        reportingInstance: '',
        involvedObject: { kind: 'Pod', name: 'web-7c9' },
        reason: 'FailedScheduling',
        type: 'Warning',
        message: '0/1 nodes are available',
      }),
      [
        '30s',
        'Warning',
        'FailedScheduling',
        'pod/web-7c9',
        '',
        'default-scheduler',
        '0/1 nodes are available',
        '4m59s',
        7,
        'web-7c9.17f3a',
      ],
    ],
    [
      'singleton without count counts once; object without a name prints the kind',
      coreEvent({
        count: 0,
        involvedObject: { kind: 'Node' },
        source: { host: 'edge-1' },
        reportingComponent: 'verge-edge',
      }),
      [
        '45s',
        'Normal',
        'Pulled',
        'node',
        '',
        'verge-edge, edge-1',
        'Container image "nginx:1.27" already present on machine',
        '10m',
        1,
        'web-7c9.17f3a',
      ],
    ],
    [
      'no times at all',
      coreEvent({ firstTimestamp: undefined, lastTimestamp: undefined, source: {} }),
      [
        '<unknown>',
        'Normal',
        'Pulled',
        'pod/web-7c9',
        'spec.containers{app}',
        '',
        'Container image "nginx:1.27" already present on machine',
        '<unknown>',
        4,
        'web-7c9.17f3a',
      ],
    ],
  ];
  for (const [name, e, want] of cases) {
    it(name, () => assert.deepEqual(eventPrinter.row(e, NOW).cells, want));
  }
});

describe('events.k8s.io/v1 event table', () => {
  it('prints the same columns through the newer field names', () => {
    assert.deepEqual(eventsV1Printer.columns, eventPrinter.columns);
    const e: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'edge-1.17f3b', namespace: 'default' },
      eventTime: ago(300),
      reportingController: 'verge/node-lifecycle',
      reportingInstance: 'cloud-0',
      action: 'Mark',
      reason: 'NodeNotReady',
      regarding: { kind: 'Node', name: 'edge-1' },
      note: 'Node edge-1 status is now: NodeNotReady',
      type: 'Normal',
    };
    assert.deepEqual(eventsV1Printer.row(e, NOW).cells, [
      '5m',
      'Normal',
      'NodeNotReady',
      'node/edge-1',
      '',
      'verge/node-lifecycle, cloud-0',
      'Node edge-1 status is now: NodeNotReady',
      '5m',
      1,
      'edge-1.17f3b',
    ]);
  });

  it('honours the deprecated counters and source', () => {
    const e: EventsV1Event = {
      metadata: { name: 'e' },
      eventTime: '0001-01-01T00:00:00.000000Z',
      reason: 'Started',
      regarding: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{c}' },
      note: 'Started container c',
      type: 'Normal',
      deprecatedSource: { component: 'kubelet', host: 'edge-2' },
      deprecatedFirstTimestamp: ago(3600),
      deprecatedLastTimestamp: ago(120),
      deprecatedCount: 2,
    };
    assert.deepEqual(eventsV1Printer.row(e, NOW).cells, [
      '2m',
      'Normal',
      'Started',
      'pod/p',
      'spec.containers{c}',
      'kubelet, edge-2',
      'Started container c',
      '60m',
      2,
      'e',
    ]);
  });
});
