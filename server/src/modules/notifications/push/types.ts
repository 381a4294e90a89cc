/** The platforms a member's device registers with (`member_devices.platform`). */
export type PushPlatform = 'ios' | 'android' | 'web';

export type PushProviderName = 'fcm' | 'apns' | 'onesignal';

/** One notification as a push provider sends it (already rendered in the member's language). */
export interface PushMessage {
  /**
   * The notification's id. Providers use it as their collapse / idempotency key (`apns-collapse-id`, FCM's
   * Android and web `tag` and web push `Topic`, OneSignal's `idempotency_key` and `collapse_id`), so a push
   * resent after a crash shows once. Not FCM's `collapse_key`: FCM keeps at most four per device, so a unique
   * one per notification would let it drop messages for a device that is offline.
   */
  id: string;
  kind: string;
  title: string;
  body: string;
  /** Deep-link data for the app; every value a string (FCM's rule). */
  data: Record<string, string>;
  /** A call ringing: an APNs `voip` push (PushKit) to the device's VoIP token; elsewhere a high-priority data message. */
  voip: boolean;
  /** How long the provider keeps trying to reach an offline device. */
  ttlSeconds: number;
}

export interface PushDevice {
  /** `member_devices.id`. */
  id: string;
  platform: PushPlatform;
  /** The push token (the VoIP token for a voip message; a OneSignal subscription id under OneSignal). */
  token: string;
}

/** What one send came to. A provider never throws: network errors and timeouts are `retry`. */
export type PushOutcome =
  | { status: 'sent'; providerId?: string }
  /** The provider or the network failed (5xx, 429, timeout): try again later, no sooner than `retryAfterMs` when given. */
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  /** The token is not (or no longer) a registered device: the device's token is removed. */
  | { status: 'invalid_token'; reason: string }
  /** The provider refused this message for good (payload too large, wrong topic, bad credentials). */
  | { status: 'rejected'; reason: string };

export interface PushProvider {
  readonly name: PushProviderName;
  send(device: PushDevice, message: PushMessage): Promise<PushOutcome>;
  close(): Promise<void>;
}

/** The configured providers, chosen per platform (and APNs for iOS VoIP when it is configured). */
export interface PushProviders {
  /** The provider for a device of this platform, or undefined when none is configured for it. */
  providerFor(platform: PushPlatform, voip: boolean): PushProvider | undefined;
  /** Which provider serves each platform (for the start-up banner and the console). */
  describe(): Record<PushPlatform, PushProviderName | null> & { voip: PushProviderName | null };
  close(): Promise<void>;
}
