/** Kubernetes' timestamps: RFC 3339 in UTC, whole seconds. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function rfc3339Micro(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
