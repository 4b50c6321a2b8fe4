/**
 * Patch benchmark: strategic merge, merge and JSON patches on large objects, and
 * how strategic merge scales with list length (linear, not quadratic: the ratio
 * of 10,000 to 1,000 elements should be near 10).
 *
 *   node bench/patch.ts
 */
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
} from '../src/api/patch/index.ts';
import { builtinDefinitions } from '../src/api/openapi/builtin.ts';
import { SchemaResolver } from '../src/api/schema.ts';
import { machine, percentile, report } from './report.ts';

const resolver = new SchemaResolver(builtinDefinitions);
const podSchema = resolver.definition('io.k8s.api.core.v1.Pod');

function pod(n: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { a: '1' } },
    spec: {
      containers: Array.from({ length: n }, (_, i) => ({
        name: `c${i}`,
        image: 'registry.example.com/team/app:v1.2.3',
        args: ['--flag', 'x'.repeat(200)],
        env: [{ name: 'A', value: 'b' }],
      })),
    },
  };
}

function time(fn: () => unknown, runs = 15): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    ms.push(performance.now() - s);
  }
  return percentile(ms, 50);
}

console.error(`machine: ${machine()}`);
const big = pod(4000); // ~1.2 MB of JSON
const bytes = JSON.stringify(big).length;
report({
  bench: 'patch.strategic.1mb_pod.label',
  bytes,
  ms_p50: time(() =>
    applyStrategicMergePatch(big, { metadata: { labels: { b: '2' } } }, podSchema, resolver),
  ),
  unit: 'ms',
});
report({
  bench: 'patch.strategic.1mb_pod.one_container',
  bytes,
  ms_p50: time(() =>
    applyStrategicMergePatch(
      big,
      { spec: { containers: [{ name: 'c1500', image: 'new' }] } },
      podSchema,
      resolver,
    ),
  ),
  unit: 'ms',
});
report({
  bench: 'patch.merge.1mb_pod.label',
  bytes,
  ms_p50: time(() => applyMergePatch(big, { metadata: { labels: { b: '2' } } })),
  unit: 'ms',
});
report({
  bench: 'patch.json.1mb_pod.one_op',
  bytes,
  ms_p50: time(() =>
    applyJsonPatch(big, [{ op: 'replace', path: '/spec/containers/1500/image', value: 'new' }]),
  ),
  unit: 'ms',
});

const reorder = (n: number): number => {
  const doc = pod(n);
  const patch = {
    spec: {
      '$setElementOrder/containers': Array.from({ length: n }, (_, i) => ({
        name: `c${n - 1 - i}`,
      })),
      containers: Array.from({ length: n }, (_, i) => ({ name: `c${n - 1 - i}`, image: 'y' })),
    },
  };
  return time(() => applyStrategicMergePatch(doc, patch, podSchema, resolver), 5);
};
const small = reorder(1000);
const large = reorder(10000);
report({
  bench: 'patch.strategic.reorder_all',
  elements_1000_ms: small,
  elements_10000_ms: large,
  ratio: large / small,
  unit: 'ms',
});
