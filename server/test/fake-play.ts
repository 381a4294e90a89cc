import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

/** What purchases.products.get answers for one purchase token (the Play Developer API's ProductPurchase). */
export interface PlayPurchase {
  packageName: string;
  productId: string;
  purchaseState: 0 | 1 | 2;
  acknowledgementState?: 0 | 1;
  orderId?: string;
  quantity?: number;
  purchaseType?: number;
  obfuscatedExternalAccountId?: string;
  purchaseTimeMillis?: string;
}

/** One entry of voidedpurchases.list. */
export interface PlayVoidedPurchase {
  purchaseToken: string;
  orderId?: string;
  /** When Google saw it voided: what startTime filters on. */
  voidedTimeMillis: string;
  voidedReason?: number;
  voidedSource?: number;
}

/**
 * The Play Developer API for tests, on 127.0.0.1, speaking Google's protocol so the real client library
 * runs against it: the OAuth2 token endpoint (a service account's RS256 JWT bearer grant, whose signature,
 * issuer, audience, scope and expiry are checked against the test key) and androidpublisher v3's
 * purchases.products get and acknowledge and purchases.voidedpurchases list, which demand one of the
 * access tokens it issued.
 */
export interface FakePlay {
  url: string;
  /** The service account's JSON key, as the Play Console hands it out. */
  serviceAccountKey: string;
  purchases: Map<string, PlayPurchase>;
  /** Tokens whose purchases.products.get Google answers with an error instead (status and reason). */
  failures: Map<string, { code: number; reason: string; message: string }>;
  /** What voidedpurchases.list reports, oldest first (pages of maxResults, a nextPageToken between them). */
  voided: PlayVoidedPurchase[];
  acknowledged: string[];
  /** Requests it saw, `METHOD path` (tokens elided). */
  requests: string[];
  close(): Promise<void>;
}

const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const VOIDED_PATH = /^\/androidpublisher\/v3\/applications\/([^/]+)\/purchases\/voidedpurchases$/;
const PURCHASE_PATH = /^\/androidpublisher\/v3\/applications\/([^/]+)\/purchases\/products\/([^/]+)\/tokens\/([^/:]+)(:acknowledge)?$/;

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}

/** Google's error shape: `{error: {code, message, errors: [{domain, reason, message}]}}`. */
const googleError = (response: ServerResponse, code: number, reason: string, message: string) =>
  json(response, code, { error: { code, message, errors: [{ message, domain: 'androidpublisher', reason, location: 'token', locationType: 'parameter' }] } });

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function grant(body: string, publicKey: KeyObject, clientEmail: string): Promise<string | undefined> {
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'unsupported grant_type';
  try {
    const { payload } = await jwtVerify(form.get('assertion') ?? '', publicKey, { algorithms: ['RS256'], issuer: clientEmail, audience: TOKEN_AUDIENCE });
    if (
      !String(payload.scope ?? '')
        .split(' ')
        .includes('https://www.googleapis.com/auth/androidpublisher')
    )
      return 'scope lacks androidpublisher';
    return undefined;
  } catch (error) {
    return `invalid assertion: ${(error as Error).message}`;
  }
}

export async function startFakePlay(): Promise<FakePlay> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = 'switchboard@test-project.iam.gserviceaccount.com';
  const issued = new Set<string>();
  const purchases = new Map<string, PlayPurchase>();
  const failures = new Map<string, { code: number; reason: string; message: string }>();
  const acknowledged: string[] = [];
  const voided: PlayVoidedPurchase[] = [];
  const requests: string[] = [];

  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://local').pathname;
      const body = await readBody(request);
      if (request.method === 'POST' && path === '/token') {
        requests.push('POST /token');
        const problem = await grant(body, publicKey, clientEmail);
        if (problem) return json(response, 400, { error: 'invalid_grant', error_description: problem });
        const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
        issued.add(accessToken);
        return json(response, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
      }
      const voidedList = VOIDED_PATH.exec(path);
      if (voidedList && request.method === 'GET') {
        const query = new URL(request.url ?? '/', 'http://local').searchParams;
        requests.push(`GET voidedpurchases startTime=${query.get('startTime')}`);
        if (!issued.has((request.headers.authorization ?? '').replace(/^Bearer /, '')))
          return json(response, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.' } });
        const startTime = Number(query.get('startTime') ?? 0);
        const size = Math.min(Number(query.get('maxResults') ?? 1000), 1000);
        const offset = Number(query.get('token') ?? 0);
        const matching = voided.filter((v) => Number(v.voidedTimeMillis) >= startTime);
        const page = matching.slice(offset, offset + size);
        const next = offset + size < matching.length ? String(offset + size) : undefined;
        return json(response, 200, {
          voidedPurchases: page.map((v) => ({ kind: 'androidpublisher#voidedPurchase', purchaseTimeMillis: v.voidedTimeMillis, ...v })),
          ...(next ? { tokenPagination: { nextPageToken: next } } : {}),
        });
      }
      const match = PURCHASE_PATH.exec(path);
      if (!match) return json(response, 404, { error: { code: 404, message: 'Not Found' } });
      const [, packageName, productId, token, acknowledge] = match.map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
      requests.push(`${request.method} ${acknowledge ? 'acknowledge' : 'get'} ${productId}`);
      const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!issued.has(bearer))
        return json(response, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
      const failure = failures.get(token!);
      if (failure) return googleError(response, failure.code, failure.reason, failure.message);
      const purchase = purchases.get(token!);
      if (!purchase) return googleError(response, 404, 'purchaseTokenNotFound', 'The purchase token was not found.');
      if (purchase.packageName !== packageName)
        return googleError(response, 400, 'purchaseTokenDoesNotMatchPackageName', 'The purchase token does not match the package name.');
      if (purchase.productId !== productId)
        return googleError(response, 400, 'purchaseTokenDoesNotMatchProductId', 'The purchase token does not match the product ID.');
      if (acknowledge && request.method === 'POST') {
        if (purchase.purchaseState !== 0)
          return googleError(response, 400, 'invalidPurchaseState', 'The purchase is not in a valid state to perform the desired operation.');
        purchase.acknowledgementState = 1;
        acknowledged.push(token!);
        response.writeHead(204).end();
        return;
      }
      if (request.method !== 'GET') return json(response, 405, { error: { code: 405, message: 'Method Not Allowed' } });
      const { packageName: _inThePath, ...fields } = purchase;
      return json(response, 200, {
        kind: 'androidpublisher#productPurchase',
        purchaseTimeMillis: String(Date.now()),
        consumptionState: 0,
        acknowledgementState: 0,
        regionCode: 'US',
        ...fields,
      });
    })().catch((error: unknown) => json(response, 500, { error: { code: 500, message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      project_id: 'test-project',
      private_key_id: randomBytes(8).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: clientEmail,
      token_uri: TOKEN_AUDIENCE,
    }),
    purchases,
    failures,
    voided,
    acknowledged,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
