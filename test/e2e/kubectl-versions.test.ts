/**
 * The system kubectl is a dispatcher that runs kubectl.1.27 ... kubectl.1.33 by
 * the version the server reports; each of them must work against Verge.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { removeDir, startServer, type ServerProcess } from '../helpers/cluster.ts';
import { skipUnless } from '../helpers/require.ts';

const kubectlDir = dirname(
  execFileSync('readlink', ['-f', execFileSync('which', ['kubectl']).toString().trim()])
    .toString()
    .trim(),
);
const versions = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

function run(
  bin: string,
  kubeconfig: string,
  home: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      ['--kubeconfig', kubeconfig, ...args],
      { env: { ...process.env, HOME: home }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? 1 : 0, stdout, out: stdout + stderr });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe('every kubectl the dispatcher can pick', () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server?.stop();
    removeDir(server?.dataDir);
  });

  for (const v of versions) {
    const bin = join(kubectlDir, `kubectl.${v}`);
    it(`kubectl ${v}: discovery, apply, get, patch, explain, delete`, async (t) => {
      if (skipUnless(t, existsSync(bin), `${bin} is not installed`)) return;
      const home = mkdtempSync(join(tmpdir(), `verge-kubectl-${v}-`));
      try {
        const ns = `v${v.replace('.', '-')}`;
        const must = async (args: string[], input?: string): Promise<string> => {
          const r = await run(bin, server.kubeconfig, home, args, input);
          assert.equal(r.code, 0, `kubectl ${v} ${args.join(' ')}:\n${r.out}`);
          return r.stdout;
        };
        const version = JSON.parse(await must(['version', '-o', 'json'])) as {
          serverVersion: { gitVersion: string };
        };
        assert.match(version.serverVersion.gitVersion, /^v1\.33\./);
        await must(['create', 'namespace', ns]);
        await must(
          ['apply', '-n', ns, '-f', '-'],
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n`,
        );
        await must(
          ['apply', '-n', ns, '-f', '-'],
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.26\n`,
        );
        assert.match(await must(['get', 'deploy', 'web', '-n', ns]), /^web\s+0\/2\s/m);
        await must(['patch', 'deploy', 'web', '-n', ns, '-p', '{"spec":{"replicas":3}}']);
        assert.match(
          await must([
            'get',
            'deploy',
            'web',
            '-n',
            ns,
            '-o',
            'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}',
          ]),
          /^3 nginx:1\.26$/,
        );
        assert.match(await must(['explain', 'deployment.spec.replicas']), /replicas\s+<integer>/);
        assert.match(await must(['api-resources']), /deployments\s+deploy\s+apps\/v1/);
        await must(['delete', 'deploy', 'web', '-n', ns]);
      } finally {
        removeDir(home);
      }
    });
  }
});
