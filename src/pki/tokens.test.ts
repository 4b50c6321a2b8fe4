import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { isInvalid, isNotFound } from '../util/errors.ts';
import { tempDir } from './test-helpers.ts';
import {
  DEFAULT_TOKEN_TTL_MS,
  TokenStore,
  formatJoinToken,
  isNodeName,
  parseJoinToken,
} from './tokens.ts';

const CA_HASH = 'ab'.repeat(32);
const KEY_A = '0a'.repeat(32);
const KEY_B = '0b'.repeat(32);

function store(path: string, now: () => number = Date.now): TokenStore {
  return new TokenStore({ path: join(path, 'tokens.db'), now });
}

describe('parseJoinToken', () => {
  it('round-trips a token', () => {
    const t = { caHash: CA_HASH, id: 'abc123', secret: '0123456789abcdef' };
    assert.deepEqual(parseJoinToken(formatJoinToken(t)), t);
    assert.deepEqual(parseJoinToken(` ${formatJoinToken(t)}\n`), t);
  });

  it('says what is wrong with a malformed token, never echoing the secret', () => {
    const secret = 'supersecretvalue';
    const cases: [unknown, RegExp][] = [
      ['', /empty/],
      [undefined, /empty/],
      [`V1.${CA_HASH}.abc123`, /3 part/],
      [`V2.${CA_HASH}.abc123.${secret}`, /does not start with V1/],
      [`V1.${'AB'.repeat(32)}.abc123.${secret}`, /CA hash/],
      [`V1.${CA_HASH.slice(2)}.abc123.${secret}`, /CA hash/],
      [`V1.${CA_HASH}.ABC123.${secret}`, /the id/],
      [`V1.${CA_HASH}.abc12.${secret}`, /the id/],
      [`V1.${CA_HASH}.abc123.${secret}x`, /the secret/],
      [`V1.${CA_HASH}.abc123.SUPERSECRETVALUE`, /the secret/],
      [`V1.${CA_HASH}.abc123.${secret}.x`, /5 part/],
    ];
    for (const [token, message] of cases) {
      assert.throws(
        () => parseJoinToken(token),
        (err: Error) => {
          assert.ok(isInvalid(err), `${String(token)}: ${err.message}`);
          assert.match(err.message, message);
          assert.doesNotMatch(err.message, /supersecret/i);
          return true;
        },
      );
    }
  });
});

describe('isNodeName', () => {
  it('accepts DNS-1123 subdomains only', () => {
    for (const ok of ['edge-1', 'a', 'edge-1.site.example.com', '0abc', 'a'.repeat(253)]) {
      assert.ok(isNodeName(ok), ok);
    }
    for (const bad of ['', 'Edge', '-a', 'a-', 'a..b', 'a_b', 'a/b', 'a'.repeat(254), 'ä']) {
      assert.ok(!isNodeName(bad), bad);
    }
  });
});

