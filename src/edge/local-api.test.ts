import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get, request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { silentLogger } from '../util/log.ts';
import { acceptsJson, startLocalApi, type LocalApi } from './local-api.ts';
import { LocalStore, openEdgeDatabase, type EdgeDatabase, type KubeObject } from './local-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'verge-local-api-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const log = silentLogger();

function pod(
  ns: string,
  name: string,
  rv: number,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${ns}-${name}`,
      resourceVersion: String(rv),
      labels: { app: name.replace(/-\d+$/, ''), tier: ns === 'kube-system' ? 'system' : 'web' },
    },
    spec: { nodeName: 'edge-1', containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

function cm(ns: string, name: string, rv: number, data: Record<string, string> = {}): KubeObject {
  // As the hub sends list items: without apiVersion and kind.
  return {
    metadata: { name, namespace: ns, uid: `uid-cm-${name}`, resourceVersion: String(rv) },
    data,
  };
}

async function getJson(
  port: number,
  path: string,
  init: RequestInit = {},
): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await res.text();
  return { code: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

interface Event {
  type: string;
  object: KubeObject & { code?: number; reason?: string };
}

/** An open watch whose events pile up in `events`. */
function openWatch(port: number, path: string): Promise<{ events: Event[]; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      const events: Event[] = [];
      createInterface({ input: res }).on('line', (line) => {
        if (line.trim() !== '') events.push(JSON.parse(line) as Event);
      });
      resolve({ events, res });
    }).on('error', reject);
  });
}

async function until<T>(what: string, check: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function summary(events: Event[]): string[] {
  return events.map((e) =>
    e.type === 'ERROR'
      ? `ERROR ${String(e.object.code)}`
      : `${e.type} ${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}`,
  );
}

describe('local API', () => {
  let edb: EdgeDatabase;
  let store: LocalStore;
  let api: LocalApi;
  let port: number;

  beforeEach(async () => {
    edb = openEdgeDatabase(join(dir, `e${n++}.db`), { busyTimeoutMs: 200 });
    store = new LocalStore(edb, { log });
    store.apply([
      { type: 'put', kind: 'Pod', object: pod('default', 'web-1', 10) },
      { type: 'put', kind: 'Pod', object: pod('default', 'db-1', 11) },
      { type: 'put', kind: 'Pod', object: pod('kube-system', 'proxy-1', 12) },
      { type: 'put', kind: 'ConfigMap', object: cm('default', 'settings', 13, { a: '1' }) },
      {
        type: 'put',
        kind: 'Node',
        object: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'edge-1', resourceVersion: '9' },
        },
      },
      {
        type: 'put',
        kind: 'Lease',
        object: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'edge-1', namespace: 'kube-node-lease', resourceVersion: '14' },
        },
      },
    ]);
    api = await startLocalApi({ store, port: 0, log, nodeName: 'edge-1' });
    port = api.port;
  });

  afterEach(async () => {
    await api.close();
    edb.close();
  });

  it('refuses to bind anywhere but loopback', async () => {
    await assert.rejects(
      startLocalApi({ store, host: '0.0.0.0', port: 0, log, nodeName: 'edge-1' }),
      /loopback only/,
    );
  });

  it('serves version, health and discovery', async () => {
    const version = await getJson(port, '/version');
    assert.equal(version.body.major, '1');
    assert.match(String(version.body.gitVersion), /^v1\.\d+\.\d+\+verge-/);
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text(), 'ok');
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    const api1 = await getJson(port, '/api');
    assert.deepEqual(api1.body.versions, ['v1']);
    const core = await getJson(port, '/api/v1');
    const resources = core.body.resources as {
      name: string;
      verbs: string[];
      namespaced: boolean;
    }[];
    assert.deepEqual(resources.map((r) => r.name).sort(), [
      'configmaps',
      'nodes',
      'pods',
      'secrets',
    ]);
    for (const r of resources) assert.deepEqual(r.verbs, ['get', 'list', 'watch']);
    assert.equal(resources.find((r) => r.name === 'nodes')?.namespaced, false);
    const groups = await getJson(port, '/apis');
    assert.deepEqual(groups.body.groups, [
      {
        name: 'coordination.k8s.io',
        versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
      },
    ]);
    const leases = await getJson(port, '/apis/coordination.k8s.io/v1');
    assert.equal(leases.body.groupVersion, 'coordination.k8s.io/v1');
    assert.equal((await getJson(port, '/apis/apps/v1')).code, 404);
  });

  it('lists and gets, with the local revision as the list resourceVersion', async () => {
    const all = await getJson(port, '/api/v1/pods');
    assert.equal(all.code, 200);
    assert.equal(all.body.kind, 'PodList');
    assert.equal(
      (all.body.metadata as { resourceVersion: string }).resourceVersion,
      String(store.revision()),
    );
    const items = all.body.items as KubeObject[];
    assert.deepEqual(
      items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
      ['default/db-1', 'default/web-1', 'kube-system/proxy-1'],
    );
    const inNs = await getJson(port, '/api/v1/namespaces/default/pods');
    assert.equal((inNs.body.items as KubeObject[]).length, 2);
    const one = await getJson(port, '/api/v1/namespaces/default/configmaps/settings');
    assert.equal(one.code, 200);
    // Filled in from the table although the stored object lacks them.
    assert.equal(one.body.apiVersion, 'v1');
    assert.equal(one.body.kind, 'ConfigMap');
    assert.deepEqual(one.body.data, { a: '1' });
    const node = await getJson(port, '/api/v1/nodes/edge-1');
    assert.equal((node.body.metadata as { name: string }).name, 'edge-1');
    const lease = await getJson(
      port,
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-1',
    );
    assert.equal(lease.code, 200);
    const missing = await getJson(port, '/api/v1/namespaces/default/pods/nope');
    assert.equal(missing.code, 404);
    assert.equal(missing.body.kind, 'Status');
    assert.equal(missing.body.reason, 'NotFound');
    assert.equal(missing.body.message, 'pods "nope" not found');
  });

  it('filters by label and field selectors', async () => {
    const names = async (query: string): Promise<string[]> => {
      const r = await getJson(port, `/api/v1/pods?${query}`);
      assert.equal(r.code, 200, JSON.stringify(r.body));
      return (r.body.items as KubeObject[]).map((p) => p.metadata.name!);
    };
    const q = (s: string): string => new URLSearchParams(s).toString();
    assert.deepEqual(await names(q('labelSelector=app=web')), ['web-1']);
    assert.deepEqual(await names(q('labelSelector=app!=web')), ['db-1', 'proxy-1']);
    assert.deepEqual(await names(q('labelSelector=app in (web,db)')), ['db-1', 'web-1']);
    assert.deepEqual(await names(q('labelSelector=app notin (web,db)')), ['proxy-1']);
    assert.deepEqual(await names(q('labelSelector=tier')), ['db-1', 'web-1', 'proxy-1']);
    assert.deepEqual(await names(q('labelSelector=!tier')), []);
    assert.deepEqual(await names(q('labelSelector=tier=web,app=db')), ['db-1']);
    assert.deepEqual(await names(q('fieldSelector=metadata.name=proxy-1')), ['proxy-1']);
    assert.deepEqual(await names(q('fieldSelector=metadata.namespace!=default')), ['proxy-1']);
    assert.deepEqual(await names(q('fieldSelector=spec.nodeName=edge-1,metadata.name=db-1')), [
      'db-1',
    ]);
    assert.deepEqual(await names(q('fieldSelector=spec.nodeName=other')), []);
    assert.deepEqual(await names(q('limit=1')), ['db-1', 'web-1', 'proxy-1']);
    const bad = await getJson(port, `/api/v1/pods?${q('labelSelector=app in (')}`);
    assert.equal(bad.code, 400);
    const badField = await getJson(
      port,
      `/api/v1/configmaps?${q('fieldSelector=spec.nodeName=x')}`,
    );
    assert.equal(badField.code, 400);
    assert.equal(badField.body.message, 'field label not supported: spec.nodeName');
  });

  it('is read-only and strict about paths, headers and bodies', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const r = await getJson(port, '/api/v1/namespaces/default/pods/web-1', {
        method,
        body: method === 'DELETE' ? undefined : '{}',
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(r.code, 405, method);
      assert.equal(r.body.reason, 'MethodNotAllowed');
      assert.match(String(r.body.message), /the local API is read-only/);
    }
    for (const path of [
      '/nope',
      '/api/v2',
      '/api/v1/widgets',
      '/api/v1/pods/web-1',
      '/api/v1/namespaces/default/pods/web-1/status/x',
    ]) {
      const r = await getJson(port, path);
      assert.equal(r.code, 404, path);
      assert.equal(r.body.kind, 'Status');
    }
    const protobuf = await getJson(port, '/api/v1/pods', {
      headers: { Accept: 'application/vnd.kubernetes.protobuf' },
    });
    assert.equal(protobuf.code, 406);
    const huge = await fetch(`http://127.0.0.1:${port}/api/v1/pods`, {
      headers: { 'X-Padding': 'x'.repeat(16 * 1024) },
    });
    assert.equal(huge.status, 431);
    const withBody = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/pods',
          method: 'GET',
          headers: { 'Content-Length': '7' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end('{"a":1}');
    });
    assert.equal(withBody, 413);
    // A request line far over the limit is cut off too.
    const longLine = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () =>
        s.write(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      let text = '';
      s.on('data', (d) => (text += d.toString()));
      s.on('close', () => resolve(text));
      s.on('error', () => resolve(text));
    });
    assert.match(longLine, /^HTTP\/1\.1 431/);
  });

  it('watches: current objects as ADDED, then puts and deletes, selectors applied', async () => {
    const all = await openWatch(port, '/api/v1/namespaces/default/pods?watch=true');
    const web = await openWatch(port, '/api/v1/pods?watch=1&labelSelector=app%3Dweb');
    await until('the initial events', () => all.events.length === 2 && web.events.length === 1);
    assert.deepEqual(summary(all.events), ['ADDED default/db-1', 'ADDED default/web-1']);
    store.apply([
      { type: 'put', kind: 'Pod', object: pod('default', 'web-2', 20) },
      { type: 'put', kind: 'Pod', object: pod('other', 'web-3', 21) },
    ]);
    store.apply([{ type: 'delete', kind: 'Pod', namespace: 'default', name: 'db-1' }]);
    // web-1 relabelled: it leaves the app=web watch as a DELETED.
    const moved = pod('default', 'web-1', 22);
    moved.metadata.labels = { app: 'moved' };
    store.apply([{ type: 'put', kind: 'Pod', object: moved }]);
    store.apply([{ type: 'put', kind: 'ConfigMap', object: cm('default', 'other', 23) }]);
    await until('the live events', () => all.events.length === 5 && web.events.length === 4);
    assert.deepEqual(summary(all.events), [
      'ADDED default/db-1',
      'ADDED default/web-1',
      'ADDED default/web-2',
      'DELETED default/db-1',
      'MODIFIED default/web-1',
    ]);
    assert.deepEqual(summary(web.events), [
      'ADDED default/web-1',
      'ADDED default/web-2',
      'ADDED other/web-3',
      'DELETED default/web-1',
    ]);
    assert.equal(all.events[2]!.object.kind, 'Pod');
    all.res.destroy();
    web.res.destroy();
  });

  it('watches from the list revision with only newer changes; an older one is Expired', async () => {
    const list = await getJson(port, '/api/v1/configmaps');
    const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
    const w = await openWatch(
      port,
      `/api/v1/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`,
    );
    store.apply([
      { type: 'put', kind: 'ConfigMap', object: cm('default', 'settings', 30, { a: '2' }) },
    ]);
    await until('the change and its bookmark', () => w.events.length === 2);
    assert.equal(w.events[0]!.type, 'MODIFIED');
    assert.deepEqual((w.events[0]!.object as { data?: unknown }).data, { a: '2' });
    assert.deepEqual(w.events[1], {
      type: 'BOOKMARK',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { resourceVersion: String(store.revision()) },
      },
    });
    w.res.destroy();

    const old = await openWatch(port, `/api/v1/configmaps?watch=1&resourceVersion=${rv}`);
    await until('the end of the stream', () => old.res.complete);
    assert.deepEqual(summary(old.events), ['ERROR 410']);
    assert.equal(old.events[0]!.object.reason, 'Expired');
  });

  it('ends a watch at timeoutSeconds with a bookmark', async () => {
    const w = await openWatch(
      port,
      '/api/v1/nodes?watch=1&timeoutSeconds=1&allowWatchBookmarks=true',
    );
    await until('the end of the stream', () => w.res.complete);
    assert.deepEqual(
      w.events.map((e) => e.type),
      ['ADDED', 'BOOKMARK'],
    );
  });

  it('keeps serving with no cloud at all, and close ends open watches', async () => {
    // Nothing here ever had a cloud: the store alone answers.
    const w = await openWatch(port, '/api/v1/secrets?watch=1');
    store.apply([
      {
        type: 'put',
        kind: 'Secret',
        object: { metadata: { name: 's', namespace: 'default', resourceVersion: '40' }, data: {} },
      },
    ]);
    await until('the secret', () => w.events.length === 1);
    assert.equal((await getJson(port, '/api/v1/namespaces/default/secrets/s')).code, 200);
    await api.close();
    await until('the watch to end', () => w.res.complete || w.res.destroyed);
  });

  it('works with @kubernetes/client-node', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'none' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'none' }],
      currentContext: 'local',
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'tier=web' });
    assert.deepEqual(
      pods.items.map((p) => p.metadata?.name),
      ['db-1', 'web-1'],
    );
    assert.equal(pods.metadata?.resourceVersion, String(store.revision()));
    const c = await core.readNamespacedConfigMap({ namespace: 'default', name: 'settings' });
    assert.deepEqual(c.data, { a: '1' });
  });

  it('works with the system kubectl', async (t) => {
    const run = (args: string[]): Promise<{ code: number; out: string }> =>
      new Promise((resolve) => {
        execFile(
          'kubectl',
          ['--kubeconfig', '/dev/null', '--server', `http://127.0.0.1:${port}`, ...args],
          { env: { ...process.env, HOME: dir }, timeout: 60_000 },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            resolve({ code, out: `${stdout}${stderr}` });
          },
        );
      });
    const probe = await run(['version', '--client']);
    if (probe.code === -1 || /ENOENT|not found/.test(probe.out)) {
      t.skip('kubectl is not installed');
      return;
    }
    const pods = await run(['get', 'pods', '-A']);
    assert.equal(pods.code, 0, pods.out);
    assert.match(pods.out, /kube-system\s+proxy-1/);
    assert.match(pods.out, /default\s+web-1/);
    const cms = await run(['get', 'cm', 'settings', '-o', 'jsonpath={.data.a}']);
    assert.equal(cms.code, 0, cms.out);
    assert.equal(cms.out, '1');
    const write = await run(['delete', 'pod', 'web-1']);
    assert.notEqual(write.code, 0);
    assert.match(write.out, /read-only|MethodNotAllowed|not allowed/i);
  });
});

describe('acceptsJson', () => {
  it('takes JSON, wildcards and what kubectl sends; refuses Table-only and protobuf', () => {
    assert.equal(acceptsJson(undefined), true);
    assert.equal(acceptsJson('*/*'), true);
    assert.equal(
      acceptsJson(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ),
      true,
    );
    assert.equal(acceptsJson('application/json;as=Table;v=v1;g=meta.k8s.io'), false);
    assert.equal(acceptsJson('application/vnd.kubernetes.protobuf'), false);
  });
});
