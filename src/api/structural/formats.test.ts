import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkStringFormat, effectiveFormat, isStringFormat } from './formats.ts';

const table: Record<string, { ok: string[]; bad: string[] }> = {
  bsonobjectid: {
    ok: ['507f1f77bcf86cd799439011'],
    bad: ['507f1f77bcf86cd79943901', 'zzzf1f77bcf86cd799439011'],
  },
  uri: {
    ok: ['http://a.b/c', 'urn:isbn:123', '/path'],
    bad: ['', 'relative/path', 'http://a b/', 'http://x/%zz'],
  },
  email: {
    ok: ['a@b.c', '"quoted name"@example.com', 'Ann Lee <ann@example.com>'],
    bad: ['a', 'a@', '@b', 'a b@c'],
  },
  hostname: {
    ok: ['example', 'a.example.com', 'xn--bcher-kva.de'],
    bad: ['a..b', '-a', 'a'.repeat(64) + '.com'],
  },
  ipv4: { ok: ['1.2.3.4', '001.002.003.004'], bad: ['1.2.3', '1.2.3.256', '::1'] },
  ipv6: { ok: ['::1', 'fe80::1:2', '::ffff:10.0.0.1'], bad: ['1.2.3.4', 'fe80::1%eth0', ':::'] },
  cidr: { ok: ['10.0.0.0/8', '2001:db8::/32'], bad: ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/x'] },
  mac: {
    ok: ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E', '001a.2b3c.4d5e', '00:00:00:00:fe:80:00:00'],
    bad: ['00:1a:2b:3c:4d', '001a2b3c4d5e'],
  },
  uuid: { ok: ['f81d4fae-7dec-11d0-a765-00a0c91e6bf6'], bad: ['f81d4fae-7dec-11d0-a765'] },
  uuid3: {
    ok: ['a3bb189e-8bf9-3888-9912-ace4e6543002'],
    bad: ['a3bb189e-8bf9-4888-9912-ace4e6543002'],
  },
  uuid4: {
    ok: ['4d1e9a3a-8c1f-4b5e-9a2c-1d2e3f4a5b6c'],
    bad: ['4d1e9a3a-8c1f-4b5e-7a2c-1d2e3f4a5b6c'],
  },
  uuid5: {
    ok: ['886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    bad: ['886313e1-3b8a-4372-9b90-0c9aee199e5d'],
  },
  isbn10: { ok: ['0-306-40615-2', '080442957X'], bad: ['0-306-40615-3'] },
  isbn13: { ok: ['978-0-306-40615-7'], bad: ['978-0-306-40615-8'] },
  isbn: { ok: ['0306406152', '9780306406157'], bad: ['12345'] },
  creditcard: { ok: ['4111 1111 1111 1111', '5500-0000-0000-0004'], bad: ['4111 1111 1111 1112'] },
  ssn: { ok: ['123-45-6789', '123 45 6789'], bad: ['123456789', '123-45-678'] },
  hexcolor: { ok: ['#fff', 'A0B1C2'], bad: ['#ffff', 'ggg'] },
  rgbcolor: { ok: ['rgb(0, 128,255)'], bad: ['rgb(256,0,0)', 'rgba(1,2,3,4)'] },
  byte: { ok: ['YQ==', 'YWI=', 'YWJj'], bad: ['YQ', 'Y!==', ''] },
  password: { ok: ['', 'anything at all'], bad: [] },
  date: { ok: ['2000-02-29', '1999-12-31'], bad: ['1900-02-29', '2000-1-01', '2000-04-31'] },
  'date-time': {
    ok: ['2000-01-01T00:00:00Z', '2000-01-01T23:59:59.999999-07:00'],
    bad: ['2000-01-01T00:00:00', '2000-01-01T00:60:00Z', 'x'],
  },
  duration: { ok: ['1h30m', '300ms', '-1.5s', '0', '3 days', '2 weeks'], bad: ['1', 'h', 'soon'] },
  'k8s-long-name': { ok: ['a.b-c.d'], bad: ['A.b', 'a..b', 'a.-b'] },
};

describe('string formats', () => {
  for (const [format, { ok, bad }] of Object.entries(table)) {
    it(format, () => {
      assert.equal(isStringFormat(format), true);
      for (const s of ok)
        assert.equal(checkStringFormat(format, s), true, `${format} should accept ${s}`);
      for (const s of bad)
        assert.equal(checkStringFormat(format, s), false, `${format} should reject ${s}`);
    });
  }
});

describe('effectiveFormat', () => {
  it('keeps only the formats Kubernetes supports for the type', () => {
    assert.equal(effectiveFormat('date-time', ['string']), 'date-time');
    assert.equal(effectiveFormat('int-or-string', ['string']), '');
    assert.equal(effectiveFormat('int32', ['string']), '');
    assert.equal(effectiveFormat('int32', ['integer']), 'int32');
    assert.equal(effectiveFormat('double', ['number']), 'double');
    assert.equal(effectiveFormat('int64', ['number']), '');
    assert.equal(effectiveFormat('uuid', ['integer', 'string']), 'uuid');
    assert.equal(effectiveFormat('date', ['boolean']), '');
    assert.equal(effectiveFormat(undefined, ['string']), '');
  });
});
