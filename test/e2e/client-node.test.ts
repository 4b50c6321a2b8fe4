/** A list+watch informer from @kubernetes/client-node, the library most Node users run. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, removeDir, startServer, type ServerProcess } from '../helpers/cluster.ts';

describe('@kubernetes/client-node against verge server', () => {
  let server: ServerProcess;
  let kc: k8s.KubeConfig;

  before(async () => {
    server = await startServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
  });

  after(async () => {
    await server?.stop();
    removeDir(server?.dataDir);
  });

  it('an informer lists, then follows adds, updates and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'before-start' }, data: { a: '1' } },
    });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const seen: string[] = [];
    informer.on('add', (o: k8s.V1ConfigMap) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o: k8s.V1ConfigMap) =>
      seen.push(`update ${o.metadata?.name} ${o.data?.a}`),
    );
    informer.on('delete', (o: k8s.V1ConfigMap) => seen.push(`delete ${o.metadata?.name}`));
    let failure: unknown;
    informer.on('error', (err: unknown) => (failure = err));
    await informer.start();
    try {
      await eventually('the initial list', () => seen.includes('add before-start'));
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'live' }, data: { a: '1' } },
      });
      await eventually('the add', () => seen.includes('add live'));
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'live', body: { data: { a: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await eventually('the update', () => seen.includes('update live 2'));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'live' });
      await eventually('the delete', () => seen.includes('delete live'));
      const cached = informer
        .list('default')
        .map((o) => o.metadata?.name)
        .sort();
      assert.deepEqual(cached, ['before-start']);
      assert.equal(failure, undefined, String(failure));
    } finally {
      await informer.stop();
    }
  });

  it('typed clients read and write apps/v1 objects', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'typed' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'typed' } },
          template: {
            metadata: { labels: { app: 'typed' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      },
    });
    assert.equal(created.spec?.strategy?.type, 'RollingUpdate', 'defaults are applied');
    assert.equal(created.spec?.template.spec?.containers[0].imagePullPolicy, 'Always');
    const list = await apps.listNamespacedDeployment({ namespace: 'default' });
    assert.deepEqual(
      list.items.map((d) => d.metadata?.name),
      ['typed'],
    );
    const scale = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'typed' });
    assert.equal(scale.spec?.replicas, 2);
  });
});
