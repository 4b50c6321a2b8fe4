import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../schema.ts';
import type { CustomResourceDefinition } from '../types/apiextensions.ts';
import {
  defaultCustomResourceDefinition,
  prepareCustomResourceDefinitionForCreate,
  prepareCustomResourceDefinitionForUpdate,
  validateCustomResourceDefinition,
} from './index.ts';
import { cronTab, kubeEdgeDevice, problems, widget } from './test-support.ts';

type Mutation = (crd: CustomResourceDefinition) => void;

/** A copy of `base()` changed by `change`. */
function variant(base: () => CustomResourceDefinition, change: Mutation): CustomResourceDefinition {
  const crd = base();
  change(crd);
  return crd;
}

/** The openAPIV3Schema of cronTab's only version. */
function schema(crd: CustomResourceDefinition): JSONSchemaProps {
  return crd.spec.versions[0].schema!.openAPIV3Schema!;
}

function specProps(crd: CustomResourceDefinition): Record<string, JSONSchemaProps> {
  return schema(crd).properties!.spec.properties!;
}

const V = 'spec.validation.openAPIV3Schema';
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('valid CustomResourceDefinitions', () => {
  it('accepts a multi-version CRD with subresources, columns, defaults, selectable fields and CEL rules', () => {
    const calls: string[] = [];
    const result = problems(widget(), undefined, {
      celCheck: (rule, path) => {
        calls.push(`${path} => ${rule}`);
        return undefined;
      },
    });
    assert.deepEqual(result, []);
    // Every rule is compiled once, children before their parent, at the
    // per-version path (the two versions' schemas differ).
    const p0 = 'spec.versions[0].schema.openAPIV3Schema.properties[spec]';
    const p1 = 'spec.versions[1].schema.openAPIV3Schema.properties[spec]';
    assert.deepEqual(calls, [
      `${p0}.properties[ports].items.x-kubernetes-validations[0].rule => self.port != 22`,
      `${p0}.x-kubernetes-validations[0].rule => self.replicas <= 100`,
      `${p0}.x-kubernetes-validations[1].rule => self.image == oldSelf.image || self.paused`,
      `${p1}.properties[ports].items.x-kubernetes-validations[0].rule => self.port != 22`,
      `${p1}.x-kubernetes-validations[0].rule => self.replicas <= 100`,
      `${p1}.x-kubernetes-validations[1].rule => self.image == oldSelf.image || self.paused`,
    ]);
  });

  it('passes the schema node a rule is attached to', () => {
    const nodes: JSONSchemaProps[] = [];
    problems(cronTab(), undefined, {
      celCheck: (_rule, _path, node) => {
        nodes.push(node);
        return undefined;
      },
    });
    assert.equal(nodes.length, 0);
    const crd = variant(cronTab, (c) => {
      schema(c).properties!.spec['x-kubernetes-validations'] = [{ rule: 'has(self.image)' }];
    });
    problems(crd, undefined, {
      celCheck: (_rule, _path, node) => {
        nodes.push(node);
        return undefined;
      },
    });
    assert.equal(nodes.length, 1);
    assert.deepEqual(Object.keys(nodes[0].properties ?? {}), ['cronSpec', 'image', 'replicas']);
  });

  it('accepts the KubeEdge Device CRD shape', () => {
    assert.deepEqual(problems(kubeEdgeDevice()), []);
  });

  it('accepts a minimal single-version CRD', () => {
    assert.deepEqual(problems(cronTab()), []);
  });

  it('accepts a cluster-scoped CRD without singular and listKind (defaulted)', () => {
    const crd = variant(cronTab, (c) => {
      c.spec.scope = 'Cluster';
      delete c.spec.names.singular;
    });
    assert.deepEqual(problems(crd), []);
  });

  it('accepts protected groups with an approval annotation or an explicit bypass', () => {
    for (const annotation of [
      'https://github.com/kubernetes/enhancements/pull/1111',
      'unapproved, experimental only',
    ]) {
      const crd = variant(cronTab, (c) => {
        c.metadata.name = 'crontabs.stable.k8s.io';
        c.metadata.annotations = { 'api-approved.kubernetes.io': annotation };
        c.spec.group = 'stable.k8s.io';
      });
      assert.deepEqual(problems(crd), [], annotation);
    }
  });
});

