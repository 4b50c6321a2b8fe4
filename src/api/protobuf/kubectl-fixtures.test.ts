import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import { builtinDefinitions } from '../openapi/builtin.ts';
import { SchemaResolver } from '../schema.ts';
import { decodeProtobufObject } from './decode.ts';
import { kubectlFixtures } from './kubectl-fixtures.ts';

const resolver = new SchemaResolver(builtinDefinitions);

describe('request bodies captured from kubectl', () => {
  for (const fixture of kubectlFixtures) {
    it(`kubectl ${fixture.command}`, () => {
      const body = Buffer.from(fixture.body, 'base64');
      if (fixture.expected === null) {
        assert.throws(
          () => decodeProtobufObject(body, resolver),
          (err: unknown) => isInvalid(err) && /no kind .* is registered/.test(err.message),
        );
        return;
      }
      assert.deepEqual(decodeProtobufObject(body, resolver), fixture.expected);
    });
  }
});
