/**
 * Raw HTTPS calls to a `verge server` as the admin (credentials from its
 * kubeconfig), over keep-alive connections, for benchmarks that drive the API
 * faster than kubectl processes could.
 */
import { Agent } from 'node:https';
import { adminCredentials, httpsCall } from '../../test/helpers/cluster.ts';

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
    httpsCall(
      creds,
      method,
      path,
      body === undefined
        ? { agent }
        : { agent, body: JSON.stringify(body), headers: { 'Content-Type': contentType } },
    );
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
