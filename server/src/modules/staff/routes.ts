import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Body } from '../../core/http/schemas.ts';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '../../core/auth.ts';
import { consoleOrigin, principalOf, sessionToken, staffActorOf } from '../../core/http/guard.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { problems } from '../../core/http/openapi.ts';
import { safeReturnPath } from '../../core/http/redirect.ts';
import { DomainError } from '../../core/errors.ts';
import type { Kernel } from '../../core/kernel.ts';
import { Id, IdParams, Timestamp } from '../../core/schemas.ts';
import { createGrant, listGrants, revokeGrant } from './grants.ts';
import { PASSWORD_MAX, preparePassword } from './passwords.ts';
import { createRole, deleteRole, getRole, listRoles, updateRole } from './roles.ts';
import type { SignInResult, StaffSessions } from './sessions.ts';
import { listIdentities, StaffSso, unlinkIdentity } from './sso.ts';
import { createStaffUser, getStaffUser, listStaffUsers, setPassword, updateStaffUser } from './users.ts';
import {
  Grant,
  grantView,
  Me,
  meJson,
  meView,
  type MeView,
  PermissionInfo,
  permissionCatalogueView,
  Role,
  RoleOption,
  roleOptionView,
  roleView,
  RoleWithHolders,
  roleWithHoldersView,
  SessionsEnded,
  AuthOptions,
  StaffIdentity,
  staffIdentityView,
  StaffUser,
  staffUserPageView,
  staffUserView,
  Status,
} from './views.ts';

const DEVICE_COOKIE = 'sb_device';
/** Binds an OpenID Connect sign-in to the browser that started it (the state row keeps its hash). */
const SSO_COOKIE = 'sb_sso';
const SSO_COOKIE_PATH = '/api/console/auth/oidc';
const OIDC_CALLBACK = '/api/console/auth/oidc/callback';
const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Locale = Type.Union([Type.Literal('en'), Type.Literal('ru')]);

/** The address the limiter counts: the proxy-reported one when it is a real IP, else the socket's. */
function clientIp(request: FastifyRequest): string {
  if (isIP(request.ip)) return request.ip;
  return request.socket.remoteAddress ?? '0.0.0.0';
}

/** Behind a TLS-terminating proxy, PUBLIC_URL=https://… marks cookies Secure even if the hop is plain HTTP. */
const isSecure = (kernel: Kernel, request: FastifyRequest) => request.protocol === 'https' || kernel.config.publicUrl?.startsWith('https://') === true;

function setSessionCookies(kernel: Kernel, request: FastifyRequest, reply: FastifyReply, token: string, deviceToken: string) {
  const secure = isSecure(kernel, request);
  reply.setCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: kernel.config.sessionAbsoluteSeconds,
  });
  reply.setCookie(DEVICE_COOKIE, deviceToken, {
    path: '/api/console',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: 365 * 24 * 3600,
  });
}

/** Where a failed single sign-on lands: the sign-in page, with the reason's code (`sso_state` → `state`) for it to explain. */
function ssoFailurePath(error: unknown): string {
  const code = error instanceof DomainError && error.module === 'staff' ? error.code.replace(/^sso_/, '') : 'failed';
  return `/sign-in?sso_error=${encodeURIComponent(code)}`;
}

