import { Type, type Static } from '@sinclair/typebox';
import { effectivePermissions, type Principal } from '../../core/access.ts';
import type { RefResolverDef } from '../../core/events/refs.ts';
import { defineCodes } from '../../core/labels.ts';
import type { Kernel } from '../../core/kernel.ts';
import type { Catalogue } from '../../core/module.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import type { Grant as GrantRecord } from './grants.ts';
import { ADMINISTRATOR, roleNames, type Role as RoleRecord, type RoleHolder } from './roles.ts';
import type { StaffIdentity as StaffIdentityRecord } from './sso.ts';
import { staffNames, type StaffUser as StaffUserRecord } from './users.ts';

export const StaffStatuses = defineCodes('status', {
  active: { en: 'Active', ru: 'Активен', tone: 'green' },
  disabled: { en: 'Disabled', ru: 'Отключён', tone: 'red' },
});
export const Status = StaffStatuses.schema;

/** Staff users and roles as the event log names them; every staff user sees who acted, the pages need their permission. */
export const staffRefs: RefResolverDef[] = [
  {
    type: 'staff_user',
    label: { en: 'Staff user', ru: 'Сотрудник' },
    resolve: async (db, ids, viewer) => {
      const names = await staffNames(db, ids);
      const link = viewer.permissions.has('staff.manage_users');
      return [...names].map(([id, name]) => ({ id, name, ...(link ? { href: `/staff?selected=${id}` } : {}) }));
    },
  },
  {
    type: 'role',
    label: { en: 'Role', ru: 'Роль' },
    resolve: async (db, ids, viewer) => {
      const link = viewer.permissions.has('staff.manage_roles');
      return (await roleNames(db, ids)).map((r) => ({ ...r, ...(link ? { href: `/roles/${r.id}` } : {}) }));
    },
  },
];
const RoleRef = Type.Object({ id: Type.String(), name: Type.String() });

export const StaffUser = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    status: Status,
    locale: Type.String(),
    roles: Type.Array(RoleRef),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'StaffUser' },
);

const RoleFields = {
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  builtin: Type.Boolean(),
  holdsEverything: Type.Boolean({ description: 'The Administrator role: it always holds every permission (none can be removed) and cannot be deleted.' }),
  permissions: Type.Array(Type.String()),
  holders: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const Role = Type.Object(RoleFields, { $id: 'Role' });
export const RoleWithHolders = Type.Object({
  ...RoleFields,
  holderList: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), status: Status })),
});
export const RoleOption = Type.Object({ id: Type.String(), name: Type.String(), permissions: Type.Array(Type.String()) });

export const Grant = Type.Object({
  id: Type.String(),
  staffId: Type.String(),
  permission: Type.String(),
  recordId: Type.String(),
  expiresAt: Nullable(Timestamp),
  createdBy: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  locale: Type.String(),
  roles: Type.Array(RoleRef),
  permissions: Type.Array(Type.String()),
  grants: Type.Array(
    Type.Object({
      permission: Type.String(),
      recordId: Type.String(),
      expiresAt: Nullable(Timestamp),
    }),
  ),
  nav: Type.Array(Type.Object({ module: Type.String(), group: Type.String(), path: Type.String(), label: Type.String() })),
  navGroups: Type.Array(Type.Object({ key: Type.String(), label: Type.String() }), {
    description: 'The groups the entries of `nav` sit in, in the order the console shows them (only those with an entry for this user).',
  }),
  sessionExpiresAt: Timestamp,
});

export const SessionsEnded = Type.Object({ sessionsEnded: Type.Integer() });

export const PermissionInfo = Type.Object({ key: Type.String(), module: Type.String(), description: Type.String() });

export const staffUserView = (user: StaffUserRecord): Static<typeof StaffUser> => ({
  id: user.id,
  email: user.email,
  name: user.name,
  status: user.status,
  locale: user.locale,
  roles: user.roles,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});

export const staffUserPageView = (page: { items: StaffUserRecord[]; nextCursor: string | null }) => ({
  items: page.items.map(staffUserView),
  nextCursor: page.nextCursor,
});

export const roleView = (role: RoleRecord): Static<typeof Role> => ({
  id: role.id,
  name: role.name,
  description: role.description,
  builtin: role.builtinKey !== null,
  holdsEverything: role.builtinKey === ADMINISTRATOR,
  permissions: role.permissions,
  holders: role.holders,
  createdAt: role.createdAt.toISOString(),
  updatedAt: role.updatedAt.toISOString(),
});

