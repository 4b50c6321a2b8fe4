/**
 * Validation of the apps/v1 workloads: Deployment, ReplicaSet, DaemonSet, with
 * Kubernetes 1.33's messages. Their pod templates are validated as pod specs
 * (pod.ts) plus the workload rules (restartPolicy Always, no
 * activeDeadlineSeconds); their selectors must select the template's labels and
 * may not change on update (apps/v1).
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError, FieldPath } from '../field-errors.ts';
import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.ts';
import type { PodTemplateSpec } from '../types/core.ts';
import type { LabelSelector } from '../types/meta.ts';
import { isObject, isSet, jsonEqual, list, map, num, str, type JsonObject } from './access.ts';
import { goIntOrString, goLabelSelector, goQuote, invalidRaw, notSupportedRaw } from './format.ts';
import { FIELD_IMMUTABLE, IS_NEGATIVE, showLabels, validateLabelSelector } from './meta.ts';
import { isValidPercent } from './names.ts';
import { validatePodTemplateSpec } from './pod.ts';
import { labelSelectorFromObject, matchesLabels, type Requirement } from './selectors.ts';

type Causes = FieldCause[];
const spec = (o: { spec?: unknown }): JsonObject => map(o.spec) ?? {};

function nonNegative(v: unknown, path: FieldPath): Causes {
  return typeof v === 'number' && v < 0 ? [fieldError.invalid(path, v, IS_NEGATIVE)] : [];
}

/**
 * The selector's requirements: undefined when the selector is missing (selects
 * nothing), 'invalid' when it cannot be turned into a selector.
 */
function selectorOf(sel: unknown): Requirement[] | undefined | 'invalid' {
  if (!isObject(sel)) return undefined;
  try {
    return labelSelectorFromObject(sel as LabelSelector);
  } catch {
    return 'invalid';
  }
}

function isEmptySelector(sel: JsonObject): boolean {
  return Object.keys(map(sel.matchLabels) ?? {}).length + list(sel.matchExpressions).length === 0;
}

/** Selector present, valid, non-empty; template labels selected; template valid for a controller. */
function validateSelectorAndTemplate(
  s: JsonObject,
  path: FieldPath,
  kind: 'deployment' | 'daemonset',
  activeDeadlineKind: string,
): Causes {
  const out: Causes = [];
  const selPath = path.child('selector');
  const sel = s.selector;
  if (kind === 'deployment' && !isObject(sel)) out.push(fieldError.required(selPath));
  if (isObject(sel)) {
    out.push(...validateLabelSelector(sel, selPath));
    if (isEmptySelector(sel)) {
      out.push(invalidRaw(selPath, goLabelSelector(sel), `empty selector is invalid for ${kind}`));
    }
  }
  const template = (map(s.template) ?? {}) as PodTemplateSpec;
  const templatePath = path.child('template');
  const labels = map(template.metadata?.labels) as Record<string, string> | undefined;
  const reqs = selectorOf(sel);
  if (reqs === 'invalid') {
    if (kind === 'deployment')
      out.push(invalidRaw(selPath, goLabelSelector(sel as JsonObject), 'invalid label selector'));
  } else {
    // A missing selector selects nothing; an empty one everything.
    const matches = reqs !== undefined && matchesLabels(reqs, labels);
    if (!matches && !(reqs !== undefined && reqs.length === 0)) {
      out.push(
        invalidRaw(
          templatePath.child('metadata', 'labels'),
          showLabels(template.metadata?.labels),
          '`selector` does not match template `labels`',
        ),
      );
    }
  }
  if (kind === 'deployment' && reqs === 'invalid') return out;
  out.push(...validatePodTemplateSpec(template, templatePath));
  const podSpec = map(template.spec) ?? {};
  const restartPolicy = str(podSpec.restartPolicy);
  if (restartPolicy !== 'Always') {
    out.push(
      fieldError.notSupported(templatePath.child('spec', 'restartPolicy'), restartPolicy, [
        'Always',
      ]),
    );
  }
  if (isSet(podSpec.activeDeadlineSeconds)) {
    out.push(
      fieldError.forbidden(
        templatePath.child('spec', 'activeDeadlineSeconds'),
        `activeDeadlineSeconds in ${activeDeadlineKind} is not Supported`,
      ),
    );
  }
  return out;
}

