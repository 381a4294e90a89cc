import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FIREBASE_JWKS_URL } from './id-tokens.ts';

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);
const Int = Type.String({ pattern: '^[0-9]+$' });

/** Environment variables, as strings, before coercion. Every one is documented in README.md. */
const EnvSchema = Type.Object({
  PORT: Type.Optional(Int),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Optional(Int),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  SEED_DEMO: Type.Optional(Bool),
  MODULES: Type.Optional(Type.String()),
  LOG_LEVEL: Type.Optional(Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)))),
  SESSION_IDLE_SECONDS: Type.Optional(Int),
  SESSION_ABSOLUTE_SECONDS: Type.Optional(Int),
  TRUST_PROXY: Type.Optional(Type.String({ pattern: '^(true|false|[0-9]+|[0-9a-fA-F:.]+(/[0-9]+)?(,\\s*[0-9a-fA-F:.]+(/[0-9]+)?)*)$' })),
  BODY_LIMIT_BYTES: Type.Optional(Int),
  CONSOLE_DIR: Type.Optional(Type.String({ minLength: 1 })),
  FIREBASE_PROJECT_ID: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{4,40}$' })),
  FIREBASE_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://' })),
  OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  MEMBER_TOKEN_TTL_SECONDS: Type.Optional(Int),
  STAFF_OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://' })),
  STAFF_OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  STAFF_OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  STAFF_OIDC_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  STAFF_OIDC_TRUST_EMAIL: Type.Optional(Bool),
  STAFF_FIREBASE_PROJECT_ID: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{4,40}$' })),
  STAFF_FIREBASE_SIGN_IN_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  STAFF_SSO_ALLOWED_DOMAINS: Type.Optional(Type.String({ pattern: '^\\s*[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}(\\s*,\\s*[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,})*\\s*$' })),
  STAFF_PASSWORD_SIGN_IN: Type.Optional(Bool),
  CLIENT_ORIGINS: Type.Optional(Type.String({ pattern: '^https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*$' })),
  PRESENCE_HEARTBEAT_SECONDS: Type.Optional(Int),
  S3_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_REGION: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,40}$' })),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  S3_SESSION_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  S3_PREFIX: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9/_.-]*/$' })),
  S3_FORCE_PATH_STYLE: Type.Optional(Bool),
  APPLE_BUNDLE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]{1,155}$' })),
  APPLE_APP_APPLE_ID: Type.Optional(Int),
  APPLE_ENVIRONMENT: Type.Optional(Type.Union([Type.Literal('Production'), Type.Literal('Sandbox')])),
  APPLE_ROOT_CERTIFICATES: Type.Optional(Type.String({ minLength: 1 })),
  APPLE_ONLINE_CHECKS: Type.Optional(Bool),
  GOOGLE_PLAY_PACKAGE_NAME: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)+$' })),
  GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: Type.Optional(Type.String({ minLength: 1 })),
  GOOGLE_PLAY_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  GOOGLE_PLAY_ALLOW_TEST_PURCHASES: Type.Optional(Bool),
  AGORA_APP_ID: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
  AGORA_APP_CERTIFICATE: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
  TWILIO_ACCOUNT_SID: Type.Optional(Type.String({ pattern: '^AC[0-9a-f]{32}$' })),
  TWILIO_API_KEY: Type.Optional(Type.String({ pattern: '^SK[0-9a-f]{32}$' })),
  TWILIO_API_SECRET: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
  FCM_SERVICE_ACCOUNT_KEY: Type.Optional(Type.String({ minLength: 1 })),
  FCM_PROJECT_ID: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{4,40}$' })),
  FCM_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  APNS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  APNS_KEY_ID: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{10}$' })),
  APNS_TEAM_ID: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{10}$' })),
  APNS_TOPIC: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*$', maxLength: 150 })),
  APNS_ENVIRONMENT: Type.Optional(Type.Union([Type.Literal('production'), Type.Literal('sandbox')])),
  APNS_ADDRESS: Type.Optional(Type.String({ pattern: '^([A-Za-z0-9.-]+|\\[[0-9a-fA-F:.]+\\]):[0-9]{1,5}$' })),
  APNS_CA: Type.Optional(Type.String({ minLength: 1 })),
  ONESIGNAL_APP_ID: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' })),
  ONESIGNAL_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  ONESIGNAL_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  PUSH_PROVIDER_IOS: Type.Optional(Type.Union([Type.Literal('apns'), Type.Literal('fcm'), Type.Literal('onesignal')])),
  PUSH_PROVIDER_ANDROID: Type.Optional(Type.Union([Type.Literal('fcm'), Type.Literal('onesignal')])),
  PUSH_PROVIDER_WEB: Type.Optional(Type.Union([Type.Literal('fcm'), Type.Literal('onesignal')])),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Connections each process keeps to PostgreSQL at most (unused with PGlite). */
  databasePoolSize: number;
  redisUrl: string | undefined;
  publicUrl: string | undefined;
  adminEmail: string;
  adminPassword: string | undefined;
  seedDemo: boolean;
  /** Enabled module names; undefined means every module. */
  modules: string[] | undefined;
  logLevel: string;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  /** Fastify's trustProxy: false, a hop count, or the proxies' addresses/CIDRs (`true` trusts any sender). */
  trustProxy: boolean | number | string[];
  bodyLimitBytes: number;
  /** The built web console served at `/`. */
  consoleDir: string;
  /** Where member bearer tokens may come from besides our own (see the members module). */
  firebase: { projectId: string; jwksUrl: string } | undefined;
  oidc: { issuer: string; audience: string; jwksUrl: string | undefined } | undefined;
  memberTokenTtlSeconds: number;
  /** How staff may sign in to the console besides (or instead of) their password. */
  staffSso: StaffSsoOptions;
  /** Browser origins allowed to open the client WebSocket (native apps send none). */
  clientOrigins: string[];
  /** Clients ping this often; a connection silent for 2.5 intervals is closed and counts as offline. */
  presenceHeartbeatSeconds: number;
  /** File bytes go to this bucket when set; to `DATA_DIR/files` otherwise. */
  s3: S3Options | undefined;
  /** App Store purchases are verified (and credited) when set; see the creators module's store. */
  apple: AppleStoreOptions | undefined;
  /** Google Play purchases are verified through the Play Developer API when set. */
  googlePlay: GooglePlayOptions | undefined;
  /** The push providers that are set up, and which one each platform uses (see the notifications module's push/). */
  push: PushOptions;
  /** The video providers calls may run on, in the order tried (Agora first, Twilio the fallback). */
  video: VideoOptions;
}

