import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goInterface, goStrings, goValidationRule, goVersions } from './go-format.ts';

const NONE_MOVED = {
  schema: false,
  subresources: false,
  additionalPrinterColumns: false,
  selectableFields: false,
};

describe("Go's %#v for apiextensions values", () => {
  it('prints JSON values held in interface{}', () => {
    assert.equal(
      goInterface({ b: [1, 2.5, 'x', null, true], a: {} }),
      'map[string]interface {}{"a":map[string]interface {}{}, "b":[]interface {}{1, 2.5, "x", interface {}(nil), true}}',
    );
    assert.equal(goInterface(1e21), '1e+21');
    assert.equal(goInterface(0.00001), '1e-05');
  });

  it('prints a validation rule, pointers as a fixed address', () => {
    assert.equal(
      goValidationRule({
        rule: 'self.a',
        message: 'tab\there',
        reason: 'FieldValueForbidden',
        optionalOldSelf: true,
      }),
      'apiextensions.ValidationRule{Rule:"self.a", Message:"tab\\there", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(0xc000000000), FieldPath:"", OptionalOldSelf:(*bool)(0xc000000000)}',
    );
  });

  it('prints versions with columns and selectable fields in full', () => {
    assert.equal(
      goVersions(
        [
          {
            name: 'v1',
            served: true,
            storage: true,
            deprecationWarning: 'x',
            subresources: { status: {} },
            additionalPrinterColumns: [
              { name: 'Age', type: 'date', priority: 1, jsonPath: '.metadata.creationTimestamp' },
            ],
            selectableFields: [],
          },
        ],
        NONE_MOVED,
      ),
      '[]apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:"v1", Served:true, Storage:true, Deprecated:false, DeprecationWarning:(*string)(0xc000000000), Schema:(*apiextensions.CustomResourceValidation)(nil), Subresources:(*apiextensions.CustomResourceSubresources)(0xc000000000), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition{apiextensions.CustomResourceColumnDefinition{Name:"Age", Type:"date", Format:"", Description:"", Priority:1, JSONPath:".metadata.creationTimestamp"}}, SelectableFields:[]apiextensions.SelectableField{}}}',
    );
    assert.equal(
      goVersions(undefined, NONE_MOVED),
      '[]apiextensions.CustomResourceDefinitionVersion(nil)',
    );
  });

  it('prints string lists', () => {
    assert.equal(goStrings(['v1', 'v2']), '[]string{"v1", "v2"}');
    assert.equal(goStrings(undefined), '[]string(nil)');
    assert.equal(goStrings([]), '[]string{}');
  });
});
