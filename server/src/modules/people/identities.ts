import { and, asc, eq } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { isUniqueViolation } from '../../core/db/sql.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { PeopleError } from './errors.ts';
import { PeopleEvents } from './events.ts';
import { livePerson, UUID } from './internal.ts';
import type { Person } from './people.ts';
import { people, personIdentities } from './schema.ts';
import { identityView } from './views.ts';

export async function addIdentity(ctx: ServiceContext, personId: string, identity: { provider: string; externalId: string }, within?: string) {
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
  return identityView(row);
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

/** A person's identities, by provider and external id. */
export async function identitiesOf(db: Executor, personId: string) {
  return db
    .select()
    .from(personIdentities)
    .where(eq(personIdentities.personId, personId))
    .orderBy(asc(personIdentities.provider), asc(personIdentities.externalId));
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
