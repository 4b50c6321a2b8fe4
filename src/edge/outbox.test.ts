import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { isInvalid, isUnavailable } from '../util/errors.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { LocalStore, openEdgeDatabase, type EdgeDatabase } from './local-store.ts';
import { Outbox, type OutboxOptions } from './outbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'verge-edge-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `o${n++}.db`);
const log = silentLogger();

function open(
  path = fresh(),
  options: OutboxOptions = {},
): { edb: EdgeDatabase; outbox: Outbox; path: string } {
  const edb = openEdgeDatabase(path, { busyTimeoutMs: 200 });
  return { edb, outbox: new Outbox(edb, { log, ...options }), path };
}

/** A logger that keeps what it logs, to check warnings. */
function recordingLogger(): {
  log: Logger;
  lines: { level: number; msg: string }[];
} {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino<never>({ level: 'info' }, sink), lines };
}

describe('Outbox', () => {
  it('queues in seq order and returns copies of the payloads', () => {
    let clock = 1000;
    const { edb, outbox } = open(fresh(), { now: () => clock });
    try {
      const s1 = outbox.put({ key: 'status/Node/n1', kind: 'status', payload: { ready: true } });
      clock = 2000;
      const s2 = outbox.put({ key: 'event/1', kind: 'event', payload: { reason: 'Started' } });
      assert.ok(s2 > s1);
      assert.deepEqual(outbox.pending(), [
        {
          seq: s1,
          key: 'status/Node/n1',
          kind: 'status',
          payload: { ready: true },
          createdAt: 1000,
        },
        { seq: s2, key: 'event/1', kind: 'event', payload: { reason: 'Started' }, createdAt: 2000 },
      ]);
      assert.deepEqual(
        outbox.pending(1).map((e) => e.seq),
        [s1],
      );
      assert.deepEqual(
        outbox.pending(10, s1).map((e) => e.seq),
        [s2],
      );
      (outbox.pending()[0].payload as { ready: boolean }).ready = false;
      assert.deepEqual(outbox.pending()[0].payload, { ready: true });
      assert.equal(outbox.size(), 2);
      assert.equal(
        outbox.bytes(),
        'status/Node/n1'.length +
          '{"ready":true}'.length +
          'event/1'.length +
          '{"reason":"Started"}'.length,
      );
    } finally {
      edb.close();
    }
  });

  it('coalesces by key: the latest payload wins and takes a new seq', () => {
    const { edb, outbox } = open();
    try {
      const a1 = outbox.put({
        key: 'status/Pod/ns/a',
        kind: 'status',
        payload: { phase: 'Pending' },
      });
      const b1 = outbox.put({
        key: 'status/Pod/ns/b',
        kind: 'status',
        payload: { phase: 'Running' },
      });
      const a2 = outbox.put({
        key: 'status/Pod/ns/a',
        kind: 'status',
        payload: { phase: 'Running' },
      });
      assert.ok(a2 > b1 && b1 > a1);
      assert.deepEqual(
        outbox.pending().map((e) => [e.key, e.seq, e.payload]),
        [
          ['status/Pod/ns/b', b1, { phase: 'Running' }],
          ['status/Pod/ns/a', a2, { phase: 'Running' }],
        ],
      );
      assert.equal(outbox.size(), 2);
      assert.equal(outbox.bytes(), 2 * 'status/Pod/ns/a'.length + 2 * '{"phase":"Running"}'.length);
    } finally {
      edb.close();
    }
  });

  it('acks only the seq that was sent: a newer put survives the ack of the older', () => {
    const { edb, outbox } = open();
    try {
      const key = 'status/Node/n1';
      const sent = outbox.put({ key, kind: 'status', payload: { v: 1 } });
      // While that send is in flight, the status changes again.
      const newer = outbox.put({ key, kind: 'status', payload: { v: 2 } });
      assert.equal(outbox.ack(key, sent), false);
      assert.deepEqual(
        outbox.pending().map((e) => e.payload),
        [{ v: 2 }],
      );
      assert.equal(outbox.ack('other', newer), false, 'the seq must belong to the key');
      assert.equal(outbox.ack(key, newer), true);
      assert.equal(outbox.ack(key, newer), false, 'a duplicate ack is harmless');
      assert.equal(outbox.size(), 0);
      assert.equal(outbox.bytes(), 0);
      // Seqs are never reused, so a late duplicate ack cannot hit a new entry.
      const again = outbox.put({ key, kind: 'status', payload: { v: 3 } });
      assert.ok(again > newer);
      assert.equal(outbox.ack(key, newer), false);
      assert.equal(outbox.size(), 1);
    } finally {
      edb.close();
    }
  });

  it('drops the oldest events first, then other kinds, never statuses, and counts them', () => {
    const { log: rec, lines } = recordingLogger();
    const path = fresh();
    const { edb, outbox } = open(path, { maxEntries: 5, log: rec });
    try {
      const put = (key: string, kind: string): number =>
        outbox.put({ key, kind, payload: { key } });
      put('status/Node/n1', 'status');
      put('event/1', 'event');
      put('twin/d1', 'twin');
      put('event/2', 'event');
      put('status/Pod/a', 'status');
      assert.equal(outbox.size(), 5);
      put('event/3', 'event'); // over by one: event/1 goes
      put('status/Pod/b', 'status'); // event/2 goes
      assert.deepEqual(
        outbox.pending().map((e) => e.key),
        ['status/Node/n1', 'twin/d1', 'status/Pod/a', 'event/3', 'status/Pod/b'],
      );
      assert.equal(outbox.dropped(), 2);
      put('status/Pod/c', 'status'); // event/3 goes, the last event
      put('status/Pod/d', 'status'); // then twin/d1, a kind other than status
      assert.deepEqual(
        outbox.pending().map((e) => e.key),
        ['status/Node/n1', 'status/Pod/a', 'status/Pod/b', 'status/Pod/c', 'status/Pod/d'],
      );
      assert.equal(outbox.dropped(), 4);
      assert.equal(lines.length, 0);
      // Only statuses left: a new event is itself the one dropped...
      put('event/4', 'event');
      assert.equal(outbox.size(), 5);
      assert.equal(outbox.dropped(), 5);
      // ...and new statuses are kept over the bound, with one warning.
      put('status/Pod/e', 'status');
      put('status/Pod/f', 'status');
      assert.equal(outbox.size(), 7);
      assert.equal(outbox.dropped(), 5);
      assert.equal(lines.filter((l) => /only statuses/.test(l.msg)).length, 1);
      // Coalescing a status over the bound adds nothing.
      put('status/Pod/f', 'status');
      assert.equal(outbox.size(), 7);
    } finally {
      edb.close();
    }
    // The dropped count is kept across a restart.
    const again = open(path, { maxEntries: 5 });
    try {
      assert.equal(again.outbox.dropped(), 5);
      assert.equal(again.outbox.size(), 7);
    } finally {
      again.edb.close();
    }
  });

  it('bounds bytes as well as entries', () => {
    const { edb, outbox } = open(fresh(), { maxBytes: 1000 });
    try {
      const payload = { pad: 'x'.repeat(200) }; // ~214 bytes with the key
      for (let i = 0; i < 10; i++) outbox.put({ key: `event/${i}`, kind: 'event', payload });
      assert.ok(outbox.bytes() <= 1000, `${outbox.bytes()} bytes`);
      assert.deepEqual(
        outbox.pending().map((e) => e.key),
        ['event/6', 'event/7', 'event/8', 'event/9'],
      );
      assert.equal(outbox.dropped(), 6);
    } finally {
      edb.close();
    }
  });

  it('refuses payloads that are not JSON, and entries over maxEntryBytes, with Invalid', () => {
    const { edb, outbox } = open(fresh(), { maxEntryBytes: 100 });
    try {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const bad: [unknown, RegExp][] = [
        [undefined, /not a JSON value/],
        [() => 1, /is a function/],
        [{ f: () => 1 }, /"f" is a function/],
        [{ n: 10n }, /"n" is a bigint/],
        [{ x: NaN }, /"x" is NaN/],
        [[Infinity], /is Infinity/],
        [{ s: Symbol('s') }, /"s" is a symbol/],
        [cyclic, /not JSON-serializable/],
        [{ pad: 'x'.repeat(200) }, /over the limit of 100/],
      ];
      for (const [payload, message] of bad) {
        assert.throws(
          () => outbox.put({ key: 'status/x', kind: 'status', payload }),
          (err: Error) => isInvalid(err) && message.test(err.message),
          String(message),
        );
      }
      assert.throws(() => outbox.put({ key: '', kind: 'status', payload: 1 }), isInvalid);
      assert.throws(() => outbox.put({ key: 'k', kind: '', payload: 1 }), isInvalid);
      assert.equal(outbox.size(), 0);
      // Plain JSON values are fine, including null and dates (as strings).
      outbox.put({ key: 'a', kind: 'event', payload: null });
      outbox.put({ key: 'b', kind: 'event', payload: { at: new Date(0), skip: undefined } });
      assert.deepEqual(
        outbox.pending().map((e) => e.payload),
        [null, { at: '1970-01-01T00:00:00.000Z' }],
      );
    } finally {
      edb.close();
    }
  });

  it('tells onPut listeners after each commit', () => {
    const { edb, outbox } = open();
    try {
      const seen: [number, string, number][] = [];
      const stop = outbox.onPut((seq, key) => seen.push([seq, key, outbox.size()]));
      outbox.onPut(() => {
        throw new Error('listener bug');
      });
      const s1 = outbox.put({ key: 'a', kind: 'event', payload: 1 });
      const s2 = outbox.put({ key: 'b', kind: 'event', payload: 2 });
      assert.deepEqual(seen, [
        [s1, 'a', 1],
        [s2, 'b', 2],
      ]);
      stop();
      outbox.put({ key: 'c', kind: 'event', payload: 3 });
      assert.equal(seen.length, 2);
    } finally {
      edb.close();
    }
  });

  it('keeps entries, seqs and totals across close and reopen', () => {
    const path = fresh();
    const first = open(path);
    first.outbox.put({ key: 'a', kind: 'status', payload: { v: 1 } });
    const b = first.outbox.put({ key: 'b', kind: 'event', payload: { v: 2 } });
    first.outbox.ack('b', b);
    const entries = first.outbox.pending();
    const bytes = first.outbox.bytes();
    first.edb.close();

    const second = open(path);
    try {
      assert.deepEqual(second.outbox.pending(), entries);
      assert.equal(second.outbox.size(), 1);
      assert.equal(second.outbox.bytes(), bytes);
      assert.ok(second.outbox.put({ key: 'c', kind: 'event', payload: 3 }) > b);
    } finally {
      second.edb.close();
    }
  });

  it('shares the database with a LocalStore and fails with Unavailable once closed', () => {
    const { edb, outbox } = open();
    const store = new LocalStore(edb, { log });
    store.apply([
      {
        type: 'put',
        kind: 'Node',
        object: { metadata: { name: 'n1', uid: 'u', resourceVersion: '1' } },
      },
    ]);
    outbox.put({ key: 'status/Node/n1', kind: 'status', payload: {} });
    assert.throws(() => new Outbox(edb, { log }), isInvalid);
    edb.close();
    assert.throws(() => outbox.put({ key: 'k', kind: 'event', payload: 1 }), isUnavailable);
    assert.throws(() => outbox.pending(), isUnavailable);
    assert.throws(() => outbox.ack('k', 1), isUnavailable);
  });

  it('loses nothing it reported when the process is killed with SIGKILL', async () => {
    const path = fresh();
    const child = spawn(
      process.execPath,
      [new URL('./edge-db.fixture.ts', import.meta.url).pathname, 'write', path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const applied = new Map<string, string>();
    const puts = new Map<string, number>();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const rl = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) =>
        reject(new Error(`writer exited (${code}) before it was killed`)),
      );
      rl.on('line', (line) => {
        const a = /^applied (\S+) (\d+)$/.exec(line);
        if (a) applied.set(a[1], a[2]);
        const p = /^put (\S+) (\d+)$/.exec(line);
        if (p) puts.set(p[1], Number(p[2]));
        if (puts.size === 150) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    rl.close();

    const edb = openEdgeDatabase(path);
    try {
      const store = new LocalStore(edb, { log });
      const outbox = new Outbox(edb, { log });
      for (const [name, rv] of applied) {
        const got = store.get('ConfigMap', 'default', name);
        assert.ok(got, `applied ${name} is missing after SIGKILL`);
        assert.equal(got.metadata.resourceVersion, rv);
      }
      assert.equal(store.revision(), store.count(), 'one revision per apply, none half-applied');
      const queued = new Map(outbox.pending().map((e) => [e.key, e]));
      for (const [key, seq] of puts) {
        const got = queued.get(key);
        assert.ok(got, `put ${key} (seq ${seq}) is missing after SIGKILL`);
        assert.ok(got.seq >= seq, `${key} went back from seq ${seq} to ${got.seq}`);
      }
      assert.equal(outbox.size(), queued.size);
    } finally {
      edb.close();
    }
  });
});
