/**
 * Verge's PKI: the cluster CA, serving/client/node certificates, CSR signing for
 * joining edge nodes, and the admin kubeconfig. Import from here.
 */
export {
  type CertificateAuthority,
  type CertificateTimes,
  type CertificateUsage,
  type CsrSubject,
  type IssueOptions,
  type KeyPairPem,
  certificateHash,
  certificateTimes,
  createCertificateAuthority,
  createCsr,
  identityFromPeerCertificate,
  issueCertificate,
  loadCertificateAuthority,
  parseCsr,
  signCsr,
} from './certificates.ts';
export {
  ADMIN_GROUP,
  ADMIN_USER,
  type ServerPki,
  type ServerPkiOptions,
  type ServerPkiPart,
  loadOrCreateServerPki,
} from './server-pki.ts';
export { type KubeconfigOptions, renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
