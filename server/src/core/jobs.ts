import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { DatabaseHandle } from './db/client.ts';
import type { Kernel } from './kernel.ts';
import type { JobDef } from './module.ts';

export interface Jobs {
  /** Enqueues a job for a module's handler; it runs at least once, with retries. */
  send(name: string, data?: Record<string, unknown>, options?: PgBoss.SendOptions): Promise<string | null>;
  stop(): Promise<void>;
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
  for (const job of definitions) {
    await boss.createQueue(job.name, { name: job.name, retryLimit: 5, retryDelay: 5, retryBackoff: true });
    await boss.work<Record<string, unknown>>(job.name, { pollingIntervalSeconds: 1 }, async (batch) => {
      for (const item of batch) await job.handle(item.data ?? {}, kernel());
    });
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
  }
  return {
    send: (name, data = {}, sendOptions = {}) => boss.send(name, data, sendOptions),
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 5000 }),
  };
}
