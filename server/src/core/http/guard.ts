import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, type Principal } from '../access.ts';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, type MemberAuthenticator, type MemberPrincipal, type StaffAuthenticator } from '../auth.ts';
import { forbidden, HttpProblem, unauthorized } from './problem.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a staff user needs (role or per-record grant); `<module>.<action>`. */
    permission?: string;
    /** Any signed-in staff user may call it (their own profile, sign-out, the live stream). */
    signedIn?: boolean;
    /** No session needed (sign-in, the OpenAPI document, signed webhooks). */
    public?: boolean;
    /** A member of a client app with a bearer token; only under `/api/client/`. */
    member?: boolean;
    /** Route parameter naming the record, so a per-record grant of `permission` on it suffices. */
    recordParam?: string;
  }
  interface FastifyRequest {
    principal: Principal | null;
    member: MemberPrincipal | null;
    sessionToken: string | null;
  }
  interface FastifyInstance {
    /** Every `/api` route with its access declaration (the permission matrix test walks it). */
    apiRoutes: ApiRoute[];
  }
}

export interface ApiRoute {
  method: string;
  url: string;
  permission?: string;
  signedIn?: boolean;
  public?: boolean;
  member?: boolean;
  recordParam?: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface GuardOptions {
  authenticator: StaffAuthenticator;
  now: () => Date;
  publicUrl: string | undefined;
  /** Present when a module verifies member tokens (looked up per request: modules start after routes). */
  memberAuthenticator: () => MemberAuthenticator | undefined;
}

/**
 * Over HTTPS only the `__Host-` cookie counts: a plain `sb_session` could have been planted by a sibling
 * subdomain or a plain-HTTP hop (session fixation).
 */
function readSessionToken(request: FastifyRequest, publicUrl: string | undefined): string | undefined {
  const https = request.protocol === 'https' || publicUrl?.startsWith('https://') === true;
  return https ? request.cookies[SECURE_SESSION_COOKIE] : request.cookies[SESSION_COOKIE];
}

/** The session token of a route that declared a permission or `signedIn` (the guard has checked it). */
export function sessionToken(request: FastifyRequest): string {
  if (!request.sessionToken) throw unauthorized();
  return request.sessionToken;
}

function accessModes(config: { permission?: string; signedIn?: boolean; public?: boolean; member?: boolean }): number {
  return [config.permission !== undefined, config.signedIn === true, config.public === true, config.member === true].filter(Boolean).length;
}

/** A 401 for a bearer token, with the challenge RFC 6750 asks for. */
const bearerRefused = (detail: string, status: 401 | 403 = 401) =>
  status === 403
    ? new HttpProblem(403, 'Forbidden', detail)
    : new HttpProblem(401, 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer error="invalid_token"' });

/** `scheme://host[:port]` with the default port dropped, so equal origins compare equal. */
function normalOrigin(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function requestOrigin(request: FastifyRequest): string | undefined {
  return normalOrigin(request.headers.origin) ?? normalOrigin(request.headers.referer);
}

/**
 * This console's origin as browsers reach it: `PUBLIC_URL`, else the request's scheme and Host header (a
 * console run without PUBLIC_URL, on one address). Never throws: a Host header that is no host
 * (`a b`, `x/y`) gives a 400 problem. The CSRF check compares the Origin header with it; single sign-on
 * builds its redirect URI from it (where PUBLIC_URL is required, so the Host header is never used).
 */
export function consoleOrigin(request: FastifyRequest, publicUrl: string | undefined): string {
  const own = normalOrigin(publicUrl ?? `${request.protocol}://${request.host}`);
  if (own === undefined || own === 'null') throw new HttpProblem(400, 'Bad Request', 'The Host header is not a valid host.');
  return own;
}

/**
 * Enforces the route rules: every `/api` route declares its schema and exactly one access mode;
 * console sessions come from the cookie; permissions are checked before the body is even parsed;
 * unsafe console requests must come from our own origin (CSRF).
 */
export function registerGuard(app: FastifyInstance, options: GuardOptions): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('member', null);
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const config = route.config ?? {};
    const where = `${String(route.method)} ${route.url}`;
    if (accessModes(config) !== 1) {
      throw new Error(`${where} must declare exactly one of config.permission, config.signedIn, config.member or config.public`);
    }
    if (config.member && !route.url.startsWith('/api/client/')) throw new Error(`${where}: member routes live under /api/client/`);
    if (!config.member && !config.public && route.url.startsWith('/api/client/')) {
      throw new Error(`${where}: /api/client/ routes are for members (config.member) or public`);
    }
    if (!route.schema) throw new Error(`${where} must declare its schema`);
    if (route.url.includes(':') && !route.schema.params) throw new Error(`${where} must declare schema.params`);
    const body = route.schema.body as { type?: string; additionalProperties?: unknown } | undefined;
    if (body?.type === 'object' && body.additionalProperties !== false) {
      throw new Error(`${where} must refuse unknown body fields (use Body() from core/http/schemas.ts)`);
    }
    if (config.recordParam && !route.url.includes(`:${config.recordParam}`)) {
      throw new Error(`${where} names recordParam ${config.recordParam}, which is not in its path`);
    }
    if (config.member) {
      route.schema.security = [{ bearer: [] }];
      route.schema.description = [route.schema.description, 'Requires a signed-in member (bearer token).'].filter(Boolean).join('\n\n');
    } else if (!config.public) {
      const access = config.permission
        ? `Requires the \`${config.permission}\` permission${config.recordParam ? ' (or a per-record grant on it)' : ''}.`
        : 'Requires a signed-in staff user.';
      route.schema.security = [{ session: [] }];
      route.schema.description = [route.schema.description, access].filter(Boolean).join('\n\n');
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') apiRoutes.push({ method, url: route.url, ...config });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (!request.routeOptions.url?.startsWith('/api/')) return;
    const isConsole = request.routeOptions.url.startsWith('/api/console/');
    if (isConsole && UNSAFE.has(request.method)) {
      const origin = requestOrigin(request);
      if (origin === undefined || origin !== consoleOrigin(request, options.publicUrl)) {
        throw new HttpProblem(403, 'Forbidden', 'Cross-origin request refused: the Origin header must be this console.');
      }
    }
    if (config.public) return;
    if (config.member) {
      const [scheme, bearer] = (request.headers.authorization ?? '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !bearer) throw bearerRefused('Sign in: send the member token as `Authorization: Bearer <token>`.');
      const authenticator = options.memberAuthenticator();
      if (!authenticator) throw bearerRefused('Member sign-in is not available on this server.');
      const result = await authenticator.authenticate(bearer, { ip: request.ip, userAgent: request.headers['user-agent'] });
      if ('refused' in result) throw bearerRefused(result.refused, result.status);
      request.member = result;
      return;
    }
    const token = readSessionToken(request, options.publicUrl);
    const principal = token ? await options.authenticator.authenticate(token) : null;
    if (!principal) {
      if (token) {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        reply.clearCookie(SECURE_SESSION_COOKIE, { path: '/', secure: true });
      }
      throw unauthorized(token ? 'Your session has ended; sign in again.' : 'Sign in to continue.');
    }
    request.principal = principal;
    request.sessionToken = token!;
    if (config.permission) {
      const params = request.params as Record<string, string | undefined>;
      const recordId = config.recordParam ? params[config.recordParam] : undefined;
      if (!can(principal, config.permission, recordId, options.now())) {
        throw forbidden(`You need the ${config.permission} permission.`);
      }
    }
  });
}

/** The signed-in staff user of a route that declared a permission or `signedIn`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** The signed-in staff user as the actor of what the route writes. */
export const staffActorOf = (request: FastifyRequest) => {
  const principal = principalOf(request);
  return { type: 'staff' as const, id: principal.staffId, principal };
};

/** The signed-in member of a route that declared `member`. */
export function memberOf(request: FastifyRequest): MemberPrincipal {
  if (!request.member) throw unauthorized();
  return request.member;
}
