import { randomUUID, webcrypto } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { CompactSign } from 'jose';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The marker extensions Apple's library looks for on the intermediate (WWDR) and leaf (App Store signing) certificates. */
const WWDR_INTERMEDIATE_OID = '1.2.840.113635.100.6.2.1';
const APP_STORE_LEAF_OID = '1.2.840.113635.100.6.11.1';
const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;
const ASN1_NULL = new Uint8Array([0x05, 0x00]);

export const BUNDLE_ID = 'com.example.switchboard';
export const APP_APPLE_ID = 1234567890;

/**
 * A certificate authority shaped like Apple's for tests: a root, an intermediate with the WWDR marker and
 * a leaf with the App Store marker, all ES256. It signs StoreKit 2 transactions and App Store Server
 * Notifications V2 as JWS with the chain in `x5c`, exactly what the app and Apple send.
 */
export interface AppleAuthority {
  /** A file holding the root certificate (DER), for APPLE_ROOT_CERTIFICATES. */
  rootPath: string;
  transaction(claims?: Record<string, unknown>): Promise<string>;
  notification(type: string, signedTransactionInfo: string, claims?: Record<string, unknown>): Promise<string>;
}

const base64 = (cert: x509.X509Certificate) => Buffer.from(cert.rawData).toString('base64');

export async function appleAuthority(name = 'Test Apple Root CA'): Promise<AppleAuthority> {
  const keys = async () => (await webcrypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const [rootKeys, intermediateKeys, leafKeys] = [await keys(), await keys(), await keys()];
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + 365 * DAY);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${name} Worldwide Developer Relations`,
    issuer: root.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.Extension(WWDR_INTERMEDIATE_OID, false, ASN1_NULL)],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '03',
    subject: `CN=${name} App Store Signing`,
    issuer: intermediate.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.Extension(APP_STORE_LEAF_OID, false, ASN1_NULL)],
  });
  const rootPath = join(await mkdtemp(join(tmpdir(), 'apple-root-')), 'root.cer');
  await writeFile(rootPath, Buffer.from(root.rawData));
  const sign = (payload: Record<string, unknown>) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', x5c: [base64(leaf), base64(intermediate), base64(root)] })
      .sign(leafKeys.privateKey);

  return {
    rootPath,
    transaction: (claims = {}) => {
      const now = Date.now();
      const id = String(2000000000000000 + Math.floor(Math.random() * 1e12));
      return sign({
        transactionId: id,
        originalTransactionId: id,
        bundleId: BUNDLE_ID,
        productId: 'coins.small',
        purchaseDate: now,
        originalPurchaseDate: now,
        quantity: 1,
        type: 'Consumable',
        inAppOwnershipType: 'PURCHASED',
        signedDate: now,
        environment: 'Sandbox',
        transactionReason: 'PURCHASE',
        storefront: 'USA',
        storefrontId: '143441',
        price: 4990,
        currency: 'USD',
        ...claims,
      });
    },
    notification: (type, signedTransactionInfo, claims = {}) =>
      sign({
        notificationType: type,
        notificationUUID: randomUUID(),
        data: { appAppleId: APP_APPLE_ID, bundleId: BUNDLE_ID, bundleVersion: '1', environment: 'Sandbox', signedTransactionInfo },
        version: '2.0',
        signedDate: Date.now(),
        ...claims,
      }),
  };
}

/** The claims of a compact JWS, unverified (tests read what they signed). */
export const claimsOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
