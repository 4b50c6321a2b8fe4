import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { builtinRegistry } from '../builtin-resources.ts';
import { OpenApi } from '../../apiserver/openapi.ts';
import { isInvalid } from '../../util/errors.ts';
import { encodeOpenApiV2, yamlText } from './encode.ts';
import { Message } from './test-reader.ts';

// Field numbers, written out from gnostic's openapiv2/OpenAPIv2.proto.
const DOC = { swagger: 1, info: 2, paths: 8, definitions: 9, parameters: 10, responses: 11 };
const DOC_SECURITY_DEFINITIONS = 13;
const DOC_TAGS = 14;
const DOC_VEXT = 16;
const INFO = { title: 1, version: 2, vext: 7 };
const PATHS = { vext: 1, path: 2 };
const PATH_ITEM = { get: 2, put: 3, post: 4, delete: 5, patch: 8, parameters: 9, vext: 10 };
const OP = { tags: 1, operationId: 5, produces: 6, consumes: 7, parameters: 8, responses: 9 };
const OP_VEXT = 13;
const PARAMETERS_ITEM = { parameter: 1, jsonReference: 2 };
const PARAMETER = { body: 1, nonBody: 2 };
const NON_BODY = { header: 1, formData: 2, query: 3, path: 4 };
const BODY = { description: 1, name: 2, in: 3, required: 4, schema: 5 };
const QUERY = { required: 1, in: 2, description: 3, name: 4, type: 6, uniqueItems: 20, vext: 23 };
const PATH_PARAM = { required: 1, in: 2, description: 3, name: 4, type: 5, uniqueItems: 19 };
const RESPONSES = { code: 1, vext: 2 };
const RESPONSE_VALUE = { response: 1, jsonReference: 2 };
const RESPONSE = { description: 1, schema: 2 };
const SCHEMA_ITEM = { schema: 1, fileSchema: 2 };
const S = {
  ref: 1,
  format: 2,
  description: 4,
  default: 5,
  maximum: 7,
  minimum: 9,
  maxLength: 11,
  minItems: 15,
  uniqueItems: 16,
  required: 19,
  enum: 20,
  additionalProperties: 21,
  type: 22,
  items: 23,
  allOf: 24,
  properties: 25,
  vext: 31,
};

function encode(doc: unknown): Message {
  return new Message(encodeOpenApiV2(doc));
}

/** The schema named `name` in the document's definitions. */
function definition(doc: Message, name: string): Message {
  const found = doc
    .need(DOC.definitions)
    .named(1)
    .find(([n]) => n === name);
  assert.ok(found, `definition ${name}`);
  return found[1];
}

