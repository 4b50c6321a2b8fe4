/**
 * Authentication (who is this?) and authorization (may they?).
 *
 * Authentication: a client certificate verified against the server's CA (user =
 * CN, groups = O), or a bearer token from the static token file. Neither: 401.
 *
 * Authorization is a chain of authorizers, each allowing, denying or passing.
 * Built in: `system:masters` may do anything; any authenticated user may read
 * discovery, OpenAPI, version and health, and ask about themselves
 * (SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview), as
 * Kubernetes' default RBAC allows. Nodes (`system:node:<name>`) get their view
 * from the node authorizer (node-authorizer.ts). Everything else is denied
 * until RBAC exists.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { InvalidError } from '../util/errors.ts';
import { identityFromPeerCertificate } from '../pki/index.ts';
import type { UserInfo } from './context.ts';
import { isAdmin } from './context.ts';
import type { RequestInfo } from './request-info.ts';

export interface Authenticator {
  authenticate(req: IncomingMessage): UserInfo | undefined;
}

/** A static bearer token as in Kubernetes' --token-auth-file. */
export interface StaticToken {
  token: string;
  user: string;
  uid?: string;
  groups: string[];
}

/**
 * Parses a token file: CSV lines `token,user,uid[,"group1,group2"]`, `#` comments.
 * Throws InvalidError naming the file and line on a malformed line.
 */
export function parseTokenFile(path: string): StaticToken[] {
  const text = readFileSync(path, 'utf8');
  const tokens: StaticToken[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields: string[] = [];
    const re = /\s*("([^"]*)"|[^,]*)\s*(,|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null && m[0] !== '') {
      fields.push(m[2] ?? m[1]);
      if (m[3] === '') break;
    }
    if (fields.length < 3 || !fields[0] || !fields[1]) {
      throw new InvalidError(`${path}:${i + 1}: expected token,user,uid[,"groups"]`);
    }
    tokens.push({
      token: fields[0],
      user: fields[1],
      uid: fields[2] || undefined,
      groups: fields[3]
        ? fields[3]
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean)
        : [],
    });
  });
  return tokens;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class RequestAuthenticator implements Authenticator {
  readonly #tokens = new Map<string, StaticToken>();
  /** A connection's certificate identity never changes: read it once per connection. */
  readonly #byConnection = new WeakMap<TLSSocket, UserInfo | null>();

  constructor(tokens: StaticToken[] = []) {
    // Index by hash so lookups do not compare secrets character by character.
    for (const t of tokens) this.#tokens.set(sha256(t.token).toString('hex'), t);
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      let user = this.#byConnection.get(socket);
      if (user === undefined) {
        const id = identityFromPeerCertificate(socket.getPeerCertificate());
        user = id ? { name: id.user, groups: [...id.groups, 'system:authenticated'] } : null;
        this.#byConnection.set(socket, user);
      }
      if (user) return user;
    }
    const auth = req.headers.authorization;
    if (auth && /^bearer /i.test(auth)) {
      const token = auth.slice(7).trim();
      const digest = sha256(token);
      const found = this.#tokens.get(digest.toString('hex'));
      if (found && timingSafeEqual(sha256(found.token), digest)) {
        return {
          name: found.user,
          uid: found.uid,
          groups: [...found.groups, 'system:authenticated'],
        };
      }
    }
    return undefined;
  }
}

export type Decision =
  { decision: 'allow' } | { decision: 'deny'; reason: string } | { decision: 'no-opinion' };

/** What is being attempted, in Kubernetes' authorization attributes. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /**
   * The request's `fieldSelector` as the REST layer applies it to a list or
   * watch (the first one given), unparsed; empty when none. Kubernetes' field
   * selector attributes: the node authorizer lets a node list only what a
   * selector narrows to its own objects.
   */
  fieldSelector?: string;
}

export interface Authorizer {
  authorize(attrs: Attributes): Decision | Promise<Decision>;
}

export function attributesOf(
  user: UserInfo,
  info: RequestInfo,
  query?: URLSearchParams,
): Attributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    group: info.group,
    version: info.version,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
    fieldSelector: query?.get('fieldSelector') ?? '',
  };
}

/** system:masters may do anything. */
export const adminAuthorizer: Authorizer = {
  authorize: (a) => (isAdmin(a.user) ? { decision: 'allow' } : { decision: 'no-opinion' }),
};

const PUBLIC_PATHS = [
  /^\/api\/?$/,
  /^\/apis(\/[^/]+(\/[^/]+)?)?\/?$/,
  /^\/api\/v1\/?$/,
  /^\/openapi\//,
  /^\/version\/?$/,
  /^\/(healthz|livez|readyz)(\/.*)?$/,
];
const SELF_REVIEWS = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
]);

/** What Kubernetes' default roles give every authenticated user. */
export const basicUserAuthorizer: Authorizer = {
  authorize(a) {
    if (!a.user.groups.includes('system:authenticated')) return { decision: 'no-opinion' };
    if (!a.isResourceRequest && a.verb === 'get' && PUBLIC_PATHS.some((re) => re.test(a.path))) {
      return { decision: 'allow' };
    }
    if (
      a.isResourceRequest &&
      a.verb === 'create' &&
      SELF_REVIEWS.has(`${a.group}/${a.resource}`)
    ) {
      return { decision: 'allow' };
    }
    return { decision: 'no-opinion' };
  },
};

/** Runs authorizers in order; the first opinion wins; no opinion is a denial. */
export class AuthorizerChain implements Authorizer {
  readonly #chain: Authorizer[];

  constructor(chain: Authorizer[]) {
    this.#chain = chain;
  }

  async authorize(a: Attributes): Promise<Decision> {
    for (const authz of this.#chain) {
      const d = await authz.authorize(a);
      if (d.decision !== 'no-opinion') return d;
    }
    return {
      decision: 'deny',
      reason:
        'no authorizer allowed it (Verge has no RBAC yet: only system:masters may use the API)',
    };
  }
}

/** Kubernetes' wording of a 403. */
export function forbiddenMessage(a: Attributes, reason?: string): string {
  const who = `User "${a.user.name}"`;
  const why = reason ? `: ${reason}` : '';
  if (!a.isResourceRequest) return `forbidden: ${who} cannot ${a.verb} path "${a.path}"${why}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const named = a.name ? ` "${a.name}"` : '';
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${qualified}${named} is forbidden: ${who} cannot ${a.verb} resource "${resource}" in API group "${a.group}"${where}${why}`;
}
