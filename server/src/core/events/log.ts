import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../actor.ts';
import type { Executor } from '../db/client.ts';
import { eventLog } from './schema.ts';
import type { NewEvent, StoredEvent } from './types.ts';
import type { EventVisibility } from './visibility.ts';

/**
 * Appends events in one statement (in order); each is by `actor` unless it names its own. `prelude` is a
 * `WITH …` of other writes that must happen in the same statement (one round trip for a whole posting).
 */
export async function appendEvents(tx: Executor, actor: Actor, now: Date, events: NewEvent[], prelude?: SQL): Promise<StoredEvent[]> {
  if (events.length === 0) {
    if (prelude) await tx.execute(sql`${prelude} SELECT 1`);
    return [];
  }
  const values = sql.join(
    events.map((event) => {
      const by = event.actor ?? actor;
      return sql`(${event.type}, ${event.subject?.type ?? null}, ${event.subject?.id ?? null}, ${by.type}, ${by.id}, ${JSON.stringify(event.payload ?? {})}::jsonb, ${event.parentId ?? null}::bigint, ${now.toISOString()}::timestamptz)`;
    }),
    sql`, `,
  );
  const result = (await tx.execute(
    sql`${prelude ?? sql``} INSERT INTO event_log (type, subject_type, subject_id, actor_type, actor_id, payload, parent_id, created_at) VALUES ${values}
        RETURNING id, tx_id, type, subject_type, subject_id, actor_type, actor_id, payload, parent_id, created_at`,
  )) as unknown as { rows: Array<Record<string, unknown>> };
  return result.rows.map((row) => ({
    id: Number(row.id),
    txId: Number(row.tx_id),
    type: String(row.type),
    subjectType: (row.subject_type as string | null) ?? null,
    subjectId: (row.subject_id as string | null) ?? null,
    actorType: row.actor_type as Actor['type'],
    actorId: (row.actor_id as string | null) ?? null,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
  }));
}

/** Whether the log holds no event yet: a database that never recorded one is new. */
export async function logIsEmpty(db: Executor): Promise<boolean> {
  return (await db.select({ id: eventLog.id }).from(eventLog).limit(1)).length === 0;
}

/** Events after `afterId`, oldest first (a live stream's replay). */
export async function eventsAfter(db: Executor, afterId: number, limit: number): Promise<StoredEvent[]> {
  return (await db.select().from(eventLog).where(gt(eventLog.id, afterId)).orderBy(asc(eventLog.id)).limit(limit)) as StoredEvent[];
}

export interface EventFilter {
  /** Whose eyes the list is for: hidden events are left out. */
  visibility: EventVisibility;
  type?: string;
  subjectType?: string;
  subjectId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  /** Return events older than this id (the previous page's cursor). */
  beforeId?: number;
  /** Only events that are not part of another (no parent). */
  topLevel?: boolean;
  limit: number;
}

/** Newest first, keyset-paginated by id. */
export async function listEvents(db: Executor, filter: EventFilter): Promise<StoredEvent[]> {
  const conditions: SQL[] = [];
  if (filter.type) {
    conditions.push(eq(eventLog.type, filter.type));
  }
  if (filter.subjectType) conditions.push(eq(eventLog.subjectType, filter.subjectType));
  if (filter.subjectId) conditions.push(eq(eventLog.subjectId, filter.subjectId));
  if (filter.actorId) conditions.push(eq(eventLog.actorId, filter.actorId));
  if (filter.from) conditions.push(gte(eventLog.createdAt, filter.from));
  if (filter.to) conditions.push(lte(eventLog.createdAt, filter.to));
  if (filter.beforeId !== undefined) conditions.push(lt(eventLog.id, filter.beforeId));
  if (filter.topLevel) conditions.push(isNull(eventLog.parentId));
  if (filter.visibility.condition) conditions.push(filter.visibility.condition);
  const rows = await db
    .select()
    .from(eventLog)
    .where(and(...conditions))
    .orderBy(desc(eventLog.id))
    .limit(filter.limit);
  return rows as StoredEvent[];
}

/** How many visible events each of these top-level events consists of. */
export async function childCounts(db: Executor, visibility: EventVisibility, parentIds: number[]): Promise<Map<number, number>> {
  if (parentIds.length === 0) return new Map();
  const rows = await db
    .select({ parentId: eventLog.parentId, n: count() })
    .from(eventLog)
    .where(and(inArray(eventLog.parentId, parentIds), visibility.condition))
    .groupBy(eventLog.parentId);
  return new Map(rows.map((r) => [r.parentId!, r.n]));
}

/** The visible events a top-level event consists of, in the order they happened. */
export async function childEvents(db: Executor, visibility: EventVisibility, parentId: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .select()
    .from(eventLog)
    .where(and(eq(eventLog.parentId, parentId), visibility.condition))
    .orderBy(asc(eventLog.id))
    .limit(limit);
  return rows as StoredEvent[];
}

/** Replaces every string in a payload (at any depth) with a marker; numbers, flags and the shape stay. */
export function pseudonymisePayload(value: unknown): unknown {
  if (typeof value === 'string') return '[erased]';
  if (Array.isArray(value)) return value.map(pseudonymisePayload);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, pseudonymisePayload(inner)]));
  }
  return value;
}

/**
 * On an erasure request the history stays (what happened, when, by whom) but the events about the
 * subject lose the personal data their payloads carried. The subject's id is a random UUID whose
 * mapping to a person is itself erased.
 */
export async function pseudonymiseSubjectEvents(tx: Executor, subjectType: string, subjectId: string): Promise<number> {
  const rows = await tx
    .select({ id: eventLog.id, payload: eventLog.payload })
    .from(eventLog)
    .where(and(eq(eventLog.subjectType, subjectType), eq(eventLog.subjectId, subjectId)));
  for (const row of rows) {
    await tx
      .update(eventLog)
      .set({ payload: pseudonymisePayload(row.payload) as Record<string, unknown> })
      .where(eq(eventLog.id, row.id));
  }
  return rows.length;
}
