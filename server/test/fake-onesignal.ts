import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One notification the fake created (sent), with the request body as received. */
export interface OneSignalSent {
  id: string;
  body: Record<string, any>;
}

/** An answer the fake gives to the next create-message request instead of its outcome, or `reset` to drop the connection. */
export type OneSignalScripted = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';

/**
 * OneSignal's REST API for tests, on 127.0.0.1: `POST /notifications` (the create-message endpoint, with
 * or without `?c=push`), checking `Authorization: Key <REST API key>`, the app id, the targeting
 * (`include_subscription_ids`, UUIDs) and the content (headings/contents, or `content_available`), and
 * answering as OneSignal does: `{id}` for a message created, `{id: "", errors: …}` (status 200) when none
 * of the subscriptions can receive it. Like OneSignal it dedupes on `idempotency_key` (a UUID): the same
 * key again answers the first message's id, with `Idempotent-Replayed: true`, and sends nothing.
 */
export interface FakeOneSignal {
  url: string;
  appId: string;
  apiKey: string;
  /** Messages created, in order (a replayed idempotency key adds none). */
  sent: OneSignalSent[];
  /** Subscription ids OneSignal does not know: answered `errors.invalid_player_ids`. */
  invalid: Set<string>;
  /** Subscription ids that exist but are not subscribed (push turned off): answered "All included players are not subscribed". */
  unsubscribed: Set<string>;
  /** Answered, in order, to the next create-message requests instead of their outcome (a 429 with Retry-After, a 503…). */
  next: OneSignalScripted[];
  /** Requests it saw, `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What OneSignal says of a create-message body it refuses (400): undefined when it is fine. */
function refusal(body: Record<string, any>, appId: string): string | undefined {
  if (body.app_id !== appId) return `app_id not found. You may be missing a Content-Type: application/json header.`;
  const ids = body.include_subscription_ids as unknown;
  if (!Array.isArray(ids) || ids.length === 0) return 'You must include which players, segments, or tags you wish to send this notification to.';
  const malformed = ids.find((id) => typeof id !== 'string' || !UUID.test(id));
  if (malformed !== undefined)
    return `include_subscription_ids: Incorrect player_id format in include_subscription_ids (not a valid UUID): ${String(malformed)}`;
  if (body.idempotency_key !== undefined && !UUID.test(String(body.idempotency_key))) return 'idempotency_key must be a valid UUID';
  if (!body.content_available && typeof body.contents?.en !== 'string') return 'Message Notifications must have English language content';
  if (body.data !== undefined && (typeof body.data !== 'object' || Array.isArray(body.data))) return 'data must be a JSON object';
  if (Buffer.byteLength(JSON.stringify({ headings: body.headings, contents: body.contents, data: body.data })) > 3800)
    return 'Message payload is too large: the notification, its data and its options must fit in 4 KB';
  return undefined;
}

export async function startFakeOneSignal(): Promise<FakeOneSignal> {
  const appId = randomUUID();
  const apiKey = `os_v2_app_${Buffer.from(randomUUID()).toString('base64url')}`;
  const sent: OneSignalSent[] = [];
  const invalid = new Set<string>();
  const unsubscribed = new Set<string>();
  const next: OneSignalScripted[] = [];
  const requests: string[] = [];
  const byKey = new Map<string, string>();
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://local').pathname;
      const text = await readBody(request);
      requests.push(`${request.method} ${path}`);
      if (path !== '/notifications') return json(response, 404, { errors: ['Not Found'] });
      if (request.method !== 'POST') return json(response, 405, { errors: ['Method Not Allowed'] });
      if (request.headers.authorization !== `Key ${apiKey}`)
        return json(response, 403, { errors: ["Access denied.  Please include an 'Authorization: Key <REST API key>' header with a valid API key."] });
      const scripted = next.shift();
      if (scripted === 'reset') {
        request.socket.destroy();
        return;
      }
      if (scripted) return json(response, scripted.status, scripted.body ?? { errors: ['Internal server error'] }, scripted.headers);
      let body: Record<string, any>;
      try {
        body = JSON.parse(text) as Record<string, any>;
      } catch {
        return json(response, 400, { errors: ['Invalid JSON'] });
      }
      const refused = refusal(body, appId);
      if (refused) return json(response, 400, { errors: [refused] });
      const key = body.idempotency_key as string | undefined;
      const replayed = key ? byKey.get(key) : undefined;
      if (replayed !== undefined) return json(response, 200, { id: replayed }, { 'idempotent-replayed': 'true' });
      const ids = body.include_subscription_ids as string[];
      const unknown = ids.filter((id) => invalid.has(id));
      const reachable = ids.filter((id) => !invalid.has(id) && !unsubscribed.has(id));
      if (reachable.length === 0) {
        return json(
          response,
          200,
          unknown.length > 0 ? { id: '', errors: { invalid_player_ids: unknown } } : { id: '', errors: ['All included players are not subscribed'] },
        );
      }
      const id = randomUUID();
      if (key) byKey.set(key, id);
      sent.push({ id, body });
      return json(response, 200, { id, ...(unknown.length > 0 ? { errors: { invalid_player_ids: unknown } } : {}) });
    })().catch((error: unknown) => json(response, 500, { errors: [String(error)] }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    apiKey,
    sent,
    invalid,
    unsubscribed,
    next,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
