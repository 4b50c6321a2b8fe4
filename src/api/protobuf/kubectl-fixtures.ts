/**
 * Request bodies captured from a real kubectl (v1.32.4, the version installed
 * here; protobuf field numbers never change between releases, so 1.33 writes
 * these objects the same way) pointed at a plain-HTTP listener, so the decoder
 * is checked against bytes we did not write ourselves, without needing kubectl
 * at test time.
 * `expected` is the JSON the same kubectl prints for the same command with
 * `--dry-run=client -o json` (Go's own JSON of the object it sends); for the
 * reviews, which have no dry run, it is the Go JSON of the object by the Go
 * types' tags. `expected: null` marks a kind Verge does not serve.
 *
 * To refresh: see kubectl-live.test.ts, which captures the same commands.
 */

export interface KubectlFixture {
  /** The kubectl arguments (after the kubeconfig flags). */
  command: string;
  /** The request path (without the query). */
  path: string;
  /** The body, base64. */
  body: string;
  expected: Record<string, unknown> | null;
}

export const kubectlFixtures: readonly KubectlFixture[] = [
  {
    command: 'create configmap x --from-literal=a=b',
    path: '/api/v1/namespaces/default/configmaps',
    body: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEhsKEQoBeBIAGgAiACoAMgA4AEIAEgYKAWESAWIaACIA',
    expected: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'x', creationTimestamp: null },
      data: { a: 'b' },
    },
  },
  {
    command: 'create configmap bin --from-file=blob.dat',
    path: '/api/v1/namespaces/default/configmaps',
    body: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEioKEwoDYmluEgAaACIAKgAyADgAQgAaEwoIYmxvYi5kYXQSB//+AAFiaW4aACIA',
    expected: {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'bin', creationTimestamp: null },
      binaryData: { 'blob.dat': '//4AAWJpbg==' },
    },
  },
  {
    command: 'create namespace n',
    path: '/api/v1/namespaces',
    body: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhkKEQoBbhIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==',
    expected: {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'n', creationTimestamp: null },
      spec: {},
      status: {},
    },
  },
  {
    command: 'create deployment web --image=nginx --replicas=2',
    path: '/apis/apps/v1/namespaces/default/deployments',
    body: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqsBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEnoIAhIMCgoKA2FwcBIDd2ViGmAKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISQBIiCgVuZ2lueBIFbmdpbngqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==',
    expected: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: 'create deployment web --image=nginx --replicas=2 --port=8080',
    path: '/apis/apps/v1/namespaces/default/deployments',
    body: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErkBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEocBCAISDAoKCgNhcHASA3dlYhptChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEk0SLwoFbmdpbngSBW5naW54KgAyCwoAEAAYkD8iACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA',
    expected: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }], resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: 'create secret generic s --from-literal=k=v --type=Opaque',
    path: '/api/v1/namespaces/default/secrets',
    body: 'azhzAAoMCgJ2MRIGU2VjcmV0EiMKEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaBk9wYXF1ZRoAIgA=',
    expected: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's', creationTimestamp: null },
      data: { k: 'dg==' },
      type: 'Opaque',
    },
  },
  {
    command: 'create serviceaccount sa',
    path: '/api/v1/namespaces/default/serviceaccounts',
    body: 'azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFAoSCgJzYRIAGgAiACoAMgA4AEIAGgAiAA==',
    expected: {
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'sa', creationTimestamp: null },
    },
  },
  {
    command: 'auth can-i get pods',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: 'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPAoQCgASABoAIgAqADIAOABCABIeChwKB2RlZmF1bHQSA2dldBoAIgAqBHBvZHMyADoAGggIABIAGgAgABoAIgA=',
    expected: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    },
  },
  {
    command: 'auth can-i create deployments.apps --subresource=scale',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: 'azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSUAoQCgASABoAIgAqADIAOABCABIyCjAKB2RlZmF1bHQSBmNyZWF0ZRoAIgAqEGRlcGxveW1lbnRzLmFwcHMyBXNjYWxlOgAaCAgAEgAaACAAGgAiAA==',
    expected: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: 'default',
          verb: 'create',
          resource: 'deployments.apps',
          subresource: 'scale',
        },
      },
      status: { allowed: false },
    },
  },
  {
    command: 'auth whoami',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: 'azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=',
    expected: {
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    },
  },
  {
    command: 'create job j --image=busybox',
    path: '/apis/batch/v1/namespaces/default/jobs',
    body: 'azhzAAoPCghiYXRjaC92MRIDSm9iEngKEQoBahIAGgAiACoAMgA4AEIAElkyVwoQCgASABoAIgAqADIAOABCABJDEiAKAWoSB2J1c3lib3gqAEIAagByAIABAIgBAJABAKIBABoFTmV2ZXIyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoIIAAoADAAOgAaACIA',
    expected: null,
  },
];
