/**
 * The seam for `kubectl logs`, `exec`, `attach` and `port-forward`: the API
 * server authenticates and authorizes, then hands the request to a PodConnector.
 * The edge link provides the real one (streams to the pod's node); until a node is
 * connected, requests get a clear error rather than a hang.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidError, UnavailableError } from '../util/errors.ts';
import type { KubeObject } from '../api/types/meta.ts';

export type ConnectKind = 'log' | 'exec' | 'attach' | 'portforward';

export interface PodConnector {
  /** Serves a plain HTTP connect request (`log`). */
  serve(
    kind: ConnectKind,
    pod: KubeObject,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): Promise<void>;
  /** Takes over an upgraded connection (exec, attach, port-forward over WebSocket or SPDY). */
  upgrade(
    kind: ConnectKind,
    pod: KubeObject,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    query: URLSearchParams,
  ): Promise<void>;
}

/** The pod's node, or the error Kubernetes gives for a pod not yet scheduled. */
export function nodeOf(pod: KubeObject): string {
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!node) {
    throw new InvalidError(`pod ${pod.metadata.name} does not have a host assigned`, {
      reason: 'BadRequest',
    });
  }
  return node;
}

/** Used until the edge link routes streams: every request fails clearly. */
export const disconnectedConnector: PodConnector = {
  serve(_kind, pod) {
    return Promise.reject(
      new UnavailableError(`node "${nodeOf(pod)}" is not connected to this server`),
    );
  },
  upgrade(_kind, pod) {
    return Promise.reject(
      new UnavailableError(`node "${nodeOf(pod)}" is not connected to this server`),
    );
  },
};
