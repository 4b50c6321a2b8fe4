/** `verge token` as a user runs it: bin/verge in its own process, beside an open token store. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  certificateHash,
  loadOrCreateServerPki,
  parseJoinToken,
  TokenStore,
} from '../pki/index.ts';
import { run, tempDir } from '../pki/test-helpers.ts';
import { formatTable } from './token.ts';

const verge = new URL('../../bin/verge', import.meta.url).pathname;
const env = { ...process.env, VERGE_FROM_SOURCE: '1' };
const token = (args: string[]) => run(verge, ['token', ...args], { env });

describe('verge token', () => {
  it('fails clearly when the data directory has no CA yet', async () => {
    await using dir = await tempDir('verge-token-');
    const r = await token(['create', '--data-dir', dir.path]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `verge: ${dir.path} has no cluster CA (${dir.path}/pki/ca.crt): run verge server --data-dir ${dir.path} first`,
    );
    assert.equal(r.stdout, '');
  });

  it('creates, lists and deletes tokens while another process has the store open', async () => {
    await using dir = await tempDir('verge-token-');
    await loadOrCreateServerPki(dir.path, { sans: [] });
    const caHash = certificateHash(readFileSync(join(dir.path, 'pki', 'ca.crt'), 'utf8'));
    // Stands for a running server holding the database.
    using server = TokenStore.open(dir.path);

    const bound = await token([
      'create',
      '--data-dir',
      dir.path,
      '--node',
      'edge-1',
      '--ttl',
      '2h',
      '--uses',
      '3',
      '--description',
      'north site',
    ]);
    assert.equal(bound.code, 0, bound.stderr);
    assert.match(bound.stdout, /^V1\.[0-9a-f]{64}\.[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
    const b = parseJoinToken(bound.stdout.trim());
    assert.equal(b.caHash, caHash, 'the token pins the sha256 of the CA certificate DER');

    const open = await token(['create', '--data-dir', dir.path]);
    assert.equal(open.code, 0, open.stderr);
    const o = parseJoinToken(open.stdout.trim());

    // The running "server" sees them at once and can check them.
    assert.equal(server.check(b, 'edge-1').ok, true);
    assert.equal(server.check(o, 'anything').ok, true);
    const expiresB = server
      .list()
      .find((t) => t.id === b.id)!
      .expires.getTime();
    assert.ok(Math.abs(expiresB - Date.now() - 2 * 3_600_000) < 60_000);

    const list = await token(['list', '--data-dir', dir.path]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID\s+NODE\s+USES-LEFT\s+EXPIRES\s+DESCRIPTION$/);
    assert.match(lines[1], new RegExp(`^${b.id}\\s+edge-1\\s+3\\s+\\S+Z\\s+north site$`));
    assert.match(lines[2], new RegExp(`^${o.id}\\s+<any>\\s+unlimited\\s+\\S+Z$`));
    for (const secret of [b.secret, o.secret]) {
      assert.ok(!list.stdout.includes(secret), 'list shows a secret');
      for (const f of readdirSync(join(dir.path, 'pki')).filter((n) => n.startsWith('tokens'))) {
        const bytes = readFileSync(join(dir.path, 'pki', f)).toString('latin1');
        assert.ok(!bytes.includes(secret), `${f} holds a secret`);
      }
    }

    const del = await token(['delete', '--data-dir', dir.path, b.id]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `token ${b.id} deleted\n`);
    const check = server.check(b, 'edge-1');
    assert.equal(!check.ok && check.rejection, 'revoked');
    const again = await token(['delete', '--data-dir', dir.path, b.id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`no token ${b.id}`));
    const after = await token(['list', '--data-dir', dir.path]);
    assert.doesNotMatch(after.stdout, new RegExp(b.id));
    assert.match(after.stdout, new RegExp(o.id));
  });

  it('refuses bad options and shows help', async () => {
    await using dir = await tempDir('verge-token-');
    await loadOrCreateServerPki(dir.path, { sans: [] });
    const results = await Promise.all([
      token(['create', '--data-dir', dir.path, '--uses', '0']),
      token(['create', '--data-dir', dir.path, '--node', 'Edge_1']),
      token(['create', '--data-dir', dir.path, '--ttl', 'soon']),
      token(['create']),
      token([]),
    ]);
    const [uses, node, ttl, noDir, bare] = results;
    assert.equal(uses.code, 1);
    assert.match(uses.stderr, /--uses: not a whole number of at least 1/);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /"Edge_1" is not a valid node name/);
    assert.equal(ttl.code, 1);
    assert.match(ttl.stderr, /--ttl: not a duration/);
    assert.equal(noDir.code, 1);
    assert.match(noDir.stderr, /--data-dir is required/);
    assert.equal(bare.code, 2);
    assert.match(bare.stdout, /Usage: verge token <command>/);
    using store = TokenStore.open(dir.path);
    assert.deepEqual(store.list(), [], 'no token was made by a refused command');
  });
});

describe('formatTable', () => {
  it('marks expired tokens and aligns columns', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const table = formatTable(
      [
        {
          id: 'abc123',
          expires: new Date('2026-01-01T11:00:00.500Z'),
          created: now,
          description: '',
          usesLeft: 0,
        },
        {
          id: 'def456',
          node: 'edge-long-name',
          expires: new Date('2026-01-02T12:00:00Z'),
          created: now,
          description: 'x y',
        },
      ],
      now,
    );
    assert.equal(
      table,
      [
        'ID       NODE             USES-LEFT   EXPIRES                          DESCRIPTION',
        'abc123   <any>            0           2026-01-01T11:00:00Z (expired)',
        'def456   edge-long-name   unlimited   2026-01-02T12:00:00Z             x y',
      ].join('\n'),
    );
  });
});
