import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConflict, isForbidden, isNotFound, NotFoundError } from '../util/errors.ts';
import {
  decodeCloudMessage,
  decodeEdgeMessage,
  decodeStreamData,
  encodeMessage,
  encodeStreamData,
  encodeSync,
  fromWireError,
  ProtocolError,
  toWireError,
} from './protocol.ts';

describe('hub protocol', () => {
  it('round-trips every edge message', () => {
    const messages = [
      {
        t: 'hello',
        v: 1,
        node: 'n',
        agentVersion: '0.1.0',
        inventory: [['Pod', 'default', 'p', '12']],
      },
      { t: 'ack', seq: 3 },
      { t: 'hb' },
      {
        t: 'req',
        id: 1,
        verb: 'patch',
        resource: { group: '', version: 'v1', resource: 'nodes' },
        name: 'n',
        subresource: 'status',
        patchType: 'strategic',
        body: {},
      },
      { t: 'renew', id: 2, csr: 'PEM' },
      { t: 'window', sid: 1, bytes: 100 },
      { t: 'close', sid: 1 },
    ] as const;
    for (const m of messages) assert.deepEqual(decodeEdgeMessage(encodeMessage(m as never)), m);
  });

  it('round-trips cloud messages', () => {
    const messages = [
      {
        t: 'welcome',
        v: 1,
        node: 'n',
        serverVersion: 'x',
        heartbeatSeconds: 10,
        maxMessageBytes: 1,
      },
      {
        t: 'sync',
        seq: 1,
        changes: [
          {
            op: 'put',
            kind: 'ConfigMap',
            object: { metadata: { name: 'a', resourceVersion: '1' } },
          },
          { op: 'delete', kind: 'Pod', namespace: 'd', name: 'p' },
        ],
      },
      { t: 'ready', objects: 2 },
      { t: 'res', id: 1, ok: true, body: { a: 1 } },
      { t: 'res', id: 2, ok: false, error: { code: 403, reason: 'Forbidden', message: 'no' } },
      { t: 'error', error: { code: 503, reason: 'Closed', message: 'bye' }, retryAfterSeconds: 5 },
      { t: 'open', sid: 1, kind: 'logs', params: {}, window: 1024 },
    ] as const;
    for (const m of messages) assert.deepEqual(decodeCloudMessage(encodeMessage(m as never)), m);
  });

  it('refuses malformed messages with the offending field named', () => {
    const bad: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[1,2]', /JSON object/],
      ['{"x":1}', /without a type/],
      ['{"t":"nope"}', /unknown message type "nope"/],
      [
        '{"t":"hello","v":1,"node":"n","agentVersion":"x","inventory":[["Pod","d","p"]]}',
        /inventory\[0\]/,
      ],
      [
        '{"t":"hello","v":1,"node":"n","agentVersion":"x","inventory":[["Pod","d","p","x1"]]}',
        /inventory\[0\]/,
      ],
      ['{"t":"ack","seq":-1}', /ack\.seq/],
      ['{"t":"ack","seq":1.5}', /ack\.seq/],
      [
        '{"t":"req","id":1,"verb":"escalate","resource":{"group":"","version":"v1","resource":"pods"}}',
        /req\.verb/,
      ],
      ['{"t":"req","id":1,"verb":"get","resource":"pods"}', /req\.resource/],
      [
        '{"t":"req","id":1,"verb":"patch","resource":{"group":"","version":"v1","resource":"pods"}}',
        /patchType/,
      ],
      ['{"t":"open","sid":1,"kind":"shell","params":{},"window":1}', /open\.kind/],
    ];
    for (const [text, re] of bad) {
      assert.throws(
        () => decodeEdgeMessage(text),
        (e: unknown) => e instanceof ProtocolError && re.test((e as Error).message),
        text,
      );
    }
    assert.throws(
      () =>
        decodeCloudMessage(
          '{"t":"sync","seq":1,"changes":[{"op":"put","kind":"Deployment","object":{}}]}',
        ),
      /kind: not a view kind/,
    );
    assert.throws(
      () =>
        decodeCloudMessage(
          '{"t":"sync","seq":1,"changes":[{"op":"put","kind":"Pod","object":{"metadata":{"name":"p"}}}]}',
        ),
      /resourceVersion/,
    );
    assert.throws(
      () => decodeCloudMessage('{"t":"res","id":1,"ok":false,"error":"x"}'),
      /res\.error/,
    );
  });

  it('encodeSync writes what encodeMessage would', () => {
    const changes = [
      { op: 'put', kind: 'ConfigMap', object: { metadata: { name: 'a', resourceVersion: '1' } } },
      { op: 'delete', kind: 'Pod', namespace: 'd', name: 'p' },
    ] as const;
    const text = encodeSync(
      7,
      changes.map((c) => JSON.stringify(c)),
    );
    assert.equal(text, encodeMessage({ t: 'sync', seq: 7, changes: [...changes] }));
    assert.deepEqual(decodeCloudMessage(encodeSync(1, [])), { t: 'sync', seq: 1, changes: [] });
  });

  it('frames stream data', () => {
    const frame = encodeStreamData(7, 2, Buffer.from('hello'));
    const d = decodeStreamData(frame);
    assert.equal(d.sid, 7);
    assert.equal(d.channel, 2);
    assert.equal(d.payload.toString(), 'hello');
    assert.throws(() => decodeStreamData(Buffer.from([9, 0, 0])), ProtocolError);
  });

  it('carries errors as their classes', () => {
    const wire = toWireError(new NotFoundError('gone'));
    assert.deepEqual(wire, { code: 404, reason: 'NotFound', message: 'gone' });
    assert.ok(isNotFound(fromWireError(wire)));
    assert.ok(isForbidden(fromWireError({ code: 403, reason: 'Forbidden', message: '' })));
    assert.ok(isConflict(fromWireError({ code: 409, reason: 'Conflict', message: '' })));
    assert.equal(toWireError(new Error('boom')).code, 500);
  });
});
