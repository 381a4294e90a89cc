import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { jwtVerify } from 'jose';

const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
/** FCM refuses a message whose payload is larger than this. */
const MAX_MESSAGE_BYTES = 4096;
/** Roughly what an FCM registration token looks like; anything else is "not a valid FCM registration token". */
const REGISTRATION_TOKEN = /^[A-Za-z0-9_:-]{32,4096}$/;
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/** One messages:send the fake accepted. */
export interface FcmSent {
  project: string;
  /** The `message` of the request body, as sent. */
  message: Record<string, any>;
  /** The name FCM answered (`projects/<project>/messages/<id>`). */
  name: string;
}

/** An answer the fake gives to the next messages:send instead of its outcome, or `reset` to drop the connection. */
export type FcmScripted = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';

/**
 * Firebase Cloud Messaging's HTTP v1 API for tests, on 127.0.0.1, speaking Google's protocol: the OAuth2
 * token endpoint (a service account's RS256 JWT bearer grant; signature, issuer, audience, scope and
 * expiry checked against the key it generated) and `POST /v1/projects/{project}/messages:send`, which
 * demands one of the access tokens it issued, checks the message as FCM does (a registration token, string
 * data values, a `<seconds>s` TTL, the size limit) and answers `{name}` or Google's error shape
 * (`{error: {code, message, status, details: [FcmError…]}}`).
 */
export interface FakeFcm {
  url: string;
  projectId: string;
  /** The service account's JSON key, as the Firebase console hands it out. */
  serviceAccountKey: string;
  /** Messages accepted, in order. */
  sent: FcmSent[];
  /** Access tokens issued by the token endpoint (one per grant). */
  tokensIssued: string[];
  /** Registration tokens answered 404 UNREGISTERED (the app was uninstalled, the token expired). */
  unregistered: Set<string>;
  /** Answered, in order, to the next messages:send requests instead of their outcome (e.g. a 503 with Retry-After, a 429). */
  next: FcmScripted[];
  /** Requests it saw, `METHOD path`. */
  requests: string[];
  /** A registration token FCM could hand out. */
  registrationToken(): string;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(JSON.stringify(body));
}

/** Google's error shape, with FCM's own error code in `details` when there is one. */
export function fcmError(code: number, status: string, message: string, details: unknown[] = []): { error: unknown } {
  return { error: { code, message, status, details } };
}

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
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > 3600) return 'assertion lifetime over an hour';
    if (
      !String(payload.scope ?? '')
        .split(' ')
        .includes(SCOPE)
    )
      return 'scope lacks firebase.messaging';
    return undefined;
  } catch (error) {
    return `invalid assertion: ${(error as Error).message}`;
  }
}

/** What FCM says about a message it will not send: undefined when the message is fine. */
function refusal(message: Record<string, any> | undefined, unregistered: Set<string>): { status: number; body: unknown } | undefined {
  const badRequest = (field: string, description: string) =>
    fcmError(400, 'INVALID_ARGUMENT', description, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description }] }]);
  if (!message || typeof message !== 'object') return { status: 400, body: badRequest('message', 'Request contains an invalid argument.') };
  if (typeof message.token !== 'string') return { status: 400, body: badRequest('message', 'Recipient of the message is not set.') };
  for (const [key, value] of Object.entries((message.data ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string')
      return { status: 400, body: badRequest(`message.data[${key}].value`, `Invalid value at 'message.data[${key}].value' (TYPE_STRING)`) };
  }
  const ttl = message.android?.ttl;
  if (ttl !== undefined && !/^[0-9]+(\.[0-9]{1,9})?s$/.test(String(ttl)))
    return {
      status: 400,
      body: badRequest('message.android.ttl', `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), "${ttl}"`),
    };
  const priority = message.android?.priority;
  if (priority !== undefined && !['NORMAL', 'HIGH', 'normal', 'high'].includes(priority))
    return { status: 400, body: badRequest('message.android.priority', `Invalid value at 'message.android.priority'`) };
  if (Buffer.byteLength(JSON.stringify({ notification: message.notification, data: message.data })) > MAX_MESSAGE_BYTES)
    return { status: 400, body: fcmError(400, 'INVALID_ARGUMENT', 'Message is too big.', [{ '@type': FCM_ERROR, errorCode: 'INVALID_ARGUMENT' }]) };
  if (!REGISTRATION_TOKEN.test(message.token))
    return {
      status: 400,
      body: fcmError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', [
        { '@type': FCM_ERROR, errorCode: 'INVALID_ARGUMENT' },
      ]),
    };
  if (unregistered.has(message.token))
    return { status: 404, body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', [{ '@type': FCM_ERROR, errorCode: 'UNREGISTERED' }]) };
  return undefined;
}

export async function startFakeFcm(options: { projectId?: string } = {}): Promise<FakeFcm> {
  const projectId = options.projectId ?? 'switchboard-test';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `firebase-adminsdk@${projectId}.iam.gserviceaccount.com`;
  const issued = new Set<string>();
  const tokensIssued: string[] = [];
  const sent: FcmSent[] = [];
  const unregistered = new Set<string>();
  const next: FcmScripted[] = [];
  const requests: string[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://local').pathname;
      const body = await readBody(request);
      requests.push(`${request.method} ${path}`);
      if (request.method === 'POST' && path === '/token') {
        const problem = await grant(body, publicKey, clientEmail);
        if (problem) return json(response, 400, { error: 'invalid_grant', error_description: problem });
        const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
        issued.add(accessToken);
        tokensIssued.push(accessToken);
        return json(response, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
      }
      const send = SEND_PATH.exec(path);
      if (!send) return json(response, 404, fcmError(404, 'NOT_FOUND', 'Not Found'));
      if (request.method !== 'POST') return json(response, 405, fcmError(405, 'METHOD_NOT_ALLOWED', 'Method Not Allowed'));
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer || !issued.has(bearer))
        return json(response, 401, fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.'));
      const project = decodeURIComponent(send[1]!);
      if (project !== projectId)
        return json(
          response,
          403,
          fcmError(
            403,
            'PERMISSION_DENIED',
            `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}'`,
          ),
        );
      const scripted = next.shift();
      if (scripted === 'reset') {
        request.socket.destroy();
        return;
      }
      if (scripted)
        return json(
          response,
          scripted.status,
          scripted.body ?? fcmError(scripted.status, 'UNAVAILABLE', 'The service is currently unavailable.'),
          scripted.headers,
        );
      let message: Record<string, any> | undefined;
      try {
        message = (JSON.parse(body) as { message?: Record<string, any> }).message;
      } catch {
        return json(response, 400, fcmError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'));
      }
      const refused = refusal(message, unregistered);
      if (refused) return json(response, refused.status, refused.body);
      const name = `projects/${projectId}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}`;
      sent.push({ project, message: message!, name });
      return json(response, 200, { name });
    })().catch((error: unknown) => json(response, 500, fcmError(500, 'INTERNAL', String(error))));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    projectId,
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(8).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: clientEmail,
      token_uri: TOKEN_AUDIENCE,
    }),
    sent,
    tokensIssued,
    unregistered,
    next,
    requests,
    registrationToken: () => `${randomBytes(11).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
