import { eq } from 'drizzle-orm';
import type { Executor } from '../../core/db/client.ts';
import { PeopleError } from './errors.ts';
import { people } from './schema.ts';
import type { Person } from './people.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
export const cleanTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
/** JSON with object keys sorted: jsonb returns objects in its own key order, which is no change. */
export const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

/** A person that can still be changed: an erased one is gone for good. */
export async function livePerson(tx: Executor, id: string): Promise<Person> {
  const [person] = UUID.test(id) ? await tx.select().from(people).where(eq(people.id, id)).for('update') : [];
  if (!person) throw PeopleError.notFound('No such person.');
  if (person.status === 'deleted') throw PeopleError.conflict('This person was erased; their record can no longer change.');
  return person;
}
