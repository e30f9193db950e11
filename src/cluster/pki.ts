// The cluster's certificates for TLS between nodes: a CA made once by `atoll cluster init`, and per node
// an ECDSA P-256 key with a certificate naming the node id (subject CN and DNS subject alternative name)
// for both server and client authentication. X.509 is built with @peculiar/x509 over node:crypto's
// WebCrypto; the CA key stays in the directory it was written to.
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateAuthority extends Pem {
  /** Issue a certificate for one node id, valid for `days`. */
  issue(id: string, days?: number): Promise<Pem>;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function exportKey(k: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k), 'PRIVATE KEY');
}

/** A new CA for the cluster `name`, valid for `days` (default ten years). */
export async function createCertificateAuthority(name: string, days = 3650): Promise<CertificateAuthority> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: `CN=${name} cluster CA`, notBefore: new Date(now - 60_000), notAfter: new Date(now + days * DAY_MS),
    keys, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const issue = async (id: string, nodeDays = days): Promise<Pem> => {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new RangeError(`'${id}' is not a node id`);
    const nk = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: `CN=${id}`, issuer: ca.subject, notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + nodeDays * DAY_MS), signingKey: keys.privateKey, publicKey: nk.publicKey, signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: id }]),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { cert: cert.toString('pem'), key: await exportKey(nk.privateKey) };
  };
  return { cert: ca.toString('pem'), key: await exportKey(keys.privateKey), issue };
}