describe('defaultCustomResourceDefinition', () => {
  it("fills Kubernetes' v1 defaults", () => {
    const crd: CustomResourceDefinition = {
      metadata: { name: 'crontabs.stable.example.com' },
      spec: {
        group: 'stable.example.com',
        scope: 'Namespaced',
        names: { plural: 'crontabs', kind: 'CronTab' },
        versions: [
          { name: 'v1beta1', served: true, storage: false },
          { name: 'v1', served: true, storage: true },
        ],
        preserveUnknownFields: false,
      },
    };
    defaultCustomResourceDefinition(crd);
    assert.deepEqual(crd, {
      metadata: { name: 'crontabs.stable.example.com' },
      spec: {
        group: 'stable.example.com',
        scope: 'Namespaced',
        names: {
          plural: 'crontabs',
          kind: 'CronTab',
          singular: 'crontab',
          listKind: 'CronTabList',
        },
        versions: [
          { name: 'v1beta1', served: true, storage: false },
          { name: 'v1', served: true, storage: true },
        ],
        conversion: { strategy: 'None' },
      },
      status: { storedVersions: ['v1'] },
    });
  });

  it('is idempotent and keeps what the user set', () => {
    const crd = widget();
    crd.spec.conversion = {
      strategy: 'Webhook',
      webhook: {
        conversionReviewVersions: ['v1'],
        clientConfig: { service: { namespace: 'default', name: 'conv' } },
      },
    };
    crd.status = { storedVersions: ['v1beta1', 'v1'] };
    defaultCustomResourceDefinition(crd);
    const once = structuredClone(crd);
    defaultCustomResourceDefinition(crd);
    assert.deepEqual(crd, once);
    assert.equal(crd.spec.names.singular, 'widget');
    assert.equal(crd.spec.conversion?.webhook?.clientConfig?.service?.port, 443);
    assert.deepEqual(crd.status?.storedVersions, ['v1beta1', 'v1']);
  });

  it('leaves singular empty and listKind unset without a kind', () => {
    const crd = variant(cronTab, (c) => {
      c.spec.names = { plural: 'crontabs', kind: '' };
    });
    defaultCustomResourceDefinition(crd);
    assert.deepEqual(crd.spec.names, { plural: 'crontabs', kind: '', singular: '' });
  });

  it('tolerates a CRD without a spec', () => {
    const crd = { metadata: { name: 'x' } } as unknown as CustomResourceDefinition;
    defaultCustomResourceDefinition(crd);
    assert.deepEqual(crd, { metadata: { name: 'x' } });
  });
});

describe('prepare hooks', () => {
  it('on create, status holds only the storage version', () => {
    const crd = widget();
    crd.status = { storedVersions: ['v0'], acceptedNames: { plural: 'x', kind: 'X' } };
    prepareCustomResourceDefinitionForCreate(crd);
    assert.deepEqual(crd.status, { storedVersions: ['v1'] });
  });

  it('on update, status comes from the stored object and gains a new storage version', () => {
    const old = widget();
    old.status = {
      storedVersions: ['v1'],
      conditions: [{ type: 'Established', status: 'True' }],
    };
    const crd = widget();
    crd.spec.versions[0].storage = false;
    crd.spec.versions[1].storage = true;
    crd.status = { storedVersions: [] };
    prepareCustomResourceDefinitionForUpdate(crd, old);
    assert.deepEqual(crd.status, {
      storedVersions: ['v1', 'v1beta1'],
      conditions: [{ type: 'Established', status: 'True' }],
    });
    assert.deepEqual(old.status.storedVersions, ['v1']);
  });
});

