/**
 * The smallest Reflect metadata API that @peculiar/x509 needs. Its dependency
 * injection container (tsyringe) refuses to load unless `Reflect.getMetadata`
 * exists, and it reads/writes constructor-parameter metadata through
 * `getMetadata`, `getOwnMetadata` and `defineMetadata`; @peculiar/x509 is
 * compiled without decorator metadata, so nothing more is ever stored.
 *
 * Installed on the global `Reflect` only where those functions are missing, so
 * a full polyfill (reflect-metadata, core-js) loaded first wins. Import this
 * module before `@peculiar/x509`; certificates.ts does.
 */

type MetadataKey = unknown;
type Target = object;

interface ReflectMetadata {
  getMetadata?(key: MetadataKey, target: Target, property?: PropertyKey): unknown;
  getOwnMetadata?(key: MetadataKey, target: Target, property?: PropertyKey): unknown;
  defineMetadata?(key: MetadataKey, value: unknown, target: Target, property?: PropertyKey): void;
}

const store = new WeakMap<Target, Map<PropertyKey | undefined, Map<MetadataKey, unknown>>>();

function ownMap(target: Target, property: PropertyKey | undefined, create: boolean) {
  let byProperty = store.get(target);
  if (byProperty === undefined) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let values = byProperty.get(property);
  if (values === undefined && create) {
    values = new Map();
    byProperty.set(property, values);
  }
  return values;
}

const reflect = Reflect as unknown as ReflectMetadata;
if (typeof reflect.getMetadata !== 'function') {
  const getOwnMetadata = (key: MetadataKey, target: Target, property?: PropertyKey): unknown =>
    ownMap(target, property, false)?.get(key);
  Object.defineProperties(Reflect, {
    getOwnMetadata: { value: getOwnMetadata, configurable: true, writable: true },
    getMetadata: {
      value(key: MetadataKey, target: Target, property?: PropertyKey): unknown {
        // Inherited metadata: walk the prototype chain like the full polyfill.
        for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target) {
          const values = ownMap(t, property, false);
          if (values?.has(key)) return values.get(key);
        }
        return undefined;
      },
      configurable: true,
      writable: true,
    },
    defineMetadata: {
      value(key: MetadataKey, value: unknown, target: Target, property?: PropertyKey): void {
        ownMap(target, property, true)!.set(key, value);
      },
      configurable: true,
      writable: true,
    },
  });
}

export {};
