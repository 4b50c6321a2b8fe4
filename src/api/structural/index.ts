/**
 * The structural-schema engine: what the Kubernetes API server does with an
 * OpenAPI v3 schema (`JSONSchemaProps`) besides storing it.
 *
 * - unknownFields / prune: fields a schema does not declare (strict field
 *   validation for every kind; pruning for custom resources).
 * - applyDefaults: CRD defaulting.
 * - validateValue: CRD value validation, with Kubernetes' messages.
 * - checkStructural: the rules a CRD's schema itself must follow.
 *
 * All walks are bounded (MAX_DEPTH levels, MAX_CAUSES causes), so hostile
 * objects and recursive schemas cannot make them run away.
 */
export { unknownFields, prune } from './prune.ts';
export { applyDefaults } from './defaults.ts';
export { validateValue } from './validate.ts';
export { checkStructural } from './structural.ts';
export { MAX_CAUSES, MAX_DEPTH } from './schema-node.ts';
export { MAX_PATTERN_INPUT } from './pattern.ts';