function properties(schema: Message): Map<string, Message> {
  return new Map(schema.need(S.properties).named(1));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('encodeOpenApiV2: wire format', () => {
  it('writes the document head as Kubernetes does', () => {
    // Kubernetes' /openapi/v2 protobuf starts: swagger (1) "2.0", info (2)
    // {title (1) "Kubernetes", version (2)}, then paths (8).
    const bytes = encodeOpenApiV2({
      swagger: '2.0',
      info: { title: 'Kubernetes', version: '1.32' },
      paths: {},
    });
    assert.equal(
      hex(bytes),
      '0a03322e30' +
        '1212' +
        '0a0a' +
        hex(Buffer.from('Kubernetes')) +
        '1204' +
        hex(Buffer.from('1.32')) +
        '4200',
    );
  });

  it('omits proto3 zero values but keeps present messages and oneof booleans', () => {
    const doc = encode({
      swagger: '',
      definitions: {
        Empty: { type: 'object', properties: {} },
        Closed: { type: 'object', additionalProperties: false, uniqueItems: false, minItems: 0 },
      },
    });
    assert.deepEqual(doc.numbers(), [DOC.definitions]);
    const empty = definition(doc, 'Empty');
    assert.deepEqual(empty.numbers(), [S.type, S.properties]);
    assert.equal(empty.need(S.properties).bytes.length, 0);
    const closed = definition(doc, 'Closed');
    assert.deepEqual(closed.numbers(), [S.additionalProperties, S.type]);
    // AdditionalPropertiesItem { boolean (2) = false }, written although false.
    assert.equal(hex(closed.need(S.additionalProperties).bytes), '1000');
  });

  it('writes numbers with their proto types', () => {
    const s = definition(
      encode({ definitions: { N: { maximum: 1.5, minimum: -2, maxLength: 300, minItems: -1 } } }),
      'N',
    );
    assert.equal(s.double(S.maximum), 1.5);
    assert.equal(s.double(S.minimum), -2);
    assert.equal(s.varint(S.maxLength), 300n);
    // int64 -1: ten-byte two's complement varint.
    assert.equal(s.varint(S.minItems), 0xffffffffffffffffn);
    assert.equal(s.all(S.minItems)[0].wire, 0);
  });

  it('is deterministic and leaves its input alone', () => {
    const doc = JSON.parse(new OpenApi(builtinRegistry()).v2()) as unknown;
    const copy = structuredClone(doc);
    const a = encodeOpenApiV2(doc);
    assert.deepEqual(doc, copy);
    assert.deepEqual(encodeOpenApiV2(doc), a);
  });
});

describe('encodeOpenApiV2: vendor extensions', () => {
  it('carries values as flow YAML in Any.yaml', () => {
    const doc = encode({
      'x-top': 1,
      info: { title: 't', 'x-info': true },
      paths: { 'x-paths': 'p' },
      definitions: {
        D: {
          type: 'object',
          'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }],
          'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
          'x-kubernetes-patch-strategy': 'merge,retainKeys',
          'x-kubernetes-preserve-unknown-fields': true,
          'x-kubernetes-unions': [
            { discriminator: 'type', 'fields-to-discriminateBy': { a: 'A' } },
          ],
          'x-null': null,
          'x-empty': {},
        },
      },
    });
    assert.deepEqual(doc.extensions(DOC_VEXT), { 'x-top': '1\n' });
    assert.deepEqual(doc.need(DOC.info).extensions(INFO.vext), { 'x-info': 'true\n' });
    assert.deepEqual(doc.need(DOC.paths).extensions(PATHS.vext), { 'x-paths': '"p"\n' });
    assert.deepEqual(definition(doc, 'D').extensions(S.vext), {
      'x-kubernetes-group-version-kind': '[{"group": "", "kind": "ConfigMap", "version": "v1"}]\n',
      'x-kubernetes-list-map-keys': '["containerPort", "protocol"]\n',
      'x-kubernetes-patch-strategy': '"merge,retainKeys"\n',
      'x-kubernetes-preserve-unknown-fields': 'true\n',
      'x-kubernetes-unions':
        '[{"discriminator": "type", "fields-to-discriminateBy": {"a": "A"}}]\n',
      'x-null': 'null\n',
      'x-empty': '{}\n',
    });
    // The Any's `value` (1) stays empty, as gnostic leaves it.
    const any = definition(doc, 'D').msgs(S.vext)[0].need(2);
    assert.deepEqual(any.numbers(), [2]);
  });

  it('writes YAML that YAML 1.1 and 1.2 parsers read back exactly', () => {
    const values: unknown[] = [
      'plain',
      '',
      'yes',
      'null',
      '1.0',
      'quote " backslash \\ tab \t newline \n',
      'line\u2028separator\u2029next\u0085line',
      'c1 \u0080\u009f del \u007f bom \ufeff nonchar \uffff',
      'emoji 😀 and é',
      0,
      -12.5,
      1e21,
      true,
      false,
      null,
      [],
      {},
      { a: [1, 'two', { three: null }], 'key: with colon': 'v' },
    ];
    for (const v of values) {
      const text = yamlText(v) + '\n';
      assert.deepEqual(parseYaml(text, { version: '1.1' }), v, `YAML 1.1: ${text}`);
      assert.deepEqual(parseYaml(text, { version: '1.2' }), v, `YAML 1.2: ${text}`);
    }
  });

  it('encodes enum, default and example as Any', () => {
    const s = definition(
      encode({ definitions: { E: { type: 'string', enum: ['A', 'B'], default: 'A' } } }),
      'E',
    );
    assert.deepEqual(
      s.msgs(S.enum).map((a) => a.str(2)),
      ['"A"\n', '"B"\n'],
    );
    assert.equal(s.need(S.default).str(2), '"A"\n');
  });
});

describe('encodeOpenApiV2: schemas', () => {
  it('maps type, items, additionalProperties, properties and required', () => {
    const doc = encode({
      definitions: {
        T: {
          type: 'object',
          description: 'd',
          required: ['a', 'b'],
          properties: {
            a: { type: 'array', items: { $ref: '#/definitions/U' } },
            b: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
            c: { type: ['string', 'null'] },
            d: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
            e: { additionalProperties: true },
          },
        },
      },
    });
    const t = definition(doc, 'T');
    assert.equal(t.str(S.description), 'd');
    assert.deepEqual(t.strs(S.required), ['a', 'b']);
    assert.deepEqual(t.need(S.type).strs(1), ['object']);
    const props = properties(t);
    assert.deepEqual([...props.keys()], ['a', 'b', 'c', 'd', 'e']);
    const a = props.get('a')!;
    assert.deepEqual(a.need(S.type).strs(1), ['array']);
    assert.deepEqual(
      a
        .need(S.items)
        .msgs(1)
        .map((i) => i.str(S.ref)),
      ['#/definitions/U'],
    );
    const b = props.get('b')!.need(S.additionalProperties);
    assert.deepEqual(b.numbers(), [1]);
    assert.equal(b.need(1).str(S.format), 'byte');
    assert.deepEqual(props.get('c')!.need(S.type).strs(1), ['string', 'null']);
    assert.equal(props.get('d')!.need(S.items).msgs(1).length, 2);
    assert.equal(hex(props.get('e')!.need(S.additionalProperties).bytes), '1001');
  });

  it('turns a described allOf reference into a described $ref', () => {
    const doc = encode({
      definitions: {
        P: {
          type: 'object',
          properties: {
            spec: { allOf: [{ $ref: '#/definitions/Spec' }], description: 'the spec', default: {} },
            both: { allOf: [{ $ref: '#/definitions/A' }, { $ref: '#/definitions/B' }] },
            typed: { type: 'object', allOf: [{ $ref: '#/definitions/A' }] },
          },
        },
      },
    });
    const props = properties(definition(doc, 'P'));
    const spec = props.get('spec')!;
    assert.equal(spec.str(S.ref), '#/definitions/Spec');
    assert.equal(spec.str(S.description), 'the spec');
    assert.equal(spec.need(S.default).str(2), '{}\n');
    assert.equal(spec.msgs(S.allOf).length, 0);
    // Left as allOf where a $ref would not say the same thing.
    assert.equal(props.get('both')!.msgs(S.allOf).length, 2);
    assert.equal(props.get('typed')!.msgs(S.allOf).length, 1);
    assert.equal(props.get('typed')!.str(S.ref), undefined);
  });

  it('drops keywords gnostic has no field for and reports them', () => {
    const dropped: string[] = [];
    const doc = new Message(
      encodeOpenApiV2(
        {
          swagger: '2.0',
          openapi: '3.0.0',
          definitions: {
            X: {
              type: 'object',
              nullable: true,
              properties: { o: { oneOf: [{ type: 'string' }], anyOf: [], not: {} } },
            },
          },
        },
        { onDropped: (p) => dropped.push(p) },
      ),
    );
    // In the order the walk meets them: a message's own fields first, then its leftovers.
    assert.deepEqual(dropped, [
      '$.definitions["X"].properties["o"].oneOf',
      '$.definitions["X"].properties["o"].anyOf',
      '$.definitions["X"].properties["o"].not',
      '$.definitions["X"].nullable',
      '$.openapi',
    ]);
    assert.deepEqual(properties(definition(doc, 'X')).get('o')!.numbers(), []);
  });

  it('rejects values of the wrong type with InvalidError naming the path', () => {
    const cases: [unknown, RegExp][] = [
      ['not a document', /^\$: expected an object, got string$/],
      [{ swagger: 2 }, /^\$\.swagger: expected a string, got number$/],
      [
        { definitions: { A: { required: 'x' } } },
        /^\$\.definitions\["A"\]\.required: expected an array/,
      ],
      [{ definitions: { A: { maxLength: 1.5 } } }, /maxLength: expected an integer, got 1\.5$/],
      [
        { definitions: { A: { type: 'object', properties: [] } } },
        /properties: expected an object, got an array/,
      ],
      [
        { paths: { '/x': { get: { parameters: [{ name: 'q', in: 'cookie' }] } } } },
        /parameters\[0\]\.in: expected body, header, formData, query or path, got "cookie"/,
      ],
    ];
    for (const [doc, re] of cases) {
      assert.throws(
        () => encodeOpenApiV2(doc),
        (err: unknown) => {
          assert.ok(isInvalid(err), `want InvalidError, got ${String(err)}`);
          assert.match(err.message, re);
          return true;
        },
      );
    }
  });
});

describe('encodeOpenApiV2: paths', () => {
  const doc = encode({
    swagger: '2.0',
    paths: {
      '/api/v1/namespaces/{namespace}/configmaps/{name}': {
        parameters: [
          { name: 'name', in: 'path', description: 'n', required: true, type: 'string' },
          { $ref: '#/parameters/namespace' },
        ],
        patch: {
          operationId: 'patchCoreV1NamespacedConfigMap',
          tags: ['core_v1'],
          consumes: ['application/merge-patch+json'],
          produces: ['application/json'],
          parameters: [
            { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/Patch' } },
            {
              name: 'fieldValidation',
              in: 'query',
              description: 'fv',
              uniqueItems: true,
              type: 'string',
            },
            { name: 'X-H', in: 'header', type: 'string' },
            { name: 'f', in: 'formData', type: 'file' },
          ],
          responses: {
            '200': { description: 'OK', schema: { $ref: '#/definitions/ConfigMap' } },
            '201': { $ref: '#/responses/created' },
            default: { description: 'file', schema: { type: 'file' } },
            'x-r': 'r',
          },
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: 'ConfigMap' },
        },
      },
      'not-a-path': {},
    },
  });

  const [[name, item], ...rest] = doc.need(DOC.paths).named(PATHS.path);

  it('has one NamedPathItem per "/" key', () => {
    assert.equal(name, '/api/v1/namespaces/{namespace}/configmaps/{name}');
    assert.equal(rest.length, 0);
    assert.deepEqual(item.numbers(), [PATH_ITEM.patch, PATH_ITEM.parameters]);
  });

  it('writes path-level parameters, including references', () => {
    const [p0, p1] = item.msgs(PATH_ITEM.parameters);
    const path = p0.need(PARAMETERS_ITEM.parameter).need(PARAMETER.nonBody).need(NON_BODY.path);
    assert.equal(path.str(PATH_PARAM.name), 'name');
    assert.equal(path.str(PATH_PARAM.in), 'path');
    assert.equal(path.str(PATH_PARAM.description), 'n');
    assert.equal(path.varint(PATH_PARAM.required), 1n);
    assert.equal(path.str(PATH_PARAM.type), 'string');
    assert.equal(p1.need(PARAMETERS_ITEM.jsonReference).str(1), '#/parameters/namespace');
  });

  it('writes the operation with its GVK extension and fieldValidation parameter', () => {
    const op = item.need(PATH_ITEM.patch);
    assert.equal(op.str(OP.operationId), 'patchCoreV1NamespacedConfigMap');
    assert.deepEqual(op.strs(OP.tags), ['core_v1']);
    assert.deepEqual(op.strs(OP.consumes), ['application/merge-patch+json']);
    assert.deepEqual(op.strs(OP.produces), ['application/json']);
    const ext = op.extensions(OP_VEXT);
    assert.equal(ext['x-kubernetes-action'], '"patch"\n');
    assert.deepEqual(parseYaml(ext['x-kubernetes-group-version-kind']), {
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
    });

    const [body, query, header, form] = op
      .msgs(OP.parameters)
      .map((p) => p.need(PARAMETERS_ITEM.parameter));
    const b = body.need(PARAMETER.body);
    assert.equal(b.str(BODY.name), 'body');
    assert.equal(b.str(BODY.in), 'body');
    assert.equal(b.varint(BODY.required), 1n);
    assert.equal(b.need(BODY.schema).str(S.ref), '#/definitions/Patch');
    // What kubectl's query-param check reads: parameter.nonBody.query.name.
    const q = query.need(PARAMETER.nonBody).need(NON_BODY.query);
    assert.equal(q.str(QUERY.name), 'fieldValidation');
    assert.equal(q.str(QUERY.in), 'query');
    assert.equal(q.str(QUERY.description), 'fv');
    assert.equal(q.str(QUERY.type), 'string');
    assert.equal(q.varint(QUERY.uniqueItems), 1n);
    assert.equal(header.need(PARAMETER.nonBody).need(NON_BODY.header).str(4), 'X-H');
    assert.equal(form.need(PARAMETER.nonBody).need(NON_BODY.formData).str(6), 'file');
  });

  it('writes responses by code, references, file schemas and extensions', () => {
    const responses = item.need(PATH_ITEM.patch).need(OP.responses);
    const codes = responses.named(RESPONSES.code);
    assert.deepEqual(
      codes.map(([c]) => c),
      ['200', '201', 'default'],
    );
    const ok = codes[0][1].need(RESPONSE_VALUE.response);
    assert.equal(ok.str(RESPONSE.description), 'OK');
    assert.equal(
      ok.need(RESPONSE.schema).need(SCHEMA_ITEM.schema).str(S.ref),
      '#/definitions/ConfigMap',
    );
    assert.equal(codes[1][1].need(RESPONSE_VALUE.jsonReference).str(1), '#/responses/created');
    const file = codes[2][1].need(RESPONSE_VALUE.response).need(RESPONSE.schema);
    assert.equal(file.need(SCHEMA_ITEM.fileSchema).str(6), 'file');
    assert.deepEqual(responses.extensions(RESPONSES.vext), { 'x-r': '"r"\n' });
  });
});

describe('encodeOpenApiV2: document-level maps', () => {
  it('writes shared parameters, responses, security definitions and tags', () => {
    const doc = encode({
      parameters: { pretty: { name: 'pretty', in: 'query', type: 'string' } },
      responses: { gone: { description: 'Gone' } },
      securityDefinitions: {
        BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'b' },
        Basic: { type: 'basic' },
        OAuth: {
          type: 'oauth2',
          flow: 'accessCode',
          scopes: { read: 'r' },
          authorizationUrl: 'https://a',
          tokenUrl: 'https://t',
        },
      },
      security: [{ BearerToken: [] }],
      tags: [{ name: 'core', description: 'c' }],
    });
    const [[pname, p]] = doc.need(DOC.parameters).named(1);
    assert.equal(pname, 'pretty');
    assert.equal(p.need(PARAMETER.nonBody).need(NON_BODY.query).str(QUERY.name), 'pretty');
    const [[rname, r]] = doc.need(DOC.responses).named(1);
    assert.equal(rname, 'gone');
    assert.equal(r.str(RESPONSE.description), 'Gone');
    const sec = new Map(doc.need(DOC_SECURITY_DEFINITIONS).named(1));
    const bearer = sec.get('BearerToken')!.need(2);
    assert.deepEqual(
      [bearer.str(1), bearer.str(2), bearer.str(3), bearer.str(4)],
      ['apiKey', 'authorization', 'header', 'b'],
    );
    assert.equal(sec.get('Basic')!.need(1).str(1), 'basic');
    const oauth = sec.get('OAuth')!.need(6);
    assert.deepEqual(
      [oauth.str(2), oauth.str(4), oauth.str(5)],
      ['accessCode', 'https://a', 'https://t'],
    );
    assert.deepEqual(oauth.need(3).named(1)[0][0], 'read');
    assert.deepEqual(
      doc.msgs(DOC_TAGS).map((t) => [t.str(1), t.str(2)]),
      [['core', 'c']],
    );
  });
});