describe('TokenStore', () => {
  it('creates tokens with the documented defaults and lists them without secrets', async () => {
    await using dir = await tempDir();
    const now = Date.UTC(2026, 0, 1);
    using tokens = store(dir.path, () => now);
    const a = tokens.create({ caHash: CA_HASH });
    const b = tokens.create({
      caHash: CA_HASH,
      node: 'edge-1',
      ttlMs: 60_000,
      uses: 3,
      description: 'first site',
    });
    const parsed = parseJoinToken(a.token);
    assert.equal(parsed.caHash, CA_HASH);
    assert.match(parsed.id, /^[a-z0-9]{6}$/);
    assert.match(parsed.secret, /^[a-z0-9]{16}$/);
    assert.deepEqual(a.info, {
      id: parsed.id,
      expires: new Date(now + DEFAULT_TOKEN_TTL_MS),
      created: new Date(now),
      description: '',
    });
    // Created in the same millisecond: listed by creation time, then id.
    const byId = (x: { id: string }, y: { id: string }): number => x.id.localeCompare(y.id);
    assert.deepEqual(tokens.list().sort(byId), [a.info, b.info].sort(byId));
    assert.equal(b.info.node, 'edge-1');
    assert.equal(b.info.usesLeft, 3);
    assert.doesNotMatch(JSON.stringify(tokens.list()), new RegExp(parsed.secret));
    assert.equal(statSync(tokens.path).mode & 0o777, 0o600);
  });

  it('refuses bad options', async () => {
    await using dir = await tempDir();
    using tokens = store(dir.path);
    for (const options of [
      { caHash: 'nothex' },
      { caHash: CA_HASH, node: 'Not_A_Name' },
      { caHash: CA_HASH, ttlMs: 0 },
      { caHash: CA_HASH, uses: 0 },
      { caHash: CA_HASH, uses: 1.5 },
      { caHash: CA_HASH, description: 'line\nbreak' },
      { caHash: CA_HASH, description: 'x'.repeat(257) },
    ]) {
      assert.throws(() => tokens.create(options), isInvalid, JSON.stringify(options));
    }
    assert.deepEqual(tokens.list(), []);
  });

  it('accepts a valid token and rejects each kind of bad one, saying which', async () => {
    await using dir = await tempDir();
    let now = Date.UTC(2026, 0, 1);
    using tokens = store(dir.path, () => now);
    const any = parseJoinToken(tokens.create({ caHash: CA_HASH, ttlMs: 60_000 }).token);
    const bound = parseJoinToken(tokens.create({ caHash: CA_HASH, node: 'edge-1' }).token);
    const revoked = parseJoinToken(tokens.create({ caHash: CA_HASH }).token);
    tokens.revoke(revoked.id);

    const check = (t: typeof any, node = 'edge-1') => tokens.check(t, node);
    assert.equal(check(any).ok, true);
    assert.equal(check(bound).ok, true);
    const rejected = (
      result: ReturnType<typeof check>,
      rejection: string,
      message: RegExp,
    ): void => {
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.rejection, rejection);
      assert.match(result.message, message);
    };
    rejected(check({ ...any, id: 'zzzzzz' }), 'unknown', /token zzzzzz does not exist/);
    rejected(check({ ...any, secret: 'x'.repeat(16) }), 'wrong-secret', /wrong secret/);
    rejected(check(revoked), 'revoked', /revoked/);
    rejected(check(bound, 'edge-2'), 'other-node', /bound to node "edge-1", not "edge-2"/);
    now += 60_000;
    rejected(check(any), 'expired', /expired at 2026-01-01T00:01:00.000Z/);
    assert.equal(check(bound).ok, true);
    // A day after expiry the row is gone: the id is unknown.
    now += 24 * 60 * 60 * 1000 + 1;
    tokens.create({ caHash: CA_HASH });
    rejected(check(any), 'unknown', /does not exist/);
  });

  it('takes one use per join, only when the join commits', async () => {
    await using dir = await tempDir();
    using tokens = store(dir.path);
    const t = parseJoinToken(tokens.create({ caHash: CA_HASH, uses: 2 }).token);
    const join = (node: string, key: string, expected?: string) =>
      tokens.commitJoin({ token: t, nodeName: node, spkiSha256: key, expectedBinding: expected });
    assert.equal(tokens.check(t, 'edge-1').ok, true); // a check consumes nothing
    const first = join('edge-1', KEY_A);
    assert.ok(first.ok);
    assert.equal(first.info.usesLeft, 1);
    assert.equal(tokens.nodeKey('edge-1'), KEY_A);
    // The binding changed under a join that expected none: refused, nothing used.
    const raced = join('edge-1', KEY_B, undefined);
    assert.equal(raced.ok, false);
    assert.equal(!raced.ok && raced.rejection, 'binding-changed');
    assert.equal(tokens.list()[0].usesLeft, 1);
    assert.equal(tokens.nodeKey('edge-1'), KEY_A);
    // Same key again is fine.
    assert.ok(join('edge-1', KEY_A).ok);
    assert.equal(tokens.list()[0].usesLeft, 0);
    const used = join('edge-2', KEY_B);
    assert.equal(!used.ok && used.rejection, 'used-up');
    assert.equal(tokens.nodeKey('edge-2'), undefined);

    const unlimited = parseJoinToken(tokens.create({ caHash: CA_HASH }).token);
    for (let i = 0; i < 3; i++) {
      const r = tokens.commitJoin({
        token: unlimited,
        nodeName: `n${i}`,
        spkiSha256: KEY_A,
        expectedBinding: undefined,
      });
      assert.ok(r.ok);
      assert.equal(r.info.usesLeft, undefined);
    }
  });

  it('revokes, and says so for an unknown id', async () => {
    await using dir = await tempDir();
    using tokens = store(dir.path);
    const { info } = tokens.create({ caHash: CA_HASH });
    tokens.revoke(info.id);
    assert.deepEqual(tokens.list(), []);
    assert.throws(() => tokens.revoke(info.id), isNotFound);
    assert.throws(() => tokens.revoke('nope00'), isNotFound);
    assert.throws(() => tokens.revoke('../x'), isInvalid);
  });

  it('keeps node key bindings', async () => {
    await using dir = await tempDir();
    using tokens = store(dir.path);
    tokens.setNodeKey('edge-1', KEY_A);
    tokens.setNodeKey('edge-1', KEY_B);
    assert.equal(tokens.nodeKey('edge-1'), KEY_B);
    tokens.deleteNodeKey('edge-1');
    tokens.deleteNodeKey('edge-1');
    assert.equal(tokens.nodeKey('edge-1'), undefined);
  });

  it('never writes the secret to the database files', async () => {
    await using dir = await tempDir();
    const tokens = store(dir.path);
    const secrets: string[] = [];
    for (let i = 0; i < 20; i++) {
      const t = parseJoinToken(tokens.create({ caHash: CA_HASH, description: `t${i}` }).token);
      secrets.push(t.secret);
    }
    const files = () =>
      ['tokens.db', 'tokens.db-wal']
        .map((f) => join(dir.path, f))
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString('latin1'));
    const check = () => {
      const text = files().join('');
      assert.match(text, /t19/); // the content is there, readable
      for (const s of secrets) assert.ok(!text.includes(s), 'a secret is in the database');
    };
    check(); // with the WAL
    tokens.close();
    check(); // checkpointed
  });

  it('is shared with another handle (another process) on the same file', async () => {
    await using dir = await tempDir();
    using a = store(dir.path);
    using b = store(dir.path);
    const { token, info } = a.create({ caHash: CA_HASH, uses: 1 });
    assert.deepEqual(b.list(), [info]);
    const t = parseJoinToken(token);
    const commit = (s: TokenStore) =>
      s.commitJoin({ token: t, nodeName: 'edge-1', spkiSha256: KEY_A, expectedBinding: undefined });
    assert.ok(commit(b).ok);
    const second = commit(a);
    assert.equal(!second.ok && second.rejection, 'used-up');
  });

  it('lets exactly one of several processes take the last use', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'tokens.db');
    let token: string;
    {
      using tokens = new TokenStore({ path });
      token = tokens.create({ caHash: CA_HASH, uses: 1 }).token;
    }
    const tokensModule = new URL('./tokens.ts', import.meta.url).href;
    // Each child opens the store, says "ready", waits for "go", then tries to join.
    const script = `
      import { TokenStore, parseJoinToken } from ${JSON.stringify(tokensModule)};
      import { createInterface } from 'node:readline';
      const store = new TokenStore({ path: process.argv[1] });
      const token = parseJoinToken(process.argv[2]);
      console.log('ready');
      for await (const _ of createInterface({ input: process.stdin })) {
        const r = store.commitJoin({ token, nodeName: 'n' + process.pid, spkiSha256: ${JSON.stringify(KEY_A)}, expectedBinding: undefined });
        console.log(JSON.stringify(r.ok ? 'won' : r.rejection));
        store.close();
        process.exit(0);
      }`;
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--input-type=module', '-e', script, path, token], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const lines = children.map((child) => {
      const it = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      return async () => (await it.next()).value as string | undefined;
    });
    for (const next of lines) assert.equal(await next(), 'ready');
    for (const child of children) child.stdin!.write('go\n');
    const results = await Promise.all(lines.map(async (next) => JSON.parse((await next())!)));
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)),
      ),
    );
    assert.equal(results.filter((r) => r === 'won').length, 1, JSON.stringify(results));
    assert.equal(results.filter((r) => r === 'used-up').length, 3, JSON.stringify(results));
    using tokens = new TokenStore({ path });
    assert.equal(tokens.list()[0].usesLeft, 0);
  });

  it('refuses a database of another application and leaves it untouched', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'tokens.db');
    const other = new DatabaseSync(path);
    other.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    other.close();
    const before = readFileSync(path);
    assert.throws(() => new TokenStore({ path }), /not a Verge token database/);
    assert.deepEqual(readFileSync(path), before);
    writeFileSync(path, 'not sqlite at all, just text that is long enough to be a header');
    assert.throws(() => new TokenStore({ path }), isInvalid);
  });
});
