/**
 * Content negotiation as Kubernetes does it: the Accept header lists media types
 * in preference order, each optionally asking for a conversion (`as=Table`,
 * `as=PartialObjectMetadata[List]`, `as=APIGroupDiscoveryList`). We serve JSON and
 * YAML (no protobuf or CBOR: clients that offer them also offer JSON).
 */
import { InvalidError } from '../util/errors.ts';

export type Conversion =
  | { as: 'none' }
  | { as: 'Table'; version: 'v1' | 'v1beta1' }
  | { as: 'PartialObjectMetadata' | 'PartialObjectMetadataList'; version: 'v1' | 'v1beta1' }
  | { as: 'APIGroupDiscoveryList'; version: 'v2' | 'v2beta1' };

export interface Negotiated {
  format: 'json' | 'yaml';
  conversion: Conversion;
  /** The Content-Type to answer with. */
  contentType: string;
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const i = kv.indexOf('=');
        if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim();
      }
      return { type: type.toLowerCase(), params: p };
    })
    .filter((m) => m.type !== '' && m.params.q !== '0');
}

export interface NegotiateOptions {
  /** Conversions this endpoint can do. */
  table?: boolean;
  partial?: boolean;
  discovery?: boolean;
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*', '*']);

export function negotiate(accept: string | undefined, options: NegotiateOptions = {}): Negotiated {
  if (!accept || accept.trim() === '') {
    return { format: 'json', conversion: { as: 'none' }, contentType: 'application/json' };
  }
  for (const m of parseAccept(accept)) {
    const format = JSON_TYPES.has(m.type)
      ? 'json'
      : m.type === 'application/yaml'
        ? 'yaml'
        : undefined;
    if (!format) continue;
    const as = m.params.as;
    if (as === undefined) {
      return { format, conversion: { as: 'none' }, contentType: `application/${format}` };
    }
    const g = m.params.g;
    const v = m.params.v;
    if (as === 'Table' && options.table && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) {
      return {
        format,
        conversion: { as, version: v },
        contentType: `application/${format};as=Table;v=${v};g=meta.k8s.io`,
      };
    }
    if (
      (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') &&
      options.partial &&
      g === 'meta.k8s.io' &&
      (v === 'v1' || v === 'v1beta1')
    ) {
      return {
        format,
        conversion: { as, version: v },
        contentType: `application/${format};as=${as};v=${v};g=meta.k8s.io`,
      };
    }
    if (
      as === 'APIGroupDiscoveryList' &&
      options.discovery &&
      g === 'apidiscovery.k8s.io' &&
      (v === 'v2' || v === 'v2beta1')
    ) {
      return {
        format,
        conversion: { as, version: v },
        contentType: `application/${format};g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
      };
    }
  }
  throw new InvalidError(
    'only the following media types are accepted: application/json, application/yaml',
    { reason: 'NotAcceptable' },
  );
}
