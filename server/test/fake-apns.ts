import { randomUUID, webcrypto, createPublicKey, type KeyObject } from 'node:crypto';
import { createSecureServer, constants, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { decodeProtectedHeader, jwtVerify } from 'jose';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;
/** Apple refuses a provider token issued more than an hour ago (ExpiredProviderToken). */
const TOKEN_LIFETIME_SECONDS = 3600;
const PUSH_TYPES = new Set(['alert', 'background', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'location', 'pushtotalk', 'widgets']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A device token as iOS hands it out: 32 bytes, hex. Anything else is a BadDeviceToken. */
const DEVICE_TOKEN = /^[0-9a-f]{64}$/i;

/** One request the fake answered. */
export interface ApnsRequest {
  token: string;
  /** The request's headers (`apns-*`, `authorization`, pseudo-headers). */
  headers: Record<string, string>;
  /** The JSON payload as sent. */
  payload: unknown;
  /** What the fake answered, and the reason of a failure. */
  status: number;
  reason?: string;
  /** The `apns-id` answered for a push it accepted. */
  apnsId?: string;
}

/** A failure the fake answers instead of the normal outcome, for the next requests (see `failNext`). */
export interface ApnsFailure {
  status: number;
  reason: string;
}

/**
 * APNs for tests: an HTTP/2 server over TLS on 127.0.0.1 speaking Apple's provider API, so the real
 * client library connects, authenticates and sends to it. It checks the provider token (an ES256 JWT
 * signed with the .p8 key it hands out: `kid` header = key id, issuer = team id, `iat` within the hour),
 * the path `/3/device/<token>`, `apns-topic` (the bundle id, or `<bundle id>.voip` exactly for
 * `apns-push-type: voip`), `apns-push-type`, `apns-priority`, `apns-id`, `apns-collapse-id`,
 * `apns-expiration` and the payload, and answers as Apple does: 200 with an `apns-id`, or a status with
 * `{"reason": …}`.
 */
export interface FakeApns {
  /** `127.0.0.1:<port>`, for APNS_ADDRESS. */
  address: string;
  host: string;
  port: number;
  /** The certificate authority that issued the server's certificate (PEM), for APNS_CA. */
  ca: string;
  /** The .p8 key (PEM), its id and the team id, for APNS_KEY, APNS_KEY_ID and APNS_TEAM_ID. */
  key: string;
  keyId: string;
  teamId: string;
  bundleId: string;
  /** Pushes it accepted (200). */
  sent: ApnsRequest[];
  /** Every request it answered, in order. */
  requests: ApnsRequest[];
  /** Device tokens answered 410 Unregistered (the app was removed, the token expired). */
  unregistered: Set<string>;
  /** Answered, in order, to the next requests instead of their outcome: 503 ServiceUnavailable, 429 TooManyRequests… */
  failNext: ApnsFailure[];
  /** The provider tokens (JWTs) it accepted, in order of first use. */
  providerTokens: string[];
  /** A device token iOS could hand out (64 hex characters). */
  deviceToken(): string;
  close(): Promise<void>;
}

function pem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A CA and a server certificate it issued for 127.0.0.1 and localhost (ECDSA P-256). */
async function serverCertificate(): Promise<{ ca: string; cert: string; key: string }> {
  const keys = async () => (await webcrypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const [caKeys, serverKeys] = [await keys(), await keys()];
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + 30 * DAY);
  const authority = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test APNs CA',
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=api.push.test',
    issuer: authority.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  return {
    ca: authority.toString('pem'),
    cert: server.toString('pem'),
    key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey)),
  };
}

const text = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

