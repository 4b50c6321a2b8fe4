/**
 * A watch over HTTP: a chunked response of newline-delimited JSON events, as
 * Kubernetes streams them. Honors backpressure (a client that stops reading
 * stops the stream, and the store ends the watcher when it falls too far
 * behind), sends bookmarks on an idle stream when asked, converts events to
 * Table rows for `kubectl get -w`, and ends after `timeoutSeconds` (or a random
 * 30–60 minutes, as Kubernetes does, so that watches do not all reconnect at once).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidError, isExpired, isUnavailable } from '../util/errors.ts';
import { apiVersionOf, type ResourceType } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import type { RequestContext } from './context.ts';
import type { HandlerDeps } from './handler.ts';
import type { Negotiated } from './negotiation.ts';
import type { ObjectEvent } from './rest.ts';
import { statusFromError } from './status.ts';
import { partialObjectMetadata, toTable, type IncludeObject } from './table.ts';

export interface WatchRequest {
  ctx: RequestContext;
  type: ResourceType;
  namespace: string | undefined;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
  negotiated: Negotiated;
  deps: HandlerDeps;
}

function flag(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidError(`invalid value for ${name}: ${JSON.stringify(v)}`, {
    reason: 'BadRequest',
  });
}

/**
 * The JSON of each watched object, shared by every watcher that sends it: events
 * from the store carry one decoded object for all watchers, so it is serialized
 * once, not once per watcher.
 */
const serialized = new WeakMap<object, string>();

function objectJson(obj: object): string {
  let json = serialized.get(obj);
  if (json === undefined) serialized.set(obj, (json = JSON.stringify(obj)));
  return json;
}

export async function serveWatch(w: WatchRequest): Promise<void> {
  const { query: q, res, req, deps } = w;
  req.resume();
  const bookmarks = flag(q, 'allowWatchBookmarks') ?? false;
  const timeoutParam = q.get('timeoutSeconds');
  const timeoutMs =
    timeoutParam && /^\d+$/.test(timeoutParam) && Number(timeoutParam) > 0
      ? Number(timeoutParam) * 1000
      : deps.limits.minWatchTimeoutMs * (1 + Math.random());
  const startHeaders = (): void => {
    res.writeHead(200, {
      'Content-Type': w.negotiated.contentType.replace('application/yaml', 'application/json'),
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
  };

  let watch;
  try {
    watch = await deps.storage.watch(w.ctx, w.type, w.namespace, {
      labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: q.get('fieldSelector') ?? undefined,
      resourceVersion: q.get('resourceVersion') ?? undefined,
      resourceVersionMatch: (q.get('resourceVersionMatch') || undefined) as
        'Exact' | 'NotOlderThan' | undefined,
      sendInitialEvents: flag(q, 'sendInitialEvents'),
      allowWatchBookmarks: bookmarks,
    });
  } catch (err) {
    if (!isExpired(err)) throw err;
    // Kubernetes reports a too-old resourceVersion as the first (and only) event.
    startHeaders();
    res.end(JSON.stringify({ type: 'ERROR', object: statusFromError(err).status }) + '\n');
    return;
  }

  const conversion = w.negotiated.conversion;
  const includeObject = (q.get('includeObject') || 'Metadata') as IncludeObject;
  let headersSent = false;
  const encode = (e: ObjectEvent): string => {
    if (conversion.as === 'none' && e.type !== 'ERROR' && e.type !== 'BOOKMARK') {
      return `{"type":"${e.type}","object":${objectJson(e.object)}}\n`;
    }
    let object: unknown = e.object;
    if (e.type !== 'ERROR' && e.type !== 'BOOKMARK') {
      if (conversion.as === 'Table') {
        object = toTable(w.type, [e.object as KubeObject], {
          includeObject,
          noHeaders: headersSent,
          version: conversion.version,
          listMeta: { resourceVersion: (e.object as KubeObject).metadata.resourceVersion },
          now: deps.storage.now(),
        });
        headersSent = true;
      } else if (
        conversion.as === 'PartialObjectMetadata' ||
        conversion.as === 'PartialObjectMetadataList'
      ) {
        object = partialObjectMetadata(e.object as KubeObject, conversion.version);
      }
    }
    return JSON.stringify({ type: e.type, object }) + '\n';
  };

  startHeaders();
  let closed = false;
  let lastWrite = Date.now();
  const stop = (): void => {
    if (closed) return;
    closed = true;
    watch.close();
    clearTimeout(timeout);
    clearInterval(bookmarkTimer);
  };
  res.on('close', stop);
  const timeout = setTimeout(stop, timeoutMs);
  const write = async (chunk: string): Promise<void> => {
    lastWrite = Date.now();
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  };
  const apiVersion = apiVersionOf(w.type.group, w.type.version);
  const bookmarkTimer = setInterval(
    () => {
      if (!bookmarks || closed || Date.now() - lastWrite < deps.bookmarkIntervalMs) return;
      const rv = watch.progressRevision();
      void write(
        JSON.stringify({
          type: 'BOOKMARK',
          object: { apiVersion, kind: w.type.kind, metadata: { resourceVersion: String(rv) } },
        }) + '\n',
      );
    },
    Math.max(50, Math.floor(deps.bookmarkIntervalMs / 2)),
  );
  bookmarkTimer.unref();

  try {
    for await (const event of watch) {
      if (closed) break;
      if (event.type === 'BOOKMARK' && !bookmarks) continue;
      await write(encode(event));
    }
  } catch (err) {
    // A watcher that fell behind just ends: clients re-watch from their last
    // resourceVersion. Anything else is reported as an ERROR event.
    if (!isUnavailable(err) && !closed) {
      await write(JSON.stringify({ type: 'ERROR', object: statusFromError(err).status }) + '\n');
    }
  } finally {
    stop();
    if (!res.writableEnded) res.end();
  }
}
