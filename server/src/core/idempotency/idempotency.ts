import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../actor.ts';
import type { Kernel, ServiceContext } from '../kernel.ts';
import { HttpProblem, problemBody } from '../http/problem.ts';
import { idempotencyKeys } from './schema.ts';

/** Keys are kept at least this long; a replay after that acts again. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** The header every money-moving route requires (declare it with `schema.headers`). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 8,
    maxLength: 200,
    pattern: '^[\\x21-\\x7e]+$',
    description: `A unique key per intended operation (a UUID): repeating the request with it returns the first answer without acting again, for ${IDEMPOTENCY_RETENTION_HOURS} hours.`,
  }),
});

export interface Outcome<T> {
  status: number;
  body: T;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function fingerprintOf(request: FastifyRequest): string {
  const what = { method: request.method, route: request.routeOptions.url, params: request.params, query: request.query, body: request.body ?? null };
  return createHash('sha256').update(JSON.stringify(canonical(what))).digest('hex');
}

/**
 * Runs a money-moving request once per key, as payment APIs do. The key row is inserted first in the
 * request's transaction: a concurrent request with the same key waits on it (the unique index) until
 * this one commits, then finds the answer. Refusals (4xx) are answers too: the work is rolled back to a
 * savepoint and the refusal is stored, so a replay cannot succeed later where the first attempt failed.
 * A 5xx stores nothing, so the client may retry.
 */
export async function idempotent<T>(
  kernel: Kernel,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  work: (ctx: ServiceContext) => Promise<Outcome<T>>,
): Promise<FastifyReply> {
  const key = String(request.headers['idempotency-key'] ?? '');
  const scope = `${actor.type}:${actor.id}`;
  const fingerprint = fingerprintOf(request);
  const instance = request.url.split('?')[0] ?? request.url;
  const { outcome, replayed } = await kernel.write(actor, async (ctx) => {
    const claimed = await ctx.tx
      .insert(idempotencyKeys)
      .values({ scope, key, fingerprint, status: 0, body: {}, createdAt: ctx.now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [first] = await ctx.tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (!first) throw new HttpProblem(409, 'Conflict', 'A request with this Idempotency-Key is still being processed; retry shortly.');
      if (first.fingerprint !== fingerprint) {
        throw new HttpProblem(422, 'Unprocessable Content', 'This Idempotency-Key was used for a different request; use a new key for a new operation.', {
          errors: [{ field: 'headers.idempotency-key', message: 'was used with other parameters' }],
        });
      }
      return { outcome: { status: first.status, body: first.body as T }, replayed: true };
    }
    let outcome: Outcome<unknown>;
    try {
      outcome = await ctx.savepoint(work);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.status >= 500) throw error;
      outcome = { status: error.status, body: problemBody(error.status, error.title, error.detail, instance, error.extra) };
    }
    await ctx.tx
      .update(idempotencyKeys)
      .set({ status: outcome.status, body: outcome.body as object })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return { outcome: outcome as Outcome<T>, replayed: false };
  });
  if (replayed) reply.header('idempotent-replayed', 'true');
  if (outcome.status >= 400) reply.type('application/problem+json');
  return reply.code(outcome.status).send(outcome.body);
}

/** Forgets keys older than the retention period (an hourly job). */
export async function purgeIdempotencyKeys(kernel: Kernel): Promise<number> {
  const cutoff = new Date(kernel.now().getTime() - IDEMPOTENCY_RETENTION_HOURS * 3600_000);
  const deleted = await kernel.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).returning({ key: idempotencyKeys.key });
  return deleted.length;
}
