import { and, desc, eq, lt } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { PeopleEvents } from './events.ts';
import { livePerson } from './internal.ts';
import { getOrganization } from './organizations.ts';
import { assertSubject, type SubjectType } from './people.ts';
import { notes } from './schema.ts';
import { noteView } from './views.ts';

/** Staff notes, on people and organizations alike. */
export async function addNote(ctx: ServiceContext, type: SubjectType, id: string, author: { id: string; name: string }, body: string) {
  if (type === 'person') await livePerson(ctx.tx, id);
  else await getOrganization(ctx.tx, id);
  const note = { id: uuidv7(), subjectType: type, subjectId: id, authorId: author.id, authorName: author.name, body: body.trim(), createdAt: ctx.now };
  await ctx.tx.insert(notes).values(note);
  await ctx.emit({ type: PeopleEvents.noteAdded, subject: { type, id }, payload: { noteId: note.id, body: note.body } });
  return noteView(note);
}

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
