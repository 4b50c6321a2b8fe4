/**
 * `verge up`: the README's first command. The control plane starts and this
 * machine joins it as an edge node that turns Ready.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kubectl, eventually, removeDir } from '../helpers/cluster.ts';
import { freePort } from '../helpers/edge.ts';

const VERGE = fileURLToPath(new URL('../../bin/verge', import.meta.url));

it(
  'verge up runs the control plane and joins this machine as a Ready node',
  { timeout: 90_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verge-up-'));
    const [api, hub] = [await freePort(), await freePort()];
    const child = spawn(
      VERGE,
      ['up', '--api-port', String(api), '--hub-port', String(hub), '--node-name', 'up-node'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    for (const s of [child.stdout!, child.stderr!])
      createInterface({ input: s }).on('line', (l) => lines.push(l));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const kubeconfig = await eventually(
        'verge up to print the kubeconfig',
        () => lines.map((l) => /export KUBECONFIG=(\S+)/.exec(l)?.[1]).find(Boolean),
        45_000,
      );
      assert.equal(kubeconfig, join(dir, '.verge', 'server', 'kubeconfig.yaml'));
      const k = new Kubectl(kubeconfig);
      await eventually(
        'up-node Ready',
        async () => /^up-node\s+Ready\s/m.test(await k.ok(['get', 'nodes'])),
        45_000,
      );
      assert.ok(
        lines.some((l) => /edge up-node: registered node up-node/.test(l)),
        lines.join('\n'),
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
      removeDir(dir);
    }
  },
);