/** Percent value of `25%`, or the integer Kubernetes reads from any other string (0 when none). */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = str(v);
  if (isValidPercent(s).length === 0) return Number(s.slice(0, -1));
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : 0;
}

function validatePositiveIntOrPercent(v: unknown, path: FieldPath): Causes {
  if (typeof v === 'string')
    return isValidPercent(v).map((m) => invalidRaw(path, goIntOrString(v), m));
  return nonNegative(num(v) ?? 0, path);
}

function notMoreThan100Percent(v: unknown, path: FieldPath): Causes {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return [];
  return Number(v.slice(0, -1)) > 100
    ? [invalidRaw(path, goIntOrString(v), 'must not be greater than 100%')]
    : [];
}

function intOrStringOrZero(v: unknown): unknown {
  return isSet(v) ? v : 0;
}

function goDeploymentStrategy(s: JsonObject): string {
  const ru = map(s.rollingUpdate);
  const rolling = ru
    ? `&apps.RollingUpdateDeployment{MaxUnavailable:${goIntOrString(intOrStringOrZero(ru.maxUnavailable))}, MaxSurge:${goIntOrString(intOrStringOrZero(ru.maxSurge))}}`
    : '(*apps.RollingUpdateDeployment)(nil)';
  return `apps.DeploymentStrategy{Type:${goQuote(str(s.type))}, RollingUpdate:${rolling}}`;
}

function goDaemonSetStrategy(s: JsonObject): string {
  const ru = map(s.rollingUpdate);
  const rolling = ru
    ? `&apps.RollingUpdateDaemonSet{MaxUnavailable:${goIntOrString(intOrStringOrZero(ru.maxUnavailable))}, MaxSurge:${goIntOrString(intOrStringOrZero(ru.maxSurge))}}`
    : '(*apps.RollingUpdateDaemonSet)(nil)';
  return `apps.DaemonSetUpdateStrategy{Type:${goQuote(str(s.type))}, RollingUpdate:${rolling}}`;
}

function validateDeploymentStrategy(strategy: unknown, path: FieldPath): Causes {
  const s = map(strategy) ?? {};
  const out: Causes = [];
  switch (str(s.type)) {
    case 'Recreate':
      if (isSet(s.rollingUpdate))
        out.push(
          fieldError.forbidden(
            path.child('rollingUpdate'),
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        );
      break;
    case 'RollingUpdate': {
      const ru = map(s.rollingUpdate);
      const rp = path.child('rollingUpdate');
      if (!ru) {
        out.push(fieldError.required(rp, 'this should be defaulted and never be nil'));
        break;
      }
      const maxUnavailable = intOrStringOrZero(ru.maxUnavailable);
      const maxSurge = intOrStringOrZero(ru.maxSurge);
      out.push(...validatePositiveIntOrPercent(maxUnavailable, rp.child('maxUnavailable')));
      out.push(...validatePositiveIntOrPercent(maxSurge, rp.child('maxSurge')));
      if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
        out.push(
          invalidRaw(
            rp.child('maxUnavailable'),
            goIntOrString(maxUnavailable),
            'may not be 0 when `maxSurge` is 0',
          ),
        );
      }
      out.push(...notMoreThan100Percent(maxUnavailable, rp.child('maxUnavailable')));
      break;
    }
    default:
      out.push(notSupportedRaw(path, goDeploymentStrategy(s), ['Recreate', 'RollingUpdate']));
  }
  return out;
}

/** Deep equality of two selectors, with missing and empty lists or maps counting as the same. */
function sameSelector(a: unknown, b: unknown): boolean {
  const norm = (s: unknown): unknown => {
    if (!isObject(s)) return null;
    const labels = map(s.matchLabels);
    const exprs = list<unknown>(s.matchExpressions).map((e) => {
      if (!isObject(e)) return e;
      const values = list(e.values);
      return { ...e, values: values.length ? values : null };
    });
    return {
      ...s,
      matchLabels: labels && Object.keys(labels).length ? labels : null,
      matchExpressions: exprs.length ? exprs : null,
    };
  };
  return jsonEqual(norm(a), norm(b));
}

