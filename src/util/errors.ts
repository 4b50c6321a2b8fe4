/**
 * The closed set of errors every Verge layer speaks. A layer that catches a
 * foreign error (SQLite, a socket, a parser) turns it into one of these, with the
 * original as `cause`, so callers branch on the class, never on message text.
 * The API server turns them into HTTP codes and Kubernetes `Status` objects in
 * exactly one place (src/apiserver).
 */

export type ErrorCode =
  'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Unavailable' | 'Forbidden' | 'Expired';

/** One field-level problem, as Kubernetes reports it in `Status.details.causes`. */
export interface FieldCause {
  /** Kubernetes cause type, e.g. `FieldValueRequired`, `FieldValueInvalid`. */
  reason: string;
  message: string;
  /** Path of the offending field, e.g. `spec.containers[0].image`. */
  field?: string;
}

/** Optional structured context; the API layer maps it to `Status.details`. */
export interface ErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: FieldCause[];
  /** For `Unavailable`: how long a client should wait before retrying. */
  retryAfterSeconds?: number;
  /** A machine-readable reason narrower than the code, e.g. `ResourceVersionTooLarge`. */
  reason?: string;
}

export interface VergeErrorOptions extends ErrorDetails {
  cause?: unknown;
}

export abstract class VergeError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(message: string, options: VergeErrorOptions = {}) {
    const { cause, ...details } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.details = details;
  }

  override get name(): string {
    return `${this.code}Error`;
  }
}

/** The object (or file, or stream) does not exist. */
export class NotFoundError extends VergeError {
  readonly code = 'NotFound';
}

/** A create found the object already there. */
export class AlreadyExistsError extends VergeError {
  readonly code = 'AlreadyExists';
}

/** An optimistic-concurrency precondition failed (stale revision, uid mismatch). */
export class ConflictError extends VergeError {
  readonly code = 'Conflict';
}

/** The request or object is malformed, too large or fails validation. */
export class InvalidError extends VergeError {
  readonly code = 'Invalid';
}

/** Temporarily unable to serve: overloaded, shutting down, storage failed, peer offline. */
export class UnavailableError extends VergeError {
  readonly code = 'Unavailable';
}

/** The caller is known but not allowed to do this. */
export class ForbiddenError extends VergeError {
  readonly code = 'Forbidden';
}

/** The requested revision (or token, or certificate) is too old to serve. */
export class ExpiredError extends VergeError {
  readonly code = 'Expired';
}

export function isVergeError(err: unknown): err is VergeError {
  return err instanceof VergeError;
}

function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof VergeError && err.code === code;
}

export const isNotFound = (err: unknown): err is NotFoundError => hasCode(err, 'NotFound');
export const isAlreadyExists = (err: unknown): err is AlreadyExistsError =>
  hasCode(err, 'AlreadyExists');
export const isConflict = (err: unknown): err is ConflictError => hasCode(err, 'Conflict');
export const isInvalid = (err: unknown): err is InvalidError => hasCode(err, 'Invalid');
export const isUnavailable = (err: unknown): err is UnavailableError => hasCode(err, 'Unavailable');
export const isForbidden = (err: unknown): err is ForbiddenError => hasCode(err, 'Forbidden');
export const isExpired = (err: unknown): err is ExpiredError => hasCode(err, 'Expired');

/** Message of any thrown value, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