describe('encodeOpenApiV2: the built-in document', () => {
  const json = JSON.parse(new OpenApi(builtinRegistry()).v2()) as {
    paths: Record<string, unknown>;
    definitions: Record<string, unknown>;
  };
  const dropped: string[] = [];
  const bytes = encodeOpenApiV2(json, { onDropped: (p) => dropped.push(p) });
  const doc = new Message(bytes);

  it('is a few hundred KB and drops nothing', () => {
    assert.ok(bytes.length > 100_000 && bytes.length < 1_000_000, `${bytes.length} bytes`);
    assert.deepEqual(dropped, []);
  });

  it('has every path and definition, in order', () => {
    assert.equal(doc.str(DOC.swagger), '2.0');
    assert.equal(doc.need(DOC.info).str(INFO.title), 'Kubernetes');
    assert.deepEqual(
      doc
        .need(DOC.paths)
        .named(PATHS.path)
        .map(([n]) => n),
      Object.keys(json.paths),
    );
    assert.deepEqual(
      doc
        .need(DOC.definitions)
        .named(1)
        .map(([n]) => n),
      Object.keys(json.definitions),
    );
  });

  it('has a PATCH operation tagged with each patchable kind and a fieldValidation parameter', () => {
    // The search kubectl's query-param verifier does, for ConfigMap and Deployment.
    const find = (gvk: { group: string; version: string; kind: string }): string[] | undefined => {
      for (const [, item] of doc.need(DOC.paths).named(PATHS.path)) {
        const patch = item.msg(PATH_ITEM.patch);
        const yaml = patch?.extensions(OP_VEXT)['x-kubernetes-group-version-kind'];
        if (!patch || !yaml) continue;
        const v = parseYaml(yaml, { version: '1.1' }) as Record<string, string>;
        if (v.group !== gvk.group || v.version !== gvk.version || v.kind !== gvk.kind) continue;
        return patch
          .msgs(OP.parameters)
          .map((p) => p.msg(PARAMETERS_ITEM.parameter)?.msg(PARAMETER.nonBody)?.msg(NON_BODY.query))
          .filter((q) => q !== undefined)
          .map((q) => q.str(QUERY.name) ?? '');
      }
      return undefined;
    };
    const configMap = find({ group: '', version: 'v1', kind: 'ConfigMap' });
    assert.ok(configMap?.includes('fieldValidation'), String(configMap));
    assert.ok(
      find({ group: 'apps', version: 'v1', kind: 'Deployment' })?.includes('fieldValidation'),
    );
  });

  it('carries strategic-merge metadata and GVKs in definitions', () => {
    const containers = properties(definition(doc, 'io.k8s.api.core.v1.PodSpec')).get('containers')!;
    const ext = containers.extensions(S.vext);
    assert.equal(ext['x-kubernetes-patch-merge-key'], '"name"\n');
    assert.equal(ext['x-kubernetes-patch-strategy'], '"merge"\n');
    assert.deepEqual(containers.need(S.type).strs(1), ['array']);
    assert.equal(
      containers.need(S.items).msgs(1)[0].str(S.ref),
      '#/definitions/io.k8s.api.core.v1.Container',
    );
    const gvk = definition(doc, 'io.k8s.api.core.v1.ConfigMap').extensions(S.vext)[
      'x-kubernetes-group-version-kind'
    ];
    assert.deepEqual(parseYaml(gvk, { version: '1.1' }), [
      { group: '', kind: 'ConfigMap', version: 'v1' },
    ]);
    // A described reference (allOf in the JSON) arrives as a $ref.
    const template = properties(definition(doc, 'io.k8s.api.apps.v1.DeploymentSpec')).get(
      'template',
    )!;
    assert.equal(template.str(S.ref), '#/definitions/io.k8s.api.core.v1.PodTemplateSpec');
    assert.ok((template.str(S.description) ?? '').length > 0);
  });
});