/** Each variant of cronTab() and the exact causes Kubernetes reports for it. */
const createCases: [name: string, change: Mutation, expected: string[]][] = [
  [
    'metadata.name that is not <plural>.<group>',
    (c) => {
      c.metadata.name = 'crontab.stable.example.com';
    },
    [
      'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group',
    ],
  ],
  [
    'generateName (the generated name cannot match either)',
    (c) => {
      c.metadata.generateName = 'crontabs-';
      c.metadata.name = 'crontabs-x7k2p';
    },
    [
      'metadata.generateName: Invalid value: "crontabs-": must be spec.names.plural+"."+spec.group',
      'metadata.name: Invalid value: "crontabs-x7k2p": must be spec.names.plural+"."+spec.group',
    ],
  ],
  [
    'a namespace on a cluster-scoped object',
    (c) => {
      c.metadata.namespace = 'default';
    },
    ['metadata.namespace: Forbidden: not allowed on this type'],
  ],
  [
    'group without a dot',
    (c) => {
      c.spec.group = 'example';
      c.metadata.name = 'crontabs.example';
    },
    ['spec.group: Invalid value: "example": should be a domain with at least one dot'],
  ],
  [
    'group missing',
    (c) => {
      c.spec.group = '';
      c.metadata.name = 'crontabs.';
    },
    [
      "metadata.name: Invalid value: \"crontabs.\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'spec.group: Required value',
    ],
  ],
  [
    'scope missing',
    (c) => {
      (c.spec as { scope?: string }).scope = '';
    },
    ['spec.scope: Required value'],
  ],
  [
    'unknown scope',
    (c) => {
      (c.spec as { scope: string }).scope = 'Global';
    },
    ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
  ],
  [
    'kind missing (nothing to default singular and listKind from)',
    (c) => {
      c.spec.names = { plural: 'crontabs', kind: '' };
    },
    [
      'spec.names.singular: Required value',
      'spec.names.kind: Required value',
      'spec.names.listKind: Required value',
    ],
  ],
  [
    'listKind equal to kind',
    (c) => {
      c.spec.names.listKind = 'CronTab';
    },
    ['spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same'],
  ],
  [
    'a bad short name and category',
    (c) => {
      c.spec.names.shortNames = ['ct', 'Ct'];
      c.spec.names.categories = ['all', 'my_things'];
    },
    [
      `spec.names.shortNames[1]: Invalid value: "Ct": ${DNS1035}`,
      `spec.names.categories[1]: Invalid value: "my_things": ${DNS1035}`,
    ],
  ],
  [
    'no versions',
    (c) => {
      c.spec.versions = [];
    },
    [
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{}: must have exactly one version marked as storage version',
      'status.storedVersions: Invalid value: []string(nil): must have at least one stored version',
    ],
  ],
  [
    'two storage versions (identical schemas: printed as moved to the spec)',
    (c) => {
      c.spec.versions.push({ ...structuredClone(c.spec.versions[0]), name: 'v2' });
    },
    [
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:"v1", Served:true, Storage:true, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(nil), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}, apiextensions.CustomResourceDefinitionVersion{Name:"v2", Served:true, Storage:true, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(nil), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}}: must have exactly one version marked as storage version',
      'status.storedVersions: Invalid value: []string{"v1"}: must have the storage version v2',
    ],
  ],
  [
    'duplicate version names (different schemas: pointers printed)',
    (c) => {
      c.spec.versions.push({
        name: 'v1',
        served: true,
        storage: false,
        schema: { openAPIV3Schema: { type: 'object' } },
      });
    },
    [
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:"v1", Served:true, Storage:true, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(0xc000000000), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}, apiextensions.CustomResourceDefinitionVersion{Name:"v1", Served:true, Storage:false, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(0xc000000000), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}}: must contain unique version names',
    ],
  ],
  [
    'a version name that is not a DNS-1035 label (also reported as spec.version)',
    (c) => {
      c.spec.versions[0].name = 'V1';
    },
    [
      `spec.versions[0].name: Invalid value: "V1": ${DNS1035}`,
      `spec.version: Invalid value: "V1": ${DNS1035}`,
    ],
  ],
  [
    'a version without a schema',
    (c) => {
      delete c.spec.versions[0].schema;
    },
    ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
  ],
  [
    'one of two versions without a schema',
    (c) => {
      c.spec.versions.push({ name: 'v2', served: true, storage: false });
    },
    ['spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required'],
  ],
  [
    'a deprecation warning on a version that is not deprecated',
    (c) => {
      c.spec.versions[0].deprecationWarning = 'use v2';
    },
    [
      'spec.versions[0].deprecationWarning: Invalid value: "use v2": can only be set for deprecated versions',
    ],
  ],
  [
    'an empty deprecation warning and one with a control character',
    (c) => {
      c.spec.versions[0].deprecated = true;
      c.spec.versions[0].deprecationWarning = '';
      c.spec.versions.push({
        name: 'v2',
        served: true,
        storage: false,
        deprecated: true,
        deprecationWarning: 'gone\tsoon',
        schema: structuredClone(c.spec.versions[0].schema),
      });
    },
    [
      'spec.versions[0].deprecationWarning: Invalid value: "": must not be an empty string',
      'spec.versions[1].deprecationWarning: Invalid value: "gone\\tsoon": must only contain printable UTF-8 characters; non-printable character found at index 4',
    ],
  ],
  [
    'a non-structural schema (reported at spec.validation: one version)',
    (c) => {
      specProps(c).schedule = { description: 'no type' };
    },
    [
      `${V}.properties[spec].properties[schedule].type: Required value: must not be empty for specified object fields`,
    ],
  ],
  [
    'a non-structural schema in one of two differing versions',
    (c) => {
      const v2 = structuredClone(c.spec.versions[0]);
      v2.name = 'v2';
      v2.storage = false;
      v2.schema!.openAPIV3Schema!.properties!.spec.properties!.schedule = {};
      c.spec.versions.push(v2);
    },
    [
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[schedule].type: Required value: must not be empty for specified object fields',
    ],
  ],
  [
    'a root type other than object with the status subresource',
    (c) => {
      c.spec.versions[0].subresources = { status: {} };
      schema(c).type = 'array';
      schema(c).items = { type: 'string' };
      delete schema(c).properties;
    },
    [
      `${V}.type: Invalid value: "array": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
      `${V}.type: Invalid value: "array": must be object at the root`,
    ],
  ],
  [
    'a root keyword the status subresource forbids',
    (c) => {
      c.spec.versions[0].subresources = { status: {} };
      c.spec.versions[0].schema!.openAPIV3Schema = { type: 'object', maxProperties: 3 };
    },
    [
      `${V}: Invalid value: apiextensions.JSONSchemaProps{ID:"", Schema:"", Ref:(*string)(nil), Description:"", Type:"object", Nullable:false, Format:"", Title:"", Default:(*apiextensions.JSON)(nil), Maximum:(*float64)(nil), ExclusiveMaximum:false, Minimum:(*float64)(nil), ExclusiveMinimum:false, MaxLength:(*int64)(nil), MinLength:(*int64)(nil), Pattern:"", MaxItems:(*int64)(nil), MinItems:(*int64)(nil), UniqueItems:false, MultipleOf:(*float64)(nil), Enum:[]apiextensions.JSON(nil), MaxProperties:(*int64)(0xc000000000), MinProperties:(*int64)(nil), Required:[]string(nil), Items:(*apiextensions.JSONSchemaPropsOrArray)(nil), AllOf:[]apiextensions.JSONSchemaProps(nil), OneOf:[]apiextensions.JSONSchemaProps(nil), AnyOf:[]apiextensions.JSONSchemaProps(nil), Not:(*apiextensions.JSONSchemaProps)(nil), Properties:map[string]apiextensions.JSONSchemaProps(nil), AdditionalProperties:(*apiextensions.JSONSchemaPropsOrBool)(nil), PatternProperties:map[string]apiextensions.JSONSchemaProps(nil), Dependencies:apiextensions.JSONSchemaDependencies(nil), AdditionalItems:(*apiextensions.JSONSchemaPropsOrBool)(nil), Definitions:apiextensions.JSONSchemaDefinitions(nil), ExternalDocs:(*apiextensions.ExternalDocumentation)(nil), Example:(*apiextensions.JSON)(nil), XPreserveUnknownFields:(*bool)(nil), XEmbeddedResource:false, XIntOrString:false, XListMapKeys:[]string(nil), XListType:(*string)(nil), XMapType:(*string)(nil), XValidations:apiextensions.ValidationRules(nil)}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled`,
    ],
  ],
  [
    'bad scale paths',
    (c) => {
      c.spec.versions[0].subresources = {
        scale: {
          specReplicasPath: 'spec.replicas',
          statusReplicasPath: '.spec.replicas',
          labelSelectorPath: '.metadata.labels',
        },
      };
    },
    [
      'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
      'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status',
      'spec.subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
    ],
  ],
  [
    'scale paths missing',
    (c) => {
      c.spec.versions[0].subresources = {
        scale: { specReplicasPath: '', statusReplicasPath: '' },
      };
    },
    [
      'spec.subresources.scale.specReplicasPath: Required value',
      'spec.subresources.scale.statusReplicasPath: Required value',
    ],
  ],
  [
    'printer columns with missing and unknown values',
    (c) => {
      c.spec.versions[0].additionalPrinterColumns = [
        { name: '', type: '', jsonPath: '' },
        { name: 'Schedule', type: 'text', format: 'uuid', jsonPath: 'spec.cronSpec' },
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready"' },
      ];
    },
    [
      'spec.additionalPrinterColumns[0].name: Required value',
      'spec.additionalPrinterColumns[0].type: Required value: must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[0].JSONPath: Required value',
      'spec.additionalPrinterColumns[1].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[1].format: Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.additionalPrinterColumns[1].JSONPath: Invalid value: "spec.cronSpec": must be a simple json path starting with .',
    ],
  ],
  [
    'printer columns that differ per version (reported per version)',
    (c) => {
      const v2 = structuredClone(c.spec.versions[0]);
      v2.name = 'v2';
      v2.storage = false;
      v2.additionalPrinterColumns = [{ name: 'Image', type: 'string', jsonPath: 'spec.image' }];
      c.spec.versions.push(v2);
    },
    [
      'spec.versions[1].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.image": must be a simple json path starting with .',
    ],
  ],
  [
    'selectable fields that are not valid',
    (c) => {
      specProps(c).labels = { type: 'object', additionalProperties: { type: 'string' } };
      c.spec.versions[0].selectableFields = [
        { jsonPath: '.spec.image' },
        { jsonPath: '' },
        { jsonPath: '.spec.missing' },
        { jsonPath: '.spec' },
        { jsonPath: 'spec.image' },
        { jsonPath: ".spec.labels['app']" },
        { jsonPath: '.spec.image' },
        { jsonPath: '.metadata.name' },
      ];
    },
    [
      'spec.selectableFields[1].jsonPath: Required value',
      'spec.selectableFields[2].jsonPath: Invalid value: ".spec.missing": is an invalid path: does not refer to a valid field',
      'spec.selectableFields[3].jsonPath: Invalid value: ".spec": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
      'spec.selectableFields[4].jsonPath: Invalid value: "spec.image": is an invalid path: expected [ or . but got: spec',
      'spec.selectableFields[5].jsonPath: Invalid value: ".spec.labels[\'app\']": is an invalid path: array notation is not allowed',
      'spec.selectableFields[6].jsonPath: Duplicate value: ".spec.image"',
      'spec.selectableFields[7].jsonPath: Invalid value: ".metadata.name": is an invalid path: does not refer to a valid field',
    ],
  ],
  [
    'selectable fields in metadata (declared in the schema)',
    (c) => {
      schema(c).properties!.metadata = {
        type: 'object',
        properties: { name: { type: 'string' } },
      };
      c.spec.versions[0].selectableFields = [{ jsonPath: '.metadata.name' }];
    },
    [
      'spec.selectableFields[0].jsonPath: Invalid value: ".metadata.name": must not point to fields in metadata',
    ],
  ],
  [
    'more than eight selectable fields',
    (c) => {
      const props = specProps(c);
      const fields = [];
      for (let i = 0; i < 9; i++) {
        props[`f${i}`] = { type: 'string' };
        fields.push({ jsonPath: `.spec.f${i}` });
      }
      c.spec.versions[0].selectableFields = fields;
    },
    ['spec.selectableFields: Too many: 9: must have at most 8 items'],
  ],
  [
    'selectable fields of one version checked against its own schema',
    (c) => {
      const v2 = structuredClone(c.spec.versions[0]);
      v2.name = 'v2';
      v2.storage = false;
      delete v2.schema!.openAPIV3Schema!.properties!.spec.properties!.image;
      c.spec.versions.push(v2);
      for (const v of c.spec.versions) v.selectableFields = [{ jsonPath: '.spec.image' }];
    },
    [
      'spec.selectableFields[0].jsonPath: Invalid value: ".spec.image": is an invalid path: does not refer to a valid field',
    ],
  ],
  [
    "a Webhook conversion strategy (Verge's restriction)",
    (c) => {
      c.spec.conversion = {
        strategy: 'Webhook',
        webhook: {
          conversionReviewVersions: ['v1'],
          clientConfig: { service: { namespace: 'default', name: 'conv' } },
        },
      };
    },
    ['spec.conversion.strategy: Unsupported value: "Webhook": supported values: "None"'],
  ],
  [
    'webhook settings without the Webhook strategy',
    (c) => {
      c.spec.conversion = {
        strategy: 'None',
        webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://conv' } },
      };
    },
    [
      'spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook',
      'spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook',
    ],
  ],
  [
    'an empty conversion strategy',
    (c) => {
      c.spec.conversion = { strategy: '' as 'None' };
    },
    ['spec.conversion.strategy: Required value'],
  ],
  [
    'preserveUnknownFields: true',
    (c) => {
      c.spec.preserveUnknownFields = true;
    },
    [
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
    ],
  ],
  [
    'preserveUnknownFields: true with defaults in the schema',
    (c) => {
      c.spec.preserveUnknownFields = true;
      specProps(c).replicas.default = 1;
    },
    [
      'spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema',
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
    ],
  ],
  [
    'a protected group without an approval annotation',
    (c) => {
      c.metadata.name = 'crontabs.stable.k8s.io';
      c.spec.group = 'stable.k8s.io';
    },
    [
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ],
  ],
  [
    'a protected group with an approval annotation that is neither a URL nor "unapproved"',
    (c) => {
      c.metadata.name = 'crontabs.stable.kubernetes.io';
      c.metadata.annotations = { 'api-approved.kubernetes.io': 'yes' };
      c.spec.group = 'stable.kubernetes.io';
    },
    [
      'metadata.annotations[api-approved.kubernetes.io]: Invalid value: "yes": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111',
    ],
  ],
];

describe('validateCustomResourceDefinition on create', () => {
  for (const [name, change, expected] of createCases) {
    it(`refuses ${name}`, () => {
      assert.deepEqual(problems(variant(cronTab, change)), expected);
    });
  }

  it('reports a non-structural Widget once per differing version', () => {
    const crd = variant(widget, (c) => {
      for (const v of c.spec.versions) {
        v.schema!.openAPIV3Schema!.properties!.spec.properties!.extra = {};
      }
    });
    assert.deepEqual(problems(crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[extra].type: Required value: must not be empty for specified object fields',
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[extra].type: Required value: must not be empty for specified object fields',
    ]);
  });

  it('reports shared subresources at spec.subresources, and per version when they differ', () => {
    const shared = variant(widget, (c) => {
      for (const v of c.spec.versions) v.subresources!.scale!.specReplicasPath = '.status.replicas';
    });
    assert.deepEqual(problems(shared), [
      'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    ]);
    const differing = variant(widget, (c) => {
      c.spec.versions[1].subresources!.scale!.specReplicasPath = '.status.replicas';
    });
    assert.deepEqual(problems(differing), [
      'spec.versions[1].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    ]);
  });

  it('skips the generic metadata rules on request, but not the CRD name rule', () => {
    const crd = variant(cronTab, (c) => {
      c.metadata.name = 'Crontabs.stable.example.com';
    });
    assert.deepEqual(problems(crd, undefined, { metadata: false }), [
      'metadata.name: Invalid value: "Crontabs.stable.example.com": must be spec.names.plural+"."+spec.group',
    ]);
    assert.equal(problems(crd).length, 2);
  });
});

describe('x-kubernetes-validations', () => {
  const withRules = (rules: NonNullable<JSONSchemaProps['x-kubernetes-validations']>) =>
    variant(cronTab, (c) => {
      schema(c).properties!.spec['x-kubernetes-validations'] = rules;
    });
  const R = `${V}.properties[spec].x-kubernetes-validations`;

  it('reports a rule that fails to compile with the rule printed as Kubernetes prints it', () => {
    const calls: string[] = [];
    const result = problems(
      withRules([{ rule: 'self.nope > 0', message: 'positive' }]),
      undefined,
      {
        celCheck: (rule, path) => {
          calls.push(path);
          // The CEL engine's message is complete, Kubernetes' wording included.
          return rule.includes('nope')
            ? "compilation failed: ERROR: <input>:1:5: undefined field 'nope'"
            : undefined;
        },
      },
    );
    assert.deepEqual(calls, [`${R}[0].rule`]);
    assert.deepEqual(result, [
      `${R}[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.nope > 0", Message:"positive", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'nope'`,
    ]);
  });

  it('checks the form of each entry and then compiles nothing in that subtree', () => {
    const calls: string[] = [];
    const result = problems(
      withRules([
        { rule: '  ' },
        { rule: 'self.image != ""', message: '   ' },
        { rule: 'self.image != ""', message: 'two\nlines' },
        { rule: 'self.image != ""\n|| true' },
        { rule: 'true', messageExpression: ' ' },
        { rule: 'true', reason: 'FieldValueTooLong' },
        { rule: 'true', fieldPath: '.nope' },
        { rule: 'true', fieldPath: ' ' },
      ]),
      undefined,
      {
        celCheck: (_rule, path) => {
          calls.push(path);
          return undefined;
        },
      },
    );
    assert.deepEqual(calls, []);
    assert.deepEqual(result, [
      `${R}[0].rule: Required value: rule is not specified`,
      `${R}[1].message: Invalid value: "   ": message must be non-empty if specified`,
      `${R}[2].message: Invalid value: "two\\nlines": message must not contain line breaks`,
      `${R}[3].message: Required value: message must be specified if rule contains line breaks`,
      `${R}[4].messageExpression: Required value: messageExpression must be non-empty if specified`,
      `${R}[5].reason: Unsupported value: "FieldValueTooLong": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
      `${R}[6].fieldPath: Invalid value: ".nope": fieldPath must be a valid path`,
      `${R}[7].fieldPath: Invalid value: " ": fieldPath must be non-empty if specified`,
      `${R}[7].fieldPath: Invalid value: " ": fieldPath must be a valid path`,
    ]);
  });

  it('still compiles rules outside a subtree with problems', () => {
    const crd = variant(cronTab, (c) => {
      schema(c).properties!.spec['x-kubernetes-validations'] = [{ rule: 'self.replicas >= 0' }];
      schema(c).properties!.status['x-kubernetes-validations'] = [{ rule: '' }];
    });
    const calls: string[] = [];
    const result = problems(crd, undefined, {
      celCheck: (_rule, path) => {
        calls.push(path);
        return undefined;
      },
    });
    assert.deepEqual(calls, [`${R}[0].rule`]);
    assert.deepEqual(result, [
      `${V}.properties[status].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
    ]);
  });

  it('does not compile rules of a schema that is not structural', () => {
    const crd = withRules([{ rule: 'self.replicas >= 0' }]);
    specProps(crd).untyped = {};
    let called = false;
    const result = problems(crd, undefined, {
      celCheck: () => {
        called = true;
        return 'never';
      },
    });
    assert.equal(called, false);
    assert.deepEqual(result, [
      `${V}.properties[spec].properties[untyped].type: Required value: must not be empty for specified object fields`,
    ]);
  });

  it('refuses oldSelf where old and new values cannot be paired', () => {
    const crd = variant(cronTab, (c) => {
      specProps(c).hosts = {
        type: 'array',
        items: {
          type: 'string',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf' }],
        },
      };
      specProps(c).ref = {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: {
          name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] },
        },
      };
    });
    assert.deepEqual(problems(crd), [
      `${V}.properties[spec].properties[hosts].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${V}.properties[spec].properties[hosts]`,
      `${V}.properties[spec].properties[ref].properties[name].x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${V}.properties[spec].properties[ref]`,
    ]);
  });

  it('refuses optionalOldSelf on a rule that does not use oldSelf', () => {
    assert.deepEqual(
      problems(withRules([{ rule: "self.image != 'oldSelf'", optionalOldSelf: true }])),
      [
        `${R}[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
      ],
    );
    assert.deepEqual(
      problems(withRules([{ rule: '!has(oldSelf.image) || true', optionalOldSelf: true }])),
      [],
    );
  });
});

describe('validateCustomResourceDefinition on update', () => {
  const established = (): CustomResourceDefinition =>
    variant(cronTab, (c) => {
      c.status = {
        storedVersions: ['v1'],
        conditions: [{ type: 'Established', status: 'True' }],
      };
    });

  it('accepts an unchanged CRD and changes to mutable names', () => {
    assert.deepEqual(problems(cronTab(), established()), []);
    const crd = variant(cronTab, (c) => {
      c.spec.names.shortNames = ['cront'];
      c.spec.names.listKind = 'CronTabItems';
      c.spec.names.categories = ['all'];
    });
    assert.deepEqual(problems(crd, established()), []);
  });

  const updateCases: [name: string, change: Mutation, expected: string[]][] = [
    [
      'a new group',
      (c) => {
        c.spec.group = 'other.example.com';
      },
      ['spec.group: Invalid value: "other.example.com": field is immutable'],
    ],
    [
      'a new plural',
      (c) => {
        c.spec.names.plural = 'crons';
      },
      ['spec.names.plural: Invalid value: "crons": field is immutable'],
    ],
    [
      'a new scope once established',
      (c) => {
        c.spec.scope = 'Cluster';
      },
      ['spec.scope: Invalid value: "Cluster": field is immutable'],
    ],
    [
      'a new kind once established',
      (c) => {
        c.spec.names.kind = 'Cron';
        c.spec.names.listKind = 'CronList';
      },
      ['spec.names.kind: Invalid value: "Cron": field is immutable'],
    ],
    [
      'a new metadata.name',
      (c) => {
        c.metadata.name = 'other.stable.example.com';
      },
      ['metadata.name: Invalid value: "other.stable.example.com": field is immutable'],
    ],
    [
      'preserveUnknownFields: true',
      (c) => {
        c.spec.preserveUnknownFields = true;
      },
      [
        'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ],
    ],
  ];
  for (const [name, change, expected] of updateCases) {
    it(`refuses ${name}`, () => {
      assert.deepEqual(problems(variant(cronTab, change), established()), expected);
    });
  }

  it('allows scope and kind to change before the CRD is established', () => {
    const old = variant(cronTab, (c) => {
      c.status = { storedVersions: ['v1'] };
    });
    const crd = variant(cronTab, (c) => {
      c.spec.scope = 'Cluster';
      c.spec.names.kind = 'Cron';
      c.spec.names.singular = 'cron';
      c.spec.names.listKind = 'CronList';
    });
    assert.deepEqual(problems(crd, old), []);
  });

  it('allows a new storage version, recording both as stored', () => {
    const old = variant(established, (c) => {
      const v2 = structuredClone(c.spec.versions[0]);
      v2.name = 'v2';
      v2.storage = false;
      c.spec.versions.push(v2);
    });
    const crd = structuredClone(old);
    delete crd.status;
    crd.spec.versions[0].storage = false;
    crd.spec.versions[1].storage = true;
    assert.deepEqual(problems(crd, old), []);
    const next = structuredClone(crd);
    defaultCustomResourceDefinition(next);
    prepareCustomResourceDefinitionForUpdate(next, old);
    assert.deepEqual(next.status?.storedVersions, ['v1', 'v2']);
  });

  it('refuses to drop a version that is still in status.storedVersions', () => {
    const old = variant(established, (c) => {
      const v2 = structuredClone(c.spec.versions[0]);
      v2.name = 'v2';
      v2.storage = false;
      c.spec.versions.push(v2);
    });
    const crd = structuredClone(old);
    crd.spec.versions = [crd.spec.versions[1]];
    crd.spec.versions[0].storage = true;
    assert.deepEqual(problems(crd, old), [
      'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions',
    ]);
  });

  it('keeps accepting preserveUnknownFields: true when the stored CRD has it', () => {
    const old = variant(established, (c) => {
      c.spec.preserveUnknownFields = true;
    });
    const crd = variant(cronTab, (c) => {
      c.spec.preserveUnknownFields = true;
    });
    assert.deepEqual(problems(crd, old), []);
  });

  it('does not recheck an unchanged approval state', () => {
    const old = variant(established, (c) => {
      c.metadata.name = 'crontabs.stable.k8s.io';
      c.spec.group = 'stable.k8s.io';
    });
    const crd = structuredClone(old);
    delete crd.status;
    assert.deepEqual(problems(crd, old), []);
  });

  it('does not modify its inputs', () => {
    const crd = widget();
    defaultCustomResourceDefinition(crd);
    prepareCustomResourceDefinitionForCreate(crd);
    const before = structuredClone(crd);
    validateCustomResourceDefinition(crd, crd, { celCheck: () => 'x' });
    assert.deepEqual(crd, before);
  });
});
