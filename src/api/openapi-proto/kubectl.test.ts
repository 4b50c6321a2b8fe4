/**
 * The real check: kubectl 1.27 and 1.28 download the encoded document from a
 * stub API server on 127.0.0.1 and act on what it says.
 *
 * The stub serves discovery from the built-in registry, /openapi/v2 as
 * protobuf, and (where a test says so) /openapi/v3; it answers a create with
 * the object it got and a patch with the stored object, so nothing is
 * persisted. Without /openapi/v3, kubectl's field-validation check falls back
 * to the v2 document, so what kubectl does shows what it read there:
 * - with a `fieldValidation` parameter on the kind's PATCH operation it sends
 *   even an object with an unknown field to the server (server validates);
 * - with the parameter removed it validates against the v2 definitions
 *   itself and rejects an unknown field deep in a Deployment's containers;
 * - on an update it computes a strategic merge patch from the v2 definitions:
 *   `$setElementOrder/containers` appears only when `containers` carries its
 *   merge key.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Discovery } from '../../apiserver/discovery.ts';
import { OpenApi } from '../../apiserver/openapi.ts';
import { builtinRegistry } from '../builtin-resources.ts';
import {
  encodeOpenApiV2,
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
} from './encode.ts';

type Json = Record<string, unknown>;

/** `kubectl.<version>` beside the real file `kubectl` on PATH resolves to, if there is one. */
function findKubectl(version: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const link = join(dir, 'kubectl');
    if (!dir || !existsSync(link)) continue;
    const candidate = join(dirname(realpathSync(link)), `kubectl.${version}`);
    return existsSync(candidate) ? candidate : undefined;
  }
  return undefined;
}

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  body: string;
}

interface StubOptions {
  /** The encoded /openapi/v2 document. */
  v2: Uint8Array;
  /** Serve /openapi/v3 (else 404, so kubectl falls back to v2). Default false. */
  v3?: boolean;
  /** The object a GET of its name returns and a PATCH answers with. Default: none (404). */
  existing?: Json;
}

const registry = builtinRegistry();
const openapi = new OpenApi(registry);
const discovery = new Discovery(registry);
const v2Json = (): Json => JSON.parse(openapi.v2()) as Json;

