/**
 * Helpers for the pki tests: temporary directories, real child processes
 * (openssl, kubectl) and a real mutual-TLS HTTPS server. Not used by production code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { identityFromPeerCertificate } from './certificates.ts';

export async function tempDir(prefix = 'verge-pki-'): Promise<{
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion without blocking the event loop (a test server may be serving it). */
export function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface MtlsServer {
  url: (host?: string) => string;
  /** How many requests reached the handler. */
  requests: () => number;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 that requires a client certificate from `caPem`
 * and answers every request with `{ authorized, identity }` as JSON.
 */
export async function startMtlsServer(options: {
  caPem: string;
  certPem: string;
  keyPem: string;
}): Promise<MtlsServer> {
  let count = 0;
  const server: Server = createServer(
    {
      ca: options.caPem,
      cert: options.certPem,
      key: options.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      count++;
      const socket = req.socket as TLSSocket;
      const body = JSON.stringify({
        authorized: socket.authorized,
        identity: identityFromPeerCertificate(socket.getPeerCertificate()) ?? null,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: (host = '127.0.0.1') => `https://${host}:${port}`,
    requests: () => count,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
