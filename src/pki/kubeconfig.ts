/** Kubeconfig files that real kubectl and client libraries read as they are. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { InvalidError } from '../util/errors.ts';
import { writeFileAtomic } from './files.ts';
import { decodePem } from './pem.ts';

export interface KubeconfigOptions {
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Name of the cluster, user and context; default "verge". */
  name?: string;
}

/**
 * Writes a kubeconfig with one cluster, one user and one context (the current
 * one), with the CA and the client certificate and key embedded as base64 data,
 * so the file stands alone. Mode 0600 (it holds a private key); atomic (temp file
 * + rename), so kubectl never reads half a file. Replaces any file at `path`;
 * creates its directory if needed. `InvalidError` if a PEM or the URL is not valid.
 */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const text = renderKubeconfig(options);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, text, 0o600);
}

/** The kubeconfig text `writeKubeconfig` writes. */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const name = options.name ?? 'verge';
  if (name === '') throw new InvalidError('kubeconfig name: must not be empty');
  let url: URL;
  try {
    url = new URL(options.server);
  } catch (err) {
    throw new InvalidError(`kubeconfig server: ${JSON.stringify(options.server)} is not a URL`, {
      cause: err,
    });
  }
  if (url.protocol !== 'https:') {
    throw new InvalidError(`kubeconfig server: ${JSON.stringify(options.server)} is not https`);
  }
  // Check the PEM kinds so a swapped argument fails here, not in kubectl.
  decodePem(options.caPem, 'CERTIFICATE', 'kubeconfig CA');
  decodePem(options.clientCertPem, 'CERTIFICATE', 'kubeconfig client certificate');
  decodePem(options.clientKeyPem, 'PRIVATE KEY', 'kubeconfig client key');
  const data = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: { server: options.server, 'certificate-authority-data': data(options.caPem) },
        },
      ],
      users: [
        {
          name,
          user: {
            'client-certificate-data': data(options.clientCertPem),
            'client-key-data': data(options.clientKeyPem),
          },
        },
      ],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
      preferences: {},
    },
    // No line folding: kubectl would read a folded value back, but a person grepping would not.
    { lineWidth: 0 },
  );
}