/** Video call providers: each set up on its own (see the calls module). */
export interface VideoOptions {
  agora: { appId: string; appCertificate: string } | undefined;
  twilio: { accountSid: string; apiKey: string; apiSecret: string } | undefined;
}

/** Staff single sign-on (see docs/staff-sso.md). */
interface StaffSsoOptions {
  oidc:
    | {
        issuer: string;
        clientId: string;
        clientSecret: string | undefined;
        /** The button's label: "Sign in with <name>". */
        name: string;
        /** Take the issuer's `email` as verified without an `email_verified: true` claim (a single-tenant directory). */
        trustEmail: boolean;
      }
    | undefined;
  firebase: { projectId: string; jwksUrl: string; signInUrl: string | undefined } | undefined;
  /** Lower-case domains whose verified emails get an account (without roles) on first sign-in. */
  allowedDomains: string[];
  /** False: `POST /api/console/session` refuses passwords and the console hides the form. */
  passwordSignIn: boolean;
}

/** How App Store signed transactions and notifications are verified. */
export interface AppleStoreOptions {
  bundleId: string;
  /** The app's Apple ID, which production notifications carry; required in Production. */
  appAppleId: number | undefined;
  environment: 'Production' | 'Sandbox';
  /** DER bytes of the root certificates a transaction's chain must end at (Apple's roots; tests make their own). */
  rootCertificates: Buffer[];
  /** Check the chain's revocation (OCSP, over the network) and expiry against today rather than the signing date. */
  onlineChecks: boolean;
}

