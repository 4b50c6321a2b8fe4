/**
 * Certificate lifetimes with Node's own X509Certificate, so that an edge agent
 * checking when to rotate its certificate every few seconds does not load the
 * full X.509 toolkit (@peculiar/x509) until it actually rotates.
 */
import { X509Certificate } from 'node:crypto';
import { InvalidError } from '../util/errors.ts';

export interface CertificateTimes {
  notBefore: Date;
  notAfter: Date;
  /** The moment 80% of the certificate's life has passed: when to rotate it. */
  renewAt: Date;
}

/** notBefore/notAfter of a PEM certificate, and when 80% of its life has passed. */
export function certificateTimes(certPem: string): CertificateTimes {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new InvalidError(`certificate: not a PEM certificate (${(err as Error).message})`);
  }
  const notBefore = cert.validFromDate;
  const notAfter = cert.validToDate;
  const life = notAfter.getTime() - notBefore.getTime();
  return { notBefore, notAfter, renewAt: new Date(notBefore.getTime() + Math.floor(life * 0.8)) };
}
