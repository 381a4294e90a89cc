import { Notification, Provider, type ResponseFailure } from '@parse/node-apn';
import type { FastifyBaseLogger } from 'fastify';
import type { ApnsOptions } from '../../../core/config.ts';
import type { PushDevice, PushMessage, PushOutcome, PushProvider } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** APNs refuses an `apns-collapse-id` longer than this (BadCollapseId). */
const COLLAPSE_ID_BYTES = 64;

/**
 * Reasons of a 400 that say the token itself is no device of ours. BadDeviceToken is also what a token of
 * the other environment gets (a development build's token sent to production): APNS_ENVIRONMENT must match
 * the builds the members run. DeviceTokenNotForTopic is not here: it follows from APNS_TOPIC as much as
 * from the token, and a wrong topic must not drop every device.
 */
const TOKEN_REASONS = new Set(['BadDeviceToken', 'MissingDeviceToken']);

export interface ApnsTimeouts {
  /** How long one request may take before it counts as failed (`retry`). */
  requestTimeoutMs: number;
}

/**
 * Apple Push Notification service through @parse/node-apn: one HTTP/2 connection to APNs (kept open and
 * pinged), token-based authentication with an ES256 provider token the library signs from the .p8 key
 * and renews before its hour is up. Alert pushes go to the bundle id with `apns-push-type: alert`; a
 * VoIP push goes to `<bundle id>.voip` with `apns-push-type: voip`, the payload being the message's data
 * (PushKit hands it to the app, which reports the call to CallKit).
 *
 * The library's own retries are off (`connectionRetryLimit: 0`): it would resend a 429 or 5xx at once,
 * whereas the notifications queue retries with backoff. APNs sends no Retry-After, so a `retry` from here
 * carries no `retryAfterMs`.
 */
export class ApnsProvider implements PushProvider {
  readonly name = 'apns' as const;
  private readonly provider: Provider;

  constructor(
    private readonly options: ApnsOptions,
    private readonly log: FastifyBaseLogger,
    private readonly timeouts: ApnsTimeouts = { requestTimeoutMs: 10_000 },
  ) {
    // Signs the first provider token now: a key the library cannot use fails here, at start-up.
    this.provider = new Provider({
      token: { key: options.key, keyId: options.keyId, teamId: options.teamId },
      production: options.environment === 'production',
      ...(options.address ? { address: options.address.host, port: options.address.port } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      requestTimeout: timeouts.requestTimeoutMs,
      connectionRetryLimit: 0,
    });
  }

  async send(device: PushDevice, message: PushMessage): Promise<PushOutcome> {
    if (device.platform !== 'ios') return { status: 'rejected', reason: `APNs reaches iOS devices only, not ${device.platform}` };
    try {
      const result = await this.provider.send(this.notification(message), device.token);
      const sent = result.sent[0] as { device: string; 'apns-id'?: string } | undefined;
      if (sent) return { status: 'sent', ...(sent['apns-id'] ? { providerId: sent['apns-id'] } : {}) };
      return this.outcome(result.failed[0]);
    } catch (error) {
      // node-apn settles every recipient rather than throwing; anything thrown is ours or the network's.
      this.log.warn({ err: error }, 'APNs send failed');
      return { status: 'retry', reason: `APNs: ${(error as Error).message}` };
    }
  }

  private notification(message: PushMessage): Notification {
    const note = new Notification();
    note.topic = message.voip ? `${this.options.topic}.voip` : this.options.topic;
    note.pushType = message.voip ? 'voip' : 'alert';
    note.priority = 10;
    note.expiry = Math.floor(Date.now() / 1000) + Math.max(0, Math.floor(message.ttlSeconds));
    // APNs echoes a UUID apns-id in its answer; anything else would be refused (BadMessageId).
    if (UUID.test(message.id)) note.id = message.id.toLowerCase();
    if (Buffer.byteLength(message.id) <= COLLAPSE_ID_BYTES) note.collapseId = message.id;
    note.payload = { ...message.data };
    if (!message.voip) {
      note.alert = { title: message.title, body: message.body };
      note.sound = 'default';
    }
    return note;
  }

  private outcome(failure: ResponseFailure | undefined): PushOutcome {
    if (!failure) return { status: 'retry', reason: 'APNs: no answer' };
    const status = typeof failure.status === 'number' ? failure.status : Number(failure.status);
    const reason = failure.response?.reason ?? failure.error?.message ?? 'unknown';
    const said = `APNs ${Number.isFinite(status) ? status : 'failed'}: ${reason}`;
    // No status: the connection, a timeout or the stream failed before APNs answered.
    if (!Number.isFinite(status)) return { status: 'retry', reason: said };
    if (status === 410 || (status === 400 && TOKEN_REASONS.has(reason))) return { status: 'invalid_token', reason: said };
    if (status === 429 || status >= 500) return { status: 'retry', reason: said };
    // A stale provider token: the library signed a new one on this answer, so the next attempt carries it.
    if (status === 403 && reason === 'ExpiredProviderToken') return { status: 'retry', reason: said };
    if (status === 403) this.log.error({ reason }, 'APNs refused our provider token: check APNS_KEY, APNS_KEY_ID and APNS_TEAM_ID');
    return { status: 'rejected', reason: said };
  }

  /**
   * Closes the connection once the pushes under way are answered. Provider.shutdown takes a callback (its
   * typings promise a Promise it does not return) and never calls it when the connection had failed: it
   * waits for `close()` of the destroyed HTTP/2 session, which Node never calls back. Nothing is open by
   * then, so the wait is bounded by the request timeout (what a push under way may still take).
   */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => void this.provider.shutdown(() => resolve())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.timeouts.requestTimeoutMs).unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
