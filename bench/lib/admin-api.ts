/**
 * Raw HTTPS calls to a `verge server` as the admin (credentials from its
 * kubeconfig), over keep-alive connections, for benchmarks that drive the API
 * faster than kubectl processes could.
 */
import { Agent, request } from 'node:https';
import { adminCredentials } from '../../test/helpers/cluster.ts';

export interface ApiResponse {
  code: number;
  body: string;
}

export interface AdminApi {
  /** One request; resolves with any status (the caller checks it), rejects on network errors. */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** Like `call`, but rejects unless the status is `want`; resolves with the parsed body. */
  json<T>(method: string, path: string, body?: unknown, want?: number): Promise<T>;
  close(): void;
}

/** An admin client for the server of `kubeconfig`, with at most `maxSockets` connections. */
export function adminApi(kubeconfig: string, maxSockets = 32): AdminApi {
  const creds = adminCredentials(kubeconfig);
  const url = new URL(creds.server);
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ca: creds.ca,
    cert: creds.cert,
    key: creds.key,
  });
  const call = (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiResponse> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          method,
          hostname: url.hostname,
          port: url.port,
          path,
          agent,
          headers: text
            ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return {
    call,
    async json<T>(method: string, path: string, body?: unknown, want = 200): Promise<T> {
      const r = await call(method, path, body);
      if (r.code !== want) {
        throw new Error(`${method} ${path}: want ${want}, got ${r.code}: ${r.body.slice(0, 500)}`);
      }
      return JSON.parse(r.body) as T;
    },
    close: () => agent.destroy(),
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; rejects on the first failure. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i], i);
    }),
  );
}
