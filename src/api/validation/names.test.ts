import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkName,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isIPv6String,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  parseCIDR,
  parseIP,
} from './names.ts';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

type Case = [fn: (s: string) => string[], input: string, expected: string[]];

const cases: Case[] = [
  [isDns1123Label, 'my-name', []],
  [isDns1123Label, '123-abc', []],
  [isDns1123Label, 'My-Name', [LABEL_MSG]],
  [isDns1123Label, 'a.b', ['must not contain dots']],
  [isDns1123Label, '-a', [LABEL_MSG]],
  [isDns1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
  [isDns1123Label, '', [LABEL_MSG]],
  [isDns1123Subdomain, 'example.com', []],
  [isDns1123Subdomain, 'Example.com', [SUBDOMAIN_MSG]],
  [isDns1123Subdomain, 'a..b', [SUBDOMAIN_MSG]],
  [isDns1123Subdomain, `${'a'.repeat(250)}.com`, ['must be no more than 253 characters']],
  [isDns1035Label, 'abc-123', []],
  [isDns1035Label, '1abc', [DNS1035_MSG]],
  [isQualifiedName, 'app', []],
  [isQualifiedName, 'example.com/My_Name.1', []],
  [
    isQualifiedName,
    'a/b/c',
    [
      `a qualified name ${QNAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
  ],
  [isQualifiedName, '/a', ['prefix part must be non-empty']],
  [isQualifiedName, 'a/', ['name part must be non-empty', `name part ${QNAME_MSG}`]],
  [isQualifiedName, 'Bad/x', [`prefix part ${SUBDOMAIN_MSG}`]],
  [isQualifiedName, 'a'.repeat(64), ['name part must be no more than 63 characters']],
  [isQualifiedName, '-x', [`name part ${QNAME_MSG}`]],
  [isValidLabelValue, '', []],
  [isValidLabelValue, 'My_Value.1', []],
  [isValidLabelValue, '-x', [LABEL_VALUE_MSG]],
  [isValidLabelValue, 'a'.repeat(64), ['must be no more than 63 characters']],
  [isConfigMapKey, 'key.name', []],
  [isConfigMapKey, 'a/b', [CONFIG_KEY_MSG]],
  [isConfigMapKey, '.', ["must not be '.'"]],
  [isConfigMapKey, '..x', ["must not start with '..'"]],
  [isRelaxedEnvVarName, '1ABC.x-y', []],
  [
    isRelaxedEnvVarName,
    'A=B',
    [
      "a valid environment variable name must consist only of printable ASCII characters other than '='",
    ],
  ],
  [
    isRelaxedEnvVarName,
    'é',
    [
      "a valid environment variable name must consist only of printable ASCII characters other than '='",
    ],
  ],
  [isRelaxedEnvVarName, '', ['environment variable name must be non-empty']],
  [
    isEnvVarName,
    '1ABC',
    [
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ],
  ],
  [isValidPortName, 'http', []],
  [
    isValidPortName,
    'HTTP',
    [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ],
  ],
  [isValidPortName, '-http', ['must not begin or end with a hyphen']],
  [isValidPortName, 'a--b', ['must not contain consecutive hyphens']],
  [isValidPortName, 'abcdefghijklmnop', ['must be no more than 15 characters']],
  [isValidPortName, '8080', ['must contain at least one letter (a-z)']],
  [isValidPercent, '25%', []],
  [
    isValidPercent,
    '25',
    [
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
  ],
  [isValidPathSegmentName, 'anything:Goes', []],
  [isValidPathSegmentName, '..', ["may not be '..'"]],
  [isValidPathSegmentName, 'a/b%c', ["may not contain '/'", "may not contain '%'"]],
];

describe('name and format checks', () => {
  for (const [fn, input, expected] of cases) {
    it(`${fn.name}(${JSON.stringify(input.length > 20 ? `${input.slice(0, 12)}…` : input)})`, () => {
      assert.deepEqual(fn(input), expected);
    });
  }

  it('port numbers are 1-65535', () => {
    assert.deepEqual(isValidPortNum(80), []);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
    assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  });

  it('generateName prefixes may end in a dash', () => {
    assert.deepEqual(checkName('dns1123Subdomain', 'web-', true), []);
    assert.deepEqual(checkName('dns1123Label', 'web-', true), []);
    assert.deepEqual(checkName('dns1123Subdomain', 'web-', false), [SUBDOMAIN_MSG]);
    assert.deepEqual(checkName('dns1035Label', '1web-', true), [DNS1035_MSG]);
    assert.deepEqual(checkName('pathSegment', '..', true), []);
    assert.deepEqual(checkName('pathSegment', '..', false), ["may not be '..'"]);
  });

  it('parses IPs as Go does (leading zeros allowed, no zones)', () => {
    assert.equal(parseIP('10.0.0.1')?.family, 4);
    assert.equal(parseIP('010.0.0.1')?.family, 4);
    assert.equal(parseIP('256.0.0.1'), undefined);
    assert.equal(parseIP('1.2.3'), undefined);
    assert.deepEqual(parseIP('::1')?.bytes, [...new Array<number>(15).fill(0), 1]);
    assert.equal(parseIP('fe80::1%eth0'), undefined);
    assert.equal(isIPv6String('2001:db8::1'), true);
    assert.equal(isIPv6String('::ffff:1.2.3.4'), false);
    assert.equal(isIPv6String('10.0.0.1'), false);
    assert.deepEqual(parseCIDR('10.0.0.0/8'), { family: 4 });
    assert.deepEqual(parseCIDR('2001:db8::/64'), { family: 6 });
    assert.equal(parseCIDR('10.0.0.0/33'), undefined);
    assert.equal(parseCIDR('10.0.0.0'), undefined);
  });
});
