import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { Namespace } from '../api/types/core.ts';
import { FakeClock } from '../util/clock.ts';
import { ControllerManager } from './manager.ts';
import { missingServiceAccounts, serviceAccountController } from './serviceaccount.ts';
import { testApi } from './testing.ts';
import { countingClient, getOrUndefined, names, waitFor } from './gc/testing.ts';

describe('service account controller', () => {
  it('gives every namespace a default ServiceAccount, and brings it back', async () => {
    const clock = new FakeClock();
    const api = await testApi({ clock });
    const client = countingClient(api.client);
    const manager = new ControllerManager({ client, log: api.log, clock });
    manager.add(serviceAccountController);
    const ac = new AbortController();
    const running = manager.run(ac.signal);
    await manager.synced();

    // The namespaces that existed before.
    await waitFor(clock, 'default accounts in the system namespaces', async () => {
      const all = await api.client.list(GVR.serviceaccounts);
      return all.items.length === 4;
    });
    assert.deepEqual(
      (await api.client.list(GVR.serviceaccounts)).items
        .map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`)
        .sort(),
      ['default/default', 'kube-node-lease/default', 'kube-public/default', 'kube-system/default'],
    );

    // A new namespace.
    await api.client.create(GVR.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team' },
    });
    await waitFor(clock, 'team/default', () =>
      getOrUndefined(api.client, GVR.serviceaccounts, 'team', 'default'),
    );

    // Deleted: recreated, with a new uid.
    const before = await api.client.get(GVR.serviceaccounts, 'team', 'default');
    await api.client.delete(GVR.serviceaccounts, 'team', 'default');
    const after = await waitFor(clock, 'team/default again', () =>
      getOrUndefined(api.client, GVR.serviceaccounts, 'team', 'default'),
    );
    assert.notEqual(after.metadata.uid, before.metadata.uid);

    // Other accounts are not the controller's business.
    await api.client.create(GVR.serviceaccounts, 'team', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder', namespace: 'team' },
    });
    await api.client.delete(GVR.serviceaccounts, 'team', 'builder');
    await clock.advance(1_000);
    assert.deepEqual(names(await api.client.list(GVR.serviceaccounts, 'team')), ['default']);

    // A terminating namespace gets nothing new.
    await api.client.delete(GVR.namespaces, undefined, 'team');
    const creates = client.calls.get('create') ?? 0;
    await api.client.delete(GVR.serviceaccounts, 'team', 'default');
    await clock.advance(60_000);
    assert.equal(client.calls.get('create') ?? 0, creates);
    assert.equal(
      await getOrUndefined(api.client, GVR.serviceaccounts, 'team', 'default'),
      undefined,
    );

    ac.abort();
    await running;
    await api.close();
  });
});

describe('missingServiceAccounts', () => {
  const ns = (phase: 'Active' | 'Terminating', deleting = false): Namespace => ({
    metadata: { name: 'n', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { phase },
  });

  it('lists the wanted accounts the namespace lacks', () => {
    assert.deepEqual(
      missingServiceAccounts(ns('Active'), ['default', 'ci'], (n) => n === 'ci'),
      ['default'],
    );
  });

  it('asks for nothing in a namespace being deleted', () => {
    assert.deepEqual(
      missingServiceAccounts(ns('Terminating'), ['default'], () => false),
      [],
    );
    assert.deepEqual(
      missingServiceAccounts(ns('Active', true), ['default'], () => false),
      [],
    );
  });
});
