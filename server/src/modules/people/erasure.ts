import { and, eq } from 'drizzle-orm';
import { pseudonymiseSubjectEvents } from '../../core/events/log.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { PeopleEvents } from './events.ts';
import { livePerson } from './internal.ts';
import type { Person } from './people.ts';
import { notes, organizationMembers, people, personIdentities } from './schema.ts';
import { requireAccess } from '../../core/access.ts';

/**
 * Erasure on request: personal fields, identities, notes and memberships go; the row stays as
 * "deleted" so ledger entries and the event history keep pointing at it, with the events about the
 * person pseudonymised.
 */
export async function erasePerson(ctx: ServiceContext, id: string): Promise<Person> {
  await requireAccess(ctx, 'people.erase', [id]);
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
