/** The launcher as a user runs it: bin/verge through a real shell process. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const verge = new URL('../../bin/verge', import.meta.url).pathname;

async function verge_(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(verge, args);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bin/verge', () => {
  it('prints help listing the commands', async () => {
    const r = await verge_(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: verge <command>/);
    assert.match(r.stdout, /version/);
  });

  it('prints its version on the pinned Node.js 24', async () => {
    const r = await verge_(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^verge \d+\.\d+\.\d+/m);
    assert.match(r.stdout, /kubernetes API v1\.\d+\.\d+/);
    assert.match(r.stdout, /node 24\./);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const r = await verge_(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  it('verge edge refuses an unknown runtime and a bad local API port, naming the flag', async () => {
    const base = ['edge', '--server', 'https://127.0.0.1:1', '--data-dir', '/nonexistent'];
    let r = await verge_([...base, '--runtime', 'docker']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--runtime wants process or cri, not "docker"/);
    r = await verge_([...base, '--local-api-port', '99999']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--local-api-port wants a port number or off, not "99999"/);
  });
});
