import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCause } from '../../util/errors.ts';
import { describeCause } from '../field-errors.ts';
import type { CustomResourceDefinitionNames } from '../types/apiextensions.ts';
import { defaultNames, validateGroup, validateNamesFormat, validateSpecNames } from './names.ts';

const lines = (causes: FieldCause[]) => causes.map(describeCause);

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('validateGroup', () => {
  const cases: [string, string[]][] = [
    ['stable.example.com', []],
    ['devices.kubeedge.io', []],
    ['', ['spec.group: Required value']],
    ['example', ['spec.group: Invalid value: "example": should be a domain with at least one dot']],
    ['Example.com', [`spec.group: Invalid value: "Example.com": ${SUBDOMAIN}`]],
    [
      `${'a'.repeat(250)}.com`,
      [`spec.group: Invalid value: "${'a'.repeat(250)}.com": must be no more than 253 characters`],
    ],
    [
      `-${'a'.repeat(253)}`,
      [
        `spec.group: Invalid value: "-${'a'.repeat(253)}": must be no more than 253 characters,${SUBDOMAIN}`,
      ],
    ],
  ];
  for (const [group, expected] of cases) {
    it(`${JSON.stringify(group.slice(0, 24))} -> ${expected.length} cause(s)`, () => {
      assert.deepEqual(lines(validateGroup(group, 'spec.group')), expected);
    });
  }
});

describe('validateSpecNames and validateNamesFormat', () => {
  it('accepts complete, well-formed names', () => {
    const names: CustomResourceDefinitionNames = {
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
      categories: ['all'],
    };
    assert.deepEqual(validateSpecNames(names, 'spec.names'), []);
  });

  it('requires the four names in spec, but not in acceptedNames', () => {
    assert.deepEqual(lines(validateSpecNames({}, 'spec.names')), [
      'spec.names.plural: Required value',
      'spec.names.singular: Required value',
      'spec.names.kind: Required value',
      'spec.names.listKind: Required value',
    ]);
    assert.deepEqual(validateNamesFormat({ plural: '', kind: '' }, 'status.acceptedNames'), []);
  });

  it('reports each malformed name, allowing mixed case only in kinds', () => {
    const names = {
      plural: 'cron tabs',
      singular: 'Crontab',
      kind: '9Tab',
      listKind: 'Tab_List',
      shortNames: ['ct', ''],
      categories: ['All'],
    };
    assert.deepEqual(lines(validateNamesFormat(names, 'status.acceptedNames')), [
      `status.acceptedNames.plural: Invalid value: "cron tabs": ${DNS1035}`,
      `status.acceptedNames.singular: Invalid value: "Crontab": ${DNS1035}`,
      `status.acceptedNames.kind: Invalid value: "9Tab": may have mixed case, but should otherwise match: ${DNS1035}`,
      `status.acceptedNames.listKind: Invalid value: "Tab_List": may have mixed case, but should otherwise match: ${DNS1035}`,
      `status.acceptedNames.shortNames[1]: Invalid value: "": ${DNS1035}`,
      `status.acceptedNames.categories[0]: Invalid value: "All": ${DNS1035}`,
    ]);
  });

  it('refuses a listKind equal to the kind', () => {
    assert.deepEqual(
      lines(validateNamesFormat({ plural: 'as', kind: 'A', listKind: 'A' }, 'spec.names')),
      ['spec.names.listKind: Invalid value: "A": kind and listKind may not be the same'],
    );
  });
});

describe('defaultNames', () => {
  it('derives singular and listKind from kind, once', () => {
    const names: CustomResourceDefinitionNames = { plural: 'crontabs', kind: 'CronTab' };
    defaultNames(names);
    defaultNames(names);
    assert.deepEqual(names, {
      plural: 'crontabs',
      kind: 'CronTab',
      singular: 'crontab',
      listKind: 'CronTabList',
    });
  });

  it('keeps names the user gave', () => {
    const names: CustomResourceDefinitionNames = {
      plural: 'crontabs',
      singular: 'ct',
      kind: 'CronTab',
      listKind: 'CronTabs',
    };
    defaultNames(names);
    assert.deepEqual(names, {
      plural: 'crontabs',
      singular: 'ct',
      kind: 'CronTab',
      listKind: 'CronTabs',
    });
  });
});