/** The Play Developer API, through which Google Play purchase tokens are verified and acknowledged. */
export interface GooglePlayOptions {
  packageName: string;
  /** A service account with access to the app in the Play Console (its JSON key's `client_email` and `private_key`). */
  serviceAccount: { clientEmail: string; privateKey: string };
  /** Where the Play Developer API and Google's OAuth2 token endpoint are reached instead of Google (tests, proxies): https, or http on loopback. */
  apiUrl: string | undefined;
  /** Credit license testers' test purchases (purchaseType 0, nobody paid); off in production. */
  allowTestPurchases: boolean;
}

/** A push provider's name, as PUSH_PROVIDER_* spell it. */
export type PushProviderChoice = 'apns' | 'fcm' | 'onesignal';

/**
 * Push notification providers: each is set up (or not) on its own, and PUSH_PROVIDER_* pick one per
 * platform; unset, the notifications module's push/providers.ts applies the defaults (iOS: APNs, else FCM,
 * else OneSignal; Android and web: FCM, else OneSignal).
 */
export interface PushOptions {
  /** Firebase Cloud Messaging (HTTP v1 API) through a service account. */
  fcm: FcmOptions | undefined;
  /** Apple Push Notification service, token-based (a .p8 key): the only way to a device's PushKit (VoIP) token. */
  apns: ApnsOptions | undefined;
  /** OneSignal's REST API; device tokens are OneSignal subscription ids. */
  oneSignal: OneSignalOptions | undefined;
  /** The provider PUSH_PROVIDER_IOS / _ANDROID / _WEB name; undefined: the default. Each named one is configured. */
  platforms: { ios: PushProviderChoice | undefined; android: 'fcm' | 'onesignal' | undefined; web: 'fcm' | 'onesignal' | undefined };
}

export interface FcmOptions {
  /** The Firebase project messages are sent through: FCM_PROJECT_ID, else the key's `project_id`. */
  projectId: string;
  /** A service account allowed to send messages (its JSON key's `client_email` and `private_key`). */
  serviceAccount: { clientEmail: string; privateKey: string };
  /** Where the FCM API and Google's OAuth2 token endpoint (`<url>/token`) are reached instead of Google (tests, proxies): https, or http on loopback. */
  apiUrl: string | undefined;
}

export interface ApnsOptions {
  /** The .p8 signing key (PEM, an EC P-256 private key) the provider tokens (ES256 JWTs) are signed with. */
  key: string;
  keyId: string;
  teamId: string;
  /** The app's bundle id: the topic of alert pushes; VoIP pushes go to `<topic>.voip`. */
  topic: string;
  environment: 'production' | 'sandbox';
  /** An APNs server to reach instead of Apple's (tests): host and port. */
  address: { host: string; port: number } | undefined;
  /** PEM certificates to trust for that server instead of the system's roots. */
  ca: string[] | undefined;
}

export interface OneSignalOptions {
  appId: string;
  /** The app's REST API key, sent as `Authorization: Key <key>`. */
  apiKey: string;
  /** https://api.onesignal.com, or another address (tests, proxies): https, or http on loopback. */
  apiUrl: string;
}

/** An S3-compatible bucket for file bytes (see the files module). */
export interface S3Options {
  bucket: string;
  /** An S3-compatible service's address (MinIO, R2, Ceph…); AWS's regional endpoint when absent. */
  endpoint: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  /** Prepended to every key, so one bucket can hold several installations. */
  prefix: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (what most non-AWS services want). */
  pathStyle: boolean;
}

export class ConfigError extends Error {}

const truthy = (v: string | undefined, fallback: boolean) => (v === undefined ? fallback : v === 'true' || v === '1');

