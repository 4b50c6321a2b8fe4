/** Timestamps as the Kubernetes API writes them (meta/v1 Time: RFC 3339, whole seconds), from the clock's milliseconds. */
import { rfc3339 as formatTime } from '../util/time.ts';

/** `ms` since the epoch as meta/v1 Time, truncated to the second, e.g. `2026-01-01T00:00:40Z`. */
export function rfc3339(ms: number): string {
  return formatTime(new Date(ms));
}

/** Milliseconds since the epoch of an RFC 3339 time (Time or MicroTime); undefined when absent or unreadable. */
export function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
