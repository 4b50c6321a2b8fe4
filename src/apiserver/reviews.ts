/**
 * Questions a user asks about themselves, answered without storing anything:
 * SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
 * (`kubectl auth can-i --list`) and SelfSubjectReview (`kubectl auth whoami`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidError } from '../util/errors.ts';
import { isObject } from '../util/objects.ts';
import type { ResourceType } from '../api/registry.ts';
import type { RequestContext } from './context.ts';
import { isAdmin } from './context.ts';
import type { HandlerDeps } from './handler.ts';
import { send } from './handler.ts';
import { negotiate } from './negotiation.ts';
import { methodNotAllowed } from './status.ts';
import type { RequestInfo } from './request-info.ts';
import type { Attributes } from './auth.ts';

function bad(message: string): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest' });
}

/** Handles the request if it is a self review; returns whether it did. */
export async function selfReview(
  ctx: RequestContext,
  type: ResourceType,
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  deps: HandlerDeps,
  readJson: () => Promise<unknown>,
): Promise<boolean> {
  const which = `${type.group}/${type.resource}`;
  if (
    which !== 'authorization.k8s.io/selfsubjectaccessreviews' &&
    which !== 'authorization.k8s.io/selfsubjectrulesreviews' &&
    which !== 'authentication.k8s.io/selfsubjectreviews'
  ) {
    return false;
  }
  if (info.verb !== 'create') {
    req.resume();
    throw methodNotAllowed();
  }
  const neg = negotiate(req.headers.accept);
  const body = await readJson();
  if (!isObject(body)) throw bad(`the body must be a ${type.kind}`);
  const apiVersion = `${type.group}/${type.version}`;
  const user = ctx.user;
  if (type.resource === 'selfsubjectreviews') {
    const userInfo: Record<string, unknown> = { username: user.name, groups: user.groups };
    if (user.uid) userInfo.uid = user.uid;
    send(
      res,
      201,
      { apiVersion, kind: type.kind, metadata: { creationTimestamp: null }, status: { userInfo } },
      neg,
    );
    return true;
  }
  const spec = isObject(body.spec) ? body.spec : {};
  if (type.resource === 'selfsubjectrulesreviews') {
    const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
    const admin = isAdmin(user);
    send(
      res,
      201,
      {
        apiVersion,
        kind: type.kind,
        metadata: { creationTimestamp: null },
        spec: { namespace },
        status: {
          resourceRules: admin
            ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
            : [
                {
                  verbs: ['create'],
                  apiGroups: ['authorization.k8s.io'],
                  resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
                },
                {
                  verbs: ['create'],
                  apiGroups: ['authentication.k8s.io'],
                  resources: ['selfsubjectreviews'],
                },
              ],
          nonResourceRules: admin
            ? [{ verbs: ['*'], nonResourceURLs: ['*'] }]
            : [
                {
                  verbs: ['get'],
                  nonResourceURLs: [
                    '/api',
                    '/api/*',
                    '/apis',
                    '/apis/*',
                    '/healthz',
                    '/livez',
                    '/openapi',
                    '/openapi/*',
                    '/readyz',
                    '/version',
                    '/version/',
                  ],
                },
              ],
          incomplete: false,
        },
      },
      neg,
    );
    return true;
  }
  const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!ra && !nra)
    throw bad(
      'spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const attrs: Attributes = ra
    ? {
        user,
        verb: str(ra.verb),
        isResourceRequest: true,
        path: '',
        group: str(ra.group),
        version: str(ra.version),
        resource: str(ra.resource),
        subresource: str(ra.subresource),
        namespace: str(ra.namespace),
        name: str(ra.name),
      }
    : {
        user,
        verb: str(nra!.verb),
        isResourceRequest: false,
        path: str(nra!.path),
        group: '',
        version: '',
        resource: '',
        subresource: '',
        namespace: '',
        name: '',
      };
  const decision = await deps.authorizer.authorize(attrs);
  const status: Record<string, unknown> = { allowed: decision.decision === 'allow' };
  if (decision.decision === 'deny') {
    status.denied = true;
    status.reason = decision.reason;
  }
  send(
    res,
    201,
    { apiVersion, kind: type.kind, metadata: { creationTimestamp: null }, spec, status },
    neg,
  );
  return true;
}
