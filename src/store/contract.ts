/**
 * The Store contract, as tests. Every driver's test file calls `storeContract`
 * with a factory; a behaviour that matters to callers belongs here, not in one
 * driver's tests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  isAlreadyExists,
  isConflict,
  isExpired,
  isInvalid,
  isNotFound,
  isUnavailable,
} from '../util/errors.ts';
import type { Store, StoreOptions, WatchEvent, Watcher } from './store.ts';

export type StoreFactory = (options?: StoreOptions) => Promise<Store>;

/** Fails with `what` if `promise` does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads events from `w` until one at `untilRevision` (inclusive) arrives. */
export async function readUntil(w: Watcher, untilRevision: number): Promise<WatchEvent[]> {
  const it = w[Symbol.asyncIterator]();
  const out: WatchEvent[] = [];
  for (;;) {
    const r = await within(it.next(), 5000, `watch event up to revision ${untilRevision}`);
    if (r.done) throw new Error(`watch ended before revision ${untilRevision}`);
    out.push(r.value);
    if (r.value.revision >= untilRevision) return out;
  }
}

const NO_BACKGROUND = { compaction: { intervalMs: 0 } } satisfies StoreOptions;

async function rejects(p: Promise<unknown>, predicate: (e: unknown) => boolean, what: string) {
  await assert.rejects(p, (err) => {
    assert.ok(predicate(err), `expected ${what}, got ${String(err)}`);
    return true;
  });
}

