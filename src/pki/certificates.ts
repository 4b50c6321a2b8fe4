/**
 * Certificates for Verge: a CA, the certificates it issues (serving, client,
 * node), CSRs from edge nodes, and the reading of certificates that the API
 * server and the hub need (pin hash, identity, rotation time).
 *
 * Keys are ECDSA P-256 (cheap to sign and verify on small ARM boards, accepted by
 * kubectl, Go's TLS and Node's TLS), made and used through WebCrypto; on disk they
 * are PKCS#8 PEM. Every input that comes from outside (PEM text, CSRs, names) is
 * checked, and problems are `InvalidError`s.
 */
import './reflect-metadata.ts'; // before @peculiar/x509, which needs it at load time
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, createPublicKey, type webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { InvalidError } from '../util/errors.ts';
import { decodePem, encodePem } from './pem.ts';

x509.cryptoProvider.set(crypto);

// WebCrypto types live under node:crypto's `webcrypto` (the DOM lib is not loaded).
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface KeyPairPem {
  /** The certificate, PEM (`CERTIFICATE`). */
  certPem: string;
  /** Its private key, PEM (`PRIVATE KEY`, PKCS#8). */
  keyPem: string;
}

/**
 * A CA ready to sign: the PEM it was made from or loaded from, plus the parsed
 * certificate and the signing key. Immutable; safe to share.
 */
export interface CertificateAuthority extends KeyPairPem {
  readonly certificate: x509.X509Certificate;
  /** Not extractable when loaded from PEM. */
  readonly signingKey: CryptoKey;
  /** The CA's subject key identifier (hex); issued certificates name it as their authority key. */
  readonly keyId: string;
}

export type CertificateUsage = 'server' | 'client' | 'server+client';

export interface IssueOptions {
  commonName: string;
  organizations?: string[];
  /** DNS subject alternative names; an IP address here is an error (use `ipAddresses`). */
  dnsNames?: string[];
  /** IPv4 or IPv6 subject alternative names. */
  ipAddresses?: string[];
  usage: CertificateUsage;
  /** Lifetime from `now`; default 365. Capped at the CA's own expiry. */
  validityDays?: number;
  /** Default: the current time. */
  now?: Date;
}

export interface CsrSubject {
  commonName: string;
  organizations: string[];
  publicKeySpkiDer: Uint8Array;
}

const EC_KEY: webcrypto.EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdating of notBefore, so a peer whose clock is a little behind accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DEFAULT_CA_DAYS = 3650;
const DEFAULT_LEAF_DAYS = 365;
const MAX_NAME_LENGTH = 1024;

/**
 * Creates a self-signed CA with a fresh P-256 key: BasicConstraints CA:true
 * (critical, path length 0: Verge never issues intermediates), KeyUsage
 * keyCertSign+cRLSign (critical).
 */
export async function createCertificateAuthority(options: {
  commonName: string;
  /** Default 3650. */
  validityDays?: number;
  now?: Date;
}): Promise<CertificateAuthority> {
  const commonName = checkName(options.commonName, 'commonName');
  const { notBefore, notAfter } = validity(
    options.now,
    options.validityDays ?? DEFAULT_CA_DAYS,
    undefined,
  );
  const keys = await generateKeyPair();
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const name = subjectName(commonName, []);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: name,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      ski,
    ],
  });
  return {
    certPem: certificate.toString('pem') + '\n',
    keyPem: await exportKeyPem(keys.privateKey),
    certificate,
    signingKey: keys.privateKey,
    keyId: ski.keyId,
  };
}

/**
 * Loads a CA from PEM. The certificate must be a CA certificate with an ECDSA
 * P-256 key, and `keyPem` its PKCS#8 private key. `source` names where the PEM
 * came from in error messages (default "CA certificate" / "CA key").
 */
export async function loadCertificateAuthority(
  certPem: string,
  keyPem: string,
  source: { cert?: string; key?: string } = {},
): Promise<CertificateAuthority> {
  const certSource = source.cert ?? 'CA certificate';
  const keySource = source.key ?? 'CA key';
  const certificate = parseCertificatePem(certPem, certSource);
  const basic = certificate.getExtension(x509.BasicConstraintsExtension);
  if (!basic?.ca) throw new InvalidError(`${certSource}: not a CA certificate`);
  const signingKey = await importSigningKey(keyPem, keySource);
  if (!keyMatchesCertificate(keyPem, certificate)) {
    throw new InvalidError(`${keySource}: key does not belong to ${certSource}`);
  }
  const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const keyId = ski?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(certificate)).keyId;
  return { certPem, keyPem, certificate, signingKey, keyId };
}

/**
 * Issues a certificate for a fresh P-256 key. Subject is `O=<each organization>,
 * CN=<commonName>`; extensions as for `signCsr`.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: IssueOptions,
): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const certPem = await signPublicKey(ca, keys.publicKey, options);
  return { certPem, keyPem: await exportKeyPem(keys.privateKey) };
}

/** Creates a CSR (PEM) and its fresh P-256 key for a subject (edge side). */
export async function createCsr(options: {
  commonName: string;
  organizations?: string[];
}): Promise<{ csrPem: string; keyPem: string }> {
  const name = subjectName(
    checkName(options.commonName, 'commonName'),
    (options.organizations ?? []).map((o, i) => checkName(o, `organizations[${i}]`)),
  );
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: SIGNING,
  });
  return { csrPem: csr.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}

