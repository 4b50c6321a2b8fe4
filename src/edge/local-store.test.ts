import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { isInvalid, isUnavailable } from '../util/errors.ts';
import { silentLogger } from '../util/log.ts';
import {
  LocalStore,
  openEdgeDatabase,
  type EdgeDatabase,
  type KubeObject,
  type LocalChange,
  type LocalEvent,
} from './local-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'verge-edge-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `e${n++}.db`);
const log = silentLogger();

function open(path = fresh()): { edb: EdgeDatabase; store: LocalStore } {
  const edb = openEdgeDatabase(path, { busyTimeoutMs: 200 });
  return { edb, store: new LocalStore(edb, { log }) };
}

function cm(name: string, rv: string | number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: String(rv) },
    data: { v: String(rv) },
    ...extra,
  };
}

const put = (kind: string, object: KubeObject): LocalChange => ({ type: 'put', kind, object });
const del = (kind: string, namespace: string, name: string): LocalChange => ({
  type: 'delete',
  kind,
  namespace,
  name,
});

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function escape(s: string): RegExp {
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

describe('LocalStore', () => {
  it('applies puts and deletes, and reads them back by get, list, inventory and count', () => {
    const { edb, store } = open();
    try {
      const node: KubeObject = {
        kind: 'Node',
        metadata: { name: 'n1', uid: 'uid-n1', resourceVersion: '7' },
      };
      store.apply([
        put('ConfigMap', cm('b', 10)),
        put('ConfigMap', cm('a', 11)),
        put('ConfigMap', {
          ...cm('c', 12),
          metadata: { ...cm('c', 12).metadata, namespace: 'kube' },
        }),
        put('Node', node),
      ]);
      assert.deepEqual(store.get('ConfigMap', 'default', 'a'), cm('a', 11));
      assert.deepEqual(store.get('Node', '', 'n1'), node);
      assert.equal(store.get('ConfigMap', 'default', 'zz'), undefined);
      assert.equal(store.get('Secret', 'default', 'a'), undefined);
      assert.deepEqual(
        store.list('ConfigMap').map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
        ['default/a', 'default/b', 'kube/c'],
      );
      assert.deepEqual(
        store.list('ConfigMap', 'default').map((o) => o.metadata.name),
        ['a', 'b'],
      );
      assert.deepEqual(store.list('ConfigMap', 'nowhere'), []);
      assert.deepEqual(
        store.inventory().sort((x, y) => (x.kind + x.name).localeCompare(y.kind + y.name)),
        [
          { kind: 'ConfigMap', namespace: 'default', name: 'a', resourceVersion: '11' },
          { kind: 'ConfigMap', namespace: 'default', name: 'b', resourceVersion: '10' },
          { kind: 'ConfigMap', namespace: 'kube', name: 'c', resourceVersion: '12' },
          { kind: 'Node', namespace: '', name: 'n1', resourceVersion: '7' },
        ],
      );
      assert.equal(store.count(), 4);
      assert.equal(store.count('ConfigMap'), 3);

      store.apply([put('ConfigMap', cm('a', 20)), del('ConfigMap', 'default', 'b')]);
      assert.equal(store.get('ConfigMap', 'default', 'a')?.metadata.resourceVersion, '20');
      assert.equal(store.get('ConfigMap', 'default', 'b'), undefined);
      assert.equal(store.count(), 3);
      // Deleting what is not there is a no-op, not an error.
      store.apply([del('ConfigMap', 'default', 'b'), del('Pod', 'x', 'y')]);
      assert.equal(store.count(), 3);
    } finally {
      edb.close();
    }
  });

  it('returns copies: changing a returned or applied object changes nothing stored', () => {
    const { edb, store } = open();
    try {
      const obj = cm('a', 1);
      store.apply([put('ConfigMap', obj)]);
      (obj.data as Record<string, string>).v = 'changed by caller';
      const got = store.get('ConfigMap', 'default', 'a')!;
      assert.equal((got.data as Record<string, string>).v, '1');
      (got.data as Record<string, string>).v = 'changed again';
      assert.equal((store.list('ConfigMap')[0].data as Record<string, string>).v, '1');
    } finally {
      edb.close();
    }
  });

  it('is idempotent per resourceVersion, ignores stale versions, and takes a new uid', () => {
    const { edb, store } = open();
    try {
      const events: LocalEvent[] = [];
      store.watch((batch) => events.push(...batch));
      store.apply([put('ConfigMap', cm('a', 5))]);
      const r1 = store.revision();
      store.apply([put('ConfigMap', cm('a', 5, { data: { v: 'same rv' } }))]);
      store.apply([put('ConfigMap', cm('a', 4))]);
      assert.equal(store.revision(), r1, 'no-op applies do not bump the revision');
      assert.equal(events.length, 1);
      assert.equal(store.get('ConfigMap', 'default', 'a')?.metadata.resourceVersion, '5');
      // Decimal comparison, not string comparison: 10 is newer than 9.
      store.apply([put('ConfigMap', cm('a', 9))]);
      store.apply([put('ConfigMap', cm('a', 10))]);
      assert.equal(store.get('ConfigMap', 'default', 'a')?.metadata.resourceVersion, '10');
      // A recreated object (new uid) replaces the old one whatever its version.
      const recreated = cm('a', 3);
      recreated.metadata.uid = 'uid-new';
      store.apply([put('ConfigMap', recreated)]);
      assert.equal(store.get('ConfigMap', 'default', 'a')?.metadata.uid, 'uid-new');
      assert.deepEqual(
        events.map((e) => [e.type, e.object.metadata.resourceVersion]),
        [
          ['ADDED', '5'],
          ['MODIFIED', '9'],
          ['MODIFIED', '10'],
          ['MODIFIED', '3'],
        ],
      );
    } finally {
      edb.close();
    }
  });

  it('applies all changes of one apply or none: a bad change in the middle', () => {
    const { edb, store } = open();
    try {
      store.apply([put('ConfigMap', cm('keep', 1))]);
      const revision = store.revision();
      const events: LocalEvent[] = [];
      store.watch((batch) => events.push(...batch));
      const bad = { metadata: { name: 'bad', namespace: 'default' } } as KubeObject;
      assert.throws(
        () =>
          store.apply([
            put('ConfigMap', cm('first', 2)),
            del('ConfigMap', 'default', 'keep'),
            put('ConfigMap', bad),
            put('ConfigMap', cm('last', 3)),
          ]),
        (err: Error) => {
          assert.ok(isInvalid(err), String(err));
          assert.match(err.message, /change 2 .*resourceVersion is missing/);
          return true;
        },
      );
      assert.deepEqual(
        store.inventory().map((i) => i.name),
        ['keep'],
      );
      assert.equal(store.revision(), revision);
      assert.deepEqual(events, []);
      // The store still works after the rollback.
      store.apply([put('ConfigMap', cm('first', 2))]);
      assert.equal(store.count(), 2);
    } finally {
      edb.close();
    }
  });

  it('applies all changes of one apply or none: a storage failure in the middle', () => {
    const { edb, store } = open();
    try {
      // A write that SQLite itself refuses after earlier writes of the same apply.
      edb.db.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON main.objects WHEN NEW.name = 'boom'
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      assert.throws(
        () =>
          store.apply([
            put('ConfigMap', cm('first', 2)),
            put('ConfigMap', cm('boom', 3)),
            put('ConfigMap', cm('last', 4)),
          ]),
        (err: Error) => {
          assert.ok(isUnavailable(err), String(err));
          assert.match(err.message, /injected failure/);
          assert.ok(err.message.includes(edb.path));
          return true;
        },
      );
      assert.equal(store.count(), 0);
      assert.equal(store.revision(), 0);
      assert.equal(edb.db.isTransaction, false);
    } finally {
      edb.close();
    }
  });

  it('refuses malformed changes with Invalid', () => {
    const { edb, store } = open();
    try {
      const cases: [unknown, RegExp][] = [
        [{ type: 'put', kind: '', object: cm('a', 1) }, /kind must be/],
        [{ type: 'put', kind: 'ConfigMap', object: null }, /metadata is missing/],
        [
          { type: 'put', kind: 'ConfigMap', object: { metadata: { resourceVersion: '1' } } },
          /name is missing/,
        ],
        [{ type: 'patch', kind: 'ConfigMap' }, /type must be put or delete/],
        [{ type: 'delete', kind: 'ConfigMap', name: 'a' }, /needs a namespace/],
        [
          { type: 'put', kind: 'ConfigMap', object: { ...cm('a', 1), n: 1n } },
          /not JSON-serializable/,
        ],
      ];
      for (const [change, message] of cases) {
        assert.throws(
          () => store.apply([change as LocalChange]),
          (err: Error) => isInvalid(err) && message.test(err.message),
          `${JSON.stringify(change, (_k, v: unknown) => (typeof v === 'bigint' ? 'bigint' : v))}`,
        );
      }
      assert.equal(store.count(), 0);
    } finally {
      edb.close();
    }
  });

  it('tells watchers after the commit, in order, once per apply that changed something', () => {
    const { edb, store } = open();
    try {
      const batches: LocalEvent[][] = [];
      const stop = store.watch((events) => {
        // Delivered after the commit: the store already shows the change.
        for (const e of events) {
          const { namespace = '', name = '' } = e.object.metadata;
          const now = store.get(e.kind, namespace, name);
          if (e.type === 'DELETED') assert.equal(now, undefined);
          else assert.ok(now);
        }
        batches.push(events);
      });
      store.apply([put('ConfigMap', cm('a', 1)), put('ConfigMap', cm('b', 2))]);
      assert.equal(batches.length, 1, 'delivered before apply returned');
      store.apply([put('ConfigMap', cm('a', 3)), del('ConfigMap', 'default', 'b')]);
      store.apply([del('ConfigMap', 'default', 'b')]); // no-op: no event
      assert.deepEqual(
        batches.map((b) =>
          b.map((e) => [
            e.type,
            e.object.metadata.name,
            e.object.metadata.resourceVersion,
            e.revision,
          ]),
        ),
        [
          [
            ['ADDED', 'a', '1', 1],
            ['ADDED', 'b', '2', 1],
          ],
          [
            ['MODIFIED', 'a', '3', 2],
            // A delete carries the last object stored.
            ['DELETED', 'b', '2', 2],
          ],
        ],
      );
      assert.equal(store.revision(), 2);
      stop();
      store.apply([put('ConfigMap', cm('c', 4))]);
      assert.equal(batches.length, 2);
    } finally {
      edb.close();
    }
  });

  it('keeps delivering when a listener throws, and in commit order when a listener applies', () => {
    const { edb, store } = open();
    try {
      const seen: string[] = [];
      store.watch(() => {
        throw new Error('listener bug');
      });
      store.watch((events) => {
        for (const e of events) {
          seen.push(`first:${e.object.metadata.name}`);
          // A listener reacting with another apply: everyone must still see a before b.
          if (e.object.metadata.name === 'a') store.apply([put('ConfigMap', cm('b', 2))]);
        }
      });
      store.watch((events) => {
        for (const e of events) seen.push(`second:${e.object.metadata.name}`);
      });
      store.apply([put('ConfigMap', cm('a', 1))]);
      assert.deepEqual(seen, ['first:a', 'second:a', 'first:b', 'second:b']);
      assert.equal(store.count(), 2);
    } finally {
      edb.close();
    }
  });

  it('keeps objects, the revision and meta values across close and reopen', () => {
    const path = fresh();
    const first = open(path);
    first.store.apply([put('ConfigMap', cm('a', 1))]);
    first.store.apply([put('ConfigMap', cm('b', 2)), del('ConfigMap', 'default', 'a')]);
    first.store.setMeta('sync', JSON.stringify({ seq: 42 }));
    first.store.setMeta('gone', 'x');
    assert.equal(first.store.deleteMeta('gone'), true);
    assert.equal(first.store.deleteMeta('gone'), false);
    first.edb.close();

    const second = open(path);
    try {
      assert.equal(second.store.revision(), 2);
      assert.deepEqual(second.store.inventory(), [
        { kind: 'ConfigMap', namespace: 'default', name: 'b', resourceVersion: '2' },
      ]);
      assert.equal(second.store.getMeta('sync'), '{"seq":42}');
      assert.equal(second.store.getMeta('gone'), undefined);
      second.store.apply([put('ConfigMap', cm('c', 3))]);
      assert.equal(second.store.revision(), 3);
    } finally {
      second.edb.close();
    }
  });

  it('fails with Unavailable once the database is closed', () => {
    const { edb, store } = open();
    edb.close();
    edb.close(); // idempotent
    assert.throws(() => store.apply([put('ConfigMap', cm('a', 1))]), isUnavailable);
    assert.throws(
      () => store.get('ConfigMap', 'default', 'a'),
      (err: Error) => {
        return isUnavailable(err) && /closed/.test(err.message);
      },
    );
  });

  it('allows one LocalStore per database', () => {
    const { edb } = open();
    try {
      assert.throws(() => new LocalStore(edb, { log }), isInvalid);
    } finally {
      edb.close();
    }
  });
});

function spawnFixture(mode: string, path: string): ChildProcess {
  return spawn(
    process.execPath,
    [new URL('./edge-db.fixture.ts', import.meta.url).pathname, mode, path],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (pattern.test(line)) {
        rl.close();
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${pattern}`)));
  });
}

describe('edge database file', () => {
  it('refuses a file that is not SQLite, naming it and leaving it untouched', () => {
    const path = fresh();
    writeFileSync(path, 'this is not a database, just some text that is long enough');
    const before = sha(path);
    assert.throws(
      () => openEdgeDatabase(path),
      (err: Error) =>
        isInvalid(err) &&
        escape(path).test(err.message) &&
        /not a SQLite database/.test(err.message),
    );
    assert.equal(sha(path), before);
  });

  it("refuses another application's SQLite database, leaving it untouched", () => {
    const path = fresh();
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'x')",
    );
    db.close();
    const before = sha(path);
    assert.throws(
      () => openEdgeDatabase(path),
      (err: Error) =>
        isInvalid(err) && err.message.includes(path) && /another application/.test(err.message),
    );
    assert.equal(sha(path), before);
  });

  it('refuses a cloud store file put in its place', async () => {
    const path = fresh();
    const cloud = await openSqliteStore({ path, compaction: { intervalMs: 0 } });
    await cloud.create('/a', 'x');
    await cloud.close();
    const before = sha(path);
    assert.throws(
      () => openEdgeDatabase(path),
      (err: Error) => isInvalid(err) && /schema version 1\b/.test(err.message),
    );
    assert.equal(sha(path), before);
  });

  it('refuses a corrupted file, naming it and leaving it untouched', () => {
    const path = fresh();
    const { edb, store } = open(path);
    for (let i = 0; i < 40; i++) {
      store.apply(
        Array.from({ length: 10 }, (_, j) =>
          put('ConfigMap', cm(`c${i * 10 + j}`, 1, { data: { v: 'v'.repeat(500) } })),
        ),
      );
    }
    edb.close();
    // Scribble over the b-tree header of every page after the first, as a torn
    // write on flash would, leaving the file header intact.
    const bytes = readFileSync(path);
    assert.ok(bytes.length > 8192, `file is ${bytes.length} bytes`);
    for (let page = 4096; page < bytes.length; page += 4096) {
      for (let i = page; i < page + 12; i++) bytes[i] = (i * 31) & 0xff;
    }
    writeFileSync(path, bytes);
    const before = sha(path);
    assert.throws(
      () => openEdgeDatabase(path),
      (err: Error) => isInvalid(err) && /corrupt/.test(err.message) && err.message.includes(path),
    );
    assert.equal(sha(path), before);
  });

  it('fails clearly when another agent process holds the file, and opens once it is killed', async () => {
    const path = fresh();
    const holder = spawnFixture('hold', path);
    try {
      await waitForLine(holder, /^ready$/);
      assert.throws(
        () => openEdgeDatabase(path, { busyTimeoutMs: 100 }),
        (err: Error) => {
          assert.ok(isUnavailable(err), String(err));
          assert.ok(err.message.includes(`another verge edge is using ${path}`), err.message);
          return true;
        },
      );
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    // kill -9 leaves no stale lock behind.
    const { edb } = open(path);
    edb.close();
  });

  it('fails clearly on a second open in the same process', () => {
    const path = fresh();
    const { edb } = open(path);
    try {
      assert.throws(
        () => openEdgeDatabase(path, { busyTimeoutMs: 50 }),
        (err: Error) => isUnavailable(err) && /another verge edge is using/.test(err.message),
      );
    } finally {
      edb.close();
    }
    open(path).edb.close();
  });
});
