import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { PeopleError } from './errors.ts';
import { PeopleEvents } from './events.ts';
import { addIdentity, identitiesOf } from './identities.ts';
import { canonical, cleanTags, likePattern, livePerson, UUID } from './internal.ts';
import { getOrganization, membershipsOf } from './organizations.ts';
import { blockReasons, organizations, people, personIdentities, type ContactPoint } from './schema.ts';
import { personDetailView, personSummary } from './views.ts';

export type Person = typeof people.$inferSelect;
export type SubjectType = 'person' | 'organization';

const searchTextOf = (name: string, contacts: ContactPoint[]) => [name, ...contacts.map((c) => c.value)].join(' ').toLowerCase();

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

export async function personDetail(db: Executor, id: string) {
  const person = await getPerson(db, id);
  const identities = await identitiesOf(db, id);
  const memberships = await membershipsOf(db, id);
  return personDetailView(person, identities, memberships);
}

/** The people with these ids that exist, in no particular order. */
export async function getPeople(db: Executor, ids: string[]): Promise<Person[]> {
  return ids.length ? db.select().from(people).where(uuidIn(people.id, ids)) : [];
}

/**
 * The people another module keeps a table of (streamers, app users): its column of person ids, and
 * optionally columns of the same table that must hold a value (an undefined value sets no condition).
 * People turns it into a subquery, so the list still walks its own name index however many there are.
 */
export interface PersonScope {
  personId: AnyPgColumn;
  where?: Array<[column: AnyPgColumn, value: string | undefined]>;
}

const scopeCondition = (scope: PersonScope): SQL => {
  const where = (scope.where ?? []).flatMap(([column, value]) => (value === undefined ? [] : [eq(column, value)]));
  return sql`${people.id} IN (SELECT ${scope.personId} FROM ${scope.personId.table}${where.length ? sql` WHERE ${and(...where)}` : sql``})`;
};

export interface PeopleQuery {
  q?: string;
  status?: Person['status'];
  tag?: string;
  cursor?: string;
  limit: number;
  /** Only these people: how another module lists its own kind of person with the same search and order. */
  within?: PersonScope;
}

/**
 * Alphabetical, keyset-paginated. `q` finds a person by part of the name or a contact, by their id, or
 * by any identity's external id (a Telegram id, an email, an app uid), exactly.
 */
export const listPeople = (db: Executor, query: PeopleQuery) => listPeopleWhere(db, query, query.within && scopeCondition(query.within));

async function listPeopleWhere(db: Executor, query: Omit<PeopleQuery, 'within'>, within: SQL | undefined) {
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
  if (within) conditions.push(within);
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
  const changed = (Object.keys(next) as Array<keyof typeof next>).filter((key) => canonical(next[key]) !== canonical(current[key]));
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

// ------------------------------------------------------------------ people and organizations alike

/** Display names of people and organizations by id, for modules that show whose records they list. */
export async function subjectNames(db: Executor, refs: Array<{ type: SubjectType; id: string }>): Promise<Map<string, string>> {
  const ids = (type: SubjectType) => [...new Set(refs.filter((r) => r.type === type).map((r) => r.id))];
  const [personRows, organizationRows] = await Promise.all([
    ids('person').length
      ? db
          .select({ id: people.id, name: people.displayName })
          .from(people)
          .where(inArray(people.id, ids('person')))
      : [],
    ids('organization').length
      ? db
          .select({ id: organizations.id, name: organizations.name })
          .from(organizations)
          .where(inArray(organizations.id, ids('organization')))
      : [],
  ]);
  return new Map([...personRows, ...organizationRows].map((row) => [row.id, row.name]));
}

export async function assertSubject(db: Executor, type: SubjectType, id: string): Promise<void> {
  if (type === 'person') await getPerson(db, id);
  else await getOrganization(db, id);
}

/** How many active people carry a tag (an audience's size). */
export async function countWithTag(db: Executor, tag: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(people)
    .where(and(sql`${people.tags} @> ARRAY[${tag}]::text[]`, eq(people.status, 'active')));
  return row?.n ?? 0;
}

/** Active people with a tag, in id order after `after`: a bulk job walks them chunk by chunk. */
export async function idsWithTag(db: Executor, tag: string, after: string | null, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: people.id })
    .from(people)
    .where(and(sql`${people.tags} @> ARRAY[${tag}]::text[]`, eq(people.status, 'active'), after ? sql`${people.id} > ${after}::uuid` : undefined))
    .orderBy(asc(people.id))
    .limit(limit);
  return rows.map((row) => row.id);
}
