/**
 * The one place where errors become HTTP status codes and Kubernetes `Status`
 * objects. Codes and reasons follow Kubernetes (k8s.io/apimachinery/pkg/api/errors)
 * so clients branch correctly: kubectl retries on 409 Conflict, relists on 410,
 * backs off on 429 with Retry-After.
 */
import { InvalidError, NotFoundError, isVergeError, type VergeError } from '../util/errors.ts';
import type { Status, StatusCause, StatusDetails } from '../api/types/meta.ts';

export interface HttpStatus {
  code: number;
  status: Status;
}

export function status(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Status {
  const s: Status = {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  };
  if (details && Object.keys(details).length > 0) s.details = details;
  return s;
}

function detailsOf(err: VergeError): StatusDetails | undefined {
  const d = err.details;
  const details: StatusDetails = {};
  if (d.name !== undefined) details.name = d.name;
  if (d.group !== undefined) details.group = d.group;
  if (d.kind !== undefined) details.kind = d.kind;
  if (d.causes?.length) {
    details.causes = d.causes.map((c): StatusCause => {
      const cause: StatusCause = { reason: c.reason, message: c.message };
      if (c.field !== undefined) cause.field = c.field;
      return cause;
    });
  }
  if (d.retryAfterSeconds !== undefined) details.retryAfterSeconds = d.retryAfterSeconds;
  return Object.keys(details).length ? details : undefined;
}

const INVALID_REASONS: Record<string, [number, string]> = {
  BadRequest: [400, 'BadRequest'],
  RequestEntityTooLarge: [413, 'RequestEntityTooLarge'],
  UnsupportedMediaType: [415, 'UnsupportedMediaType'],
  NotAcceptable: [406, 'NotAcceptable'],
  MethodNotAllowed: [405, 'MethodNotAllowed'],
};

/** The HTTP answer for any thrown value. Unknown errors are 500s (and should be logged by the caller). */
export function statusFromError(err: unknown): HttpStatus {
  if (!isVergeError(err)) {
    const message = `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`;
    return { code: 500, status: status(500, 'InternalError', message) };
  }
  const details = detailsOf(err);
  const make = (code: number, reason: string): HttpStatus => ({
    code,
    status: status(code, reason, err.message, details),
  });
  switch (err.code) {
    case 'NotFound':
      return make(404, 'NotFound');
    case 'AlreadyExists':
      return make(409, 'AlreadyExists');
    case 'Conflict':
      return make(409, 'Conflict');
    case 'Forbidden':
      return make(403, 'Forbidden');
    case 'Expired':
      return make(410, 'Expired');
    case 'Invalid': {
      const special = err.details.reason ? INVALID_REASONS[err.details.reason] : undefined;
      if (special) return make(special[0], special[1]);
      // Field-level problems are 422 Invalid; anything else about the request is 400.
      return err.details.causes?.length ? make(422, 'Invalid') : make(400, 'BadRequest');
    }
    case 'Unavailable': {
      const reason = err.details.reason;
      if (reason === 'TooManyRequests') return make(429, 'TooManyRequests');
      if (reason === 'Timeout') return make(504, 'Timeout');
      if (reason === 'ResourceVersionTooLarge') {
        return {
          code: 504,
          status: status(504, 'Timeout', err.message, {
            ...details,
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
            retryAfterSeconds: err.details.retryAfterSeconds ?? 1,
          }),
        };
      }
      return make(503, 'ServiceUnavailable');
    }
  }
}

/** A path the server does not serve (no such resource, subresource or document). */
export function notFound(): NotFoundError {
  return new NotFoundError('the server could not find the requested resource');
}

/** A verb the resource (or path) does not support: 405. */
export function methodNotAllowed(): InvalidError {
  return new InvalidError('the server does not allow this method on the requested resource', {
    reason: 'MethodNotAllowed',
  });
}

/** The answer to a create that returns no object (pods/binding, pods/eviction). */
export function created(): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 201 };
}

export function unauthorized(): HttpStatus {
  return { code: 401, status: status(401, 'Unauthorized', 'Unauthorized') };
}
