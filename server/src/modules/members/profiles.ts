import type { Executor } from '../../core/db/client.ts';
import { getPerson, type Person } from '../people/people.ts';
import { MembersError } from './errors.ts';

/** Someone a member looks up: a member who left is no longer shown. */
export async function otherMember(db: Executor, personId: string): Promise<Person> {
  const person = await getPerson(db, personId);
  if (person.status === 'deleted') throw MembersError.conflict('This member has left.');
  return person;
}
