import type { FastifyReply, FastifyRequest } from 'fastify';
import { SettingsError } from './errors.ts';
import type { Kernel } from '../../core/kernel.ts';

export const PLATFORM_HEADER = 'x-app-platform';
export const VERSION_HEADER = 'x-app-version';

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b` (`1.10` is newer than `1.9`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/**
 * Client apps say who they are with `X-App-Platform` (ios, android) and `X-App-Version`; one older than
 * the minimum set for its platform gets 426 Upgrade Required with the store link, on every
 * `/api/client` call. Clients that do not say (web, tools) are not gated.
 */
export function clientVersionGate(kernel: Kernel) {
  // A callback hook, not an async one: it runs before every request and almost always lets it pass.
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    const refusal = request.url.startsWith('/api/client/') ? outdatedClient(kernel, request) : undefined;
    done(refusal);
  };
}

/** The refusal of an app older than its platform's minimum, if it is one. */
function outdatedClient(kernel: Kernel, request: FastifyRequest): SettingsError | undefined {
  const platform = request.headers[PLATFORM_HEADER];
  const version = request.headers[VERSION_HEADER];
  if (typeof platform !== 'string' || typeof version !== 'string') return undefined;
  if (platform !== 'ios' && platform !== 'android') return undefined;
  const minimum = kernel.settings.get<Record<string, string | null>>('settings.min_app_versions')[platform];
  if (!minimum || !/^[0-9]+(\.[0-9]+)*$/.test(version) || compareVersions(version, minimum) >= 0) return undefined;
  const storeUrl = kernel.settings.get<Record<string, string | null>>('settings.store_links')[platform] ?? undefined;
  return new SettingsError(
    'outdated_client',
    `This app version (${version}) is no longer supported on ${platform}; the oldest supported is ${minimum}. Please update the app.`,
    { extra: { minimumVersion: minimum, ...(storeUrl ? { storeUrl } : {}) } },
  );
}
