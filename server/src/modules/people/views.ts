import { Type } from '@sinclair/typebox';
import type { Principal } from '../../core/access.ts';
import type { Executor } from '../../core/db/client.ts';
import { resolveRefs } from '../../core/events/refs.ts';
import { defineCodes } from '../../core/labels.ts';
import { EventSchema, eventView } from '../../core/events/views.ts';
import type { Catalogue } from '../../core/module.ts';
import type { StoredEvent } from '../../core/events/types.ts';
import { toPage } from '../../core/paging.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import type { Organization } from './organizations.ts';
import type { Person } from './people.ts';
import type { blockReasons, notes, personIdentities } from './schema.ts';

export const Profile = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 });
export const Contact = Type.Object(
  {
    kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
    value: Type.String({ minLength: 3, maxLength: 254, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
export const PersonStatuses = defineCodes('person_status', {
  active: { en: 'Active', ru: 'Активен', tone: 'green' },
  blocked: { en: 'Blocked', ru: 'Заблокирован', tone: 'red' },
  deleted: { en: 'Erased', ru: 'Данные удалены', tone: 'gray' },
});
const OrganizationStatuses = defineCodes('organization_status', {
  active: { en: 'Active', ru: 'Активна', tone: 'green' },
  suspended: { en: 'Suspended', ru: 'Приостановлена', tone: 'red' },
  closed: { en: 'Closed', ru: 'Закрыта', tone: 'gray' },
});
const MemberRoles = defineCodes('role', {
  owner: { en: 'Owner', ru: 'Владелец' },
  manager: { en: 'Manager', ru: 'Менеджер' },
  member: { en: 'Member', ru: 'Участник' },
});
/** The identity providers the console knows by name; the API takes any provider code. */
const IdentityProviders = defineCodes('identity_provider', {
  telegram: { en: 'Telegram', ru: 'Telegram' },
  app: { en: 'App', ru: 'Приложение' },
  firebase: { en: 'Firebase', ru: 'Firebase' },
  email: { en: 'Email', ru: 'Email' },
  phone: { en: 'Phone', ru: 'Телефон' },
});
export const PersonStatus = PersonStatuses.schema;
export const OrganizationStatus = OrganizationStatuses.schema;
export const MemberRole = MemberRoles.schema;
export const peopleCodes = [PersonStatuses, OrganizationStatuses, MemberRoles, IdentityProviders];

export const PersonSummary = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    status: PersonStatus,
    tags: Type.Array(Type.String()),
    contacts: Type.Array(Contact),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'PersonSummary' },
);
export const IdentityView = Type.Object({ id: Type.String(), provider: Type.String(), externalId: Type.String(), createdAt: Timestamp });
export const PersonDetail = Type.Object(
  {
    ...PersonSummary.properties,
    locale: Nullable(Type.String()),
    timeZone: Nullable(Type.String()),
    publicProfile: Profile,
    privateProfile: Profile,
    block: Nullable(Type.Object({ reason: Nullable(Type.String()), note: Nullable(Type.String()), at: Timestamp })),
    identities: Type.Array(IdentityView),
    organizations: Type.Array(Type.Object({ organizationId: Type.String(), name: Type.String(), kind: Type.String(), role: MemberRole })),
  },
  { $id: 'Person' },
);
const OrganizationFields = {
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  status: OrganizationStatus,
  tags: Type.Array(Type.String()),
  details: Profile,
  members: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const OrganizationSummary = Type.Object(OrganizationFields, { $id: 'OrganizationSummary' });
export const OrganizationDetail = Type.Object(
  {
    ...OrganizationFields,
    memberList: Type.Array(Type.Object({ personId: Type.String(), displayName: Type.String(), status: PersonStatus, role: MemberRole, since: Timestamp })),
  },
  { $id: 'Organization' },
);
export const NoteView = Type.Object({
  id: Type.String(),
  authorId: Nullable(Type.String()),
  authorName: Type.String(),
  body: Type.String(),
  createdAt: Timestamp,
});
export const TimelineEvent = Type.Object({
  ...EventSchema.properties,
  children: Type.Integer({ description: 'How many events this one consists of (see the children route)' }),
});
export const BlockReasonView = Type.Object({ key: Type.String(), label: Type.String(), active: Type.Boolean() });

export function personSummary(p: Person) {
  return {
    id: p.id,
    displayName: p.displayName,
    status: p.status,
    tags: p.tags,
    contacts: p.contacts,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export const identityView = (i: Pick<typeof personIdentities.$inferSelect, 'id' | 'provider' | 'externalId' | 'createdAt'>) => ({
  id: i.id,
  provider: i.provider,
  externalId: i.externalId,
  createdAt: i.createdAt.toISOString(),
});

export interface Membership {
  organizationId: string;
  name: string;
  kind: string;
  role: 'owner' | 'manager' | 'member';
}

export function personDetailView(person: Person, identities: Array<typeof personIdentities.$inferSelect>, memberships: Membership[]) {
  return {
    ...personSummary(person),
    locale: person.locale,
    timeZone: person.timeZone,
    publicProfile: person.publicProfile,
    privateProfile: person.privateProfile,
    block: person.blockedAt ? { reason: person.blockReason, note: person.blockNote, at: person.blockedAt.toISOString() } : null,
    identities: identities.map(identityView),
    organizations: memberships,
  };
}

export function organizationSummary(o: Organization, members: number) {
  return {
    id: o.id,
    name: o.name,
    kind: o.kind,
    status: o.status,
    tags: o.tags,
    details: o.details,
    members,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

export interface OrganizationMember {
  personId: string;
  displayName: string;
  status: Person['status'];
  role: Membership['role'];
  since: Date;
}

export const organizationDetailView = (organization: Organization, members: OrganizationMember[]) => ({
  ...organizationSummary(organization, members.length),
  memberList: members.map((m) => ({ ...m, since: m.since.toISOString() })),
});

export const noteView = (n: typeof notes.$inferSelect) => ({
  id: n.id,
  authorId: n.authorId,
  authorName: n.authorName,
  body: n.body,
  createdAt: n.createdAt.toISOString(),
});

export const blockReasonView = (r: Pick<typeof blockReasons.$inferSelect, 'key' | 'label' | 'active'>) => ({ key: r.key, label: r.label, active: r.active });

/** Who reads a timeline, for the names of what its events name (`resolveRefs`). */
interface TimelineReader {
  db: Executor;
  catalogue: Catalogue;
  principal: Principal;
  now: Date;
}

export async function timelinePage(reader: TimelineReader, rows: Array<StoredEvent & { children: number }>, limit: number) {
  const page = toPage(
    rows,
    limit,
    (e) => [e.id],
    (e) => ({ ...eventView(e), children: e.children }),
  );
  return { ...page, refs: await resolveRefs(reader.db, reader.catalogue, reader.principal, page.items, reader.now) };
}

export async function timelineChildrenView(reader: TimelineReader, rows: StoredEvent[]) {
  const items = rows.map(eventView);
  return { items, refs: await resolveRefs(reader.db, reader.catalogue, reader.principal, items, reader.now) };
}
