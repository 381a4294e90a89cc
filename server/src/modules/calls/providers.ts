import { and, count, eq, gt, max } from 'drizzle-orm';
import { createRequire } from 'node:module';
import type * as AgoraToken from 'agora-token';
import twilio from 'twilio';
import type { VideoOptions } from '../../core/config.ts';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel } from '../../core/kernel.ts';
import { MAX_CALL_SECONDS } from '../creators/tariffs/schedule.ts';
import { callProviderFailures } from './schema.ts';

// agora-token is CommonJS whose exports Node's ESM loader cannot see by name: loaded as `require` would.
const { RtcRole, RtcTokenBuilder } = createRequire(import.meta.url)('agora-token') as typeof AgoraToken;

export const VIDEO_PROVIDERS = ['agora', 'twilio'] as const;
export type VideoProviderName = (typeof VIDEO_PROVIDERS)[number];
export const FAILOVER_SETTING = 'calls.failover';
export const FORCED_PROVIDER_SETTING = 'calls.forced_provider';

/** What an app needs to join a call's channel on one provider. */
export interface JoinCredentials {
  provider: VideoProviderName;
  /** Agora's channel name; Twilio's room name. */
  channel: string;
  /** The member's identity in the channel: their person id (Agora user account, Twilio identity). */
  identity: string;
  token: string;
  /** Agora only: the App ID the SDK is initialised with. */
  appId: string | null;
  expiresAt: string;
}

/**
 * A video service calls run on: it issues join credentials for a channel. Adding one is an implementation
 * of this, a name in VIDEO_PROVIDERS and its configuration (docs/calls.md).
 */
export interface VideoProvider {
  name: VideoProviderName;
  credentials(channel: string, identity: string, now: Date): JoinCredentials;
}

/** Credentials last the longest call allowed plus the time to answer: a token never expires mid-call. */
const TOKEN_SECONDS = MAX_CALL_SECONDS + 10 * 60;

/** Agora RTC tokens (AccessToken2, "007…") built with Agora's own `agora-token` package, publisher role. */
export function agoraProvider(options: NonNullable<VideoOptions['agora']>): VideoProvider {
  return {
    name: 'agora',
    credentials(channel, identity, now) {
      const token = RtcTokenBuilder.buildTokenWithUserAccount(
        options.appId,
        options.appCertificate,
        channel,
        identity,
        RtcRole.PUBLISHER,
        TOKEN_SECONDS,
        TOKEN_SECONDS,
      );
      return { provider: 'agora', channel, identity, token, appId: options.appId, expiresAt: new Date(now.getTime() + TOKEN_SECONDS * 1000).toISOString() };
    },
  };
}

/** Twilio Video access tokens (a JWT with a VideoGrant for the room) from Twilio's own `twilio` package. */
export function twilioProvider(options: NonNullable<VideoOptions['twilio']>): VideoProvider {
  const { AccessToken } = twilio.jwt;
  return {
    name: 'twilio',
    credentials(channel, identity, now) {
      const token = new AccessToken(options.accountSid, options.apiKey, options.apiSecret, { identity, ttl: TOKEN_SECONDS });
      token.addGrant(new AccessToken.VideoGrant({ room: channel }));
      return {
        provider: 'twilio',
        channel,
        identity,
        token: token.toJwt(),
        appId: null,
        expiresAt: new Date(now.getTime() + TOKEN_SECONDS * 1000).toISOString(),
      };
    },
  };
}

export function configuredProviders(video: VideoOptions): VideoProvider[] {
  return [...(video.agora ? [agoraProvider(video.agora)] : []), ...(video.twilio ? [twilioProvider(video.twilio)] : [])];
}

export interface FailoverRule {
  /** This many failures reported for a provider within `windowMinutes` open its circuit… */
  failures: number;
  windowMinutes: number;
  /** …and new calls start on the next provider until this long after the last failure. */
  coolDownMinutes: number;
}

export interface ProviderState {
  name: VideoProviderName;
  configured: boolean;
  /** The circuit is open: new calls avoid it until `openUntil`. */
  open: boolean;
  openUntil: string | null;
  recentFailures: number;
  forced: boolean;
}

/** Each provider's health now: configured, failures in the window, whether its circuit is open, whether staff forced it. */
export async function providerStates(kernel: Kernel, db: Executor = kernel.db): Promise<ProviderState[]> {
  const rule = kernel.settings.get<FailoverRule>(FAILOVER_SETTING);
  const forced = kernel.settings.get<VideoProviderName | null>(FORCED_PROVIDER_SETTING);
  const now = kernel.now();
  const since = new Date(now.getTime() - rule.windowMinutes * 60_000);
  const configured = new Set(configuredProviders(kernel.config.video).map((p) => p.name));
  const states: ProviderState[] = [];
  for (const name of VIDEO_PROVIDERS) {
    const [row] = await db
      .select({ n: count(), last: max(callProviderFailures.at) })
      .from(callProviderFailures)
      .where(and(eq(callProviderFailures.provider, name), gt(callProviderFailures.at, since)));
    const failures = Number(row?.n ?? 0);
    const until = row?.last ? new Date(row.last.getTime() + rule.coolDownMinutes * 60_000) : null;
    const open = failures >= rule.failures && until !== null && until > now;
    states.push({
      name,
      configured: configured.has(name),
      open,
      openUntil: open ? until!.toISOString() : null,
      recentFailures: failures,
      forced: forced === name,
    });
  }
  return states;
}

/**
 * The provider a call should use now, skipping `exclude` (those that failed this call): the one staff forced
 * if it is configured, else the first configured one whose circuit is closed, else the first configured one.
 */
export async function chooseProvider(kernel: Kernel, db: Executor, exclude: VideoProviderName[] = []): Promise<VideoProvider | undefined> {
  const providers = configuredProviders(kernel.config.video).filter((p) => !exclude.includes(p.name));
  if (providers.length === 0) return undefined;
  const states = new Map((await providerStates(kernel, db)).map((s) => [s.name, s]));
  return providers.find((p) => states.get(p.name)?.forced) ?? providers.find((p) => !states.get(p.name)?.open) ?? providers[0];
}

export function providerNamed(kernel: Kernel, name: string | null): VideoProvider | undefined {
  return configuredProviders(kernel.config.video).find((p) => p.name === name);
}
