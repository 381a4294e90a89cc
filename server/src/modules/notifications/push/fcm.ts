import type { FastifyBaseLogger } from 'fastify';
import { JWT } from 'google-auth-library';
import type { FcmOptions } from '../../../core/config.ts';
import type { PushDevice, PushMessage, PushOutcome, PushProvider } from './types.ts';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Where google-auth-library exchanges the service account's signed JWT for an access token. */
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const FCM_URL = 'https://fcm.googleapis.com';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FcmTimeouts {
  /** How long messages:send may take before it counts as failed (`retry`). */
  requestTimeoutMs: number;
}

/** Google's error body: `{error: {code, message, status, details: [{'@type', errorCode | fieldViolations}]}}`. */
interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string; description?: string }> }>;
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^[0-9]+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * Firebase Cloud Messaging's HTTP v1 API: `POST /v1/projects/{project}/messages:send` with an OAuth2
 * access token of the service account (scope firebase.messaging), which google-auth-library signs for,
 * fetches and caches until shortly before it expires (concurrent sends share one fetch).
 *
 * A message is a notification (`notification {title, body}`) shown by the system, or for a call (voip) a
 * data-only message at high priority the app turns into its ringing screen (on iOS that is a background
 * push, which iOS may delay or drop: ringing an iPhone reliably needs APNs and PushKit). The message id is
 * Android's notification `tag` and web push's `tag`, `apns-collapse-id` on iOS and the web push `Topic`,
 * so a push resent after a crash replaces the first rather than showing twice. It is deliberately not
 * Android's `collapse_key`: FCM keeps at most four collapse keys per device, so unique ones would let FCM
 * drop messages for a device that is offline.
 */
export class FcmProvider implements PushProvider {
  readonly name = 'fcm' as const;
  private auth: JWT;
  private readonly endpoint: string;

  constructor(
    private readonly options: FcmOptions,
    private readonly log: FastifyBaseLogger,
    private readonly timeouts: FcmTimeouts = { requestTimeoutMs: 10_000 },
  ) {
    this.endpoint = `${options.apiUrl ?? FCM_URL}/v1/projects/${encodeURIComponent(options.projectId)}/messages:send`;
    this.auth = this.client();
  }

  private client(): JWT {
    const client = new JWT({
      email: this.options.serviceAccount.clientEmail,
      key: this.options.serviceAccount.privateKey,
      scopes: [SCOPE],
      transporterOptions: { timeout: this.timeouts.requestTimeoutMs },
    });
    const apiUrl = this.options.apiUrl;
    if (apiUrl) {
      // The token endpoint is fixed inside google-auth-library (as in the creators module's Play client).
      client.transporter.interceptors.request.add({
        resolved: async (request) => {
          if (request.url.href === TOKEN_URL) request.url = new URL(`${apiUrl}/token`);
          return request;
        },
      });
    }
    return client;
  }

