/**
 * REST-layer lifecycle rules that are easy to get subtly wrong, checked through
 * the in-process client over the memory store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { isNotFound } from '../util/errors.ts';
import { testApi } from '../controllers/testing.ts';

describe('REST layer lifecycle', () => {
  it('an update or patch that changes nothing writes nothing (cluster-scoped too)', async () => {
    const api = await testApi();
    const node = await api.client.create<KubeObject>(GVR.nodes, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { a: 'b' } },
    });
    const before = await api.store.revision();
    const same = await api.client.update(GVR.nodes, undefined, node);
    assert.equal(same.metadata.resourceVersion, node.metadata.resourceVersion);
    await api.client.patch(GVR.nodes, undefined, 'n1', 'merge', {});
    await api.client.patch(GVR.nodes, undefined, 'n1', 'merge', {
      metadata: { labels: { a: 'b' } },
    });
    // A status write of an object without status, changing nothing.
    await api.client.update(
      GVR.nodes,
      undefined,
      { ...node, metadata: { ...node.metadata } },
      { subresource: 'status' },
    );
    assert.equal(await api.store.revision(), before, 'no revision may be spent on a no-op');
    await api.close();
  });

  it('a pod past its grace period goes once its last finalizer is removed', async () => {
    const api = await testApi();
    await api.client.create(GVR.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['example.com/hold'] },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
    });
    // Graceful: the node agent would finish it; with grace 0 it is over at once.
    const terminating = await api.client.delete(GVR.pods, 'default', 'p', {
      gracePeriodSeconds: 0,
    });
    assert.ok(terminating.metadata.deletionTimestamp, 'held by its finalizer');
    await api.client.patch(GVR.pods, 'default', 'p', 'merge', { metadata: { finalizers: null } });
    await assert.rejects(api.client.get(GVR.pods, 'default', 'p'), (e) => isNotFound(e));
    await api.close();
  });

  it('a bound pod in its grace period stays until its node agent deletes it', async () => {
    const api = await testApi();
    await api.client.create(GVR.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'q' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
    });
    const deleting = await api.client.delete(GVR.pods, 'default', 'q');
    assert.equal(deleting.metadata.deletionGracePeriodSeconds, 30);
    assert.ok((await api.client.get(GVR.pods, 'default', 'q')).metadata.deletionTimestamp);
    await api.client.delete(GVR.pods, 'default', 'q', { gracePeriodSeconds: 0 });
    await assert.rejects(api.client.get(GVR.pods, 'default', 'q'), (e) => isNotFound(e));
    await api.close();
  });
});
