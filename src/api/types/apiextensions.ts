/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition. The schema of a version
 * (`schema.openAPIV3Schema`) is the shared `JSONSchemaProps` of
 * src/api/schema.ts, the same language the built-in definitions are written in.
 * Field names follow the Kubernetes API (1.33).
 */

import type { JSONSchemaProps } from '../schema.ts';
import type { KubeList, KubeObject } from './meta.ts';

export interface CustomResourceDefinition extends KubeObject {
  apiVersion?: 'apiextensions.k8s.io/v1';
  kind?: 'CustomResourceDefinition';
  spec: CustomResourceDefinitionSpec;
  status?: CustomResourceDefinitionStatus;
}

export type ResourceScope = 'Namespaced' | 'Cluster';

export interface CustomResourceDefinitionSpec {
  group: string;
  names: CustomResourceDefinitionNames;
  scope: ResourceScope;
  versions: CustomResourceDefinitionVersion[];
  conversion?: CustomResourceConversion;
  /** Deprecated; must be false for v1 CRDs whose schemas are structural. */
  preserveUnknownFields?: boolean;
}

export interface CustomResourceDefinitionNames {
  plural: string;
  singular?: string;
  shortNames?: string[];
  kind: string;
  listKind?: string;
  categories?: string[];
}

export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  /** Exactly one version of a CRD is the storage version. */
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: CustomResourceValidation;
  subresources?: CustomResourceSubresources;
  additionalPrinterColumns?: CustomResourceColumnDefinition[];
  selectableFields?: SelectableField[];
}

export interface CustomResourceValidation {
  openAPIV3Schema?: JSONSchemaProps;
}

export interface CustomResourceSubresources {
  /** Present (as `{}`) to enable the status subresource. */
  status?: CustomResourceSubresourceStatus;
  scale?: CustomResourceSubresourceScale;
}

/** Carries no fields: its presence is the switch. */
export type CustomResourceSubresourceStatus = Record<string, never>;

export interface CustomResourceSubresourceScale {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface CustomResourceColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface SelectableField {
  jsonPath: string;
}

export type ConversionStrategyType = 'None' | 'Webhook';

export interface CustomResourceConversion {
  strategy: ConversionStrategyType;
  webhook?: WebhookConversion;
}

export interface WebhookConversion {
  clientConfig?: WebhookClientConfig;
  conversionReviewVersions: string[];
}

export interface WebhookClientConfig {
  url?: string;
  service?: ServiceReference;
  /** Base64 of a PEM bundle. */
  caBundle?: string;
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

export interface CustomResourceDefinitionStatus {
  conditions?: CustomResourceDefinitionCondition[];
  acceptedNames?: CustomResourceDefinitionNames;
  storedVersions?: string[];
}

/** Known types; others may appear. */
export type CustomResourceDefinitionConditionType =
  | 'Established'
  | 'NamesAccepted'
  | 'NonStructuralSchema'
  | 'Terminating'
  | 'KubernetesAPIApprovalPolicyConformant';

export interface CustomResourceDefinitionCondition {
  /** A `CustomResourceDefinitionConditionType`, or another type some controller sets. */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export type CustomResourceDefinitionList = KubeList<CustomResourceDefinition>;
