/**
 * The server's own PKI, kept in `<data dir>/pki`:
 *
 *   ca.crt, ca.key          the cluster CA (made once, never replaced)
 *   server.crt, server.key  the API server's serving certificate
 *   admin.crt, admin.key    CN=admin, O=system:masters, for the admin kubeconfig
 *
 * Keys are mode 0600 and the directory 0700. The CA is the identity of the
 * cluster (join tokens pin its hash), so nothing here ever replaces or deletes
 * it; the serving and admin certificates are Verge's own and are re-issued when
 * they no longer fit.
 */
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { ExpiredError, InvalidError } from '../util/errors.ts';
import {
  type CertificateAuthority,
  type IssueOptions,
  type KeyPairPem,
  certificateSans,
  createCertificateAuthority,
  importSigningKey,
  isDnsName,
  issueCertificate,
  keyMatchesCertificate,
  loadCertificateAuthority,
  parseCertificatePem,
  splitSans,
} from './certificates.ts';
import { writeFileAtomic } from './files.ts';

export interface ServerPkiOptions {
  /** Extra DNS names / IP addresses for the serving certificate (`--tls-san`). */
  sans: string[];
  /** Default `os.hostname()`. Left out of the SANs if it is not a valid DNS name. */
  hostname?: string;
  /** Default: the current time. */
  now?: Date;
}

/** What `loadOrCreateServerPki` made this time. */
export type ServerPkiPart = 'ca' | 'server' | 'admin';

export interface ServerPki {
  ca: CertificateAuthority;
  server: KeyPairPem;
  admin: KeyPairPem;
  /** The parts created or re-issued by this call, in that order; empty when all were reused. */
  created: ServerPkiPart[];
}

/** Identity of the admin client certificate. */
export const ADMIN_USER = 'admin';
export const ADMIN_GROUP = 'system:masters';

const SERVER_COMMON_NAME = 'verge-apiserver';
/** Re-issue a leaf certificate when less than this much of its life is left. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const DIR_MODE = 0o700;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

interface LeafPlan {
  name: 'server' | 'admin';
  options: IssueOptions;
  /** Extra condition that makes an existing certificate unfit (SANs, for the server). */
  missing?: (cert: ReturnType<typeof parseCertificatePem>) => string | undefined;
}

/**
 * Loads the PKI in `<dataDir>/pki`, creating what is missing. Idempotent: a
 * second call with the same options creates nothing.
 *
 * - The CA is created only when neither ca.crt nor ca.key exists; with one of
 *   them missing, or an expired CA, this throws rather than replace it.
 * - The serving certificate (SANs: 127.0.0.1, localhost, the hostname, `sans`)
 *   is re-issued when a wanted SAN is not in it, when it expires within 30 days,
 *   when it was not issued by the CA or its key does not match. The admin
 *   certificate likewise, without the SAN rule.
 * - Every file present is read and checked before anything is written: an
 *   unreadable file, or one that is not a valid PEM of the right kind, is an
 *   `InvalidError` naming it, and is left as it is.
 */
