/**
 * End-to-end test harness: runs a real `verge server` process on 127.0.0.1 with
 * its own data directory, and a real `kubectl` with its own HOME (so discovery
 * caches never leak between tests), and waits for conditions instead of sleeping.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request, type Agent, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const VERGE = new URL('../../bin/verge', import.meta.url).pathname;

export interface ServerProcess {
  dataDir: string;
  kubeconfig: string;
  url: string;
  /** The hub (join + edge WebSocket) endpoint, https://host:port. */
  hubUrl: string;
  child: ChildProcess;
  output: string[];
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
}

/** Starts `verge server` on a free port and waits until it says it is ready. */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'verge-e2e-'));
  const child = spawn(
    VERGE,
    [
      'server',
      '--data-dir',
      dataDir,
      ...(options.args?.includes('--api-port') ? [] : ['--api-port', '0']),
      ...(options.args?.includes('--hub-port') ? [] : ['--hub-port', '0']),
      ...(options.args ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        VERGE_LOG_LEVEL: process.env.VERGE_LOG_LEVEL ?? 'warn',
        ...options.env,
      },
    },
  );
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let hubUrl = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`verge server did not become ready in 30 s:\n${output.join('\n')}`)),
      30_000,
    );
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const hub = /hub listening on (https:\/\/\S+)/.exec(line);
        if (hub) hubUrl = hub[1]!;
        const m = /ready at (https:\/\/\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`verge server exited (${code}) before it was ready:\n${output.join('\n')}`));
    });
  });
  return {
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    url,
    hubUrl,
    child,
    output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A long-running kubectl (such as `get -w`), its stdout gathered line by line. */
export interface KubectlWatch {
  readonly lines: string[];
  stderr(): string;
  stop(): void;
}

/** A kubectl bound to one server's kubeconfig and a private HOME/cache. */
export class Kubectl {
  readonly kubeconfig: string;
  readonly home: string;
  readonly bin: string;

  /** `bin`: the kubectl binary to run (the system dispatcher by default). */
  constructor(kubeconfig: string, bin = 'kubectl') {
    this.kubeconfig = kubeconfig;
    this.bin = bin;
    this.home = mkdtempSync(join(tmpdir(), 'verge-kubectl-'));
  }

  get #env(): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home, KUBECACHEDIR: join(this.home, 'cache') };
  }

  run(args: string[], input?: string): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        this.bin,
        ['--kubeconfig', this.kubeconfig, ...args],
        {
          env: this.#env,
          maxBuffer: 64 * 1024 * 1024,
          timeout: 120_000,
        },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin!.end(input);
    });
  }

  /** Runs kubectl and fails with its output unless it exits 0. */
  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Runs kubectl expecting failure; returns stderr. */
  async fails(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.code === 0)
      throw new Error(`kubectl ${args.join(' ')} succeeded but should have failed:\n${r.stdout}`);
    return r.stderr;
  }

  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  /** Starts kubectl with `args` and leaves it running until stop(). */
  watch(args: string[]): KubectlWatch {
    const child = spawn(this.bin, ['--kubeconfig', this.kubeconfig, ...args], {
      env: this.#env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return { lines, stderr: () => stderr, stop: () => child.kill() };
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Plain HTTP GET (pods, port-forwards, the edge's local API); any status resolves. */
export function httpGet(
  host: string,
  port: number,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Admin client credentials from a kubeconfig, for raw HTTPS requests in tests. */
export function adminCredentials(kubeconfig: string): {
  ca: string;
  cert: string;
  key: string;
  server: string;
} {
  const text = readFileSync(kubeconfig, 'utf8');
  const field = (name: string): string => {
    const m = new RegExp(`${name}: (\\S+)`).exec(text);
    if (!m) throw new Error(`no ${name} in ${kubeconfig}`);
    return m[1];
  };
  const b64 = (name: string): string => Buffer.from(field(name), 'base64').toString('utf8');
  return {
    ca: b64('certificate-authority-data'),
    cert: b64('client-certificate-data'),
    key: b64('client-key-data'),
    server: field('server'),
  };
}

export type Credentials = ReturnType<typeof adminCredentials>;

export interface HttpsReply {
  code: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsCallOptions {
  body?: string | Buffer;
  headers?: OutgoingHttpHeaders;
  /** A keep-alive agent, or false for a connection of its own (the global agent by default). */
  agent?: Agent | false;
  /** Overrides of the TLS options, such as another client certificate or none. */
  tls?: Partial<RequestOptions>;
}

/**
 * One HTTPS request to the server of `creds`, authenticated by their client
 * certificate; resolves with any status and the whole body, rejects on network errors.
 */
export function httpsCall(
  creds: Credentials,
  method: string,
  path: string,
  options: HttpsCallOptions = {},
): Promise<HttpsReply> {
  const url = new URL(path, creds.server);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        ca: creds.ca,
        cert: creds.cert,
        key: creds.key,
        agent: options.agent,
        headers: options.headers,
        ...options.tls,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            code: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function removeDir(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
