/** Kubernetes' timestamps, as the API writes them. */

/** meta/v1 Time: RFC 3339 in UTC, whole seconds, e.g. `2026-01-01T00:00:40Z`. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** meta/v1 MicroTime: RFC 3339 with microseconds. */
export function rfc3339Micro(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
