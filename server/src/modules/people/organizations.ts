import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { PeopleError } from './errors.ts';
import { PeopleEvents } from './events.ts';
import { canonical, cleanTags, likePattern, livePerson, UUID } from './internal.ts';
import { organizationMembers, organizations, people } from './schema.ts';
import { organizationDetailView, organizationSummary, type Membership } from './views.ts';

export type Organization = typeof organizations.$inferSelect;

export interface OrganizationInput {
  name: string;
  kind: string;
  status?: Organization['status'];
  details?: Record<string, unknown>;
  tags?: string[];
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
    .select({
      personId: people.id,
      displayName: people.displayName,
      status: people.status,
      role: organizationMembers.role,
      since: organizationMembers.createdAt,
    })
    .from(organizationMembers)
    .innerJoin(people, eq(people.id, organizationMembers.personId))
    .where(eq(organizationMembers.organizationId, id))
    .orderBy(sql`lower(${people.displayName})`);
  return organizationDetailView(organization, members);
}

/** The organizations a person belongs to, by name. */
export async function membershipsOf(db: Executor, personId: string): Promise<Membership[]> {
  return db
    .select({ organizationId: organizations.id, name: organizations.name, kind: organizations.kind, role: organizationMembers.role })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
    .where(eq(organizationMembers.personId, personId))
    .orderBy(sql`lower(${organizations.name})`);
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
  const changed = (Object.keys(next) as Array<keyof typeof next>).filter((key) => canonical(next[key]) !== canonical(current[key]));
  if (changed.length === 0) return current;
  const [organization] = await ctx.tx
    .update(organizations)
    .set({ ...next, updatedAt: ctx.now })
    .where(eq(organizations.id, id))
    .returning();
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