async function readBody(stream: ServerHttp2Stream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeApns(options: { bundleId?: string } = {}): Promise<FakeApns> {
  const bundleId = options.bundleId ?? 'com.example.switchboard';
  const keyId = 'KEY1234567';
  const teamId = 'TEAM123456';
  const signing = (await webcrypto.subtle.generateKey(ES256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const p8 = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', signing.privateKey));
  const publicKey: KeyObject = createPublicKey(p8);
  const tls = await serverCertificate();
  const sent: ApnsRequest[] = [];
  const requests: ApnsRequest[] = [];
  const unregistered = new Set<string>();
  const failNext: ApnsFailure[] = [];
  const providerTokens: string[] = [];

  /** Apple's provider-token checks; undefined when the token is good. */
  async function authenticate(authorization: string | undefined): Promise<{ status: number; reason: string } | undefined> {
    const match = /^bearer (.+)$/i.exec(authorization ?? '');
    if (!match) return { status: 403, reason: 'MissingProviderToken' };
    const jwt = match[1]!;
    try {
      const header = decodeProtectedHeader(jwt);
      if (header.alg !== 'ES256' || header.kid !== keyId) return { status: 403, reason: 'InvalidProviderToken' };
      const { payload } = await jwtVerify(jwt, publicKey, { algorithms: ['ES256'], issuer: teamId });
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.iat !== 'number' || payload.iat > now + 60) return { status: 403, reason: 'InvalidProviderToken' };
      if (now - payload.iat > TOKEN_LIFETIME_SECONDS) return { status: 403, reason: 'ExpiredProviderToken' };
    } catch {
      return { status: 403, reason: 'InvalidProviderToken' };
    }
    if (!providerTokens.includes(jwt)) providerTokens.push(jwt);
    return undefined;
  }

  /** What Apple answers this request, in the order Apple checks. */
  async function answer(headers: IncomingHttpHeaders, token: string | undefined, body: string): Promise<{ status: number; reason?: string }> {
    if (text(headers, ':method') !== 'POST') return { status: 405, reason: 'MethodNotAllowed' };
    if (token === undefined) return { status: 404, reason: 'BadPath' };
    const auth = await authenticate(text(headers, 'authorization'));
    if (auth) return auth;
    const topic = text(headers, 'apns-topic');
    const pushType = text(headers, 'apns-push-type');
    const priority = text(headers, 'apns-priority');
    const apnsId = text(headers, 'apns-id');
    const collapseId = text(headers, 'apns-collapse-id');
    const expiration = text(headers, 'apns-expiration');
    if (!topic) return { status: 400, reason: 'MissingTopic' };
    if (topic !== bundleId && topic !== `${bundleId}.voip`) return { status: 400, reason: 'TopicDisallowed' };
    if (!pushType || !PUSH_TYPES.has(pushType)) return { status: 400, reason: 'InvalidPushType' };
    if ((pushType === 'voip') !== topic.endsWith('.voip')) return { status: 400, reason: 'DeviceTokenNotForTopic' };
    if (priority !== undefined && !['1', '5', '10'].includes(priority)) return { status: 400, reason: 'BadPriority' };
    if (apnsId !== undefined && !UUID.test(apnsId)) return { status: 400, reason: 'BadMessageId' };
    if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return { status: 400, reason: 'BadCollapseId' };
    if (expiration !== undefined && !/^[0-9]+$/.test(expiration)) return { status: 400, reason: 'BadExpirationDate' };
    if (body === '') return { status: 400, reason: 'PayloadEmpty' };
    let payload: { aps?: Record<string, unknown> };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return { status: 400, reason: 'BadRequest' };
    }
    if (Buffer.byteLength(body) > (pushType === 'voip' ? 5120 : 4096)) return { status: 413, reason: 'PayloadTooLarge' };
    if (pushType === 'alert' && !payload.aps?.alert) return { status: 400, reason: 'BadRequest' };
    const failure = failNext.shift();
    if (failure) return failure;
    if (!DEVICE_TOKEN.test(token)) return { status: 400, reason: 'BadDeviceToken' };
    if (unregistered.has(token)) return { status: 410, reason: 'Unregistered' };
    return { status: 200 };
  }

  const server: Http2Server = createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: false });
  server.on('stream', (stream, headers) => {
    void (async () => {
      const path = text(headers, ':path') ?? '';
      const token = /^\/3\/device\/([^/?]+)$/.exec(path)?.[1];
      const body = await readBody(stream);
      const { status, reason } = await answer(headers, token, body);
      const apnsId = text(headers, 'apns-id') ?? randomUUID();
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        payload = body;
      }
      const record: ApnsRequest = {
        token: token ?? '',
        headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)])),
        payload,
        status,
        ...(reason ? { reason } : { apnsId }),
      };
      requests.push(record);
      if (status === 200) sent.push(record);
      const responseHeaders = { [constants.HTTP2_HEADER_STATUS]: status, 'apns-id': apnsId };
      if (status === 200) {
        stream.respond(responseHeaders, { endStream: true });
        return;
      }
      stream.respond({ ...responseHeaders, 'content-type': 'application/json' });
      stream.end(JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason }));
    })().catch(() => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    ca: tls.ca,
    key: p8,
    keyId,
    teamId,
    bundleId,
    sent,
    requests,
    unregistered,
    failNext,
    providerTokens,
    deviceToken: () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString('hex'),
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