function selectorImmutable(sel: unknown, oldSel: unknown): Causes {
  if (sameSelector(sel, oldSel)) return [];
  return [
    invalidRaw(
      FieldPath.root('spec').child('selector'),
      goLabelSelector(isObject(sel) ? sel : null),
      FIELD_IMMUTABLE,
    ),
  ];
}

export function validateDeployment(d: Deployment, old?: Deployment): Causes {
  const s = spec(d);
  const path = FieldPath.root('spec');
  const out: Causes = [];
  out.push(...nonNegative(s.replicas, path.child('replicas')));
  out.push(...validateSelectorAndTemplate(s, path, 'deployment', 'ReplicaSet'));
  out.push(...validateDeploymentStrategy(s.strategy, path.child('strategy')));
  out.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  out.push(...nonNegative(s.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (isSet(s.progressDeadlineSeconds)) {
    const pds = num(s.progressDeadlineSeconds) ?? 0;
    out.push(...nonNegative(pds, path.child('progressDeadlineSeconds')));
    if (pds <= (num(s.minReadySeconds) ?? 0)) {
      out.push(
        fieldError.invalid(
          path.child('progressDeadlineSeconds'),
          pds,
          'must be greater than minReadySeconds',
        ),
      );
    }
  }
  if (old) out.push(...selectorImmutable(s.selector, spec(old).selector));
  return out;
}

export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): Causes {
  const s = spec(rs);
  const path = FieldPath.root('spec');
  const out: Causes = [];
  out.push(...nonNegative(s.replicas, path.child('replicas')));
  out.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  // Kubernetes' ReplicaSet messages say "deployment" here.
  out.push(...validateSelectorAndTemplate(s, path, 'deployment', 'ReplicaSet'));
  if (old) out.push(...selectorImmutable(s.selector, spec(old).selector));
  return out;
}

function validateDaemonSetStrategy(strategy: unknown, path: FieldPath): Causes {
  const s = map(strategy) ?? {};
  const out: Causes = [];
  switch (str(s.type)) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const ru = map(s.rollingUpdate);
      const rp = path.child('rollingUpdate');
      if (!ru) return [fieldError.required(rp)];
      const maxUnavailable = intOrStringOrZero(ru.maxUnavailable);
      const maxSurge = intOrStringOrZero(ru.maxSurge);
      out.push(...validatePositiveIntOrPercent(maxUnavailable, rp.child('maxUnavailable')));
      out.push(...validatePositiveIntOrPercent(maxSurge, rp.child('maxSurge')));
      out.push(...notMoreThan100Percent(maxUnavailable, rp.child('maxUnavailable')));
      out.push(...notMoreThan100Percent(maxSurge, rp.child('maxSurge')));
      const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        out.push(
          invalidRaw(
            rp.child('maxSurge'),
            goIntOrString(maxSurge),
            'may not be set when maxUnavailable is non-zero',
          ),
        );
      } else if (!hasUnavailable && !hasSurge) {
        out.push(fieldError.required(rp.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      }
      break;
    }
    default:
      out.push(notSupportedRaw(path, goDaemonSetStrategy(s), ['RollingUpdate', 'OnDelete']));
  }
  return out;
}

export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): Causes {
  const s = spec(ds);
  const path = FieldPath.root('spec');
  const out: Causes = [];
  out.push(...validateSelectorAndTemplate(s, path, 'daemonset', 'DaemonSet'));
  out.push(...nonNegative(s.minReadySeconds, path.child('minReadySeconds')));
  out.push(...validateDaemonSetStrategy(s.updateStrategy, path.child('updateStrategy')));
  out.push(...nonNegative(s.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (old) out.push(...selectorImmutable(s.selector, spec(old).selector));
  return out;
}
