import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { OneSignalOptions } from '../../../core/config.ts';
import type { PushDevice, PushMessage, PushOutcome, PushProvider } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The namespace of the name-based (v5) UUIDs made of message ids that are not UUIDs themselves. */
const KEY_NAMESPACE = Buffer.from('6f1d3c9a8e2b4f7d9a0c5e1b2d4f6a8c', 'hex');
/** What OneSignal answers (status 200, no id) when the one subscription targeted cannot receive pushes. */
const NOT_SUBSCRIBED = /not subscribed/i;
/** A 400 about the subscription id itself (not a UUID, unknown). */
const BAD_SUBSCRIPTION = /(include_subscription_ids|player_id|subscription).*(not a valid uuid|invalid|does not exist|not found)/i;

export interface OneSignalTimeouts {
  /** How long the create-message request may take before it counts as failed (`retry`). */
  requestTimeoutMs: number;
}

/** OneSignal's answer to create message: `{id}`, or `{id: "", errors}` where `errors` is a list of sentences or an object of invalid ids. */
interface CreateAnswer {
  id?: string;
  errors?: string[] | { invalid_player_ids?: string[]; invalid_subscription_ids?: string[]; [key: string]: unknown };
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^[0-9]+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * The idempotency key of a message: its id when that is a UUID (OneSignal accepts nothing else), otherwise
 * a name-based UUID made of it, so the same message always carries the same key.
 */
export function idempotencyKey(id: string): string {
  if (UUID.test(id)) return id.toLowerCase();
  const bytes = createHash('sha1').update(KEY_NAMESPACE).update(id, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * OneSignal's REST API, `POST /notifications?c=push` (create message) with `Authorization: Key <REST API
 * key>`, one subscription id per request (`include_subscription_ids`). The message id is the
 * `idempotency_key`, so a request resent after a timeout or a crash is answered with the first message
 * rather than sent twice (OneSignal keeps keys for 30 days), and the `collapse_id` (`web_push_topic` in a
 * browser), so the device shows it once. A call (voip) is a data-only message (`content_available`) at
 * priority 10.
 *
 * Plain fetch rather than @onesignal/node-onesignal: the generated SDK's HTTP layer has no timeout or abort
 * (a hung request would hold a send for good), answers errors as an ApiException whose body we would parse
 * anyway, and brings polyfills (btoa, url-parse, form-data) for one JSON POST.
 */
export class OneSignalProvider implements PushProvider {
  readonly name = 'onesignal' as const;
  private readonly endpoint: string;

  constructor(
    private readonly options: OneSignalOptions,
    private readonly log: FastifyBaseLogger,
    private readonly timeouts: OneSignalTimeouts = { requestTimeoutMs: 10_000 },
  ) {
    this.endpoint = `${options.apiUrl.replace(/\/$/, '')}/notifications?c=push`;
  }

  async send(device: PushDevice, message: PushMessage): Promise<PushOutcome> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Key ${this.options.apiKey}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
        body: JSON.stringify(this.body(device, message)),
        signal: AbortSignal.timeout(this.timeouts.requestTimeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const failure = error as { name?: string; cause?: { code?: string }; message?: string };
      return { status: 'retry', reason: `OneSignal unreachable: ${failure.name === 'TimeoutError' ? 'timed out' : (failure.cause?.code ?? failure.message)}` };
    }
    let answer: CreateAnswer | undefined;
    try {
      answer = JSON.parse(text) as CreateAnswer;
    } catch {
      answer = undefined;
    }
    return this.outcome(response, answer, device.token);
  }

  private body(device: PushDevice, message: PushMessage): Record<string, unknown> {
    const shown = !message.voip;
    const collapse = Buffer.byteLength(message.id) <= 64 ? message.id : undefined;
    return {
      app_id: this.options.appId,
      include_subscription_ids: [device.token],
      idempotency_key: idempotencyKey(message.id),
      ttl: Math.max(0, Math.floor(message.ttlSeconds)),
      data: message.data,
      ...(shown
        ? {
            headings: { en: message.title },
            contents: { en: message.body },
            ...(collapse ? (device.platform === 'web' ? { web_push_topic: collapse } : { collapse_id: collapse }) : {}),
          }
        : { content_available: true, priority: 10 }),
    };
  }

  private outcome(response: Response, answer: CreateAnswer | undefined, token: string): PushOutcome {
    const errors = answer?.errors;
    const sentences = Array.isArray(errors) ? errors.map(String) : [];
    const invalidIds = errors && !Array.isArray(errors) ? [...(errors.invalid_player_ids ?? []), ...(errors.invalid_subscription_ids ?? [])] : [];
    const said = `OneSignal ${response.status}: ${sentences.join('; ') || (invalidIds.length ? `invalid subscription ids ${invalidIds.join(', ')}` : response.statusText)}`;
    if (response.ok) {
      if (invalidIds.includes(token)) return { status: 'invalid_token', reason: said };
      if (answer?.id) return { status: 'sent', providerId: answer.id };
      // 200 without an id: nothing was sent. For the one subscription targeted, "not subscribed" means it cannot receive pushes.
      if (sentences.some((s) => NOT_SUBSCRIBED.test(s))) return { status: 'invalid_token', reason: said };
      return { status: 'rejected', reason: said };
    }
    if (response.status === 429 || response.status >= 500) {
      const after = retryAfterMs(response.headers.get('retry-after'));
      return { status: 'retry', reason: said, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    if (response.status === 400 && sentences.some((s) => BAD_SUBSCRIPTION.test(s))) return { status: 'invalid_token', reason: said };
    if (response.status === 401 || response.status === 403)
      this.log.error({ reason: said }, 'OneSignal refused this server: check ONESIGNAL_APP_ID and ONESIGNAL_API_KEY');
    return { status: 'rejected', reason: said };
  }

  async close(): Promise<void> {
    // Nothing is held open: fetch's connections close by themselves when idle.
  }
}
