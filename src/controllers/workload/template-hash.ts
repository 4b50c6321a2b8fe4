/**
 * Pod template identity for Deployments: the `pod-template-hash` that names a
 * Deployment's ReplicaSets, and the semantic template comparison that decides
 * which ReplicaSet is "new".
 *
 * Kubernetes hashes a Go dump of the template with FNV-32a and spells the
 * decimal value in a vowel-free alphabet. Verge cannot reproduce the Go dump,
 * so it hashes a canonical JSON form instead (sorted keys, empty lists and maps
 * left out): the result is deterministic, stable across restarts and versions
 * of Node.js, and looks the same (`5d4f8c7b9`), but is not bit-identical to
 * Kubernetes'. Nothing depends on it being so: ReplicaSets are matched to a
 * Deployment by comparing templates, never by recomputing the hash.
 */
import { deepEqual, isObject } from '../../util/objects.ts';
import type { PodTemplateSpec } from '../../api/types/core.ts';

/** The label a Deployment adds to its ReplicaSets, their selectors and their pods. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The alphabet of Kubernetes' SafeEncodeString: no vowels, no 0/1/3, so no words. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over `bytes`, continuing from `seed` (the offset basis by default). */
export function fnv32a(bytes: Uint8Array, seed: number = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h ^ b, FNV32_PRIME) >>> 0;
  }
  return h;
}

/** Maps each character to the safe alphabet by its code, as Kubernetes' SafeEncodeString does. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * A JSON value with empty lists and maps (and nulls) removed at every depth,
 * which is how Kubernetes' semantic equality sees them (nil and empty are the
 * same). Returns undefined for a value that normalizes to nothing.
 */
export function normalizeJson(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    // Elements keep their positions: an empty element is still an element.
    return value.map((v) => normalizeJson(v) ?? null);
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = normalizeJson(value[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Canonical JSON text: keys sorted, empty lists/maps and nulls left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalizeJson(value) ?? null);
}

/**
 * The `pod-template-hash` of a template: FNV-32a of its canonical JSON, then,
 * when the Deployment has seen collisions, of `collisionCount` as eight
 * little-endian bytes (as Kubernetes mixes it in), spelled with the safe
 * alphabet. Pure; does not look at or strip an existing hash label, so pass
 * the Deployment's template, not a ReplicaSet's.
 */
export function computeTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

/** Semantic equality of JSON values: nil and empty lists/maps are the same. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(normalizeJson(a), normalizeJson(b));
}

function withoutHashLabel(t: PodTemplateSpec | undefined): unknown {
  if (!t) return undefined;
  const labels = t.metadata?.labels;
  if (!labels || !(POD_TEMPLATE_HASH_LABEL in labels)) return t;
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...rest } = labels;
  return { ...t, metadata: { ...t.metadata, labels: rest } };
}

/**
 * True if two pod templates are the same apart from the `pod-template-hash`
 * label: how a Deployment recognizes the ReplicaSet that runs its current
 * template. Does not modify its arguments.
 */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return semanticEqual(withoutHashLabel(a), withoutHashLabel(b));
}
