import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

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
  LOG_LEVEL: Type.Optional(
    Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  ),
  SESSION_IDLE_SECONDS: Type.Optional(Int),
  SESSION_ABSOLUTE_SECONDS: Type.Optional(Int),
  TRUST_PROXY: Type.Optional(
    Type.String({ pattern: '^(true|false|[0-9]+|[0-9a-fA-F:.]+(/[0-9]+)?(,\\s*[0-9a-fA-F:.]+(/[0-9]+)?)*)$' }),
  ),
  BODY_LIMIT_BYTES: Type.Optional(Int),
  CONSOLE_DIR: Type.Optional(Type.String({ minLength: 1 })),
  FIREBASE_PROJECT_ID: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{4,40}$' })),
  FIREBASE_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://' })),
  OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  MEMBER_TOKEN_TTL_SECONDS: Type.Optional(Int),
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
  /** Browser origins allowed to open the client WebSocket (native apps send none). */
  clientOrigins: string[];
  /** Clients ping this often; a connection silent for 2.5 intervals is closed and counts as offline. */
  presenceHeartbeatSeconds: number;
  /** File bytes go to this bucket when set; to `DATA_DIR/files` otherwise. */
  s3: S3Options | undefined;
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
  const truthy = (v: string | undefined, fallback: boolean) => (v === undefined ? fallback : v === 'true' || v === '1');
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
          jwksUrl: raw.FIREBASE_JWKS_URL ?? 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
        }
      : undefined,
    oidc: raw.OIDC_ISSUER ? { issuer: raw.OIDC_ISSUER.replace(/\/$/, ''), audience: raw.OIDC_AUDIENCE ?? '', jwksUrl: raw.OIDC_JWKS_URL } : undefined,
    memberTokenTtlSeconds: Number(raw.MEMBER_TOKEN_TTL_SECONDS ?? 3600),
    clientOrigins: (raw.CLIENT_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
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