export function storeContract(name: string, open: StoreFactory): void {
  const withStore = async (
    fn: (s: Store) => Promise<void>,
    options: StoreOptions = NO_BACKGROUND,
  ): Promise<void> => {
    const s = await open(options);
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`Store contract: ${name}`, () => {
    it('assigns one global revision per write and reports it', () =>
      withStore(async (s) => {
        assert.equal(await s.revision(), 0);
        const r1 = await s.create('/registry/core/pods/ns/a', 'A1');
        const r2 = await s.create('/registry/core/pods/ns/b', 'B1');
        const r3 = await s.update('/registry/core/pods/ns/a', 'A2');
        assert.deepEqual([r1, r2, r3], [1, 2, 3]);
        assert.deepEqual(await s.get('/registry/core/pods/ns/a'), {
          key: '/registry/core/pods/ns/a',
          value: 'A2',
          createRevision: 1,
          modRevision: 3,
        });
        const del = await s.delete('/registry/core/pods/ns/a');
        assert.equal(del.revision, 4);
        assert.deepEqual(del.prev, {
          key: '/registry/core/pods/ns/a',
          value: 'A2',
          createRevision: 1,
          modRevision: 3,
        });
        assert.equal(await s.get('/registry/core/pods/ns/a'), undefined);
        assert.equal(await s.revision(), 4);
        // A key created again is a new incarnation.
        assert.equal(await s.create('/registry/core/pods/ns/a', 'A3'), 5);
        assert.equal((await s.get('/registry/core/pods/ns/a'))?.createRevision, 5);
      }));

    it('fails create on an existing key, update/delete on a missing one or a stale revision', () =>
      withStore(async (s) => {
        const rev = await s.create('/k/a', 'v');
        await rejects(s.create('/k/a', 'w'), isAlreadyExists, 'AlreadyExists');
        await rejects(s.update('/k/missing', 'w'), isNotFound, 'NotFound');
        await rejects(s.delete('/k/missing'), isNotFound, 'NotFound');
        await rejects(s.update('/k/a', 'w', rev + 7), isConflict, 'Conflict');
        await rejects(s.delete('/k/a', rev + 7), isConflict, 'Conflict');
        assert.equal(await s.revision(), rev, 'failed writes must not take a revision');
        assert.equal((await s.get('/k/a'))?.value, 'v');
        const rev2 = await s.update('/k/a', 'w', rev);
        assert.equal((await s.delete('/k/a', rev2)).prev.value, 'w');
      }));

    it('rejects bad keys and oversized values with Invalid and writes nothing', () =>
      withStore(
        async (s) => {
          for (const key of [
            '',
            'no/slash',
            '/a/../b',
            '/a/./b',
            '/a//b',
            '/a/b/',
            '/a/\0b',
            '/a/\nb',
            '/' + 'x'.repeat(1100),
          ]) {
            await rejects(s.create(key, 'v'), isInvalid, `Invalid for key ${JSON.stringify(key)}`);
            await rejects(s.get(key), isInvalid, `Invalid for get ${JSON.stringify(key)}`);
          }
          for (const prefix of ['', 'x/', '/a//', '/a/../']) {
            await rejects(
              s.list(prefix),
              isInvalid,
              `Invalid for prefix ${JSON.stringify(prefix)}`,
            );
          }
          await rejects(s.create('/big/one', 'x'.repeat(2001)), isInvalid, 'Invalid for big value');
          // Multi-byte characters count as their UTF-8 size.
          await rejects(s.create('/big/two', 'é'.repeat(1001)), isInvalid, 'Invalid (UTF-8 bytes)');
          await s.create('/big/ok', 'x'.repeat(2000));
          await rejects(s.update('/big/ok', 'y'.repeat(2001)), isInvalid, 'Invalid on update');
          assert.equal(await s.revision(), 1);
          assert.equal((await s.get('/big/ok'))?.value.length, 2000);
        },
        { ...NO_BACKGROUND, maxValueBytes: 2000 },
      ));

    it('defaults the value limit to 1.5 MiB', () =>
      withStore(async (s) => {
        await s.create('/v/max', 'x'.repeat(1.5 * 1024 * 1024));
        await rejects(s.create('/v/over', 'x'.repeat(1.5 * 1024 * 1024 + 1)), isInvalid, 'Invalid');
      }));

    it('lists a prefix in key order without touching neighbouring prefixes', () =>
      withStore(async (s) => {
        for (const k of ['/r/pods/b', '/r/pods/a', '/r/podsx/a', '/r/pod/z', '/r/pods/c/d']) {
          await s.create(k, k);
        }
        const all = await s.list('/r/pods/');
        assert.deepEqual(
          all.items.map((i) => i.key),
          ['/r/pods/a', '/r/pods/b', '/r/pods/c/d'],
        );
        assert.equal(all.revision, 5);
        assert.equal(all.continueToken, undefined);
        assert.equal(await s.count('/r/pods/'), 3);
        assert.equal(await s.count('/r/'), 5);
        assert.equal(await s.count('/'), 5);
        const one = await s.list('/r/pods/a');
        assert.deepEqual(
          one.items.map((i) => i.key),
          ['/r/pods/a'],
        );
      }));

    it('pages a list from one snapshot, whatever happens between pages', () =>
      withStore(async (s) => {
        for (let i = 0; i < 10; i++) await s.create(`/p/k${i}`, `v${i}`);
        const first = await s.list('/p/', { limit: 4 });
        assert.deepEqual(
          first.items.map((i) => i.value),
          ['v0', 'v1', 'v2', 'v3'],
        );
        assert.equal(first.remaining, 6);
        assert.ok(first.continueToken);
        // Changes after the first page must not show in later pages.
        await s.delete('/p/k5');
        await s.update('/p/k6', 'changed');
        await s.create('/p/k45', 'new');
        await s.create('/p/k9a', 'new');
        const second = await s.list('/p/', { limit: 4, continueToken: first.continueToken });
        assert.equal(second.revision, first.revision);
        assert.deepEqual(
          second.items.map((i) => i.value),
          ['v4', 'v5', 'v6', 'v7'],
        );
        assert.equal(second.items[2].modRevision, 7);
        assert.equal(second.remaining, 2);
        const third = await s.list('/p/', { limit: 4, continueToken: second.continueToken });
        assert.deepEqual(
          third.items.map((i) => i.value),
          ['v8', 'v9'],
        );
        assert.equal(third.continueToken, undefined);
        // The snapshot can also be asked for directly.
        const past = await s.list('/p/', { atRevision: 3 });
        assert.deepEqual(
          past.items.map((i) => i.value),
          ['v0', 'v1', 'v2'],
        );
        await rejects(s.list('/p/', { atRevision: 999 }), isUnavailable, 'Unavailable (future)');
      }));

    it('rejects malformed and foreign continue tokens', () =>
      withStore(async (s) => {
        for (let i = 0; i < 3; i++) await s.create(`/a/k${i}`, 'v');
        await s.create('/b/k', 'v');
        const page = await s.list('/a/', { limit: 1 });
        for (const token of [
          '!!!',
          'e30',
          Buffer.from('{"v":1,"rev":"x","after":"/a/k0"}').toString('base64url'),
        ]) {
          await rejects(s.list('/a/', { continueToken: token }), isInvalid, `Invalid for ${token}`);
        }
        await rejects(
          s.list('/b/', { continueToken: page.continueToken }),
          isInvalid,
          'Invalid for a token of another prefix',
        );
      }));

    it('watches: history after a revision, then live events, with previous values', () =>
      withStore(async (s) => {
        await s.create('/w/a', '1');
        const w = await s.watch('/w/', 0);
        const r2 = await s.update('/w/a', '2');
        await s.create('/other/x', 'ignored');
        const r4 = await s.delete('/w/a');
        const events = await readUntil(w, r4.revision);
        assert.deepEqual(
          events.map((e) => [e.type, e.key, e.revision, e.value, e.prevValue, e.prevRevision]),
          [
            ['create', '/w/a', 1, '1', undefined, undefined],
            ['update', '/w/a', r2, '2', '1', 1],
            ['delete', '/w/a', 4, '2', '2', 2],
          ],
        );
        assert.equal(w.progressRevision, 4);
        w.close();
        const after = await w[Symbol.asyncIterator]().next();
        assert.equal(after.done, true);
      }));

    it('resumes a watch from every revision without gaps or duplicates', () =>
      withStore(async (s) => {
        const keys = ['/x/a', '/x/b', '/y/a', '/x/c/d'];
        const all: { rev: number; key: string; type: string }[] = [];
        const live = new Set<string>();
        for (let i = 0; i < 60; i++) {
          const key = keys[(i * 7) % keys.length];
          let rev: number;
          let type: string;
          if (!live.has(key)) {
            rev = await s.create(key, `v${i}`);
            type = 'create';
            live.add(key);
          } else if (i % 5 === 0) {
            rev = (await s.delete(key)).revision;
            type = 'delete';
            live.delete(key);
          } else {
            rev = await s.update(key, `v${i}`);
            type = 'update';
          }
          all.push({ rev, key, type });
        }
        const fence = await s.create('/x/zz-fence', 'end');
        all.push({ rev: fence, key: '/x/zz-fence', type: 'create' });
        for (let from = 0; from <= fence - 1; from++) {
          const w = await s.watch('/x/', from);
          const got = await readUntil(w, fence);
          w.close();
          const want = all.filter((e) => e.rev > from && e.key.startsWith('/x/'));
          assert.deepEqual(
            got.map((e) => ({ rev: e.revision, key: e.key, type: e.type })),
            want,
            `watch from revision ${from}`,
          );
        }
      }));

    it('watches a single key', () =>
      withStore(async (s) => {
        const w = await s.watch('/one/key', 0);
        await s.create('/one/key2', 'no');
        await s.create('/one/key', 'yes');
        const fence = await s.update('/one/key', 'again');
        const got = await readUntil(w, fence);
        w.close();
        assert.deepEqual(
          got.map((e) => e.value),
          ['yes', 'again'],
        );
      }));

    it('serializes concurrent writers: compare-and-swap increments are never lost', () =>
      withStore(async (s) => {
        await s.create('/c/counter', '0');
        const w = await s.watch('/c/', 1);
        const workers = 8;
        const perWorker = 25;
        let conflicts = 0;
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (let done = 0; done < perWorker;) {
              const cur = (await s.get('/c/counter'))!;
              try {
                await s.update('/c/counter', String(Number(cur.value) + 1), cur.modRevision);
                done++;
              } catch (err) {
                if (!isConflict(err)) throw err;
                conflicts++;
              }
            }
          }),
        );
        const total = workers * perWorker;
        assert.equal((await s.get('/c/counter'))?.value, String(total));
        const events = await readUntil(w, total + 1);
        w.close();
        assert.deepEqual(
          events.map((e) => Number(e.value)),
          Array.from({ length: total }, (_, i) => i + 1),
        );
        assert.deepEqual(
          events.map((e) => e.revision),
          Array.from({ length: total }, (_, i) => i + 2),
        );
        // With 8 writers racing, some attempts must have lost and been told so.
        assert.ok(conflicts > 0, 'expected conflicts between concurrent writers');
      }));

    it('concurrent creates of many keys all land with distinct revisions', () =>
      withStore(async (s) => {
        const revs = await Promise.all(
          Array.from({ length: 500 }, (_, i) =>
            s.create(`/many/k${String(i).padStart(4, '0')}`, `v${i}`),
          ),
        );
        assert.equal(new Set(revs).size, 500);
        assert.deepEqual(
          [...revs].sort((a, b) => a - b),
          Array.from({ length: 500 }, (_, i) => i + 1),
        );
        assert.equal(await s.count('/many/'), 500);
        const dupes = await Promise.allSettled(
          Array.from({ length: 5 }, () => s.create('/many/dup', 'x')),
        );
        assert.equal(dupes.filter((d) => d.status === 'fulfilled').length, 1);
        assert.ok(
          dupes.every((d) => d.status === 'fulfilled' || isAlreadyExists(d.reason)),
          'the losers must fail with AlreadyExists',
        );
      }));

    it('ends a watcher that falls behind instead of buffering without bound', () =>
      withStore(async (s) => {
        const w = await s.watch('/slow/', 0, { maxQueued: 5 });
        const it = w[Symbol.asyncIterator]();
        const first = it.next(); // turns the watcher live
        await s.create('/slow/0', 'v');
        assert.equal((await within(first, 2000, 'first event')).value?.key, '/slow/0');
        for (let i = 1; i <= 10; i++) await s.create(`/slow/${i}`, 'v');
        await assert.rejects(
          (async () => {
            for (;;) {
              const r = await it.next();
              if (r.done) return;
            }
          })(),
          (err) => isUnavailable(err),
        );
        // Its progress stays at what it delivered, so a new watch can resume there.
        assert.equal(w.progressRevision, 1);
        // Others are unaffected.
        const w2 = await s.watch('/slow/', 1);
        assert.equal((await readUntil(w2, 11)).length, 10);
        w2.close();
      }));

    it('compacts old history, keeps every latest value, and expires older reads', () =>
      withStore(async (s) => {
        await s.create('/k/a', 'a1'); // 1
        await s.create('/k/b', 'b1'); // 2
        await s.update('/k/a', 'a2'); // 3
        await s.delete('/k/b'); // 4
        await s.create('/k/c', 'c1'); // 5
        await s.update('/k/a', 'a3'); // 6
        await s.update('/k/c', 'c2'); // 7
        const result = await s.compact(5);
        assert.equal(result.revision, 5);
        assert.ok(result.removed >= 3, `removed ${result.removed}`);
        assert.equal(await s.compactedRevision(), 5);
        await rejects(s.watch('/k/', 4), isExpired, 'Expired watch');
        await rejects(s.list('/k/', { atRevision: 4 }), isExpired, 'Expired list');
        // The snapshot at the compacted revision is intact.
        assert.deepEqual(
          (await s.list('/k/', { atRevision: 5 })).items.map((i) => [i.key, i.value]),
          [
            ['/k/a', 'a2'],
            ['/k/c', 'c1'],
          ],
        );
        assert.deepEqual(
          (await s.list('/k/')).items.map((i) => i.value),
          ['a3', 'c2'],
        );
        // History after it is complete, with previous values.
        const w = await s.watch('/k/', 5);
        const events = await readUntil(w, 7);
        w.close();
        assert.deepEqual(
          events.map((e) => [e.revision, e.value, e.prevValue]),
          [
            [6, 'a3', 'a2'],
            [7, 'c2', 'c1'],
          ],
        );
        await rejects(s.compact(100), isInvalid, 'Invalid (beyond current)');
      }));

    it('compaction racing a watch never yields a gap: the watcher completes or expires', async () => {
      let expiredRuns = 0;
      for (const stopAt of [50, 700, 1400]) {
        await withStore(
          async (s) => {
            const keys = Array.from({ length: 20 }, (_, i) => `/race/k${i}`);
            for (const k of keys) await s.create(k, '0');
            for (let i = 0; i < 1500; i++) await s.update(keys[i % keys.length], String(i));
            const last = await s.revision();
            const w = await s.watch('/race/', 0);
            const it = w[Symbol.asyncIterator]();
            let expected = 1;
            let compaction: Promise<unknown> | undefined;
            let expired = false;
            try {
              for (;;) {
                const r = await within(it.next(), 5000, 'race event');
                if (r.done) break;
                assert.equal(r.value.revision, expected, 'a gap or a duplicate in the watch');
                expected++;
                if (r.value.revision === stopAt) compaction = s.compact(1000);
                if (r.value.revision === last) break;
              }
            } catch (err) {
              if (!isExpired(err)) throw err;
              expired = true;
              expiredRuns++;
            }
            w.close();
            await compaction;
            if (!expired)
              assert.equal(expected, last + 1, 'a watcher that did not expire must finish');
            // Past the compacted revision before compaction ran: it must finish.
            if (stopAt > 1000) assert.equal(expired, false);
            // Whatever the watcher saw, the data is intact.
            assert.equal((await s.list('/race/')).items.length, 20);
          },
          { ...NO_BACKGROUND, compaction: { intervalMs: 0, batchSize: 100 } },
        );
      }
      // A watcher 950 revisions behind cannot have buffered everything: the
      // expiry path must have been taken at least once.
      assert.ok(expiredRuns >= 1, 'no run expired; the race was not exercised');
    });

    it('retention keeps the configured revisions and time window', async () => {
      let now = 1_000_000;
      await withStore(
        async (s) => {
          for (let i = 0; i < 100; i++) await s.create(`/t/k${i}`, 'v'); // revisions 1..100
          // Nothing is old enough yet.
          assert.equal((await s.compact()).revision, 0);
          now += 2000; // revisions 1..100 are now older than the window
          for (let i = 0; i < 50; i++) await s.update(`/t/k${i}`, 'w'); // 101..150
          // Count allows up to 140, time up to 100 (sampled when compact() ran above).
          assert.equal((await s.compact()).revision, 100);
          now += 2000;
          assert.equal((await s.compact()).revision, 140);
          await rejects(s.watch('/t/', 139), isExpired, 'Expired');
          const w = await s.watch('/t/', 140);
          assert.equal((await readUntil(w, 150)).length, 10);
          w.close();
        },
        {
          compaction: { intervalMs: 0, minRetainMs: 1000, minRetainRevisions: 10 },
          now: () => now,
        },
      );
    });

    it('runs compaction in the background by policy', async () => {
      await withStore(
        async (s) => {
          for (let i = 0; i < 30; i++) await s.create(`/bg/k${i}`, 'v');
          const deadline = Date.now() + 5000;
          while ((await s.compactedRevision()) < 20 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20));
          }
          assert.equal(await s.compactedRevision(), 20, 'background compaction to current - 10');
        },
        { compaction: { intervalMs: 10, minRetainMs: 0, minRetainRevisions: 10 } },
      );
    });

    it('after close, watchers end with Unavailable and calls fail with Unavailable', async () => {
      const s = await open(NO_BACKGROUND);
      const w = await s.watch('/z/', 0);
      const it = w[Symbol.asyncIterator]();
      const pending = it.next();
      await s.close();
      await rejects(pending, isUnavailable, 'Unavailable for the pending watcher');
      await rejects(s.create('/z/a', 'v'), isUnavailable, 'Unavailable write');
      await rejects(s.get('/z/a'), isUnavailable, 'Unavailable read');
      await s.close(); // idempotent
    });

    it('matches a simple model under random operation sequences', async () => {
      const keys = ['/m/a', '/m/b', '/m/c/d', '/n/a'];
      const op = fc.oneof(
        fc.record({
          t: fc.constant('create' as const),
          k: fc.constantFrom(...keys),
          v: fc.string(),
        }),
        fc.record({
          t: fc.constant('update' as const),
          k: fc.constantFrom(...keys),
          v: fc.string(),
          stale: fc.boolean(),
        }),
        fc.record({ t: fc.constant('delete' as const), k: fc.constantFrom(...keys) }),
        fc.record({ t: fc.constant('list' as const), limit: fc.integer({ min: 0, max: 3 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
          const s = await open(NO_BACKGROUND);
          try {
            const model = new Map<string, { value: string; mod: number; create: number }>();
            let rev = 0;
            for (const o of ops) {
              if (o.t === 'create') {
                const had = model.has(o.k);
                const r = await s.create(o.k, o.v).catch((e: unknown) => e);
                if (had) assert.ok(isAlreadyExists(r));
                else {
                  assert.equal(r, ++rev);
                  model.set(o.k, { value: o.v, mod: rev, create: rev });
                }
              } else if (o.t === 'update') {
                const cur = model.get(o.k);
                const r = await s
                  .update(o.k, o.v, o.stale ? (cur?.mod ?? 0) + 1 : cur?.mod)
                  .catch((e: unknown) => e);
                if (!cur) assert.ok(isNotFound(r));
                else if (o.stale) assert.ok(isConflict(r));
                else {
                  assert.equal(r, ++rev);
                  model.set(o.k, { value: o.v, mod: rev, create: cur.create });
                }
              } else if (o.t === 'delete') {
                const r = await s.delete(o.k).catch((e: unknown) => e);
                if (!model.has(o.k)) assert.ok(isNotFound(r));
                else {
                  assert.equal((r as { revision: number }).revision, ++rev);
                  model.delete(o.k);
                }
              } else {
                const got: string[] = [];
                let token: string | undefined;
                do {
                  const page = await s.list('/m/', { limit: o.limit, continueToken: token });
                  got.push(
                    ...page.items.map(
                      (i) => `${i.key}=${i.value}@${i.modRevision}/${i.createRevision}`,
                    ),
                  );
                  token = page.continueToken;
                } while (token);
                const want = [...model.entries()]
                  .filter(([k]) => k.startsWith('/m/'))
                  .sort(([a], [b]) => (a < b ? -1 : 1))
                  .map(([k, m]) => `${k}=${m.value}@${m.mod}/${m.create}`);
                assert.deepEqual(got, want);
              }
            }
            assert.equal(await s.revision(), rev);
          } finally {
            await s.close();
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
