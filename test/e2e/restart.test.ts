/** Restart keeps every object; SIGTERM stops cleanly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kubectl, removeDir, startServer } from '../helpers/cluster.ts';

describe('verge server restart', () => {
  it('keeps objects, resourceVersions and credentials across a SIGTERM restart', async () => {
    const first = await startServer();
    const k = new Kubectl(first.kubeconfig);
    try {
      await k.ok(['create', 'namespace', 'keep']);
      await k.ok(['create', 'configmap', 'kept', '-n', 'keep', '--from-literal=k=v']);
      await k.ok(['create', 'deployment', 'kept', '-n', 'keep', '--image=nginx', '--replicas=2']);
      const before = await k.json<{ metadata: { resourceVersion: string; uid: string } }>([
        'get',
        'configmap',
        'kept',
        '-n',
        'keep',
      ]);
      assert.equal(await first.stop(), 0, 'SIGTERM must end the server with exit code 0');
      assert.ok(
        first.output.some((l) => /stopped/.test(l)),
        first.output.join('\n'),
      );

      const second = await startServer({ dataDir: first.dataDir });
      try {
        // The same kubeconfig (same CA, same admin certificate) still works.
        const after = await k.json<{
          metadata: { resourceVersion: string; uid: string };
          data: { k: string };
        }>(['get', 'configmap', 'kept', '-n', 'keep']);
        assert.equal(after.metadata.uid, before.metadata.uid);
        assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
        assert.equal(after.data.k, 'v');
        assert.equal(
          await k.ok([
            'get',
            'deployment',
            'kept',
            '-n',
            'keep',
            '-o',
            'jsonpath={.spec.replicas}',
          ]),
          '2',
        );
        // New writes continue the revision sequence.
        const created = await k.json<{ metadata: { resourceVersion: string } }>([
          'create',
          'configmap',
          'after-restart',
          '-n',
          'keep',
        ]);
        assert.ok(
          Number(created.metadata.resourceVersion) > Number(before.metadata.resourceVersion),
        );
      } finally {
        await second.stop();
      }
    } finally {
      k.cleanup();
      removeDir(first.dataDir);
    }
  });
});
