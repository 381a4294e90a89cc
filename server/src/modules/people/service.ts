import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { isUniqueViolation, uuidIn } from '../../core/db/sql.ts';
import { childCounts, childEvents, listEvents, pseudonymiseSubjectEvents } from '../../core/events/log.ts';
import type { EventVisibility } from '../../core/events/visibility.ts';

import { decodeCursor, toPage } from '../../core/paging.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { PeopleEvents } from './events.ts';
import {
  blockReasons,
  notes,
  organizationMembers,
  organizations,
  people,
  personIdentities,
  type ContactPoint,
} from './schema.ts';
import { PeopleError } from './errors.ts';

export type Person = typeof people.$inferSelect;
export type Organization = typeof organizations.$inferSelect;
export type SubjectType = 'person' | 'organization';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const cleanTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
const searchTextOf = (name: string, contacts: ContactPoint[]) => [name, ...contacts.map((c) => c.value)].join(' ').toLowerCase();
/** JSON with object keys sorted: jsonb returns objects in its own key order, which is no change. */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

// ------------------------------------------------------------------ people

/** The route checks a time zone's shape; only one the runtime knows can be used to show times. */
function assertTimeZone(timeZone: string | null | undefined): void {
  if (!timeZone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw PeopleError.invalid('timeZone', 'is not a known IANA time zone');
  }
}

export interface PersonInput {
  displayName: string;
  locale?: string | null;
  timeZone?: string | null;
  contacts?: ContactPoint[];
  tags?: string[];
  publicProfile?: Record<string, unknown>;
  privateProfile?: Record<string, unknown>;
  identities?: { provider: string; externalId: string }[];
}

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