export function staffRoutes(kernel: Kernel, sessions: StaffSessions) {
  const known = () => new Set(kernel.catalogue.permissions.keys());
  const sso = new StaffSso(kernel, sessions);
  const ssoRequest = (request: FastifyRequest) => ({
    ip: clientIp(request),
    userAgent: request.headers['user-agent'],
    deviceToken: request.cookies[DEVICE_COOKIE],
  });
  const signedInWith = (request: FastifyRequest, reply: FastifyReply, result: SignInResult) => {
    setSessionCookies(kernel, request, reply, result.token, result.deviceToken);
    return meView(kernel, result.principal);
  };

  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/console/session',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: 'Sign in',
          body: Body({ email: Email, password: Password }),
          response: { 200: Me, ...problems(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        const result = await sessions.signIn({
          email: request.body.email,
          password: request.body.password,
          ip: clientIp(request),
          userAgent: request.headers['user-agent'],
          deviceToken: request.cookies[DEVICE_COOKIE],
        });
        setSessionCookies(kernel, request, reply, result.token, result.deviceToken);
        return meView(kernel, result.principal);
      },
    );

    // ---------------------------------------------------------- single sign-on

    app.get(
      '/console/auth/options',
      {
        config: { public: true },
        schema: { tags: ['session'], summary: 'How staff may sign in here (for the sign-in page)', response: { 200: AuthOptions } },
      },
      async () => sso.options(),
    );

    app.get(
      '/console/auth/oidc/start',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: 'Start signing in with the OpenID Connect provider (a browser navigation)',
          description:
            "Redirects to the provider's authorization page (authorization-code flow with PKCE, state and nonce). Failures redirect to `/sign-in?sso_error=<code>`.",
          querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 2000, description: 'A console path to land on afterwards' })) }),
          response: { 302: Type.Null() },
        },
      },
      async (request, reply) => {
        try {
          const { url, browserToken } = await sso.beginOidc(
            safeReturnPath(request.query.returnTo),
            `${consoleOrigin(request, kernel.config.publicUrl)}${OIDC_CALLBACK}`,
          );
          const secure = isSecure(kernel, request);
          // Lax: the provider's redirect back is a top-level navigation from its site.
          reply.setCookie(SSO_COOKIE, browserToken, { path: SSO_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure, maxAge: 10 * 60 });
          return reply.redirect(url, 302);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          return reply.redirect(ssoFailurePath(error), 302);
        }
      },
    );

    app.get(
      '/console/auth/oidc/callback',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: "The OpenID Connect provider's redirect back (register it as the redirect URI)",
          description:
            'Checks the state (once, and only in the browser that started the sign-in), exchanges the code with the PKCE verifier, verifies the ID token, links the identity by verified email and opens a session; then redirects to the page the sign-in started from, or to `/sign-in?sso_error=<code>`.',
          querystring: Type.Object(
            {
              state: Type.Optional(Type.String({ maxLength: 500 })),
              code: Type.Optional(Type.String({ maxLength: 4000 })),
              error: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { description: 'As the provider sends it (it may add iss, session_state, scope…).' },
          ),
          response: { 302: Type.Null() },
        },
      },
      async (request, reply) => {
        const secure = isSecure(kernel, request);
        reply.clearCookie(SSO_COOKIE, { path: SSO_COOKIE_PATH, secure });
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
        try {
          const result = await sso.completeOidc(
            new URL(`${consoleOrigin(request, kernel.config.publicUrl)}${OIDC_CALLBACK}${query}`),
            request.cookies[SSO_COOKIE],
            ssoRequest(request),
          );
          setSessionCookies(kernel, request, reply, result.token, result.deviceToken);
          return reply.redirect(safeReturnPath(result.returnTo), 302);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          request.log.info({ code: error.code, detail: error.message }, 'staff single sign-on refused');
          return reply.redirect(ssoFailurePath(error), 302);
        }
      },
    );

    app.post(
      '/console/auth/firebase',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: 'Sign in with a Firebase Auth ID token',
          description:
            'The console posts the ID token that the Firebase sign-in page gave it. Verified as member Firebase tokens are (issuer, audience `STAFF_FIREBASE_PROJECT_ID`, Google keys, expiry); the identity links by verified email.',
          body: Body({ idToken: Type.String({ minLength: 1, maxLength: 8000 }) }),
          response: { 200: Me, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => signedInWith(request, reply, await sso.signInWithFirebase(request.body.idToken, ssoRequest(request))),
    );

    app.delete(
      '/console/session',
      { config: { signedIn: true }, schema: { tags: ['session'], summary: 'Sign out', response: { 204: Type.Null() } } },
      async (request, reply) => {
        const principal = principalOf(request);
        await kernel.write(staffActorOf(request), (ctx) => sessions.signOut(ctx, principal.staffId, principal.sessionId));
        const secure = isSecure(kernel, request);
        reply.clearCookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, { path: '/', secure });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/console/me',
      { config: { signedIn: true }, schema: { tags: ['session'], summary: 'The signed-in staff user', response: { 200: Me } } },
      // Asked on every console load and poll: the same principal gets the same bytes, serialised once by the
      // route's own serialiser. Fastify sends a string as it is (the typed reply only knows the object form).
      async (request, reply) => {
        const json = meJson(kernel, principalOf(request), (view) => reply.serialize(view) as string);
        return reply.type('application/json; charset=utf-8').send(json as unknown as MeView);
      },
    );

    app.patch(
      '/console/me',
      {
        config: { signedIn: true },
        schema: {
          tags: ['session'],
          summary: 'Update my name or language',
          body: Body({ name: Type.Optional(Name), locale: Type.Optional(Locale) }, { minProperties: 1 }),
          response: { 200: Me, ...problems(400) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        await kernel.write(staffActorOf(request), (ctx) => updateStaffUser(ctx, sessions, principal.staffId, request.body));
        const refreshed = await sessions.authenticate(sessionToken(request));
        return meView(kernel, refreshed ?? principal);
      },
    );

    app.post(
      '/console/me/password',
      {
        config: { signedIn: true },
        schema: {
          tags: ['session'],
          summary: 'Change my password (ends my other sessions)',
          body: Body({ currentPassword: Password, newPassword: Password }),
          response: { 200: SessionsEnded, ...problems(400, 429) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        await sessions.verifyCurrentPassword(principal.staffId, request.body.currentPassword, {
          ip: clientIp(request),
          deviceToken: request.cookies[DEVICE_COOKIE],
        });
        const password = await preparePassword(request.body.newPassword, 'newPassword', principal.email);
        return kernel.write(staffActorOf(request), (ctx) =>
          setPassword(ctx, sessions, principal.staffId, password, {
            keepSessionId: principal.sessionId,
            reason: 'changed',
          }),
        );
      },
    );

    app.get(
      '/console/permissions',
      {
        config: { permission: 'staff.manage_roles' },
        schema: {
          tags: ['roles'],
          summary: 'The permission catalogue declared by the enabled modules',
          response: {
            200: Type.Array(PermissionInfo),
          },
        },
      },
      async () => permissionCatalogueView(kernel.catalogue),
    );

    // ---------------------------------------------------------- staff users

    app.get(
      '/console/staff',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: 'List staff users (alphabetical, keyset-paginated)',
          querystring: Type.Object({
            q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of a name or email' })),
            roleId: Type.Optional(Id),
            status: Type.Optional(Status),
            ...PageQuery,
          }),
          response: { 200: Page(StaffUser), ...problems(400) },
        },
      },
      async (request) => staffUserPageView(await listStaffUsers(kernel.db, request.query)),
    );

    app.post(
      '/console/staff',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: 'Create a staff user',
          body: Body({
            email: Email,
            name: Name,
            password: Password,
            roleIds: Type.Array(Id, { maxItems: 50, default: [] }),
            locale: Type.Optional(Locale),
          }),
          response: { 201: StaffUser, ...problems(400, 409) },
        },
      },
      async (request, reply) => {
        const password = await preparePassword(request.body.password, 'password', request.body.email);
        const user = await kernel.write(staffActorOf(request), (ctx) => createStaffUser(ctx, { ...request.body, password }));
        return reply.code(201).send(staffUserView(user));
      },
    );

    app.get(
      '/console/staff/:id',
      {
        config: { permission: 'staff.manage_users', recordParam: 'id' },
        schema: { tags: ['staff'], summary: 'One staff user', params: IdParams, response: { 200: StaffUser, ...problems(404) } },
      },
      async (request) => staffUserView(await getStaffUser(kernel.db, request.params.id)),
    );

    app.patch(
      '/console/staff/:id',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: 'Edit, disable or enable a staff user, or replace their roles',
          params: IdParams,
          body: Body(
            {
              email: Type.Optional(Email),
              name: Type.Optional(Name),
              locale: Type.Optional(Locale),
              status: Type.Optional(Status),
              roleIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
            },
            { minProperties: 1 },
          ),
          response: { 200: StaffUser, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const user = await kernel.write(staffActorOf(request), (ctx) => updateStaffUser(ctx, sessions, request.params.id, request.body));
        return staffUserView(user);
      },
    );

    app.post(
      '/console/staff/:id/password',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: "Reset a staff user's password (ends that user's other sessions)",
          params: IdParams,
          body: Body({ password: Password }),
          response: { 200: SessionsEnded, ...problems(400, 404) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const password = await preparePassword(request.body.password, 'password');
        return kernel.write(staffActorOf(request), (ctx) =>
          setPassword(ctx, sessions, request.params.id, password, {
            keepSessionId: principal.sessionId,
            reason: 'reset',
          }),
        );
      },
    );

    app.get(
      '/console/staff/:id/grants',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: "A staff user's unexpired per-record grants",
          params: IdParams,
          response: { 200: Type.Array(Grant), ...problems(404) },
        },
      },
      async (request) => (await listGrants(kernel.db, request.params.id, kernel.now())).map(grantView),
    );

    app.post(
      '/console/staff/:id/grants',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: 'Grant one permission on one record, optionally until a time',
          params: IdParams,
          body: Body({
            permission: Type.String({ minLength: 1, maxLength: 100 }),
            recordId: Type.String({ minLength: 1, maxLength: 200 }),
            expiresAt: Type.Optional(Timestamp),
          }),
          response: { 201: Grant, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const grant = await kernel.write(staffActorOf(request), (ctx) => createGrant(ctx, known(), request.params.id, request.body));
        return reply.code(201).send(grantView(grant));
      },
    );

    app.get(
      '/console/staff/:id/identities',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: "A staff user's linked single sign-on identities",
          params: IdParams,
          response: { 200: Type.Array(StaffIdentity), ...problems(404) },
        },
      },
      async (request) => (await listIdentities(kernel.db, request.params.id)).map(staffIdentityView),
    );

    app.delete(
      '/console/identities/:id',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: 'Unlink a single sign-on identity (the next sign-in there links again by verified email)',
          params: IdParams,
          response: { 204: Type.Null(), ...problems(403, 404) },
        },
      },
      async (request, reply) => {
        await kernel.write(staffActorOf(request), (ctx) => unlinkIdentity(ctx, request.params.id));
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/console/grants/:id',
      {
        config: { permission: 'staff.manage_users' },
        schema: { tags: ['staff'], summary: 'Revoke a per-record grant', params: IdParams, response: { 204: Type.Null(), ...problems(404) } },
      },
      async (request, reply) => {
        await kernel.write(staffActorOf(request), (ctx) => revokeGrant(ctx, request.params.id));
        return reply.code(204).send(null);
      },
    );

    // ---------------------------------------------------------- roles

    app.get(
      '/console/roles',
      {
        config: { permission: 'staff.manage_roles' },
        schema: { tags: ['roles'], summary: 'All roles with their permissions and holder counts', response: { 200: Type.Array(Role) } },
      },
      async () => (await listRoles(kernel.db)).map(roleView),
    );

    app.get(
      '/console/role-options',
      {
        config: { permission: 'staff.manage_users' },
        schema: {
          tags: ['staff'],
          summary: 'Roles that may be assigned to staff users, with their permissions',
          description:
            'For the user editor: managing users does not require managing roles. A role can only be handed out by someone holding all of its permissions.',
          response: {
            200: Type.Array(RoleOption),
          },
        },
      },
      async () => (await listRoles(kernel.db)).map(roleOptionView),
    );

    app.get(
      '/console/roles/:id',
      {
        config: { permission: 'staff.manage_roles' },
        schema: {
          tags: ['roles'],
          summary: 'One role and who holds it',
          params: IdParams,
          response: {
            200: RoleWithHolders,
            ...problems(404),
          },
        },
      },
      async (request) => roleWithHoldersView(await getRole(kernel.db, request.params.id)),
    );

    const RoleBody = {
      name: Name,
      description: Type.Optional(Type.String({ maxLength: 1000 })),
      permissions: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 }),
    };

    app.post(
      '/console/roles',
      {
        config: { permission: 'staff.manage_roles' },
        schema: {
          tags: ['roles'],
          summary: 'Create a role',
          body: Body(RoleBody),
          response: { 201: Role, ...problems(400, 409) },
        },
      },
      async (request, reply) => {
        const role = await kernel.write(staffActorOf(request), (ctx) => createRole(ctx, known(), request.body));
        return reply.code(201).send(roleView(role));
      },
    );

    app.patch(
      '/console/roles/:id',
      {
        config: { permission: 'staff.manage_roles' },
        schema: {
          tags: ['roles'],
          summary: "Rename a role or replace its permissions (takes effect on holders' next request)",
          params: IdParams,
          body: Type.Partial(Body(RoleBody), { additionalProperties: false, minProperties: 1 }),
          response: { 200: Role, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const role = await kernel.write(staffActorOf(request), (ctx) => updateRole(ctx, known(), request.params.id, request.body));
        return roleView(role);
      },
    );

    app.delete(
      '/console/roles/:id',
      {
        config: { permission: 'staff.manage_roles' },
        schema: { tags: ['roles'], summary: 'Delete a role', params: IdParams, response: { 204: Type.Null(), ...problems(404, 409) } },
      },
      async (request, reply) => {
        await kernel.write(staffActorOf(request), (ctx) => deleteRole(ctx, request.params.id));
        return reply.code(204).send(null);
      },
    );
  };
}
