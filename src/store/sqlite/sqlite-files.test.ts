/**
 * What only the SQLite driver can get wrong: persistence, crashes, foreign and
 * corrupt files, and another process holding the file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { createInterface } from 'node:readline';
import { isInvalid, isUnavailable } from '../../util/errors.ts';
import { readUntil } from '../contract.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'verge-sqlite-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `f${n++}.db`);
const noBackground = { compaction: { intervalMs: 0 } };

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function spawnFixture(name: string, path: string): ChildProcess {
  return spawn(process.execPath, [new URL(name, import.meta.url).pathname, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Resolves with the first stdout line of `child` matching `pattern`. */
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

describe('sqlite store files', () => {
  it('keeps objects, revision and compaction state across a restart', async () => {
    const path = fresh();
    const s1 = await openSqliteStore({ path, ...noBackground });
    await s1.create('/k/a', 'a1');
    await s1.create('/k/b', 'b1');
    await s1.update('/k/a', 'a2');
    await s1.delete('/k/b');
    await s1.compact(2);
    await s1.close();

    const s2 = await openSqliteStore({ path, ...noBackground });
    try {
      assert.equal(await s2.revision(), 4);
      assert.equal(await s2.compactedRevision(), 2);
      assert.deepEqual(
        (await s2.list('/k/')).items.map((i) => [i.key, i.value, i.modRevision]),
        [['/k/a', 'a2', 3]],
      );
      assert.equal(await s2.create('/k/c', 'c1'), 5);
      const w = await s2.watch('/k/', 2);
      const events = await readUntil(w, 5);
      w.close();
      assert.deepEqual(
        events.map((e) => [e.type, e.revision]),
        [
          ['update', 3],
          ['delete', 4],
          ['create', 5],
        ],
      );
    } finally {
      await s2.close();
    }
  });

  it('refuses a file that is not SQLite, naming it and leaving it untouched', async () => {
    const path = fresh();
    writeFileSync(path, Buffer.from('this is not a database, just some text that is long enough'));
    const before = sha(path);
    await assert.rejects(openSqliteStore({ path }), (err: Error) => {
      assert.ok(isInvalid(err));
      assert.match(err.message, new RegExp(path.replace(/[.]/g, '\\.')));
      assert.match(err.message, /not a SQLite database/);
      return true;
    });
    assert.equal(sha(path), before);
  });

  it("refuses another application's SQLite database, leaving it untouched", async () => {
    const path = fresh();
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'x')",
    );
    db.close();
    const before = sha(path);
    await assert.rejects(openSqliteStore({ path }), (err: Error) => {
      assert.ok(isInvalid(err));
      assert.match(err.message, /another application/);
      assert.ok(err.message.includes(path));
      return true;
    });
    assert.equal(sha(path), before);
  });

  it('refuses a corrupted store file, leaving it untouched', async () => {
    const path = fresh();
    const s = await openSqliteStore({ path, ...noBackground });
    for (let i = 0; i < 200; i++) await s.create(`/c/k${i}`, 'v'.repeat(500));
    await s.close();
    // Scribble over the b-tree headers of every page after the first, as a torn
    // write on flash would, leaving the file header intact.
    const bytes = readFileSync(path);
    assert.ok(bytes.length > 8192, `file is ${bytes.length} bytes`);
    for (let page = 4096; page < bytes.length; page += 4096) {
      for (let i = page; i < page + 12; i++) bytes[i] = (i * 31) & 0xff;
    }
    writeFileSync(path, bytes);
    const before = sha(path);
    await assert.rejects(openSqliteStore({ path }), (err: Error) => {
      assert.ok(isInvalid(err), String(err));
      assert.match(err.message, /corrupt/);
      assert.ok(err.message.includes(path));
      return true;
    });
    assert.equal(sha(path), before);
  });

  it('fails clearly when another process holds the store', async () => {
    const path = fresh();
    const holder = spawnFixture('./holder.fixture.ts', path);
    try {
      await waitForLine(holder, /^ready$/);
      await assert.rejects(openSqliteStore({ path, busyTimeoutMs: 200 }), (err: Error) => {
        assert.ok(isUnavailable(err), String(err));
        assert.match(err.message, /locked by another process/);
        assert.ok(err.message.includes(path));
        return true;
      });
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    // Once the holder is gone, the store opens normally.
    const s = await openSqliteStore({ path, ...noBackground });
    await s.close();
  });

  it('loses no acknowledged write and keeps no partial write when killed with SIGKILL', async () => {
    const path = fresh();
    const child = spawnFixture('./crash-writer.fixture.ts', path);
    const acked = new Map<string, number>();
    const rl = createInterface({ input: child.stdout! });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      rl.on('line', (line) => {
        const m = /^ack (\S+) (\d+)$/.exec(line);
        if (!m) return;
        acked.set(m[1], Math.max(acked.get(m[1]) ?? 0, Number(m[2])));
        // Kill in the middle of the burst, with writes in flight.
        if (acked.size === 600) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    rl.close();
    assert.ok(acked.size >= 600);

    const s = await openSqliteStore({ path, ...noBackground });
    try {
      const revision = await s.revision();
      const { items } = await s.list('/crash/');
      const byKey = new Map(items.map((i) => [i.key, i]));
      for (const [key, rev] of acked) {
        const got = byKey.get(key);
        assert.ok(got, `acknowledged ${key} (revision ${rev}) is missing after the crash`);
        assert.ok(got.modRevision >= rev, `${key} went back from ${rev} to ${got.modRevision}`);
      }
      for (const item of items) {
        const { body, sha: digest } = JSON.parse(item.value) as { body: string; sha: string };
        assert.equal(
          createHash('sha256').update(body).digest('hex'),
          digest,
          `${item.key} is torn`,
        );
        assert.ok(item.modRevision <= revision);
      }
      // The log is whole: every revision from 1 to the current one is there, so
      // no batch was half-committed.
      const w = await s.watch('/', 0);
      const events = await readUntil(w, revision);
      w.close();
      assert.deepEqual(
        events.map((e) => e.revision),
        Array.from({ length: revision }, (_, i) => i + 1),
      );
      assert.ok(statSync(path).size > 0);
    } finally {
      await s.close();
    }
  });
});
