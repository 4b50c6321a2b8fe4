import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnavailableError,
  isAlreadyExists,
  isConflict,
  isExpired,
  isForbidden,
  isInvalid,
  isNotFound,
  isUnavailable,
  isVergeError,
} from './errors.ts';

describe('errors', () => {
  const table = [
    [NotFoundError, isNotFound, 'NotFound'],
    [AlreadyExistsError, isAlreadyExists, 'AlreadyExists'],
    [ConflictError, isConflict, 'Conflict'],
    [InvalidError, isInvalid, 'Invalid'],
    [UnavailableError, isUnavailable, 'Unavailable'],
    [ForbiddenError, isForbidden, 'Forbidden'],
    [ExpiredError, isExpired, 'Expired'],
  ] as const;

  it('each class answers exactly its own predicate', () => {
    for (const [Cls, _, code] of table) {
      const err = new Cls('boom');
      assert.equal(err.code, code);
      assert.ok(isVergeError(err));
      assert.equal(err.name, `${code}Error`);
      for (const [, other, otherCode] of table) assert.equal(other(err), otherCode === code);
    }
    assert.equal(isNotFound(new Error('not found')), false, 'message text never decides');
  });

  it('keeps the cause and the details', () => {
    const cause = new Error('disk');
    const err = new InvalidError('bad', {
      cause,
      causes: [{ reason: 'FieldValueRequired', field: 'spec.x', message: 'Required value' }],
    });
    assert.equal(err.cause, cause);
    assert.equal(err.details.causes?.[0].field, 'spec.x');
    assert.equal('cause' in err.details, false);
  });
});
