import type { FastifyBaseLogger } from 'fastify';
import type { PushOptions } from '../../../core/config.ts';
import { ApnsProvider } from './apns.ts';
import { FcmProvider } from './fcm.ts';
import { OneSignalProvider } from './onesignal.ts';
import type { PushPlatform, PushProvider, PushProviderName, PushProviders } from './types.ts';

const PLATFORMS: PushPlatform[] = ['ios', 'android', 'web'];
const VARIABLES: Record<PushProviderName, string> = {
  apns: 'APNS_KEY, APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC',
  fcm: 'FCM_SERVICE_ACCOUNT_KEY',
  onesignal: 'ONESIGNAL_APP_ID and ONESIGNAL_API_KEY',
};

/** Thrown at start-up when PUSH_PROVIDER_* name a provider that is not configured. */
export class PushConfigurationError extends Error {}

/**
 * Which provider each platform uses: the one PUSH_PROVIDER_<PLATFORM> names, else for iOS APNs, FCM or
 * OneSignal (the first configured), for Android and the web FCM or OneSignal; null when none is.
 */
export function choosePlatforms(options: PushOptions): Record<PushPlatform, PushProviderName | null> {
  const configured = (name: PushProviderName) => (name === 'apns' ? options.apns : name === 'fcm' ? options.fcm : options.oneSignal) !== undefined;
  const first = (...names: PushProviderName[]) => names.find(configured) ?? null;
  const defaults: Record<PushPlatform, PushProviderName | null> = {
    ios: first('apns', 'fcm', 'onesignal'),
    android: first('fcm', 'onesignal'),
    web: first('fcm', 'onesignal'),
  };
  const chosen = { ...defaults };
  for (const platform of PLATFORMS) {
    const named = options.platforms[platform];
    if (named === undefined) continue;
    if (!configured(named))
      throw new PushConfigurationError(`PUSH_PROVIDER_${platform.toUpperCase()} names ${named}, which is not configured (set ${VARIABLES[named]})`);
    if (named === 'apns' && platform !== 'ios')
      throw new PushConfigurationError(`PUSH_PROVIDER_${platform.toUpperCase()} cannot be apns: APNs reaches Apple devices only`);
    chosen[platform] = named;
  }
  return chosen;
}

/**
 * The configured push providers, one instance each, chosen per platform (see `choosePlatforms`). A VoIP
 * push to iOS goes through APNs whenever APNs is configured, whatever PUSH_PROVIDER_IOS says: only APNs
 * reaches a PushKit token. Without APNs, and on the other platforms, a VoIP push goes through the
 * platform's provider, which sends it as a high-priority data message.
 *
 * Throws (a PushConfigurationError, or the APNs library's error for a key it cannot sign with) at
 * start-up; after that, sends never throw.
 */
export function createPushProviders(options: PushOptions, log: FastifyBaseLogger): PushProviders {
  const platforms = choosePlatforms(options);
  const voip: PushProviderName | null = options.apns ? 'apns' : platforms.ios;
  const instances = new Map<PushProviderName, PushProvider>();
  const instance = (name: PushProviderName): PushProvider => {
    let provider = instances.get(name);
    if (!provider) {
      const child = log.child({ pushProvider: name });
      if (name === 'apns') provider = new ApnsProvider(options.apns!, child);
      else if (name === 'fcm') provider = new FcmProvider(options.fcm!, child);
      else provider = new OneSignalProvider(options.oneSignal!, child);
      instances.set(name, provider);
    }
    return provider;
  };
  // Only the providers something is sent through are made; made now, so a bad key fails at start-up.
  for (const name of new Set([...Object.values(platforms), voip])) if (name) instance(name);

  return {
    providerFor(platform, isVoip) {
      const name = isVoip && platform === 'ios' ? voip : platforms[platform];
      return name ? instance(name) : undefined;
    },
    describe: () => ({ ...platforms, voip }),
    async close() {
      await Promise.all([...instances.values()].map((provider) => provider.close()));
    },
  };
}
