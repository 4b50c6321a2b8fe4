import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPrinter, humanDuration, printerFor, printerFromColumns } from './index.ts';

/** Headers as kubectl prints them: upper-cased names, wide ones only with -o wide. */
function headers(group: string, resource: string, wide: boolean): string {
  const p = printerFor(group, resource);
  assert.ok(p, `${group}/${resource} has a printer`);
  return p.columns
    .filter((c) => wide || c.priority === 0)
    .map((c) => c.name.toUpperCase())
    .join(' ');
}

describe('printerFor', () => {
  const cases: [string, string, string, string][] = [
    [
      '',
      'pods',
      'NAME READY STATUS RESTARTS AGE',
      'NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES',
    ],
    [
      '',
      'nodes',
      'NAME STATUS ROLES AGE VERSION',
      'NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME',
    ],
    ['', 'namespaces', 'NAME STATUS AGE', 'NAME STATUS AGE'],
    ['', 'configmaps', 'NAME DATA AGE', 'NAME DATA AGE'],
    ['', 'secrets', 'NAME TYPE DATA AGE', 'NAME TYPE DATA AGE'],
    [
      '',
      'services',
      'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE',
      'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR',
    ],
    ['', 'endpoints', 'NAME ENDPOINTS AGE', 'NAME ENDPOINTS AGE'],
    [
      '',
      'events',
      'LAST SEEN TYPE REASON OBJECT MESSAGE',
      'LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME',
    ],
    [
      'events.k8s.io',
      'events',
      'LAST SEEN TYPE REASON OBJECT MESSAGE',
      'LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME',
    ],
    ['', 'serviceaccounts', 'NAME SECRETS AGE', 'NAME SECRETS AGE'],
    [
      'apps',
      'deployments',
      'NAME READY UP-TO-DATE AVAILABLE AGE',
      'NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR',
    ],
    [
      'apps',
      'replicasets',
      'NAME DESIRED CURRENT READY AGE',
      'NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR',
    ],
    [
      'apps',
      'daemonsets',
      'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE',
      'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE CONTAINERS IMAGES SELECTOR',
    ],
    ['coordination.k8s.io', 'leases', 'NAME HOLDER AGE', 'NAME HOLDER AGE'],
    ['apiextensions.k8s.io', 'customresourcedefinitions', 'NAME CREATED AT', 'NAME CREATED AT'],
  ];
  for (const [group, resource, normal, wide] of cases) {
    it(`${group || 'core'}/${resource}`, () => {
      assert.equal(headers(group, resource, false), normal);
      assert.equal(headers(group, resource, true), wide);
    });
  }

  it('returns undefined for kinds without a dedicated printer', () => {
    assert.equal(printerFor('', 'podtemplates'), undefined);
    assert.equal(printerFor('apps', 'pods'), undefined);
    assert.equal(printerFor('authorization.k8s.io', 'selfsubjectaccessreviews'), undefined);
  });

  it('gives CRDs the default printer', () => {
    assert.equal(printerFor('apiextensions.k8s.io', 'customresourcedefinitions'), defaultPrinter);
  });

  it('produces one cell per column for every printer', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    for (const [group, resource] of cases.map((c) => [c[0], c[1]])) {
      const p = printerFor(group, resource);
      assert.ok(p);
      const row = p.row({ metadata: { name: 'x' } }, now);
      assert.equal(row.cells.length, p.columns.length, `${group}/${resource}`);
    }
    const custom = printerFromColumns([{ name: 'A', type: 'string', jsonPath: '.a' }]);
    assert.equal(custom.row({ metadata: { name: 'x' } }, now).cells.length, custom.columns.length);
  });

  it('exports humanDuration', () => {
    assert.equal(humanDuration(90_000), '90s');
  });
});
