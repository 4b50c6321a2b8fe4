import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DAEMONSET,
  deployment,
  DEPLOYMENT,
  problems,
  REPLICASET,
  type Loose,
} from './test-support.ts';

const QNAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

function withTemplate(spec: Loose, podSpec: Loose): Loose {
  const d = deployment(spec);
  const template = (d.spec as Loose).template as Loose;
  template.spec = { ...(template.spec as Loose), ...podSpec };
  return d;
}

describe('Deployment', () => {
  const cases: [string, Loose, string[]][] = [
    ['a valid deployment', deployment(), []],
    [
      'negative replicas',
      deployment({ replicas: -1 }),
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'a selector that does not match the template',
      deployment({ selector: { matchLabels: { app: 'x' } } }),
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'a missing selector',
      deployment({ selector: undefined }),
      [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'an empty selector',
      deployment({ selector: {} }),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    ],
    [
      'a selector with a bad operator',
      deployment({
        selector: { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] },
      }),
      [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator',
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Gt", Values:[]string{"1"}}}}: invalid label selector',
      ],
    ],
    [
      'a matching expression selector',
      deployment({
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
      }),
      [],
    ],
    [
      'a template restart policy other than Always',
      withTemplate({}, { restartPolicy: 'OnFailure' }),
      [
        'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      ],
    ],
    [
      'activeDeadlineSeconds in the template',
      withTemplate({}, { activeDeadlineSeconds: 10 }),
      [
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
      ],
    ],
    [
      'a template container without image',
      withTemplate({}, { containers: [{ name: 'app' }] }),
      ['spec.template.spec.containers[0].image: Required value'],
    ],
    [
      'a bad template label key (reported under spec.template.labels, as Kubernetes does)',
      (() => {
        const d = deployment();
        ((d.spec as Loose).template as Loose).metadata = { labels: { app: 'web', '-x': 'y' } };
        return d;
      })(),
      [`spec.template.labels: Invalid value: "-x": ${QNAME_PART}`],
    ],
    [
      'an unknown strategy',
      deployment({ strategy: { type: 'BlueGreen' } }),
      [
        'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
      ],
    ],
    [
      'rollingUpdate with Recreate',
      deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
      [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
      ],
    ],
    ['Recreate', deployment({ strategy: { type: 'Recreate' } }), []],
    [
      'maxSurge and maxUnavailable both 0',
      deployment({
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
      }),
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
      ],
    ],
    [
      'a percentage without %',
      deployment({ strategy: { rollingUpdate: { maxSurge: 'abc' } } }),
      [
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}: ${PERCENT_MSG}`,
      ],
    ],
    [
      'a negative maxSurge',
      deployment({ strategy: { rollingUpdate: { maxSurge: -1 } } }),
      [
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0',
      ],
    ],
    [
      'maxUnavailable above 100%',
      deployment({ strategy: { rollingUpdate: { maxUnavailable: '150%' } } }),
      [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
      ],
    ],
    [
      'negative history and readiness settings',
      deployment({ revisionHistoryLimit: -1, minReadySeconds: -1 }),
      [
        'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
      ],
    ],
    [
      'a progress deadline not above minReadySeconds',
      deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30 }),
      ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds'],
    ],
  ];
  for (const [name, obj, expected] of cases)
    it(name, () => assert.deepEqual(problems(DEPLOYMENT, obj), expected));

  it('may not change its selector (apps/v1)', () => {
    const changed = deployment({ selector: { matchLabels: { app: 'web', tier: 'x' } } });
    ((changed.spec as Loose).template as Loose).metadata = { labels: { app: 'web', tier: 'x' } };
    assert.deepEqual(problems(DEPLOYMENT, changed, deployment()), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('may change replicas and the template', () => {
    assert.deepEqual(
      problems(
        DEPLOYMENT,
        withTemplate({ replicas: 5 }, { containers: [{ name: 'app', image: 'nginx:2' }] }),
        deployment(),
      ),
      [],
    );
  });

  it('treats an empty matchExpressions like a missing one', () => {
    const same = deployment({ selector: { matchLabels: { app: 'web' }, matchExpressions: [] } });
    assert.deepEqual(problems(DEPLOYMENT, same, deployment()), []);
  });
});

function replicaSet(spec: Loose = {}): Loose {
  const d = deployment(spec);
  return { ...d, kind: 'ReplicaSet' };
}

function daemonSet(spec: Loose = {}): Loose {
  const d = deployment(spec);
  return { ...d, kind: 'DaemonSet' };
}

describe('ReplicaSet', () => {
  const cases: [string, Loose, string[]][] = [
    ['a valid replica set', replicaSet(), []],
    [
      'negative replicas',
      replicaSet({ replicas: -1 }),
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'an empty selector (Kubernetes says "deployment" here)',
      replicaSet({ selector: {} }),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    ],
    [
      'a selector that does not match',
      replicaSet({ selector: { matchLabels: { app: 'db' } } }),
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
  ];
  for (const [name, obj, expected] of cases)
    it(name, () => assert.deepEqual(problems(REPLICASET, obj), expected));

  it('may not change its selector', () => {
    assert.deepEqual(
      problems(REPLICASET, replicaSet({ selector: { matchLabels: {} } }), replicaSet()),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      ],
    );
  });
});

describe('DaemonSet', () => {
  const cases: [string, Loose, string[]][] = [
    ['a valid daemon set', daemonSet(), []],
    [
      'a missing selector selects nothing',
      daemonSet({ selector: undefined }),
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'an empty selector',
      daemonSet({ selector: {} }),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
      ],
    ],
    ['OnDelete', daemonSet({ updateStrategy: { type: 'OnDelete' } }), []],
    [
      'an unknown update strategy',
      daemonSet({ updateStrategy: { type: 'Sometimes' } }),
      [
        'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Sometimes", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
      ],
    ],
    [
      'both maxSurge and maxUnavailable',
      daemonSet({
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 1, maxUnavailable: 1 },
        },
      }),
      [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
      ],
    ],
    [
      'neither maxSurge nor maxUnavailable',
      daemonSet({
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 0, maxUnavailable: 0 },
        },
      }),
      [
        'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
      ],
    ],
    [
      'surge only',
      daemonSet({
        updateStrategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 },
        },
      }),
      [],
    ],
    [
      'activeDeadlineSeconds in the template',
      (() => {
        const ds = daemonSet();
        const t = (ds.spec as Loose).template as Loose;
        t.spec = { ...(t.spec as Loose), activeDeadlineSeconds: 5 };
        return ds;
      })(),
      [
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported',
      ],
    ],
  ];
  for (const [name, obj, expected] of cases)
    it(name, () => assert.deepEqual(problems(DAEMONSET, obj), expected));
});
