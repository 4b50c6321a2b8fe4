/**
 * The objects a pod refers to by name in its own namespace: the ConfigMaps and
 * Secrets its containers and volumes read, its service account and its
 * PersistentVolumeClaims. This is what a node may read because a pod bound to
 * it needs it (Kubernetes' node authorizer graph, our edge view), so the cloud
 * hub and the HTTPS node authorizer both work it out here, the same way.
 */
import type { Container, EnvFromSource, EnvVar, Pod, Volume } from './types/core.ts';

export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
  persistentVolumeClaims: Set<string>;
  /** `spec.serviceAccountName`, if any. */
  serviceAccount?: string;
}

/** Every ConfigMap, Secret and claim `pod` names, optional references included. */
export function podReferences(pod: Pod): PodReferences {
  const refs: PodReferences = {
    configMaps: new Set(),
    secrets: new Set(),
    persistentVolumeClaims: new Set(),
  };
  const spec = pod.spec;
  if (!spec) return refs;
  if (spec.serviceAccountName) refs.serviceAccount = spec.serviceAccountName;
  for (const s of spec.imagePullSecrets ?? []) if (s.name) refs.secrets.add(s.name);
  const containers: Array<Pick<Container, 'env' | 'envFrom'>> = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
  for (const c of containers) {
    for (const e of c.env ?? []) addEnv(refs, e);
    for (const e of c.envFrom ?? []) addEnvFrom(refs, e);
  }
  for (const v of spec.volumes ?? []) addVolume(refs, v);
  return refs;
}

function addEnv(refs: PodReferences, e: EnvVar): void {
  const cm = e.valueFrom?.configMapKeyRef?.name;
  if (cm) refs.configMaps.add(cm);
  const secret = e.valueFrom?.secretKeyRef?.name;
  if (secret) refs.secrets.add(secret);
}

function addEnvFrom(refs: PodReferences, e: EnvFromSource): void {
  if (e.configMapRef?.name) refs.configMaps.add(e.configMapRef.name);
  if (e.secretRef?.name) refs.secrets.add(e.secretRef.name);
}

/** Volume sources whose credentials live in a Secret named by `secretRef`. */
const SECRET_REF_SOURCES = [
  'cephfs',
  'cinder',
  'flexVolume',
  'iscsi',
  'rbd',
  'scaleIO',
  'storageos',
] as const;

function addVolume(refs: PodReferences, v: Volume): void {
  if (v.configMap?.name) refs.configMaps.add(v.configMap.name);
  if (v.secret?.secretName) refs.secrets.add(v.secret.secretName);
  if (v.persistentVolumeClaim?.claimName) {
    refs.persistentVolumeClaims.add(v.persistentVolumeClaim.claimName);
  }
  for (const source of v.projected?.sources ?? []) {
    if (source.configMap?.name) refs.configMaps.add(source.configMap.name);
    if (source.secret?.name) refs.secrets.add(source.secret.name);
  }
  if (v.azureFile?.secretName) refs.secrets.add(v.azureFile.secretName);
  const csiSecret = v.csi?.nodePublishSecretRef?.name;
  if (csiSecret) refs.secrets.add(csiSecret);
  for (const key of SECRET_REF_SOURCES) {
    const source = v[key] as { secretRef?: { name?: string } } | undefined;
    if (source?.secretRef?.name) refs.secrets.add(source.secretRef.name);
  }
}