export const roleWithHoldersView = (role: RoleRecord & { holderList: RoleHolder[] }): Static<typeof RoleWithHolders> => ({
  ...roleView(role),
  holderList: role.holderList,
});

export const roleOptionView = ({ id, name, permissions }: RoleRecord): Static<typeof RoleOption> => ({ id, name, permissions });

export const grantView = (grant: GrantRecord): Static<typeof Grant> => ({
  id: grant.id,
  staffId: grant.staffId,
  permission: grant.permission,
  recordId: grant.recordId,
  expiresAt: grant.expiresAt?.toISOString() ?? null,
  createdBy: grant.createdBy,
  createdAt: grant.createdAt.toISOString(),
});

export const permissionCatalogueView = (catalogue: Catalogue): Array<Static<typeof PermissionInfo>> =>
  [...catalogue.permissions.values()].map(({ key, module, description }) => ({ key, module, description }));

export type MeView = Static<typeof Me>;

/**
 * `/me` is asked on every console load and poll: its view is derived once per cached principal (a new
 * principal object appears whenever access changes) and rebuilt only when the session expiry slides.
 */
const meViews = new WeakMap<Principal, { expiresAt: number; view: MeView; json?: string }>();

function cachedMe(kernel: Kernel, principal: Principal) {
  const expiresAt = principal.sessionExpiresAt.getTime();
  let cached = meViews.get(principal);
  if (cached?.expiresAt !== expiresAt) meViews.set(principal, (cached = { expiresAt, view: buildMeView(kernel, principal) }));
  return cached;
}

export const meView = (kernel: Kernel, principal: Principal): MeView => cachedMe(kernel, principal).view;

/** The view serialised (by the route's own response serialiser, `serialize`), kept with the view. */
export function meJson(kernel: Kernel, principal: Principal, serialize: (view: MeView) => string): string {
  const cached = cachedMe(kernel, principal);
  return (cached.json ??= serialize(cached.view));
}

function navigationFor(kernel: Kernel, principal: Principal): Pick<MeView, 'nav' | 'navGroups'> {
  const nav = kernel.catalogue.nav
    .filter((entry) => principal.permissions.has(entry.permission))
    .map(({ module, group, path, label }) => ({ module, group, path, label }));
  const shown = new Set(nav.map((entry) => entry.group));
  const navGroups = [...kernel.catalogue.navGroups.values()]
    .filter((group) => shown.has(group.key))
    .sort((a, b) => a.order - b.order)
    .map(({ key, label }) => ({ key, label }));
  return { nav, navGroups };
}

function buildMeView(kernel: Kernel, principal: Principal): MeView {
  return {
    id: principal.staffId,
    email: principal.email,
    name: principal.name,
    locale: principal.locale,
    roles: principal.roles,
    permissions: effectivePermissions(principal),
    grants: principal.grants.map((g) => ({ permission: g.permission, recordId: g.recordId, expiresAt: g.expiresAt?.toISOString() ?? null })),
    ...navigationFor(kernel, principal),
    sessionExpiresAt: principal.sessionExpiresAt.toISOString(),
  };
}

export const StaffSsoProviders = defineCodes('staff_sso_provider', {
  oidc: { en: 'OpenID Connect', ru: 'OpenID Connect' },
  firebase: { en: 'Firebase', ru: 'Firebase' },
});

export const StaffIdentity = Type.Object({
  id: Type.String(),
  provider: StaffSsoProviders.schema,
  issuer: Type.String(),
  email: Type.String({ description: 'The verified email it was linked by.' }),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
});

export const staffIdentityView = (identity: StaffIdentityRecord): Static<typeof StaffIdentity> => ({
  id: identity.id,
  provider: identity.provider,
  issuer: identity.issuer,
  email: identity.email,
  createdAt: identity.createdAt.toISOString(),
  lastUsedAt: identity.lastUsedAt.toISOString(),
});

export const AuthOptions = Type.Object({
  passwordSignIn: Type.Boolean({ description: 'False when `STAFF_PASSWORD_SIGN_IN=false`: the password form is hidden and `POST /session` refuses.' }),
  oidc: Nullable(Type.Object({ name: Type.String({ description: 'The label of "Sign in with <name>".' }) })),
  firebase: Nullable(
    Type.Object({
      signInUrl: Nullable(Type.String({ description: 'The page that signs in with Firebase and posts the ID token back to the console.' })),
    }),
  ),
});
