/**
 * Wires the cloud hub into `verge server`: the join service (tokens in the
 * data dir, certificates from the cluster CA), and node requests over the link
 * decided by the API server's own authorizer chain and run through its REST
 * layer as the node, so a node may do over the hub exactly what it may do over
 * HTTPS.
 */
import { LocalClient } from '../apiserver/local-client.ts';
import type { ApiServer } from '../apiserver/server.ts';
import type { Attributes } from '../apiserver/auth.ts';
import { CloudHub, type HubAuthorization, type NodeUser } from '../hub/cloud/hub.ts';
import type { ApiRequest } from '../hub/protocol.ts';
import { createJoinService, TokenStore } from '../pki/index.ts';
import { isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';

export interface HubWiringOptions {
  host: string;
  port: number;
  dataDir: string;
  log: Logger;
  heartbeatSeconds?: number;
  /** Initial syncs at once before new connections are shed. Default 100. */
  maxConcurrentSyncs?: number;
  /** Node certificate lifetime (tests shorten it to see rotation). Default 365 days. */
  certificateValidityDays?: number;
}

/** The API path a node request stands for (for the authorizer and the logs). */
export function requestPath(r: ApiRequest): string {
  const base = r.resource.group ? `/apis/${r.resource.group}/${r.resource.version}` : '/api/v1';
  const ns = r.namespace ? `/namespaces/${r.namespace}` : '';
  const name = r.name ? `/${r.name}` : '';
  const sub = r.subresource ? `/${r.subresource}` : '';
  return `${base}${ns}/${r.resource.resource}${name}${sub}`;
}

export function hubAuthorization(server: ApiServer): HubAuthorization {
  return {
    async authorize(user: NodeUser, r: ApiRequest) {
      const created = (r.body as { metadata?: { name?: string } } | undefined)?.metadata?.name;

      const attrs: Attributes = {
        user: { name: user.name, groups: [...user.groups, 'system:authenticated'] },
        verb: r.verb,
        isResourceRequest: true,
        path: requestPath(r),
        group: r.resource.group,
        version: r.resource.version,
        resource: r.resource.resource,
        subresource: r.subresource ?? '',
        namespace: r.namespace ?? '',
        name: r.name ?? (r.verb === 'create' ? (created ?? '') : ''),
        fieldSelector: r.fieldSelector ?? '',
      };
      const d = await server.authorizer.authorize(attrs);
      return d.decision === 'allow'
        ? { allowed: true }
        : { allowed: false, reason: d.decision === 'deny' ? d.reason : 'not allowed' };
    },
    clientFor(user: NodeUser) {
      const ctx = {
        user: { name: user.name, groups: [...user.groups, 'system:authenticated'] },
        warnings: [],
      };
      return new LocalClient(server.registry, server.storage, () => ({ ...ctx, warnings: [] }));
    },
  };
}

export function createHub(
  server: ApiServer,
  o: HubWiringOptions,
): { hub: CloudHub; close(): void } {
  const tokens = TokenStore.open(o.dataDir);
  const system = new LocalClient(server.registry, server.storage);
  const join = createJoinService({
    tokens,
    ca: server.pki.ca,
    logger: o.log,
    certificateValidityDays: o.certificateValidityDays,
    nodeExists: async (name) => {
      try {
        await system.get({ group: '', version: 'v1', resource: 'nodes' }, undefined, name);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
  });
  const hub = new CloudHub({
    host: o.host,
    port: o.port,
    tls: {
      certPem: server.pki.server.certPem,
      keyPem: server.pki.server.keyPem,
      caPem: server.pki.ca.certPem,
    },
    client: system,
    authorization: hubAuthorization(server),
    joinHandler: join.handle,
    renewCertificate: (node, csr) => join.renewNodeCertificate(node, csr),
    log: o.log,
    heartbeatSeconds: o.heartbeatSeconds,
    maxConcurrentSyncs: o.maxConcurrentSyncs,
  });
  return { hub, close: () => tokens.close() };
}
