/**
 * Verge's PKI: the cluster CA, serving/client/node certificates, CSR signing for
 * joining edge nodes, and the admin kubeconfig. Import from here.
 */
export {
  type CertificateAuthority,
  type CertificateUsage,
  type CsrSubject,
  type IssueOptions,
  type KeyPairPem,
  certificateHash,
  createCertificateAuthority,
  createCsr,
  identityFromPeerCertificate,
  issueCertificate,
  loadCertificateAuthority,
  parseCsr,
  signCsr,
} from './certificates.ts';
export { type CertificateTimes, certificateTimes } from './times.ts';
export {
  ADMIN_GROUP,
  ADMIN_USER,
  type ServerPki,
  type ServerPkiOptions,
  type ServerPkiPart,
  loadOrCreateServerPki,
} from './server-pki.ts';
export { type KubeconfigOptions, renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
export {
  type CommitJoinOptions,
  type CommitJoinResult,
  type CreateTokenOptions,
  type CreatedToken,
  type JoinToken,
  type TokenCheck,
  type TokenInfo,
  type TokenRejection,
  type TokenStoreOptions,
  DEFAULT_TOKEN_TTL_MS,
  TokenStore,
  formatJoinToken,
  isNodeName,
  parseJoinToken,
  spkiSha256,
  tokenStorePath,
} from './tokens.ts';
export {
  type JoinRequest,
  type JoinResponse,
  type JoinService,
  type JoinServiceOptions,
  JOIN_CA_PATH,
  JOIN_CERTIFICATE_PATH,
  JOIN_PATH_PREFIX,
  NODES_GROUP,
  NODE_USER_PREFIX,
  createJoinHandler,
  createJoinService,
} from './join.ts';
export { type JoinClientOptions, fetchVerifiedCa, requestNodeCertificate } from './join-client.ts';
