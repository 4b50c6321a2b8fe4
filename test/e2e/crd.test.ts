/**
 * CustomResourceDefinitions end to end with the system kubectl: a multi-version
 * CRD with printer columns, short names, status and scale subresources,
 * defaults, a CEL rule and selectable fields is served at once; custom objects
 * go through every verb; bad CRDs and bad objects are refused with Kubernetes'
 * messages; deleting the CRD deletes its objects; KubeEdge's device CRDs serve.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  Kubectl,
  eventually,
  removeDir,
  startServer,
  type ServerProcess,
} from '../helpers/cluster.ts';

const schema = (extraSpec = ''): string => `
        type: object
        properties:
          spec:
            type: object
            description: What the widget should be.
            x-kubernetes-validations:
            - rule: "self.minReplicas <= self.replicas"
              message: replicas must be at least minReplicas
            properties:
              size:
                type: string
                description: How big the widget is.
                enum: [S, M, L]
                default: M
              replicas:
                type: integer
                description: How many widgets.
                minimum: 0
                maximum: 10
                default: 1
              minReplicas:
                type: integer
                default: 0
              color:
                type: string
                pattern: '^[a-z]+$'
${extraSpec}
          status:
            type: object
            properties:
              phase: {type: string}
              replicas: {type: integer}
              selector: {type: string}`;

const widgetsCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Phase, type: string, jsonPath: .status.phase}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    selectableFields:
    - jsonPath: .spec.size
    schema:
      openAPIV3Schema:${schema()}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:${schema()}
`;

const widget = (name: string, spec: string, version = 'v1'): string =>
  `apiVersion: example.com/${version}\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

describe('CustomResourceDefinitions with kubectl', () => {
  let server: ServerProcess;
  let k: Kubectl;

  before(async () => {
    server = await startServer();
    k = new Kubectl(server.kubeconfig);
  });

  after(async () => {
    k?.cleanup();
    await server?.stop();
    removeDir(server?.dataDir);
  });

  it('a CRD becomes Established and its kind is served at once', async () => {
    assert.match(
      await k.ok(['apply', '-f', '-'], widgetsCrd),
      /customresourcedefinition\.apiextensions\.k8s\.io\/widgets\.example\.com created/,
    );
    await k.ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    const crd = await k.json<{
      status: {
        acceptedNames: { kind: string };
        storedVersions: string[];
        conditions: { type: string; status: string }[];
      };
    }>(['get', 'crd', 'widgets.example.com']);
    assert.equal(crd.status.acceptedNames.kind, 'Widget');
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.ok(crd.status.conditions.some((c) => c.type === 'NamesAccepted' && c.status === 'True'));
    const resources = await k.ok(['api-resources', '--api-group=example.com']);
    assert.match(resources, /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
  });

  it('applies, defaults, lists with printer columns, selects by field, gets by short name and category', async () => {
    assert.match(
      await k.ok(['apply', '-f', '-'], widget('small', '  size: S\n  replicas: 2')),
      /widget\.example\.com\/small created/,
    );
    await k.ok(['apply', '-f', '-'], widget('plain', '  color: blue'));
    const plain = await k.json<{ spec: { size: string; replicas: number; minReplicas: number } }>([
      'get',
      'widget',
      'plain',
    ]);
    assert.deepEqual(plain.spec, { color: 'blue', size: 'M', replicas: 1, minReplicas: 0 });
    const table = await k.ok(['get', 'widgets']);
    assert.match(table.split('\n')[0], /^NAME\s+SIZE\s+REPLICAS\s+PHASE\s+AGE$/);
    // A column whose path finds nothing is an empty cell, as kubectl shows it for Kubernetes' CRDs.
    assert.match(table, /^small\s+S\s+2\s+\d+s$/m);
    assert.match(await k.ok(['get', 'wd']), /^plain\s+M\s+1\s/m);
    assert.match(await k.ok(['get', 'all']), /widget\.example\.com\/small/);
    assert.equal(
      await k.ok([
        'get',
        'widgets',
        '--field-selector',
        'spec.size=S',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ]),
      'small',
    );
    // The same object through the other served version.
    assert.equal(
      await k.ok(['get', 'widgets.v1beta1.example.com', 'small', '-o', 'jsonpath={.apiVersion}']),
      'example.com/v1beta1',
    );
  });

  it('patches (merge and json), refuses strategic merge, patches status, scales', async () => {
    await k.ok(['patch', 'widget', 'small', '--type', 'merge', '-p', '{"spec":{"color":"red"}}']);
    await k.ok([
      'patch',
      'widget',
      'small',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/size","value":"L"}]',
    ]);
    assert.equal(
      await k.ok(['get', 'widget', 'small', '-o', 'jsonpath={.spec.color} {.spec.size}']),
      'red L',
    );
    const smp = await k.fails([
      'patch',
      'widget',
      'small',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"color":"blue"}}',
    ]);
    assert.match(smp, /UnsupportedMediaType|unknown format|not supported/i);
    await k.ok([
      'patch',
      'widget',
      'small',
      '--subresource=status',
      '--type',
      'merge',
      '-p',
      '{"status":{"phase":"Ready","replicas":2,"selector":"app=small"}}',
    ]);
    assert.equal(await k.ok(['get', 'widget', 'small', '-o', 'jsonpath={.status.phase}']), 'Ready');
    // A status change through the main resource is ignored, as with status subresources in Kubernetes.
    await k.ok([
      'patch',
      'widget',
      'small',
      '--type',
      'merge',
      '-p',
      '{"status":{"phase":"Hacked"}}',
    ]);
    assert.equal(await k.ok(['get', 'widget', 'small', '-o', 'jsonpath={.status.phase}']), 'Ready');
    assert.match(
      await k.ok(['scale', 'widget', 'small', '--replicas=5']),
      /widget\.example\.com\/small scaled/,
    );
    assert.equal(await k.ok(['get', 'widget', 'small', '-o', 'jsonpath={.spec.replicas}']), '5');
    const generation = await k.ok([
      'get',
      'widget',
      'small',
      '-o',
      'jsonpath={.metadata.generation}',
    ]);
    assert.ok(Number(generation) >= 4, `generation ${generation}`);
  });

  it('kubectl explain shows the schema', async () => {
    const out = await k.ok(['explain', 'widget.spec']);
    assert.match(out, /KIND:\s+Widget/);
    assert.match(out, /GROUP:\s+example\.com/);
    assert.match(out, /size\s+<string>/);
    assert.match(out, /How big the widget is\./);
    assert.match(out, /enum: S, M, L|ENUM:/);
  });

  it('kubectl get -w follows custom objects', async () => {
    const watch = k.watch(['get', 'widgets', '-w', '--output-watch-events']);
    const saw = (re: RegExp): boolean => watch.lines.some((l) => re.test(l));
    try {
      await eventually('the initial list', () => saw(/small/));
      await k.ok(['apply', '-f', '-'], widget('watched', '  size: S'));
      await eventually('ADDED', () => saw(/^ADDED\s+watched\s/));
      await k.ok(['patch', 'widget', 'watched', '--type', 'merge', '-p', '{"spec":{"size":"L"}}']);
      await eventually('MODIFIED', () => saw(/^MODIFIED\s+watched\s+L\s/));
      await k.ok(['delete', 'widget', 'watched']);
      await eventually('DELETED', () => saw(/^DELETED\s+watched\s/));
    } finally {
      watch.stop();
    }
  });

  it('reports every schema violation by path, and the CEL rule', async () => {
    const bad = await k.fails(
      ['apply', '-f', '-'],
      widget('bad', '  size: XL\n  replicas: 20\n  color: "Not Lower"'),
    );
    assert.match(bad, /The Widget "bad" is invalid/);
    assert.match(bad, /spec\.size: Unsupported value: "XL": supported values: "S", "M", "L"/);
    assert.match(
      bad,
      /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/,
    );
    assert.match(
      bad,
      /spec\.color: Invalid value: "Not Lower": spec\.color in body should match '\^\[a-z\]\+\$'/,
    );
    const cel = await k.fails(
      ['apply', '-f', '-'],
      widget('cel', '  replicas: 1\n  minReplicas: 3'),
    );
    assert.match(
      cel,
      /The Widget "cel" is invalid: spec: Invalid value: "object": replicas must be at least minReplicas/,
    );
    const wrongType = await k.fails(['apply', '-f', '-'], widget('typed', '  replicas: "three"'));
    assert.match(
      wrongType,
      /spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/,
    );
    assert.notEqual((await k.run(['get', 'widget', 'bad'])).code, 0, 'nothing half-written');
  });

  it('refuses a 1.5 MiB+ custom object', async () => {
    const crd = widgetsCrd.replace(
      '              color:',
      '              blob:\n                type: string\n              color:',
    );
    await k.ok(['apply', '-f', '-'], crd);
    const big = 'x'.repeat(1_600_000);
    const r = await k.run(
      ['apply', '--server-side', '-f', '-'],
      `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: huge\nspec:\n  blob: ${big}\n`,
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /too large|Request entity too large|limit/i);
    assert.notEqual((await k.run(['get', 'widget', 'huge'])).code, 0);
  });

  it('refuses bad CRDs with Kubernetes messages', async () => {
    const wrongName = widgetsCrd.replace('name: widgets.example.com', 'name: gadgets.example.com');
    assert.match(
      await k.fails(['apply', '-f', '-'], wrongName),
      /metadata\.name: Invalid value: "gadgets\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/,
    );
    const nonStructural = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: blobs.example.com
spec:
  group: example.com
  names: {plural: blobs, singular: blob, kind: Blob}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            properties:
              a: {type: string}
`;
    // A single-version CRD reports schema problems under spec.validation, as
    // Kubernetes does (it hoists what all versions share to spec level first).
    assert.match(
      await k.fails(['apply', '-f', '-'], nonStructural),
      /spec\.validation\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/,
    );
    // A second CRD claiming the Widget kind in the same group is not accepted.
    const clash = widgetsCrd
      .replaceAll('widgets', 'gizmos')
      .replace('singular: widget', 'singular: gizmo')
      .replace('shortNames: [wd]', 'shortNames: [gz]');
    await k.ok(['apply', '-f', '-'], clash);
    const status = await eventually('the NamesAccepted condition', async () => {
      const crd = await k.json<{
        status?: { conditions?: { type: string; status: string; message: string }[] };
      }>(['get', 'crd', 'gizmos.example.com']);
      return crd.status?.conditions?.find((c) => c.type === 'NamesAccepted');
    });
    assert.equal(status.status, 'False');
    assert.match(status.message, /"Widget" is already in use/);
    assert.notEqual(
      (await k.run(['get', 'gizmos'])).code,
      0,
      'a CRD whose names clash is not served',
    );
    await k.ok(['delete', 'crd', 'gizmos.example.com']);
    const cel = widgetsCrd.replace('self.minReplicas <= self.replicas', 'self.minReplicas <=');
    assert.match(await k.fails(['apply', '-f', '-'], cel), /x-kubernetes-validations\[0\]\.rule/);
  });

  it('deleting the CRD deletes its objects and stops serving it', async () => {
    assert.ok((await k.ok(['get', 'widgets', '-o', 'name'])).includes('widget.example.com/small'));
    await k.ok(['delete', 'crd', 'widgets.example.com', '--timeout=30s']);
    await eventually(
      'the kind to stop being served',
      async () => (await k.run(['get', 'widgets'])).code !== 0,
    );
    // Recreated, it starts empty: the old objects are gone from storage.
    await k.ok(['apply', '-f', '-'], widgetsCrd);
    await k.ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    assert.equal((await k.ok(['get', 'widgets', '-o', 'name'])).trim(), '');
  });

  it("applies and serves KubeEdge's Device and DeviceModel CRDs and their examples", async () => {
    const root = new URL('../../', import.meta.url).pathname;
    for (const f of [
      'examples/crds/devices.kubeedge.io_devicemodels.yaml',
      'examples/crds/devices.kubeedge.io_devices.yaml',
    ]) {
      await k.ok(['apply', '-f', '-'], readFileSync(root + f, 'utf8'));
    }
    await k.ok([
      'wait',
      '--for=condition=Established',
      'crd/devices.devices.kubeedge.io',
      'crd/devicemodels.devices.kubeedge.io',
      '--timeout=20s',
    ]);
    await k.ok(['apply', '-f', root + 'examples/devices/']);
    const devices = await k.ok(['get', 'devices.devices.kubeedge.io', '-A']);
    assert.ok(devices.split('\n').length > 2, devices);
    assert.match(await k.ok(['get', 'devicemodels', '-A']), /NAME/);
    assert.match(await k.ok(['explain', 'device.spec']), /deviceModelRef/);
  });
});
