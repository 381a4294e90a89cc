import PgBoss from 'pg-boss';
import { sql, type SQL } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseHandle, Executor } from './db/client.ts';
import type { Kernel } from './kernel.ts';
import type { JobDef } from './module.ts';

export interface Jobs {
  /**
   * Enqueues a job for a module's handler; it runs at least once, with retries. Given a transaction
   * (`ctx.tx`), the job is inserted in it: it exists if and only if that transaction commits.
   */
  send(name: string, data?: Record<string, unknown>, options?: PgBoss.SendOptions, tx?: Executor): Promise<string | null>;
  /** Many jobs in one statement (bulk work), in `tx` when given. */
  insert(jobs: Array<{ name: string; data: Record<string, unknown>; startAfterSeconds?: number }>, tx?: Executor): Promise<void>;
  stop(): Promise<void>;
}

/** pg-boss's `$1`-style SQL, run through a drizzle transaction so the job commits with the data. */
export function transactionalDb(tx: Executor): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const pieces = text.split(/\$(\d+)/);
      // pg-boss leaves unset options undefined; drizzle would drop an undefined parameter, SQL wants NULL.
      const chunks: SQL[] = pieces.map((piece, i) => (i % 2 === 0 ? sql.raw(piece) : sql`${values[Number(piece) - 1] ?? null}`));
      const result = (await tx.execute(sql.join(chunks, sql.raw('')))) as unknown as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}

/**
 * Installs (or upgrades) pg-boss's own tables without running anything: for migrated test snapshots and
 * templates, so an app started on a copy finds them ready (on PGlite the installation takes seconds).
 */
export async function installJobSchema(database: DatabaseHandle): Promise<void> {
  const boss = new PgBoss({ db: { executeSql: (text, values) => database.executeSql(text, values) }, schema: 'pgboss', schedule: false, supervise: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
}

/**
 * Jobs and cron on pg-boss, over the same database as everything else. On PGlite pg-boss talks through
 * our `executeSql`, which sends its multi-statement scripts through PGlite's `exec`.
 */
export async function startJobs(
  database: DatabaseHandle,
  definitions: JobDef[],
  kernel: () => Kernel,
  log: FastifyBaseLogger,
  options: { schedule: boolean },
): Promise<Jobs> {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) },
    schema: 'pgboss',
    schedule: options.schedule,
    supervise: true,
  });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  await boss.start();
  const known = new Set(definitions.map((job) => job.name));
  for (const job of definitions) {
    await boss.createQueue(job.name, {
      name: job.name,
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      ...(job.expireInSeconds ? { expireInSeconds: job.expireInSeconds } : {}),
    });
    await boss.work<Record<string, unknown>>(job.name, { pollingIntervalSeconds: job.pollingIntervalSeconds ?? 1 }, async (batch) => {
      for (const item of batch) await job.handle(item.data ?? {}, kernel());
    });
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
  }
  return {
    async send(name, data = {}, sendOptions = {}, tx) {
      if (!known.has(name)) throw new Error(`No job named ${name} is declared by an enabled module`);
      const id = await boss.send(name, data, tx ? { ...sendOptions, db: transactionalDb(tx) } : sendOptions);
      // pg-boss answers null when a singleton/throttle option suppressed the job: the caller decides.
      return id;
    },
    async insert(jobs, tx) {
      if (jobs.length === 0) return;
      for (const job of jobs) if (!known.has(job.name)) throw new Error(`No job named ${job.name} is declared by an enabled module`);
      const now = Date.now();
      const rows = jobs.map((job) => ({
        name: job.name,
        data: job.data,
        // insert() takes the queue's retry policy only for what is given: keep the one send() gets.
        retryLimit: 5,
        retryDelay: 5,
        retryBackoff: true,
        ...(job.startAfterSeconds ? { startAfter: new Date(now + job.startAfterSeconds * 1000) } : {}),
      }));
      await boss.insert(rows, tx ? { db: transactionalDb(tx) } : {});
    },
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 5000 }),
  };
}
