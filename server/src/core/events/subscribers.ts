import { and, asc, eq, sql } from 'drizzle-orm';
import type { Kernel, ServiceContext } from '../kernel.ts';
import type { SubscriberDef } from '../module.ts';
import { systemActor } from '../actor.ts';
import { queryRows } from '../db/sql.ts';
import { eventSubscriptions } from './schema.ts';
import type { StoredEvent } from './types.ts';
import type { Executor } from '../db/client.ts';

/** Every durable subscriber's position and retry state, by name. */
export const listSubscriptions = (db: Executor) => db.select().from(eventSubscriptions).orderBy(asc(eventSubscriptions.name));

const BATCH = 100;
const POLL_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.max(0, attempts - 1));
}

interface EventRow {
  id: string | number;
  tx_id: string | number;
  type: string;
  subject_type: string | null;
  subject_id: string | null;
  actor_type: StoredEvent['actorType'];
  actor_id: string | null;
  payload: Record<string, unknown>;
  parent_id: string | number | null;
  created_at: string | Date;
}

const toEvent = (row: EventRow): StoredEvent => ({
  id: Number(row.id),
  txId: Number(row.tx_id),
  type: row.type,
  subjectType: row.subject_type,
  subjectId: row.subject_id,
  actorType: row.actor_type,
  actorId: row.actor_id,
  payload: row.payload,
  parentId: row.parent_id === null ? null : Number(row.parent_id),
  createdAt: new Date(row.created_at),
});

/**
 * Runs durable subscribers. Reading order is (tx_id, id): an event becomes readable only once every
 * transaction that started before its own has finished (`tx_id < xmin` of the current snapshot), so a
 * slow transaction's event can never be skipped by a cursor that already moved past a later one.
 * Each event is handled in a transaction that also advances the cursor; a failure rolls both back and
 * schedules a retry with exponential backoff, kept in the database so it survives restarts.
 */
export class SubscriberRunner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private wakeRequested = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly kernel: Kernel,
    private readonly subscribers: SubscriberDef[],
  ) {}

  async start(): Promise<void> {
    if (this.subscribers.length === 0) return;
    for (const subscriber of this.subscribers) {
      await this.kernel.db.insert(eventSubscriptions).values({ name: subscriber.name }).onConflictDoNothing();
    }
    this.unsubscribe = this.kernel.bus.subscribe((message) => {
      if (message.kind === 'event' && this.subscribers.some((s) => (s.types as string[]).includes(message.event.type))) this.wake();
    });
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Resolves when the runner has caught up with everything currently readable (used by tests). */
  async drain(): Promise<void> {
    await this.idle;
    await this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.idle;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.idle = this.runOnce().finally(() => {
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : POLL_MS);
      });
    }, delay);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const subscriber of this.subscribers) {
        if (this.stopped) break;
        try {
          while ((await this.step(subscriber)) === 'more' && !this.stopped);
        } catch (error) {
          this.kernel.log.error({ err: error, subscriber: subscriber.name }, 'subscriber bookkeeping failed');
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Handles the next batch of one subscriber; returns 'more' while there may be more to read. */
  private async step(subscriber: SubscriberDef): Promise<'more' | 'done'> {
    const { db } = this.kernel;
    const [state] = await db.select().from(eventSubscriptions).where(eq(eventSubscriptions.name, subscriber.name));
    if (!state) return 'done';
    const now = this.kernel.now();
    if (state.nextAttemptAt && state.nextAttemptAt > now) return 'done';
    const rows = await queryRows<EventRow>(
      db,
      sql`SELECT id, tx_id, type, subject_type, subject_id, actor_type, actor_id, payload, parent_id, created_at
          FROM event_log
          WHERE (tx_id, id) > (${state.positionTx}, ${state.positionId})
            AND tx_id < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
            AND type IN (${sql.join(
              subscriber.types.map((t) => sql`${t}`),
              sql`, `,
            )})
          ORDER BY tx_id, id
          LIMIT ${BATCH}`,
    );
    for (const row of rows) {
      const event = toEvent(row);
      try {
        await this.deliver(subscriber, event, state.positionTx, state.positionId);
        state.positionTx = event.txId;
        state.positionId = event.id;
      } catch (error) {
        if (error instanceof CursorMovedError) return 'more';
        const attempts = state.attempts + 1;
        const message = error instanceof Error ? error.message : String(error);
        this.kernel.log.warn({ err: error, subscriber: subscriber.name, eventId: event.id, attempts }, 'subscriber failed');
        await db
          .update(eventSubscriptions)
          .set({
            attempts,
            lastError: message.slice(0, 2000),
            nextAttemptAt: new Date(this.kernel.now().getTime() + backoffMs(attempts)),
            updatedAt: this.kernel.now(),
          })
          .where(eq(eventSubscriptions.name, subscriber.name));
        const retryIn = backoffMs(attempts);
        if (!this.stopped) setTimeout(() => this.wake(), retryIn).unref();
        return 'done';
      }
      state.attempts = 0;
    }
    return rows.length === BATCH ? 'more' : 'done';
  }

  private async deliver(subscriber: SubscriberDef, event: StoredEvent, fromTx: number, fromId: number): Promise<void> {
    await this.kernel.write(systemActor(`subscriber:${subscriber.name}`), async (ctx: ServiceContext) => {
      // Advance only from where we read: if another process moved the cursor meanwhile, this delivery is void.
      const advanced = await ctx.tx
        .update(eventSubscriptions)
        .set({ positionTx: event.txId, positionId: event.id, attempts: 0, lastError: null, nextAttemptAt: null, updatedAt: ctx.now })
        .where(and(eq(eventSubscriptions.name, subscriber.name), eq(eventSubscriptions.positionTx, fromTx), eq(eventSubscriptions.positionId, fromId)))
        .returning({ name: eventSubscriptions.name });
      if (advanced.length === 0) throw new CursorMovedError(subscriber.name);
      await subscriber.handle(event, ctx);
    });
  }
}

class CursorMovedError extends Error {
  constructor(name: string) {
    super(`cursor of ${name} moved in another process`);
  }
}