/**
 * Verifies the CSR's self-signature (proof that the sender holds the key) and
 * returns its subject and public key. The key must be ECDSA P-256/P-384 or RSA of
 * at least 2048 bits. `InvalidError` on anything else: bad PEM, bad DER, a bad
 * signature, no or several common names.
 */
export async function parseCsr(csrPem: string): Promise<CsrSubject> {
  const der = decodePem(csrPem, 'CERTIFICATE REQUEST', 'CSR');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (err) {
    throw new InvalidError('CSR: not a valid PKCS#10 certificate request', { cause: err });
  }
  const publicKeySpkiDer = new Uint8Array(csr.publicKey.rawData);
  checkPublicKey(publicKeySpkiDer, 'CSR');
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch (err) {
    throw new InvalidError('CSR: signature cannot be verified', { cause: err });
  }
  if (!valid) throw new InvalidError('CSR: signature does not match its content');
  const commonNames = csr.subjectName.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] === '') {
    throw new InvalidError(`CSR: subject must have exactly one common name (CN)`);
  }
  return {
    commonName: commonNames[0],
    organizations: csr.subjectName.getField('O'),
    publicKeySpkiDer,
  };
}

/**
 * Signs a CSR after the caller has authorized the subject. The certificate's
 * subject, usages, SANs and validity come from `options`, never from the CSR:
 * only the CSR's public key is used (after its signature is verified).
 */
export async function signCsr(
  ca: CertificateAuthority,
  csrPem: string,
  options: IssueOptions,
): Promise<string> {
  const { publicKeySpkiDer } = await parseCsr(csrPem);
  return signPublicKey(ca, publicKeySpkiDer, options);
}

/** sha256 of the certificate's DER, lowercase hex: the CA pin in join tokens. */
export function certificateHash(certPem: string): string {
  const der = parseCertificatePem(certPem, 'certificate').rawData;
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

/**
 * The identity of a client certificate as Kubernetes reads it: user = CN,
 * groups = the O values, in order. The caller must have checked that TLS
 * verified the certificate (`socket.authorized`). Returns undefined when there is
 * no certificate (`getPeerCertificate()` gives `{}`), no or an empty CN, or
 * several CNs (ambiguous).
 */
export function identityFromPeerCertificate(
  cert: PeerCertificate,
): { user: string; groups: string[] } | undefined {
  // Node gives a string for one value and an array for several.
  const subject = (cert as Partial<PeerCertificate> | null | undefined)?.subject as
    Record<string, string | string[] | undefined> | undefined;
  if (subject == null) return undefined;
  const cn = subject.CN;
  if (typeof cn !== 'string' || cn === '') return undefined;
  const o = subject.O;
  const groups = o === undefined ? [] : typeof o === 'string' ? [o] : [...o];
  return { user: cn, groups };
}

/** The SANs of a certificate: DNS names lowercased, IP addresses in canonical form. */
export function certificateSans(cert: x509.X509Certificate): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of san?.names.items ?? []) {
    if (name.type === 'dns') dnsNames.push(name.value.toLowerCase());
    else if (name.type === 'ip' && isIP(name.value) !== 0) {
      ipAddresses.push(canonicalIp(name.value));
    }
  }
  return { dnsNames, ipAddresses };
}

/** Parses one PEM certificate; `InvalidError` naming `source` if it is anything else. */
export function parseCertificatePem(certPem: string, source: string): x509.X509Certificate {
  const der = decodePem(certPem, 'CERTIFICATE', source);
  try {
    return new x509.X509Certificate(der);
  } catch (err) {
    throw new InvalidError(`${source}: not a valid X.509 certificate`, { cause: err });
  }
}

/**
 * Checks that `keyPem` is a PKCS#8 ECDSA P-256 private key (the only kind Verge
 * makes) and returns it as a non-extractable signing key.
 */
export async function importSigningKey(keyPem: string, source: string): Promise<CryptoKey> {
  const der = decodePem(keyPem, 'PRIVATE KEY', source);
  try {
    return await crypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
  } catch (err) {
    throw new InvalidError(`${source}: not a PKCS#8 ECDSA P-256 private key`, { cause: err });
  }
}

/** Whether `keyPem`'s public half is the certificate's public key. */
export function keyMatchesCertificate(keyPem: string, cert: x509.X509Certificate): boolean {
  try {
    const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return Buffer.from(cert.publicKey.rawData).equals(spki);
  } catch {
    return false;
  }
}

/**
 * Splits names as a user gives them (`--tls-san`) into DNS names and IP
 * addresses, lowercased/canonical and without duplicates. `InvalidError` on a
 * name that is neither.
 */
