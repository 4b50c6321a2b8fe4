/**
 * Server-side apply over the real built-in schemas (src/api/openapi), checked
 * against the managedFields a Kubernetes API server writes for the same requests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConflict } from '../../util/errors.ts';
import { builtinDefinitions } from '../openapi/builtin.ts';
import { SchemaResolver, ref } from '../schema.ts';
import type { KubeObject } from '../types/meta.ts';
import { serverSideApply } from './apply.ts';
import { fieldsOf } from './typed.ts';
import { updateManagedFields } from './managed-fields.ts';
import { testClock } from './test-schema.ts';

const resolver = new SchemaResolver(builtinDefinitions);
const schema = ref('io.k8s.api.apps.v1.Deployment');

function text(v: unknown): string {
  return JSON.stringify(v);
}

/** The nginx Deployment of the Kubernetes docs, as stored after defaulting of the fields shown. */
function nginx(replicas = 3, image = 'nginx:1.14.2'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image,
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: {},
            },
          ],
          restartPolicy: 'Always',
          securityContext: {},
        },
      },
    },
  };
}

describe('server-side apply over the built-in Deployment schema', () => {
  it('records kubectl create as Kubernetes does', () => {
    const { now } = testClock();
    const created = updateManagedFields(undefined, nginx(), {
      manager: 'kubectl-create',
      apiVersion: 'apps/v1',
      schema,
      resolver,
      now,
    });
    assert.equal(
      text(created.metadata.managedFields![0].fieldsV1),
      text({
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': {
                    '.': {},
                    'k:{"containerPort":80,"protocol":"TCP"}': {
                      '.': {},
                      'f:containerPort': {},
                      'f:protocol': {},
                    },
                  },
                  'f:resources': {},
                },
              },
              'f:restartPolicy': {},
              'f:securityContext': {},
            },
          },
        },
      }),
    );
  });

  it('walks the selector as an atomic map and ports by containerPort and protocol', () => {
    const fields = fieldsOf(nginx(), schema, resolver);
    assert.equal(fields.has(['f:spec', 'f:selector']), true);
    assert.equal(fields.hasPrefix(['f:spec', 'f:selector', 'f:matchLabels']), false);
    const port = [
      'f:spec',
      'f:template',
      'f:spec',
      'f:containers',
      'k:{"name":"nginx"}',
      'f:ports',
      'k:{"containerPort":80,"protocol":"TCP"}',
    ];
    assert.equal(fields.has(port), true);
  });

  it('conflicts after kubectl scale, and force moves replicas back', () => {
    const { now } = testClock();
    const opts = { apiVersion: 'apps/v1', schema, resolver, now };
    const applied = serverSideApply(undefined, nginx(), {
      ...opts,
      manager: 'kubectl',
      force: false,
    });
    const scaledObject = structuredClone(applied);
    (scaledObject.spec as { replicas: number }).replicas = 5;
    const scaled = updateManagedFields(applied, scaledObject, {
      ...opts,
      manager: 'kubectl',
      subresource: 'scale',
    });
    assert.throws(
      () => serverSideApply(scaled, nginx(3), { ...opts, manager: 'kubectl', force: false }),
      (err: unknown) =>
        isConflict(err) &&
        err.message ===
          'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
    const forced = serverSideApply(scaled, nginx(3), { ...opts, manager: 'kubectl', force: true });
    assert.equal((forced.spec as { replicas: number }).replicas, 3);
    assert.deepEqual(
      forced.metadata.managedFields!.map((e) => [e.manager, e.operation, e.subresource]),
      [['kubectl', 'Apply', undefined]],
    );
  });
});
