import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodTemplateSpec } from '../../api/types/core.ts';
import {
  canonicalJson,
  computeTemplateHash,
  equalIgnoreHash,
  fnv32a,
  safeEncodeString,
} from './template-hash.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

describe('fnv32a', () => {
  it('matches the published FNV-1a 32-bit vectors', () => {
    assert.equal(fnv32a(bytes('')), 0x811c9dc5);
    assert.equal(fnv32a(bytes('a')), 0xe40c292c);
    assert.equal(fnv32a(bytes('foobar')), 0xbf9cf968);
  });

  it('continues from a seed as if the inputs were concatenated', () => {
    assert.equal(fnv32a(bytes('bar'), fnv32a(bytes('foo'))), fnv32a(bytes('foobar')));
  });
});

describe('safeEncodeString', () => {
  it('maps digits into the vowel-free alphabet as Kubernetes does', () => {
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });
});

describe('computeTemplateHash', () => {
  it('is a fixed value for a fixed template (stable across restarts and releases)', () => {
    // Changing this value renames every Deployment's ReplicaSets on upgrade.
    assert.equal(computeTemplateHash(template('nginx:1.27')), '6c8d7489d5');
    assert.equal(computeTemplateHash(template('nginx:1.27'), 1), 'd898ff9b');
  });

  it('ignores key order and empty lists and maps', () => {
    const a = template('nginx');
    const b: PodTemplateSpec = {
      spec: { volumes: [], containers: [{ image: 'nginx', name: 'web', env: [] }] },
      metadata: { annotations: {}, labels: { app: 'web' } },
    };
    assert.equal(computeTemplateHash(a), computeTemplateHash(b));
    assert.equal(canonicalJson(a), canonicalJson(b));
  });

  it('differs for different templates and for each collision count', () => {
    const seen = new Set([
      computeTemplateHash(template('nginx:1')),
      computeTemplateHash(template('nginx:2')),
      computeTemplateHash(template('nginx:1'), 0),
      computeTemplateHash(template('nginx:1'), 1),
      computeTemplateHash(template('nginx:1'), 2),
    ]);
    assert.equal(seen.size, 5);
    for (const h of seen) assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
});

describe('equalIgnoreHash', () => {
  it('ignores the pod-template-hash label only', () => {
    const rsTemplate: PodTemplateSpec = {
      ...template('nginx'),
      metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } },
    };
    assert.equal(equalIgnoreHash(template('nginx'), rsTemplate), true);
    assert.equal(equalIgnoreHash(rsTemplate, template('nginx')), true);
    assert.equal(equalIgnoreHash(template('nginx:2'), rsTemplate), false);
    const relabeled: PodTemplateSpec = {
      ...template('nginx'),
      metadata: { labels: { app: 'api', 'pod-template-hash': 'abc' } },
    };
    assert.equal(equalIgnoreHash(template('nginx'), relabeled), false);
  });

  it('does not modify its arguments', () => {
    const t: PodTemplateSpec = { metadata: { labels: { 'pod-template-hash': 'x', a: 'b' } } };
    equalIgnoreHash(t, t);
    assert.deepEqual(t, { metadata: { labels: { 'pod-template-hash': 'x', a: 'b' } } });
  });
});
