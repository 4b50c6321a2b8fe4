/**
 * Versions Verge reports. The Kubernetes version decides which kubectl the
 * system's dispatcher runs (kubectl.1.27 ... kubectl.1.33), so it names the API
 * surface we serve, not a binary we ship.
 */
import pkg from '../../package.json' with { type: 'json' };

export const VERGE_VERSION: string = pkg.version;

export const KUBERNETES_MAJOR = '1';
export const KUBERNETES_MINOR = '33';
export const KUBERNETES_VERSION = `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0`;

/** What `/version` puts in gitVersion: the Kubernetes version we speak plus our own. */
export const GIT_VERSION = `${KUBERNETES_VERSION}+verge-${VERGE_VERSION}`;

/** The body of `GET /version` (the cloud API server and the edge's local API). */
export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_MAJOR,
    minor: KUBERNETES_MINOR,
    gitVersion: GIT_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'verge',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