function describe(path: string, message: string): string {
  const name = path.replace(/^\//, '');
  return `${name}: ${message}`;
}

/** Validates the environment and returns typed configuration; throws a ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const problems = [...Value.Errors(EnvSchema, raw)].map((e) => describe(e.path, e.message));
  const uniqueProblems = [...new Set(problems)];
  if (uniqueProblems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${uniqueProblems.join('\n  ')}`);
  }
  const port = Number(raw.PORT ?? 3000);
  if (port > 65535) throw new ConfigError('Invalid configuration:\n  PORT: must be between 0 (any free port) and 65535');
  const databasePoolSize = Number(raw.DATABASE_POOL_SIZE ?? 10);
  if (databasePoolSize < 1 || databasePoolSize > 1000) throw new ConfigError('Invalid configuration:\n  DATABASE_POOL_SIZE: must be between 1 and 1000');
  const idle = Number(raw.SESSION_IDLE_SECONDS ?? 7 * 24 * 3600);
  const absolute = Number(raw.SESSION_ABSOLUTE_SECONDS ?? 30 * 24 * 3600);
  if (idle < 60) throw new ConfigError('Invalid configuration:\n  SESSION_IDLE_SECONDS: must be at least 60');
  if (absolute < idle) {
    throw new ConfigError('Invalid configuration:\n  SESSION_ABSOLUTE_SECONDS: must not be shorter than SESSION_IDLE_SECONDS');
  }
  if (raw.S3_BUCKET && !(raw.S3_ACCESS_KEY_ID && raw.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: are required with S3_BUCKET');
  }
  if (raw.OIDC_ISSUER && !raw.OIDC_AUDIENCE) {
    throw new ConfigError('Invalid configuration:\n  OIDC_AUDIENCE: is required with OIDC_ISSUER (the audience our tokens must be issued for)');
  }
  requiredWith(raw, 'APPLE_BUNDLE_ID', ['APPLE_APP_APPLE_ID', 'APPLE_ENVIRONMENT', 'APPLE_ROOT_CERTIFICATES', 'APPLE_ONLINE_CHECKS']);
  requiredWith(raw, 'GOOGLE_PLAY_PACKAGE_NAME', ['GOOGLE_PLAY_SERVICE_ACCOUNT_KEY', 'GOOGLE_PLAY_API_URL', 'GOOGLE_PLAY_ALLOW_TEST_PURCHASES']);
  const staffSso = parseStaffSso(raw);
  const apple = raw.APPLE_BUNDLE_ID ? parseApple(raw) : undefined;
  const googlePlay = raw.GOOGLE_PLAY_PACKAGE_NAME ? parseGooglePlay(raw) : undefined;
  const push = parsePush(raw);
  requiredWith(raw, 'AGORA_APP_ID', ['AGORA_APP_CERTIFICATE']);
  requiredWith(raw, 'AGORA_APP_CERTIFICATE', ['AGORA_APP_ID']);
  requiredWith(raw, 'TWILIO_ACCOUNT_SID', ['TWILIO_API_KEY', 'TWILIO_API_SECRET']);
  requiredWith(raw, 'TWILIO_API_KEY', ['TWILIO_ACCOUNT_SID', 'TWILIO_API_SECRET']);
  requiredWith(raw, 'TWILIO_API_SECRET', ['TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY']);
  const video: VideoOptions = {
    agora: raw.AGORA_APP_ID ? { appId: raw.AGORA_APP_ID, appCertificate: raw.AGORA_APP_CERTIFICATE! } : undefined,
    twilio: raw.TWILIO_ACCOUNT_SID ? { accountSid: raw.TWILIO_ACCOUNT_SID, apiKey: raw.TWILIO_API_KEY!, apiSecret: raw.TWILIO_API_SECRET! } : undefined,
  };
  return {
    port,
    host: raw.HOST ?? 'localhost',
    dataDir: raw.DATA_DIR === 'memory://' ? 'memory://' : resolve(raw.DATA_DIR ?? './data'),
    databaseUrl: raw.DATABASE_URL,
    databasePoolSize,
    redisUrl: raw.REDIS_URL,
    publicUrl: raw.PUBLIC_URL?.replace(/\/$/, ''),
    adminEmail: (raw.ADMIN_EMAIL ?? 'admin@example.com').toLowerCase(),
    adminPassword: raw.ADMIN_PASSWORD,
    seedDemo: truthy(raw.SEED_DEMO, true),
    modules: raw.MODULES
      ? raw.MODULES.split(',')
          .map((m) => m.trim())
          .filter(Boolean)
      : undefined,
    logLevel: raw.LOG_LEVEL ?? 'info',
    sessionIdleSeconds: idle,
    sessionAbsoluteSeconds: absolute,
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    bodyLimitBytes: Number(raw.BODY_LIMIT_BYTES ?? 1024 * 1024),
    firebase: raw.FIREBASE_PROJECT_ID
      ? {
          projectId: raw.FIREBASE_PROJECT_ID,
          jwksUrl: raw.FIREBASE_JWKS_URL ?? FIREBASE_JWKS_URL,
        }
      : undefined,
    oidc: raw.OIDC_ISSUER ? { issuer: raw.OIDC_ISSUER.replace(/\/$/, ''), audience: raw.OIDC_AUDIENCE ?? '', jwksUrl: raw.OIDC_JWKS_URL } : undefined,
    memberTokenTtlSeconds: Number(raw.MEMBER_TOKEN_TTL_SECONDS ?? 3600),
    staffSso,
    clientOrigins: (raw.CLIENT_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    presenceHeartbeatSeconds: Math.max(1, Number(raw.PRESENCE_HEARTBEAT_SECONDS ?? 25)),
    s3: raw.S3_BUCKET
      ? {
          bucket: raw.S3_BUCKET,
          endpoint: raw.S3_ENDPOINT,
          region: raw.S3_REGION ?? 'us-east-1',
          accessKeyId: raw.S3_ACCESS_KEY_ID ?? '',
          secretAccessKey: raw.S3_SECRET_ACCESS_KEY ?? '',
          sessionToken: raw.S3_SESSION_TOKEN,
          prefix: raw.S3_PREFIX ?? '',
          pathStyle: truthy(raw.S3_FORCE_PATH_STYLE, raw.S3_ENDPOINT !== undefined),
        }
      : undefined,
    consoleDir: raw.CONSOLE_DIR ? resolve(raw.CONSOLE_DIR) : fileURLToPath(new URL('../../../web/build', import.meta.url)),
    apple,
    googlePlay,
    push,
    video,
  };
}

const invalid = (variable: string, message: string) => new ConfigError(`Invalid configuration:\n  ${variable}: ${message}`);

/** Whether an address is on this machine (127.0.0.1, ::1, localhost): where plain http is allowed (tests, a local proxy or provider). */
export function isLoopbackUrl(url: string | URL): boolean {
  try {
    return ['127.0.0.1', '[::1]', 'localhost'].includes((typeof url === 'string' ? new URL(url) : url).hostname);
  } catch {
    return false;
  }
}

/** A store set up halfway (its other variables without the one that turns it on) stops the server rather than being ignored. */
function requiredWith(raw: Record<string, string | undefined>, variable: string, others: string[]): void {
  if (raw[variable]) return;
  const given = others.filter((other) => raw[other] !== undefined);
  if (given.length > 0) throw invalid(variable, `is required with ${given.join(', ')}`);
}

/** The Play Developer API's address: https, or http only to this machine (a test server, a local proxy). */
function parseApiUrl(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(variable, `is not a URL (${value})`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url)))
    throw invalid(variable, 'must be https (http only on 127.0.0.1, ::1 or localhost)');
  if (url.search || url.hash || url.username || url.password) throw invalid(variable, 'must be a plain address without credentials, query or fragment');
  return url.href.replace(/\/$/, '');
}