export function splitSans(names: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set<string>();
  const ipAddresses = new Set<string>();
  for (const name of names) {
    if (isIP(name) !== 0) ipAddresses.add(canonicalIp(name));
    else dnsNames.add(checkDnsName(name, 'SAN'));
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** Whether `name` is a valid DNS SAN (optionally `*.`-prefixed). */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  return labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l));
}

async function signPublicKey(
  ca: CertificateAuthority,
  publicKey: CryptoKey | Uint8Array,
  options: IssueOptions,
): Promise<string> {
  const commonName = checkName(options.commonName, 'commonName');
  const organizations = (options.organizations ?? []).map((o, i) =>
    checkName(o, `organizations[${i}]`),
  );
  const dnsNames = (options.dnsNames ?? []).map((d, i) => checkDnsName(d, `dnsNames[${i}]`));
  const ipAddresses = (options.ipAddresses ?? []).map((ip, i) => {
    if (isIP(ip) === 0)
      throw new InvalidError(`ipAddresses[${i}]: ${JSON.stringify(ip)} is not an IP address`);
    return canonicalIp(ip);
  });
  const usages = extendedKeyUsages(options.usage);
  const { notBefore, notAfter } = validity(
    options.now,
    options.validityDays ?? DEFAULT_LEAF_DAYS,
    ca.certificate.notAfter,
  );
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // RFC 5480: an EC key signs; keyEncipherment does not apply to it.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    new x509.AuthorityKeyIdentifierExtension(ca.keyId, false),
  ];
  if (dnsNames.length > 0 || ipAddresses.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        [
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
        ],
        false,
      ),
    );
  }
  let certificate: x509.X509Certificate;
  try {
    certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: subjectName(commonName, organizations),
      issuer: ca.certificate.subjectName,
      notBefore,
      notAfter,
      publicKey,
      signingKey: ca.signingKey,
      signingAlgorithm: SIGNING,
      extensions,
    });
  } catch (err) {
    throw new InvalidError(`cannot issue a certificate for ${JSON.stringify(commonName)}`, {
      cause: err,
    });
  }
  return certificate.toString('pem') + '\n';
}

function extendedKeyUsages(usage: CertificateUsage): string[] {
  switch (usage) {
    case 'server':
      return [x509.ExtendedKeyUsage.serverAuth];
    case 'client':
      return [x509.ExtendedKeyUsage.clientAuth];
    case 'server+client':
      return [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
    default:
      throw new InvalidError(
        `usage: ${JSON.stringify(usage)} is not server, client or server+client`,
      );
  }
}

/**
 * notBefore = now - 5 minutes; notAfter = now + days, capped at `cap` (the CA's
 * expiry: a certificate cannot outlive its issuer). Whole seconds, as X.509
 * stores them, so what is returned is what the certificate says.
 */
function validity(
  now: Date | undefined,
  days: number,
  cap: Date | undefined,
): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(days) || days <= 0) {
    throw new InvalidError(`validityDays: must be a positive number, got ${days}`);
  }
  const t = (now ?? new Date()).getTime();
  if (!Number.isFinite(t)) throw new InvalidError('now: not a valid date');
  const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  let notAfter = t + days * DAY_MS;
  if (cap !== undefined && cap.getTime() < notAfter) notAfter = cap.getTime();
  return { notBefore: seconds(t - CLOCK_SKEW_MS), notAfter: seconds(notAfter) };
}

/** `O=...` RDNs (one per organization, in order) then `CN=...`, as Go orders a subject. */
function subjectName(commonName: string, organizations: string[]): x509.JsonName {
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidError(`${field}: must be a non-empty string`);
  }
  // eslint-disable-next-line no-control-regex
  if (value.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidError(`${field}: too long or has control characters`);
  }
  return value;
}

function checkDnsName(value: unknown, field: string): string {
  if (typeof value === 'string' && isIP(value) !== 0) {
    throw new InvalidError(`${field}: ${value} is an IP address, not a DNS name`);
  }
  if (typeof value !== 'string' || !isDnsName(value)) {
    throw new InvalidError(`${field}: ${JSON.stringify(value)} is not a valid DNS name`);
  }
  return value.toLowerCase();
}

/** The canonical text of an IP address (IPv6 compressed, lowercase), for comparing SANs. */
export function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/** Rejects CSR keys too weak (or too exotic) to certify. */
function checkPublicKey(spkiDer: Uint8Array, source: string): void {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  } catch (err) {
    throw new InvalidError(`${source}: public key cannot be read`, { cause: err });
  }
  const details = key.asymmetricKeyDetails ?? {};
  const ok =
    (key.asymmetricKeyType === 'ec' &&
      (details.namedCurve === 'prime256v1' || details.namedCurve === 'secp384r1')) ||
    (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048);
  if (!ok) {
    throw new InvalidError(
      `${source}: public key must be ECDSA P-256/P-384 or RSA >= 2048 bits, got ${key.asymmetricKeyType}`,
    );
  }
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return encodePem(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** 128 random bits; the generator adds a leading zero byte when needed to keep it positive. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  if (bytes[0] === 0) bytes[0] = 1; // keep all 128 bits significant (never zero)
  return Buffer.from(bytes).toString('hex');
}
