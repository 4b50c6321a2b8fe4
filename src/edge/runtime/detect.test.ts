import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../util/log.ts';
import { chooseRuntime } from './detect.ts';

// The cri side (a socket that answers) is tested in cri.test.ts with containerd.

test('chooseRuntime falls back to process when no CRI socket answers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'verge-detect-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = `unix://${join(dir, 'no.sock')}`;
  const chosen = await chooseRuntime({
    criEndpoint: missing,
    stateDir: join(dir, 'state'),
    log: silentLogger(),
  });
  assert.equal(chosen.runtime.driver, 'process');
  assert.match(chosen.why, /no CRI runtime at .*no\.sock.*process driver/);
  await chosen.runtime.close();
});

test('chooseRuntime honours an explicit choice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'verge-detect-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = `unix://${join(dir, 'no.sock')}`;
  const log = silentLogger();
  const chosen = await chooseRuntime({
    runtime: 'process',
    criEndpoint: missing,
    stateDir: join(dir, 'state'),
    log,
  });
  assert.equal(chosen.runtime.driver, 'process');
  await chosen.runtime.close();
  await assert.rejects(
    chooseRuntime({ runtime: 'cri', criEndpoint: missing, stateDir: join(dir, 'state'), log }),
    /the cri runtime was chosen but .*no\.sock does not answer/,
  );
});