/** Answers kubectl with discovery, the documents, and echoes of its writes; records every request. */
async function startStub(
  options: StubOptions,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const json = (res: ServerResponse, code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse): void =>
    json(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const path = url.pathname;
    const method = req.method ?? '';
    seen.push({ method, path, query: url.searchParams, accept: req.headers.accept ?? '', body });
    if (path === '/openapi/v2') {
      if (!(req.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF)) return notFound(res);
      res.writeHead(200, { 'content-type': OPENAPI_V2_PROTOBUF_CONTENT_TYPE });
      res.end(options.v2);
      return;
    }
    if (path.startsWith('/openapi/v3')) {
      if (!options.v3) return notFound(res);
      if (path === '/openapi/v3') return json(res, 200, openapi.index());
      const [, , , prefix, a, b] = path.split('/');
      const doc = prefix === 'api' ? openapi.groupVersion('', a) : openapi.groupVersion(a, b);
      if (!doc) return notFound(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(doc.body);
      return;
    }
    if (path === '/api') return json(res, 200, discovery.apiVersions('127.0.0.1'));
    if (path === '/apis') return json(res, 200, discovery.apiGroupList());
    const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (gv) {
      const list = gv[1]
        ? discovery.apiResourceList('', 'v1')
        : discovery.apiResourceList(gv[2], gv[3]);
      return list ? json(res, 200, list) : notFound(res);
    }
    const existing = options.existing;
    const existingName = (existing?.metadata as Json | undefined)?.name;
    const isExisting = existing !== undefined && path.endsWith(`/${String(existingName)}`);
    if (method === 'GET' && isExisting) return json(res, 200, existing);
    if (method === 'POST') return json(res, 201, JSON.parse(body));
    if (method === 'PATCH' && isExisting) return json(res, 200, existing);
    return notFound(res);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seen: Seen[];
}

/** Runs `kubectl apply --dry-run=server -f <manifest>` against a fresh stub, with a fresh HOME (no discovery cache). */
async function apply(kubectl: string, manifest: string, stub: StubOptions): Promise<Run> {
  const server = await startStub(stub);
  const home = mkdtempSync(join(tmpdir(), 'verge-openapi-proto-'));
  try {
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: c\n  cluster: {server: "${server.url}"}`,
        'users:',
        '- name: u\n  user: {}',
        'contexts:',
        '- name: x\n  context: {cluster: c, user: u, namespace: default}',
        'current-context: x',
        '',
      ].join('\n'),
    );
    const file = join(home, 'manifest.yaml');
    writeFileSync(file, manifest);
    const args = ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-f', file];
    const result = await new Promise<Omit<Run, 'seen'>>((resolve) => {
      execFile(
        kubectl,
        args,
        { env: { HOME: home, PATH: process.env.PATH ?? '' }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
    return { ...result, seen: server.seen };
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function withoutFieldValidation(doc: Json): Json {
  for (const item of Object.values(doc.paths as Record<string, Json>)) {
    for (const [k, op] of Object.entries(item)) {
      if (k === 'parameters') continue;
      const o = op as { parameters: { name: string }[] };
      o.parameters = o.parameters.filter((p) => p.name !== 'fieldValidation');
    }
  }
  return doc;
}

function withoutContainersMergeKey(doc: Json): Json {
  const podSpec = (doc.definitions as Record<string, { properties: Record<string, Json> }>)[
    'io.k8s.api.core.v1.PodSpec'
  ];
  delete podSpec.properties.containers['x-kubernetes-patch-merge-key'];
  delete podSpec.properties.containers['x-kubernetes-patch-strategy'];
  return doc;
}

const CONFIGMAP_WITH_UNKNOWN_FIELD = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {a: b}
foo: bar
`;

const deployment = (extra: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:2"${extra}}
      - {name: side, image: busybox}
`;

/** A stored Deployment whose last-applied configuration has one container, so an apply of two is a patch. */
function storedDeployment(): Json {
  const last = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1' }] },
      },
    },
  };
  const stored = structuredClone(last) as Json & { metadata: Json };
  stored.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(last),
  };
  stored.metadata.resourceVersion = '5';
  stored.metadata.uid = '0c6b1c8e-0000-4000-8000-000000000001';
  return stored;
}

function requestLine(s: Seen): string {
  return `${s.method} ${s.path}`;
}

for (const version of ['1.27', '1.28']) {
  const kubectl = findKubectl(version);
  const skip = kubectl ? false : `kubectl.${version} not installed beside kubectl`;

  describe(`kubectl ${version} reads the protobuf /openapi/v2`, { skip }, () => {
    let full: Uint8Array;
    let noFieldValidation: Uint8Array;
    let noMergeKey: Uint8Array;

    before(() => {
      full = encodeOpenApiV2(v2Json());
      noFieldValidation = encodeOpenApiV2(withoutFieldValidation(v2Json()));
      noMergeKey = encodeOpenApiV2(withoutContainersMergeKey(v2Json()));
    });

    it('downloads and parses it as apply does, next to /openapi/v3', async () => {
      const run = await apply(kubectl!, CONFIGMAP_WITH_UNKNOWN_FIELD, { v2: full, v3: true });
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /openapi/i);
      assert.match(run.stdout, /^configmap\/cm created \(server dry run\)$/m);
      const get = run.seen.filter((s) => s.path === '/openapi/v2');
      assert.equal(get.length, 1, run.seen.map(requestLine).join('\n'));
      assert.equal(get[0].method, 'GET');
      assert.equal(get[0].accept, OPENAPI_V2_PROTOBUF);
      const post = run.seen.find((s) => s.method === 'POST');
      assert.ok(post, run.seen.map(requestLine).join('\n'));
      assert.equal(post.path, '/api/v1/namespaces/default/configmaps');
      assert.equal(post.query.get('dryRun'), 'All');
      assert.equal(post.query.get('fieldValidation'), 'Strict');
    });

    it('leaves validation to the server when the PATCH operation has fieldValidation', async () => {
      const run = await apply(kubectl!, CONFIGMAP_WITH_UNKNOWN_FIELD, { v2: full });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.seen.some((s) => s.path === '/openapi/v2'));
      const post = run.seen.find((s) => s.method === 'POST');
      assert.ok(post, run.seen.map(requestLine).join('\n'));
      assert.equal((JSON.parse(post.body) as Json).foo, 'bar');
    });

    it('validates against the v2 definitions itself when it has not', async () => {
      const run = await apply(kubectl!, deployment(', bogus: 1'), { v2: noFieldValidation });
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        run.stderr,
        /error validating data: ValidationError\(Deployment\.spec\.template\.spec\.containers\[0\]\): unknown field "bogus" in io\.k8s\.api\.core\.v1\.Container/,
      );
      assert.equal(run.seen.filter((s) => s.method !== 'GET').length, 0);
    });

    it('computes a strategic merge patch from the merge keys in the definitions', async () => {
      const patchOf = async (v2: Uint8Array): Promise<Json> => {
        const run = await apply(kubectl!, deployment(''), { v2, existing: storedDeployment() });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^deployment\.apps\/web configured \(server dry run\)$/m);
        const patch = run.seen.find((s) => s.method === 'PATCH');
        assert.ok(patch, run.seen.map(requestLine).join('\n'));
        assert.equal(patch.path, '/apis/apps/v1/namespaces/default/deployments/web');
        const body = JSON.parse(patch.body) as Json & { spec: Json };
        return body.spec;
      };
      const containers = [
        { image: 'nginx:2', name: 'web' },
        { image: 'busybox', name: 'side' },
      ];
      assert.deepEqual(await patchOf(full), {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
            containers,
          },
        },
      });
      // Control: without the merge key kubectl replaces the list.
      assert.deepEqual(await patchOf(noMergeKey), { template: { spec: { containers } } });
    });
  });
}
