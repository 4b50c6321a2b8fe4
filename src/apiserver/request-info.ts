/**
 * Reads what a request is about from its method and path, with Kubernetes'
 * rules (k8s.io/apiserver RequestInfoFactory): resource paths under /api and
 * /apis, the namespace segment, `namespaces/<name>` being both a namespace and an
 * object, the legacy `/watch/` prefix, and the verb from method + name + query.
 * Authorization and routing both use the result, so they can never disagree.
 */

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection; or the lower-case method for non-resource paths. */
  verb: string;
  apiPrefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function methodVerb(method: string): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  const parts = path.split('/').filter((p) => p !== '');
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    info.apiPrefix = 'api';
    info.version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    info.apiPrefix = 'apis';
    info.group = parts[1];
    info.version = parts[2];
    rest = parts.slice(3);
  } else {
    return info;
  }
  if (rest.length === 0) return info; // discovery of a group version
  info.isResourceRequest = true;
  info.verb = methodVerb(method);
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1];
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
    }
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (rest.length > 3) {
    // Deeper paths (proxy) are not served; keep them recognizably wrong.
    info.subresource = rest.slice(2).join('/');
  }
  if (info.resource === 'namespaces' && info.name === '' && info.namespace !== '') {
    info.name = info.namespace;
  }
  if (watchPrefix) {
    info.verb = 'watch';
  } else if (info.verb === 'get' && info.name === '') {
    const w = query.get('watch');
    info.verb = w === 'true' || w === '1' ? 'watch' : 'list';
  } else if (info.verb === 'delete' && info.name === '') {
    info.verb = 'deletecollection';
  }
  return info;
}
