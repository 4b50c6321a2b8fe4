/**
 * The system kubectl is a dispatcher that runs kubectl.1.27 ... kubectl.1.33 by
 * the version the server reports; each of them must work against Verge.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kubectl, removeDir, startServer, type ServerProcess } from '../helpers/cluster.ts';
import { skipUnless } from '../helpers/require.ts';

const kubectlDir = dirname(
  execFileSync('readlink', ['-f', execFileSync('which', ['kubectl']).toString().trim()])
    .toString()
    .trim(),
);
const versions = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

const deployment = (replicas: number, image: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: ${image}\n`;

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
      const k = new Kubectl(server.kubeconfig, bin);
      try {
        const ns = `v${v.replace('.', '-')}`;
        const must = async (args: string[], input?: string): Promise<string> => {
          const r = await k.run(args, input);
          assert.equal(r.code, 0, `kubectl ${v} ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
          return r.stdout;
        };
        const version = JSON.parse(await must(['version', '-o', 'json'])) as {
          serverVersion: { gitVersion: string };
        };
        assert.match(version.serverVersion.gitVersion, /^v1\.33\./);
        await must(['create', 'namespace', ns]);
        await must(['apply', '-n', ns, '-f', '-'], deployment(1, 'nginx:1.25'));
        await must(['apply', '-n', ns, '-f', '-'], deployment(2, 'nginx:1.26'));
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
        k.cleanup();
      }
    });
  }
});