export async function createPerson(ctx: ServiceContext, input: PersonInput): Promise<Person> {
  assertTimeZone(input.timeZone);
  const id = uuidv7();
  const contacts = input.contacts ?? [];
  const [person] = await ctx.tx
    .insert(people)
    .values({
      id,
      displayName: input.displayName.trim(),
      locale: input.locale ?? null,
      timeZone: input.timeZone ?? null,
      contacts,
      tags: cleanTags(input.tags ?? []),
      publicProfile: input.publicProfile ?? {},
      privateProfile: input.privateProfile ?? {},
      searchText: searchTextOf(input.displayName, contacts),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  await ctx.emit({
    type: PeopleEvents.personCreated,
    subject: { type: 'person', id },
    payload: { displayName: person!.displayName, contacts, tags: person!.tags },
  });
  for (const [index, identity] of (input.identities ?? []).entries()) {
    await addIdentity(ctx, id, identity, `identities.${index}`);
  }
  return person!;
}

export async function getPerson(db: Executor, id: string): Promise<Person> {
  const [person] = UUID.test(id) ? await db.select().from(people).where(eq(people.id, id)) : [];
  if (!person) throw PeopleError.notFound('No such person.');
  return person;
}

/** A person that can still be changed: an erased one is gone for good. */
async function livePerson(tx: Executor, id: string): Promise<Person> {
  const [person] = UUID.test(id) ? await tx.select().from(people).where(eq(people.id, id)).for('update') : [];
  if (!person) throw PeopleError.notFound('No such person.');
  if (person.status === 'deleted') throw PeopleError.conflict('This person was erased; their record can no longer change.');
  return person;
}

export async function personDetail(db: Executor, id: string) {
  const person = await getPerson(db, id);
  const identities = await db
    .select()
    .from(personIdentities)
    .where(eq(personIdentities.personId, id))
    .orderBy(asc(personIdentities.provider), asc(personIdentities.externalId));
  const memberships = await db
    .select({ organizationId: organizations.id, name: organizations.name, kind: organizations.kind, role: organizationMembers.role })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
    .where(eq(organizationMembers.personId, id))
    .orderBy(sql`lower(${organizations.name})`);
  return {
    ...personSummary(person),
    locale: person.locale,
    timeZone: person.timeZone,
    publicProfile: person.publicProfile,
    privateProfile: person.privateProfile,
    block: person.blockedAt ? { reason: person.blockReason, note: person.blockNote, at: person.blockedAt.toISOString() } : null,
    identities: identities.map((i) => ({ id: i.id, provider: i.provider, externalId: i.externalId, createdAt: i.createdAt.toISOString() })),
    organizations: memberships,
  };
}

export interface PeopleQuery {
  q?: string;
  status?: Person['status'];
  tag?: string;
  cursor?: string;
  limit: number;
  /** Only people whose id this subquery returns: how another module lists its own kind of person (streamers, app users) with the same search and order. */
  within?: SQL;
}

/**
 * Alphabetical, keyset-paginated. `q` finds a person by part of the name or a contact, by their id, or
 * by any identity's external id (a Telegram id, an email, an app uid), exactly.
 */
/** The people with these ids that exist, in no particular order. */
export async function getPeople(db: Executor, ids: string[]): Promise<Person[]> {
  return ids.length ? db.select().from(people).where(uuidIn(people.id, ids)) : [];
}

/** A subquery of the ids of active people, for other modules' queries that must leave the rest out. */
export const activePersonIds = (): SQL => sql`SELECT ${people.id} FROM ${people} WHERE ${people.status} = 'active'`;

export async function listPeople(db: Executor, query: PeopleQuery) {
  const conditions: Array<SQL | undefined> = [];
  const q = query.q?.trim();
  if (q) {
    // One set of candidate ids from each index (trigram name/contact, identity, id), united: an OR over
    // them would make the planner walk the whole alphabetical index for a rare match.
    const byId = UUID.test(q) ? sql` UNION SELECT ${q.toLowerCase()}::uuid` : sql``;
    conditions.push(
      sql`${people.id} IN (SELECT ${people.id} FROM ${people} WHERE ${people.searchText} LIKE ${likePattern(q)}
        UNION SELECT ${personIdentities.personId} FROM ${personIdentities} WHERE ${personIdentities.externalId} IN (${q}, ${q.toLowerCase()})${byId})`,
    );
  }
  if (query.status) conditions.push(eq(people.status, query.status));
  if (query.tag) conditions.push(sql`${people.tags} @> ARRAY[${query.tag.trim().toLowerCase()}]::text[]`);
  if (query.within) conditions.push(sql`${people.id} IN (${query.within})`);
  const after = decodeCursor<[string, string]>(query.cursor, ['string', 'uuid']);
  if (after) conditions.push(sql`(lower(${people.displayName}), ${people.id}) > (${after[0]}, ${after[1]}::uuid)`);
  const rows = await db
    .select()
    .from(people)
    .where(and(...conditions))
    .orderBy(sql`lower(${people.displayName})`, asc(people.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (p) => [p.displayName.toLowerCase(), p.id], personSummary);
}

export type PersonPatch = Partial<Omit<PersonInput, 'identities'>>;

export async function updatePerson(ctx: ServiceContext, id: string, patch: PersonPatch): Promise<Person> {
  const current = await livePerson(ctx.tx, id);
  assertTimeZone(patch.timeZone);
  const next = {
    displayName: patch.displayName?.trim() ?? current.displayName,
    locale: patch.locale === undefined ? current.locale : patch.locale,
    timeZone: patch.timeZone === undefined ? current.timeZone : patch.timeZone,
    contacts: patch.contacts ?? current.contacts,
    tags: patch.tags ? cleanTags(patch.tags) : current.tags,
    publicProfile: patch.publicProfile ?? current.publicProfile,
    privateProfile: patch.privateProfile ?? current.privateProfile,
  };
  const changed = (Object.keys(next) as Array<keyof typeof next>).filter(
    (key) => canonical(next[key]) !== canonical(current[key]),
  );
  if (changed.length === 0) return current;
  const [person] = await ctx.tx
    .update(people)
    .set({ ...next, searchText: searchTextOf(next.displayName, next.contacts), updatedAt: ctx.now })
    .where(eq(people.id, id))
    .returning();
  await ctx.emit({
    type: PeopleEvents.personUpdated,
    subject: { type: 'person', id },
    payload: { changed, ...Object.fromEntries(changed.map((key) => [key, next[key]])) },
  });
  return person!;
}

export async function addIdentity(
  ctx: ServiceContext,
  personId: string,
  identity: { provider: string; externalId: string },
  within?: string,
) {
  const field = within === undefined ? 'externalId' : `${within}.externalId`;
  await livePerson(ctx.tx, personId);
  const provider = identity.provider.trim().toLowerCase();
  // Emails are case-insensitive; other providers' ids are kept exactly as they come.
  const externalId = provider === 'email' ? identity.externalId.trim().toLowerCase() : identity.externalId.trim();
  const [holder] = await ctx.tx
    .select({ personId: personIdentities.personId })
    .from(personIdentities)
    .where(and(eq(personIdentities.provider, provider), eq(personIdentities.externalId, externalId)));
  if (holder) {
    if (holder.personId === personId) throw PeopleError.conflict(`This person already has the ${provider} identity ${externalId}.`, field);
    throw PeopleError.conflict(`The ${provider} identity ${externalId} already belongs to another person.`, field);
  }
  const row = { id: uuidv7(), personId, provider, externalId, createdAt: ctx.now };
  try {
    await ctx.tx.insert(personIdentities).values(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw PeopleError.conflict(`The ${provider} identity ${externalId} already belongs to another person.`, field);
    throw error;
  }
  await ctx.emit({ type: PeopleEvents.identityAdded, subject: { type: 'person', id: personId }, payload: { provider, externalId } });
  return { id: row.id, provider, externalId, createdAt: ctx.now.toISOString() };
}

export async function removeIdentity(ctx: ServiceContext, personId: string, identityId: string): Promise<void> {
  await livePerson(ctx.tx, personId);
  const [removed] = UUID.test(identityId)
    ? await ctx.tx
        .delete(personIdentities)
        .where(and(eq(personIdentities.id, identityId), eq(personIdentities.personId, personId)))
        .returning()
    : [];
  if (!removed) throw PeopleError.notFound('This person has no such identity.');
  await ctx.emit({
    type: PeopleEvents.identityRemoved,
    subject: { type: 'person', id: personId },
    payload: { provider: removed.provider, externalId: removed.externalId },
  });
}

/** The person found by an identity, if any (member sign-in uses it). */
export async function personByIdentity(db: Executor, provider: string, externalId: string): Promise<Person | undefined> {
  const [row] = await db
    .select({ person: people })
    .from(personIdentities)
    .innerJoin(people, eq(people.id, personIdentities.personId))
    .where(and(eq(personIdentities.provider, provider), eq(personIdentities.externalId, externalId)));
  return row?.person;
}

// ------------------------------------------------------------------ blocking and erasure

export async function blockPerson(ctx: ServiceContext, id: string, input: { reason: string; note?: string }): Promise<Person> {
  const person = await livePerson(ctx.tx, id);
  const [reason] = await ctx.tx.select().from(blockReasons).where(eq(blockReasons.key, input.reason));
  if (!reason || !reason.active) throw PeopleError.invalid('reason', `must be one of the active block reasons (see /api/console/block-reasons)`);
  if (person.status === 'blocked') throw PeopleError.conflict('This person is already blocked.');
  const [blocked] = await ctx.tx
    .update(people)
    .set({ status: 'blocked', blockReason: reason.key, blockNote: input.note?.trim() || null, blockedAt: ctx.now, updatedAt: ctx.now })
    .where(eq(people.id, id))
    .returning();
  await ctx.emit({
    type: PeopleEvents.personBlocked,
    subject: { type: 'person', id },
    payload: { reason: reason.key, note: input.note?.trim() || null },
  });
  return blocked!;
}

export async function unblockPerson(ctx: ServiceContext, id: string): Promise<Person> {
  const person = await livePerson(ctx.tx, id);
  if (person.status !== 'blocked') throw PeopleError.conflict('This person is not blocked.');
  const [unblocked] = await ctx.tx
    .update(people)
    .set({ status: 'active', blockReason: null, blockNote: null, blockedAt: null, updatedAt: ctx.now })
    .where(eq(people.id, id))
    .returning();
  await ctx.emit({ type: PeopleEvents.personUnblocked, subject: { type: 'person', id }, payload: {} });
  return unblocked!;
}

/**
 * Erasure on request: personal fields, identities, notes and memberships go; the row stays as
 * "deleted" so ledger entries and the event history keep pointing at it, with the events about the
 * person pseudonymised.
 */
export async function erasePerson(ctx: ServiceContext, id: string): Promise<Person> {
  await livePerson(ctx.tx, id);
  await ctx.tx.delete(personIdentities).where(eq(personIdentities.personId, id));
  await ctx.tx.delete(notes).where(and(eq(notes.subjectType, 'person'), eq(notes.subjectId, id)));
  await ctx.tx.delete(organizationMembers).where(eq(organizationMembers.personId, id));
  const [erased] = await ctx.tx
    .update(people)
    .set({
      displayName: 'Erased person',
      status: 'deleted',
      locale: null,
      timeZone: null,
      contacts: [],
      tags: [],
      publicProfile: {},
      privateProfile: {},
      blockReason: null,
      blockNote: null,
      blockedAt: null,
      searchText: '',
      updatedAt: ctx.now,
    })
    .where(eq(people.id, id))
    .returning();
  const pseudonymised = await pseudonymiseSubjectEvents(ctx.tx, 'person', id);
  await ctx.emit({ type: PeopleEvents.personErased, subject: { type: 'person', id }, payload: { eventsPseudonymised: pseudonymised } });
  return erased!;
}

// ------------------------------------------------------------------ block reasons

export async function listBlockReasons(db: Executor) {
  const rows = await db.select().from(blockReasons).orderBy(asc(blockReasons.label));
  return rows.map((r) => ({ key: r.key, label: r.label, active: r.active }));
}

export async function saveBlockReason(ctx: ServiceContext, input: { key: string; label: string; active?: boolean }) {
  const row = { key: input.key, label: input.label.trim(), active: input.active ?? true };
  await ctx.tx
    .insert(blockReasons)
    .values({ ...row, createdAt: ctx.now })
    .onConflictDoUpdate({ target: blockReasons.key, set: { label: row.label, active: row.active } });
  await ctx.emit({ type: PeopleEvents.blockReasonSaved, subject: { type: 'block_reason', id: row.key }, payload: row });
  return row;
}

export const DEFAULT_BLOCK_REASONS = [
  { key: 'spam', label: 'Spam or scam' },
  { key: 'abuse', label: 'Abuse or harassment' },
  { key: 'fraud', label: 'Payment fraud' },
  { key: 'nudity', label: 'Nudity or sexual content' },
  { key: 'underage', label: 'Underage' },
  { key: 'other', label: 'Other' },
];

// ------------------------------------------------------------------ organizations

export interface OrganizationInput {
  name: string;
  kind: string;
  status?: Organization['status'];
  details?: Record<string, unknown>;
  tags?: string[];
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

export async function createOrganization(ctx: ServiceContext, input: OrganizationInput): Promise<Organization> {
  const id = uuidv7();
  const [organization] = await ctx.tx
    .insert(organizations)
    .values({
      id,
      name: input.name.trim(),
      kind: input.kind.trim().toLowerCase(),
      status: input.status ?? 'active',
      details: input.details ?? {},
      tags: cleanTags(input.tags ?? []),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  await ctx.emit({
    type: PeopleEvents.organizationCreated,
    subject: { type: 'organization', id },
    payload: { name: organization!.name, kind: organization!.kind },
  });
  return organization!;
}

export async function getOrganization(db: Executor, id: string): Promise<Organization> {
  const [organization] = UUID.test(id) ? await db.select().from(organizations).where(eq(organizations.id, id)) : [];
  if (!organization) throw PeopleError.notFound('No such organization.');
  return organization;
}

export async function organizationDetail(db: Executor, id: string) {
  const organization = await getOrganization(db, id);
  const members = await db
    .select({ personId: people.id, displayName: people.displayName, status: people.status, role: organizationMembers.role, since: organizationMembers.createdAt })
    .from(organizationMembers)
    .innerJoin(people, eq(people.id, organizationMembers.personId))
    .where(eq(organizationMembers.organizationId, id))
    .orderBy(sql`lower(${people.displayName})`);
  return {
    ...organizationSummary(organization, members.length),
    memberList: members.map((m) => ({ ...m, since: m.since.toISOString() })),
  };
}

export async function listOrganizations(
  db: Executor,
  query: { q?: string; status?: Organization['status']; kind?: string; tag?: string; cursor?: string; limit: number },
) {
  const conditions: Array<SQL | undefined> = [];
  const q = query.q?.trim();
  if (q) {
    const matches: SQL[] = [sql`lower(${organizations.name}) LIKE ${likePattern(q)}`];
    if (UUID.test(q)) matches.push(eq(organizations.id, q.toLowerCase()));
    conditions.push(or(...matches));
  }
  if (query.status) conditions.push(eq(organizations.status, query.status));
  if (query.kind) conditions.push(eq(organizations.kind, query.kind.trim().toLowerCase()));
  if (query.tag) conditions.push(sql`${organizations.tags} @> ARRAY[${query.tag.trim().toLowerCase()}]::text[]`);
  const after = decodeCursor<[string, string]>(query.cursor, ['string', 'uuid']);
  if (after) conditions.push(sql`(lower(${organizations.name}), ${organizations.id}) > (${after[0]}, ${after[1]}::uuid)`);
  const rows = await db
    .select({
      organization: organizations,
      members: sql<number>`(SELECT count(*)::int FROM ${organizationMembers} WHERE ${organizationMembers.organizationId} = ${organizations.id})`,
    })
    .from(organizations)
    .where(and(...conditions))
    .orderBy(sql`lower(${organizations.name})`, asc(organizations.id))
    .limit(query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (r) => [r.organization.name.toLowerCase(), r.organization.id],
    (r) => organizationSummary(r.organization, Number(r.members)),
  );
}

export async function updateOrganization(ctx: ServiceContext, id: string, patch: Partial<OrganizationInput>): Promise<Organization> {
  const [current] = UUID.test(id) ? await ctx.tx.select().from(organizations).where(eq(organizations.id, id)).for('update') : [];
  if (!current) throw PeopleError.notFound('No such organization.');
  const next = {
    name: patch.name?.trim() ?? current.name,
    kind: patch.kind?.trim().toLowerCase() ?? current.kind,
    status: patch.status ?? current.status,
    details: patch.details ?? current.details,
    tags: patch.tags ? cleanTags(patch.tags) : current.tags,
  };
  const changed = (Object.keys(next) as Array<keyof typeof next>).filter(
    (key) => canonical(next[key]) !== canonical(current[key]),
  );
  if (changed.length === 0) return current;
  const [organization] = await ctx.tx.update(organizations).set({ ...next, updatedAt: ctx.now }).where(eq(organizations.id, id)).returning();
  await ctx.emit({
    type: PeopleEvents.organizationUpdated,
    subject: { type: 'organization', id },
    payload: { changed, ...Object.fromEntries(changed.map((key) => [key, next[key]])) },
  });
  return organization!;
}

export async function setMember(ctx: ServiceContext, organizationId: string, personId: string, role: 'owner' | 'manager' | 'member') {
  await getOrganization(ctx.tx, organizationId);
  await livePerson(ctx.tx, personId).catch((error: unknown) => {
    if (error instanceof Error && error.message === 'No such person.') throw PeopleError.invalid('personId', 'names no person', 'params');
    throw error;
  });
  await ctx.tx
    .insert(organizationMembers)
    .values({ organizationId, personId, role, createdAt: ctx.now })
    .onConflictDoUpdate({ target: [organizationMembers.organizationId, organizationMembers.personId], set: { role } });
  await ctx.emit({
    type: PeopleEvents.memberSet,
    subject: { type: 'organization', id: organizationId },
    payload: { personId, role },
  });
}

export async function removeMember(ctx: ServiceContext, organizationId: string, personId: string) {
  await getOrganization(ctx.tx, organizationId);
  const [removed] = UUID.test(personId)
    ? await ctx.tx
        .delete(organizationMembers)
        .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.personId, personId)))
        .returning()
    : [];
  if (!removed) throw PeopleError.notFound('This person is not a member of this organization.');
  await ctx.emit({ type: PeopleEvents.memberRemoved, subject: { type: 'organization', id: organizationId }, payload: { personId } });
}

// ------------------------------------------------------------------ notes and timeline (people and organizations alike)

/** Display names of people and organizations by id, for modules that show whose records they list. */
export async function subjectNames(db: Executor, refs: Array<{ type: SubjectType; id: string }>): Promise<Map<string, string>> {
  const ids = (type: SubjectType) => [...new Set(refs.filter((r) => r.type === type).map((r) => r.id))];
  const [personRows, organizationRows] = await Promise.all([
    ids('person').length ? db.select({ id: people.id, name: people.displayName }).from(people).where(inArray(people.id, ids('person'))) : [],
    ids('organization').length
      ? db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, ids('organization')))
      : [],
  ]);
  return new Map([...personRows, ...organizationRows].map((row) => [row.id, row.name]));
}

export async function assertSubject(db: Executor, type: SubjectType, id: string): Promise<void> {
  if (type === 'person') await getPerson(db, id);
  else await getOrganization(db, id);
}

export async function addNote(ctx: ServiceContext, type: SubjectType, id: string, author: { id: string; name: string }, body: string) {
  if (type === 'person') await livePerson(ctx.tx, id);
  else await getOrganization(ctx.tx, id);
  const note = { id: uuidv7(), subjectType: type, subjectId: id, authorId: author.id, authorName: author.name, body: body.trim(), createdAt: ctx.now };
  await ctx.tx.insert(notes).values(note);
  await ctx.emit({ type: PeopleEvents.noteAdded, subject: { type, id }, payload: { noteId: note.id, body: note.body } });
  return noteView(note);
}

const noteView = (n: typeof notes.$inferSelect) => ({
  id: n.id,
  authorId: n.authorId,
  authorName: n.authorName,
  body: n.body,
  createdAt: n.createdAt.toISOString(),
});

export async function listNotes(db: Executor, type: SubjectType, id: string, cursor: string | undefined, limit: number) {
  await assertSubject(db, type, id);
  const before = decodeCursor<[string]>(cursor, ['uuid']);
  const rows = await db
    .select()
    .from(notes)
    .where(and(eq(notes.subjectType, type), eq(notes.subjectId, id), before ? lt(notes.id, before[0]) : undefined))
    .orderBy(desc(notes.id))
    .limit(limit + 1);
  return toPage(rows, limit, (n) => [n.id], noteView);
}

/**
 * Everything that ever happened to this person or organization: the top-level event-log entries about
 * it, newest first, each with how many events it consists of (a call's ring, accept, billing and end).
 */
export async function timeline(db: Executor, visibility: EventVisibility, type: SubjectType, id: string, beforeId: number | undefined, limit: number) {
  await assertSubject(db, type, id);
  const rows = await listEvents(db, { visibility, subjectType: type, subjectId: id, beforeId, topLevel: true, limit: limit + 1 });
  const counts = await childCounts(db, visibility, rows.map((e) => e.id));
  return rows.map((e) => ({ ...e, children: counts.get(e.id) ?? 0 }));
}

/** The events one entry of this subject's timeline consists of; 404 when the entry is not about it. */
export async function timelineChildren(db: Executor, visibility: EventVisibility, type: SubjectType, id: string, eventId: number) {
  await assertSubject(db, type, id);
  const [parent] = await listEvents(db, { visibility, subjectType: type, subjectId: id, beforeId: eventId + 1, limit: 1 });
  if (parent?.id !== eventId) throw PeopleError.notFound('No such event on this timeline.');
  return childEvents(db, visibility, eventId, 500);
}
