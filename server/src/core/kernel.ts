import type { FastifyBaseLogger } from 'fastify';
import type { SQL } from 'drizzle-orm';
import type { Actor } from './actor.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle, Executor } from './db/client.ts';
import type { Bus } from './events/bus.ts';
import { appendEvents } from './events/log.ts';
import type { NewEvent, StoredEvent } from './events/types.ts';
import type { Catalogue } from './module.ts';
import type { Jobs } from './jobs.ts';
import type { MemberAuthenticator, StaffAuthenticator } from './auth.ts';
import type { PrincipalSource } from './access.ts';
import type { Notifier } from './notifications.ts';

/** Reads settings from memory; a change anywhere (any process) reaches every process through the bus. */
export interface SettingsReader {
  get<T = unknown>(key: string): T;
}

/** What a service function gets: the open transaction, who acts, the time of the act, and the event log. */
export interface ServiceContext {
  tx: Executor;
  actor: Actor;
  now: Date;
  kernel: Kernel;
  /** Appends an event in this transaction; it is published on the bus after commit. */
  emit(event: NewEvent): Promise<StoredEvent>;
  /** Appends several events in one statement, in order, after `prelude` (a `WITH …` of writes that go with them). */
  emitMany(events: NewEvent[], prelude?: SQL): Promise<StoredEvent[]>;
  /** Runs after a successful commit (e.g. to drop caches); never for a rolled-back transaction. */
  afterCommit(effect: () => void): void;
  /**
   * Enqueues a job in this transaction: it runs if and only if the transaction commits; `startAfterSeconds`
   * delays it (a durable timer: it fires after a restart too).
   */
  enqueue(job: string, data?: Record<string, unknown>, options?: { startAfterSeconds?: number }): Promise<void>;
  /** Many jobs in one statement, in this transaction (bulk work). */
  enqueueMany(jobs: Array<{ name: string; data: Record<string, unknown>; startAfterSeconds?: number }>): Promise<void>;
  /**
   * Runs `work` in a savepoint: if it throws, its writes, events and after-commit effects are undone
   * and the error is rethrown, while the outer transaction goes on (e.g. to record a refusal).
   */
  savepoint<T>(work: (ctx: ServiceContext) => Promise<T>): Promise<T>;
}

export interface Kernel {
  config: Config;
  database: DatabaseHandle;
  db: Executor;
  bus: Bus;
  log: FastifyBaseLogger;
  catalogue: Catalogue;
  jobs: Jobs;
  /** Resolves console session tokens; provided by the staff module. */
  authenticator: StaffAuthenticator;
  /** Verifies client apps' member tokens; provided by the members module when it is enabled. */
  memberAuthenticator?: MemberAuthenticator;
  /** Staff users' access for checks outside a request; provided by the staff module. */
  principals?: PrincipalSource;
  /** Sends notifications; provided by the notifications module when it is enabled. */
  notifier?: Notifier;
  /** Current values of the modules' settings; provided by the settings module. */
  settings: SettingsReader;
  /** Open live streams, closed when the server shuts down. */
  openStreams: Set<{ close(reason?: string): void }>;
  /** Lines for the start-up banner (e.g. the generated first administrator password). */
  notices: string[];
  now(): Date;
  /** Runs `work` in one transaction with an event-appending context; publishes its events after commit. */
  write<T>(actor: Actor, work: (ctx: ServiceContext) => Promise<T>): Promise<T>;
}

const checkEvents = process.env.NODE_ENV !== 'production';

export function createWriter(kernel: Omit<Kernel, 'write'>): Kernel['write'] {
  return async (actor, work) => {
    const events: StoredEvent[] = [];
    const effects: Array<() => void> = [];
    const now = kernel.now();
    const contextFor = (tx: Executor): ServiceContext => {
      const ctx: ServiceContext = {
        tx,
        actor,
        now,
        kernel: kernel as Kernel,
        async emit(event) {
          const [stored] = await ctx.emitMany([event]);
          return stored!;
        },
        async emitMany(batch, prelude) {
          if (checkEvents) for (const event of batch) kernel.catalogue.assertEvent(event.type, event.payload);
          const stored = await appendEvents(tx, actor, now, batch, prelude);
          events.push(...stored);
          return stored;
        },
        afterCommit(effect) {
          effects.push(effect);
        },
        async enqueue(job, data = {}, options = {}) {
          // A time, not a number of seconds: pg-boss sends a number through as text the database cannot read as one.
          const startAfter = options.startAfterSeconds ? new Date(Date.now() + options.startAfterSeconds * 1000) : undefined;
          await kernel.jobs.send(job, data, startAfter ? { startAfter } : {}, tx);
        },
        async enqueueMany(jobs) {
          await kernel.jobs.insert(jobs, tx);
        },
        async savepoint(work) {
          const marks = [events.length, effects.length] as const;
          try {
            return await tx.transaction((inner) => work(contextFor(inner as unknown as Executor)));
          } catch (error) {
            events.length = marks[0];
            effects.length = marks[1];
            throw error;
          }
        },
      };
      return ctx;
    };
    const result = await kernel.db.transaction((tx) => work(contextFor(tx as unknown as Executor)));
    for (const effect of effects) effect();
    for (const event of events) kernel.bus.publish({ kind: 'event', event });
    return result;
  };
}

/** One instance of a service per running kernel (an app), made on first use: modules' stateful parts. */
export function perKernel<T>(make: (kernel: Kernel) => T): (kernel: Kernel) => T {
  const instances = new WeakMap<Kernel, T>();
  return (kernel) => {
    let instance = instances.get(kernel);
    if (instance === undefined) {
      instance = make(kernel);
      instances.set(kernel, instance);
    }
    return instance;
  };
}