export async function loadOrCreateServerPki(
  dataDir: string,
  options: ServerPkiOptions,
): Promise<ServerPki> {
  const now = options.now ?? new Date();
  const dir = join(dataDir, 'pki');
  const wanted = wantedSans(options);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
  const path = (file: string) => join(dir, file);

  // Read and check everything first, so a bad file stops us before any write.
  const [caCert, caKey, serverCert, serverKey, adminCert, adminKey] = await Promise.all(
    ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'admin.crt', 'admin.key'].map((f) =>
      readOptional(path(f)),
    ),
  );
  let ca: CertificateAuthority | undefined;
  if (caCert !== undefined && caKey !== undefined) {
    ca = await loadCertificateAuthority(caCert, caKey, {
      cert: path('ca.crt'),
      key: path('ca.key'),
    });
    if (ca.certificate.notAfter.getTime() <= now.getTime()) {
      throw new ExpiredError(
        `${path('ca.crt')}: the CA expired at ${ca.certificate.notAfter.toISOString()}; ` +
          'Verge does not replace a CA: move the pki directory away to start a new cluster identity',
      );
    }
  } else if (caCert !== undefined || caKey !== undefined) {
    const [present, absent] = caCert !== undefined ? ['ca.crt', 'ca.key'] : ['ca.key', 'ca.crt'];
    throw new InvalidError(
      `${path(absent)} is missing but ${path(present)} exists; Verge does not replace a CA: ` +
        `restore ${absent}, or remove ${present} to create a new CA`,
    );
  }
  const serverParsed = await checkLeafFiles(
    serverCert,
    serverKey,
    path('server.crt'),
    path('server.key'),
  );
  const adminParsed = await checkLeafFiles(
    adminCert,
    adminKey,
    path('admin.crt'),
    path('admin.key'),
  );

  const created: ServerPkiPart[] = [];
  if (ca === undefined) {
    ca = await createCertificateAuthority({
      commonName: `verge-ca@${Math.floor(now.getTime() / 1000)}`,
      now,
    });
    // Key first: a crash between the two renames leaves ca.key alone, which the
    // next start reports instead of silently making a second CA.
    await writeFileAtomic(path('ca.key'), ca.keyPem, KEY_MODE);
    await writeFileAtomic(path('ca.crt'), ca.certPem, CERT_MODE);
    created.push('ca');
  } else {
    await tightenMode(path('ca.key'));
  }

  const plans: LeafPlan[] = [
    {
      name: 'server',
      options: {
        commonName: SERVER_COMMON_NAME,
        dnsNames: wanted.dnsNames,
        ipAddresses: wanted.ipAddresses,
        usage: 'server',
        now,
      },
      missing: (cert) => {
        const have = certificateSans(cert);
        const lacking = [
          ...wanted.dnsNames.filter((d) => !have.dnsNames.includes(d)),
          ...wanted.ipAddresses.filter((ip) => !have.ipAddresses.includes(ip)),
        ];
        return lacking.length > 0 ? `lacks SANs ${lacking.join(', ')}` : undefined;
      },
    },
    {
      name: 'admin',
      options: {
        commonName: ADMIN_USER,
        organizations: [ADMIN_GROUP],
        usage: 'client',
        now,
      },
    },
  ];
  const result: Partial<Record<'server' | 'admin', KeyPairPem>> = {};
  for (const plan of plans) {
    const existing = plan.name === 'server' ? serverParsed : adminParsed;
    const fits =
      existing !== undefined &&
      leafFits(existing, ca, now) &&
      (plan.missing === undefined || plan.missing(existing.certificate) === undefined);
    if (fits) {
      result[plan.name] = { certPem: existing.certPem, keyPem: existing.keyPem };
      await tightenMode(path(`${plan.name}.key`));
      continue;
    }
    const pair = await issueCertificate(ca, plan.options);
    // Key first: a crash in between leaves a key that does not match the old
    // certificate, which the next start detects and re-issues.
    await writeFileAtomic(path(`${plan.name}.key`), pair.keyPem, KEY_MODE);
    await writeFileAtomic(path(`${plan.name}.crt`), pair.certPem, CERT_MODE);
    result[plan.name] = pair;
    created.push(plan.name);
  }
  return { ca, server: result.server!, admin: result.admin!, created };
}

interface ParsedLeaf extends KeyPairPem {
  certificate: ReturnType<typeof parseCertificatePem>;
}

/**
 * Validates the leaf files that are present (a bad one throws), and returns the
 * pair when both are; a pair with a side missing is simply re-issued.
 */
async function checkLeafFiles(
  certPem: string | undefined,
  keyPem: string | undefined,
  certPath: string,
  keyPath: string,
): Promise<ParsedLeaf | undefined> {
  const certificate = certPem === undefined ? undefined : parseCertificatePem(certPem, certPath);
  if (keyPem !== undefined) await importSigningKey(keyPem, keyPath);
  if (certificate === undefined || certPem === undefined || keyPem === undefined) return undefined;
  return { certPem, keyPem, certificate };
}

/** Issued by `ca`, holds the matching key, and more than 30 days from expiry. */
function leafFits(leaf: ParsedLeaf, ca: CertificateAuthority, now: Date): boolean {
  if (!keyMatchesCertificate(leaf.keyPem, leaf.certificate)) return false;
  if (leaf.certificate.notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
  const caCert = new NodeX509Certificate(ca.certPem);
  const cert = new NodeX509Certificate(leaf.certPem);
  return cert.checkIssued(caCert) && cert.verify(caCert.publicKey);
}

/** SANs of the serving certificate: loopback, localhost, the hostname, then the user's. */
function wantedSans(options: ServerPkiOptions): { dnsNames: string[]; ipAddresses: string[] } {
  const host = (options.hostname ?? osHostname()).toLowerCase();
  const defaults = ['127.0.0.1', 'localhost', ...(isDnsName(host) ? [host] : [])];
  return splitSans([...defaults, ...options.sans]);
}

/** The file's text, or undefined if it does not exist; `InvalidError` naming it if unreadable. */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidError(`${path}: cannot be read (${(err as Error).message})`, { cause: err });
  }
}

/** A key readable by others is narrowed to 0600 (the files are Verge's own). */
async function tightenMode(path: string): Promise<void> {
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, KEY_MODE);
}
