/**
 * Runs the real kubectl against a plain-HTTP listener, captures the protobuf
 * bodies of its typed create calls and decodes them. kubectl needs no
 * discovery for these commands (it asks /version and tolerates a 404), so the
 * listener answers every GET with a 404 Status and every write with the object
 * it decoded. The captured bytes of these commands are also kept as fixtures
 * (kubectl-fixtures.ts), so the decoder is checked even where kubectl is absent.
 */
import assert from 'node:assert/strict';
import { skipUnless } from '../../../test/helpers/require.ts';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { builtinDefinitions } from '../openapi/builtin.ts';
import { SchemaResolver } from '../schema.ts';
import { decodeProtobufObject, isProtobufContentType } from './decode.ts';
import { kubectlFixtures } from './kubectl-fixtures.ts';

const run = promisify(execFile);
const resolver = new SchemaResolver(builtinDefinitions);

interface Captured {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

async function kubectlInstalled(): Promise<boolean> {
  try {
    await run('kubectl', ['version', '--client'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

describe('kubectl sends protobuf bodies the decoder understands', async () => {
  const installed = await kubectlInstalled();
  let server: Server;
  let home: string;
  let kubeconfig: string;
  const captured: Captured[] = [];

  before(async () => {
    if (!installed) return;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET') {
          res.writeHead(404);
          res.end(
            JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 }),
          );
          return;
        }
        const path = (req.url ?? '').split('?')[0];
        captured.push({
          method: req.method ?? '',
          path,
          contentType: req.headers['content-type'],
          body,
        });
        try {
          const obj = decodeProtobufObject(body, resolver);
          res.writeHead(201);
          res.end(JSON.stringify(obj));
        } catch (err) {
          res.writeHead(400);
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              code: 400,
              message: String(err),
            }),
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    home = mkdtempSync(join(tmpdir(), 'verge-kubectl-pb-'));
    kubeconfig = join(home, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: c\n  cluster: {server: "http://127.0.0.1:${port}"}`,
        'users:',
        '- name: u\n  user: {}',
        'contexts:',
        '- name: x\n  context: {cluster: c, user: u, namespace: default}',
        'current-context: x',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    if (!installed) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(home, { recursive: true, force: true });
  });

  const commands = [
    'create configmap x --from-literal=a=b',
    'create namespace n',
    'create deployment web --image=nginx --replicas=2',
  ];
  for (const command of commands) {
    it(`kubectl ${command}`, async (t) => {
      if (skipUnless(t, installed, 'kubectl is not installed')) return;
      const before = captured.length;
      await run(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...command.split(' ')],
        {
          env: { PATH: process.env.PATH ?? '', HOME: home },
          timeout: 60_000,
        },
      );
      const writes = captured.slice(before);
      assert.equal(writes.length, 1, `one write, got ${writes.map((w) => w.path).join(', ')}`);
      const [write] = writes;
      assert.equal(write.method, 'POST');
      assert.ok(isProtobufContentType(write.contentType), `content type ${write.contentType}`);
      const fixture = kubectlFixtures.find((f) => f.command === command);
      assert.ok(fixture !== undefined);
      assert.equal(write.path, fixture.path);
      assert.deepEqual(decodeProtobufObject(write.body, resolver), fixture.expected);
    });
  }
});