/** An address of a sign-in service, kept as written (an issuer must match its discovery document exactly): https, or http only on this machine. */
function parseSignInUrl(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(variable, `is not a URL (${value})`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url)))
    throw invalid(variable, 'must be https (http only on 127.0.0.1, ::1 or localhost)');
  if (url.search || url.hash || url.username || url.password) throw invalid(variable, 'must be a plain address without credentials, query or fragment');
  return value;
}

function parseStaffSso(raw: Record<string, string | undefined>): StaffSsoOptions {
  requiredWith(raw, 'STAFF_OIDC_ISSUER', ['STAFF_OIDC_CLIENT_ID', 'STAFF_OIDC_CLIENT_SECRET', 'STAFF_OIDC_NAME', 'STAFF_OIDC_TRUST_EMAIL']);
  requiredWith(raw, 'STAFF_FIREBASE_PROJECT_ID', ['STAFF_FIREBASE_SIGN_IN_URL']);
  if (raw.STAFF_OIDC_ISSUER && !raw.STAFF_OIDC_CLIENT_ID)
    throw invalid('STAFF_OIDC_CLIENT_ID', 'is required with STAFF_OIDC_ISSUER (the client id registered there)');
  // The redirect URI registered at the provider is built from PUBLIC_URL, never from a request's Host header.
  if (raw.STAFF_OIDC_ISSUER && !raw.PUBLIC_URL)
    throw invalid('PUBLIC_URL', "is required with STAFF_OIDC_ISSUER (the console's address, which the redirect URI is built from)");
  const issuer = raw.STAFF_OIDC_ISSUER ? parseSignInUrl('STAFF_OIDC_ISSUER', raw.STAFF_OIDC_ISSUER) : undefined;
  const oidc = issuer
    ? {
        issuer,
        clientId: raw.STAFF_OIDC_CLIENT_ID!,
        clientSecret: raw.STAFF_OIDC_CLIENT_SECRET,
        name: raw.STAFF_OIDC_NAME ?? new URL(issuer).hostname,
        trustEmail: truthy(raw.STAFF_OIDC_TRUST_EMAIL, false),
      }
    : undefined;
  const firebase = raw.STAFF_FIREBASE_PROJECT_ID
    ? {
        projectId: raw.STAFF_FIREBASE_PROJECT_ID,
        jwksUrl: raw.FIREBASE_JWKS_URL ?? FIREBASE_JWKS_URL,
        signInUrl: raw.STAFF_FIREBASE_SIGN_IN_URL ? parseSignInUrl('STAFF_FIREBASE_SIGN_IN_URL', raw.STAFF_FIREBASE_SIGN_IN_URL) : undefined,
      }
    : undefined;
  const passwordSignIn = truthy(raw.STAFF_PASSWORD_SIGN_IN, true);
  if (!passwordSignIn && !oidc && !firebase) {
    throw invalid('STAFF_PASSWORD_SIGN_IN', 'cannot be false without STAFF_OIDC_ISSUER or STAFF_FIREBASE_PROJECT_ID: nobody could sign in');
  }
  const allowedDomains = (raw.STAFF_SSO_ALLOWED_DOMAINS ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  if (allowedDomains.length > 0 && !oidc && !firebase) throw invalid('STAFF_SSO_ALLOWED_DOMAINS', 'needs STAFF_OIDC_ISSUER or STAFF_FIREBASE_PROJECT_ID');
  return { oidc, firebase, allowedDomains, passwordSignIn };
}

function readConfigFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(resolve(path));
  } catch (error) {
    throw invalid(variable, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Each file holds one DER certificate or any number of PEM ones; all of them are trusted roots. */
function readCertificates(variable: string, paths: string): Buffer[] {
  return paths
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .flatMap((path) => {
      const bytes = readConfigFile(variable, path);
      const pem = bytes.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
      const ders = pem ? pem.map((block) => Buffer.from(block.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')) : [bytes];
      for (const der of ders) {
        try {
          new X509Certificate(der);
        } catch {
          throw invalid(variable, `${path} is not a DER or PEM certificate`);
        }
      }
      return ders;
    });
}

function parseApple(raw: Record<string, string | undefined>): AppleStoreOptions {
  const environment = (raw.APPLE_ENVIRONMENT ?? 'Production') as AppleStoreOptions['environment'];
  if (!raw.APPLE_ROOT_CERTIFICATES)
    throw invalid('APPLE_ROOT_CERTIFICATES', 'is required with APPLE_BUNDLE_ID (the Apple root certificates, DER or PEM files)');
  if (environment === 'Production' && !raw.APPLE_APP_APPLE_ID) throw invalid('APPLE_APP_APPLE_ID', 'is required in the Production environment');
  return {
    bundleId: raw.APPLE_BUNDLE_ID!,
    appAppleId: raw.APPLE_APP_APPLE_ID ? Number(raw.APPLE_APP_APPLE_ID) : undefined,
    environment,
    rootCertificates: readCertificates('APPLE_ROOT_CERTIFICATES', raw.APPLE_ROOT_CERTIFICATES),
    onlineChecks: truthy(raw.APPLE_ONLINE_CHECKS, false),
  };
}

/** The service account's JSON key, given inline or as a file path. */
function parseGooglePlay(raw: Record<string, string | undefined>): GooglePlayOptions {
  const variable = 'GOOGLE_PLAY_SERVICE_ACCOUNT_KEY';
  const given = raw.GOOGLE_PLAY_SERVICE_ACCOUNT_KEY?.trim();
  if (!given) throw invalid(variable, 'is required with GOOGLE_PLAY_PACKAGE_NAME (a service account JSON key, or the path of its file)');
  const text = given.startsWith('{') ? given : readConfigFile(variable, given).toString('utf8');
  let key: { client_email?: unknown; private_key?: unknown };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    throw invalid(variable, 'is not a JSON service account key');
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string')
    throw invalid(variable, 'needs client_email and private_key (a service account JSON key)');
  try {
    createPrivateKey(key.private_key);
  } catch {
    throw invalid(variable, 'has a private_key that is not a PEM private key');
  }
  return {
    packageName: raw.GOOGLE_PLAY_PACKAGE_NAME!,
    serviceAccount: { clientEmail: key.client_email, privateKey: key.private_key },
    apiUrl: parseApiUrl('GOOGLE_PLAY_API_URL', raw.GOOGLE_PLAY_API_URL),
    allowTestPurchases: truthy(raw.GOOGLE_PLAY_ALLOW_TEST_PURCHASES, false),
  };
}

/** A JSON text given inline (it starts with `{`) or the path of a file holding it. */
function jsonOrFile(variable: string, given: string): string {
  return given.startsWith('{') ? given : readConfigFile(variable, given).toString('utf8');
}

/** A PEM text given inline (it starts with `-----BEGIN`; `\\n` escapes stand for line breaks, as one-line variables write them) or the path of a file holding it. */
function pemOrFile(variable: string, given: string): string {
  if (!given.startsWith('-----BEGIN')) return readConfigFile(variable, given).toString('utf8');
  return given.includes('\n') ? given : given.replace(/\\n/g, '\n');
}

const PUSH_VARIABLES = {
  fcm: 'FCM_SERVICE_ACCOUNT_KEY',
  apns: 'APNS_KEY (with APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC)',
  onesignal: 'ONESIGNAL_APP_ID and ONESIGNAL_API_KEY',
} as const;

/** Each push provider set up on its own; a PUSH_PROVIDER_* naming one that is not set up stops the server. */
function parsePush(raw: Record<string, string | undefined>): PushOptions {
  requiredWith(raw, 'FCM_SERVICE_ACCOUNT_KEY', ['FCM_PROJECT_ID', 'FCM_API_URL']);
  requiredWith(raw, 'APNS_KEY', ['APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_TOPIC', 'APNS_ENVIRONMENT', 'APNS_ADDRESS', 'APNS_CA']);
  requiredWith(raw, 'ONESIGNAL_APP_ID', ['ONESIGNAL_API_KEY', 'ONESIGNAL_API_URL']);
  if (raw.ONESIGNAL_APP_ID && !raw.ONESIGNAL_API_KEY) throw invalid('ONESIGNAL_API_KEY', 'is required with ONESIGNAL_APP_ID (the app’s REST API key)');
  const options: PushOptions = {
    fcm: raw.FCM_SERVICE_ACCOUNT_KEY ? parseFcm(raw) : undefined,
    apns: raw.APNS_KEY ? parseApns(raw) : undefined,
    oneSignal: raw.ONESIGNAL_APP_ID
      ? {
          appId: raw.ONESIGNAL_APP_ID.toLowerCase(),
          apiKey: raw.ONESIGNAL_API_KEY!,
          apiUrl: parseApiUrl('ONESIGNAL_API_URL', raw.ONESIGNAL_API_URL) ?? 'https://api.onesignal.com',
        }
      : undefined,
    platforms: {
      ios: raw.PUSH_PROVIDER_IOS as PushProviderChoice | undefined,
      android: raw.PUSH_PROVIDER_ANDROID as 'fcm' | 'onesignal' | undefined,
      web: raw.PUSH_PROVIDER_WEB as 'fcm' | 'onesignal' | undefined,
    },
  };
  const configured = { fcm: options.fcm, apns: options.apns, onesignal: options.oneSignal };
  for (const platform of ['ios', 'android', 'web'] as const) {
    const chosen = options.platforms[platform];
    if (chosen && !configured[chosen])
      throw invalid(`PUSH_PROVIDER_${platform.toUpperCase()}`, `names ${chosen}, which is not configured (set ${PUSH_VARIABLES[chosen]})`);
  }
  return options;
}

/** The service account's JSON key, given inline or as a file path; the project is its `project_id` unless FCM_PROJECT_ID says otherwise. */
function parseFcm(raw: Record<string, string | undefined>): FcmOptions {
  const variable = 'FCM_SERVICE_ACCOUNT_KEY';
  let key: { client_email?: unknown; private_key?: unknown; project_id?: unknown };
  try {
    key = JSON.parse(jsonOrFile(variable, raw.FCM_SERVICE_ACCOUNT_KEY!.trim())) as typeof key;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw invalid(variable, 'is not a JSON service account key');
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string')
    throw invalid(variable, 'needs client_email and private_key (a service account JSON key)');
  try {
    createPrivateKey(key.private_key);
  } catch {
    throw invalid(variable, 'has a private_key that is not a PEM private key');
  }
  const projectId = raw.FCM_PROJECT_ID ?? (typeof key.project_id === 'string' ? key.project_id : undefined);
  if (!projectId) throw invalid('FCM_PROJECT_ID', 'is required: the service account key has no project_id');
  return {
    projectId,
    serviceAccount: { clientEmail: key.client_email, privateKey: key.private_key },
    apiUrl: parseApiUrl('FCM_API_URL', raw.FCM_API_URL),
  };
}

/** The .p8 key (inline PEM or a file path) must be an EC P-256 private key: APNs provider tokens are ES256. */
function parseApns(raw: Record<string, string | undefined>): ApnsOptions {
  for (const variable of ['APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_TOPIC']) if (!raw[variable]) throw invalid(variable, 'is required with APNS_KEY');
  const key = pemOrFile('APNS_KEY', raw.APNS_KEY!.trim());
  let curve: string | undefined;
  try {
    curve = createPrivateKey(key).asymmetricKeyDetails?.namedCurve;
  } catch {
    throw invalid('APNS_KEY', 'is not a PEM private key (the .p8 file from Apple, or its path)');
  }
  if (curve !== 'prime256v1') throw invalid('APNS_KEY', 'must be an EC P-256 key (the .p8 file Apple hands out for APNs)');
  const topic = raw.APNS_TOPIC!;
  if (topic.endsWith('.voip')) throw invalid('APNS_TOPIC', 'is the app’s bundle id, without .voip (VoIP pushes go to <APNS_TOPIC>.voip)');
  let address: ApnsOptions['address'];
  if (raw.APNS_ADDRESS) {
    const at = raw.APNS_ADDRESS.lastIndexOf(':');
    const port = Number(raw.APNS_ADDRESS.slice(at + 1));
    if (port < 1 || port > 65535) throw invalid('APNS_ADDRESS', 'needs a port between 1 and 65535');
    address = { host: raw.APNS_ADDRESS.slice(0, at), port };
  }
  let ca: string[] | undefined;
  if (raw.APNS_CA) {
    const text = pemOrFile('APNS_CA', raw.APNS_CA.trim());
    ca = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (ca.length === 0) throw invalid('APNS_CA', 'holds no PEM certificate');
    for (const pem of ca) {
      try {
        new X509Certificate(pem);
      } catch {
        throw invalid('APNS_CA', 'holds a PEM block that is not a certificate');
      }
    }
  }
  return {
    key,
    keyId: raw.APNS_KEY_ID!,
    teamId: raw.APNS_TEAM_ID!,
    topic,
    environment: (raw.APNS_ENVIRONMENT ?? 'production') as ApnsOptions['environment'],
    address,
    ca,
  };
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^[0-9]+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

/** Reads `.env` (when present, without overriding the real environment) and validates the result. */
export function loadConfig(cwd = process.cwd()): Config {
  const envFile = resolve(cwd, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}