  async send(device: PushDevice, message: PushMessage): Promise<PushOutcome> {
    let accessToken: string;
    try {
      const { token } = await this.auth.getAccessToken();
      if (!token) return { status: 'retry', reason: 'FCM: Google issued no access token' };
      accessToken = token;
    } catch (error) {
      return this.tokenFailure(error);
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ message: fcmMessage(device, message) }),
        signal: AbortSignal.timeout(this.timeouts.requestTimeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { status: 'retry', reason: `FCM unreachable: ${causeOf(error)}` };
    }
    let body: { name?: string; error?: GoogleError } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (response.ok) return { status: 'sent', ...(body?.name ? { providerId: body.name } : {}) };
    return this.failure(response, body?.error);
  }

  /** Google's answer to messages:send, by HTTP status and FCM's error code. */
  private failure(response: Response, error: GoogleError | undefined): PushOutcome {
    const code = error?.details?.find((d) => d['@type'] === FCM_ERROR)?.errorCode ?? error?.status ?? '';
    const reason = `FCM ${response.status} ${code}: ${error?.message ?? response.statusText}`.replace(/ :/, ':');
    // Only FCM's own UNREGISTERED: a bare 404 (a wrong FCM_API_URL, a proxy) says nothing about the token.
    if (code === 'UNREGISTERED') return { status: 'invalid_token', reason };
    if (response.status === 429 || response.status >= 500) {
      const after = retryAfterMs(response.headers.get('retry-after'));
      return { status: 'retry', reason, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    if (response.status === 400 && aboutTheToken(error)) return { status: 'invalid_token', reason };
    if (response.status === 401) {
      // Our access token was refused (revoked, or the key rotated): the next send fetches a new one.
      this.auth = this.client();
      return { status: 'retry', reason };
    }
    // SENDER_ID_MISMATCH (the token is another Firebase project's) stays a refusal: it is as likely to be
    // FCM_PROJECT_ID or the key that is wrong, and that must not drop every device's token.
    if (response.status === 403) this.log.error({ reason }, 'FCM refused this server: check FCM_SERVICE_ACCOUNT_KEY and FCM_PROJECT_ID');
    return { status: 'rejected', reason };
  }

  /** The access token could not be had: Google down or unreachable is `retry`, a refused service account `rejected`. */
  private tokenFailure(error: unknown): PushOutcome {
    const failed = error as { status?: number; response?: { status?: number; data?: { error?: string; error_description?: string } } };
    const status = failed.response?.status ?? failed.status;
    const detail = failed.response?.data?.error ? `${failed.response.data.error}: ${failed.response.data.error_description ?? ''}` : causeOf(error);
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
      this.log.error({ status, detail }, 'Google refused the FCM service account: check FCM_SERVICE_ACCOUNT_KEY');
      return { status: 'rejected', reason: `FCM: Google refused the service account (${status} ${detail})` };
    }
    return { status: 'retry', reason: `FCM: no access token (${status ?? 'network'}: ${detail})` };
  }

  async close(): Promise<void> {
    // Nothing is held open: fetch's connections close by themselves when idle.
  }
}

/** INVALID_ARGUMENT about the registration token itself (rather than about the payload). */
function aboutTheToken(error: GoogleError | undefined): boolean {
  const violations = (error?.details ?? []).filter((d) => d['@type'] === BAD_REQUEST).flatMap((d) => d.fieldViolations ?? []);
  if (violations.some((v) => v.field === 'message.token')) return true;
  return /registration token/i.test(error?.message ?? '');
}

function causeOf(error: unknown): string {
  const failure = error as { message?: string; cause?: { code?: string; message?: string }; name?: string };
  if (failure.name === 'TimeoutError') return 'timed out';
  return failure.cause?.code ?? failure.cause?.message ?? failure.message ?? String(error);
}

/** The FCM v1 message for one device (only the platform block that applies to it). */
export function fcmMessage(device: PushDevice, message: PushMessage): Record<string, unknown> {
  const ttl = Math.max(0, Math.floor(message.ttlSeconds));
  const shown = !message.voip;
  const platform: Record<string, unknown> = {};
  if (device.platform === 'android') {
    platform.android = {
      ttl: `${ttl}s`,
      ...(message.voip ? { priority: 'HIGH' } : {}),
      ...(shown ? { notification: { tag: message.id } } : {}),
    };
  } else if (device.platform === 'ios') {
    platform.apns = {
      headers: {
        'apns-expiration': String(Math.floor(Date.now() / 1000) + ttl),
        ...(Buffer.byteLength(message.id) <= 64 ? { 'apns-collapse-id': message.id } : {}),
        // A data-only push is a background push to APNs: priority 5 and content-available, or Apple refuses it.
        ...(shown ? { 'apns-push-type': 'alert', 'apns-priority': '10' } : { 'apns-push-type': 'background', 'apns-priority': '5' }),
      },
      ...(shown ? {} : { payload: { aps: { 'content-available': 1 } } }),
    };
  } else {
    platform.webpush = {
      headers: {
        TTL: String(ttl),
        ...(message.voip ? { Urgency: 'high' } : {}),
        // A Topic is at most 32 URL-safe characters: a UUID without its dashes.
        ...(UUID.test(message.id) ? { Topic: message.id.replace(/-/g, '') } : {}),
      },
      ...(shown ? { notification: { tag: message.id } } : {}),
    };
  }
  return {
    token: device.token,
    ...(shown ? { notification: { title: message.title, body: message.body } } : {}),
    data: message.data,
    ...platform,
  };
}
