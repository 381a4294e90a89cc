import { createHash } from 'node:crypto';
import { and, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../actor.ts';
import type { Executor } from '../../db/client.ts';
import type { Kernel, ServiceContext } from '../../kernel.ts';
import { defineErrors, DomainError } from '../../errors.ts';
import { domainProblem } from '../errors.ts';
import { HttpProblem, problemBody } from '../problem.ts';
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
  return createHash('sha256')
    .update(JSON.stringify(canonical(what)))
    .digest('hex');
}

/** What identifies one money-moving request: whose key, which key, what was asked, where. */
export interface KeyedRequest {
  scope: string;
  key: string;
  fingerprint: string;
  /** The path, for problem bodies. */
  instance: string;
}

export function keyedRequest(request: FastifyRequest, actor: Actor): KeyedRequest {
  return {
    scope: `${actor.type}:${actor.id}`,
    key: String(request.headers['idempotency-key'] ?? ''),
    fingerprint: fingerprintOf(request),
    instance: request.url.split('?')[0] ?? request.url,
  };
}

/** A refusal as the answer to store: the problem body the error handler would have sent. */
export function refusal(error: HttpProblem | DomainError, instance: string): Outcome<unknown> {
  if (error instanceof DomainError) {
    const problem = domainProblem(error);
    return { status: problem.status, body: problemBody(problem.status, problem.title, problem.detail, instance, problem.extra) };
  }
  return { status: error.status, body: problemBody(error.status, error.title, error.detail, instance, error.extra) };
}

/** Refusals worth remembering: the client's request was understood and declined. A 5xx is ours, and may be retried. */
export const isRefusal = (error: unknown): error is HttpProblem | DomainError =>
  (error instanceof HttpProblem && error.status < 500) || (error instanceof DomainError && domainProblem(error).status < 500);

export class IdempotencyError extends defineErrors('idempotency', { in_progress: 'conflict', key_reused: 'unprocessable' }) {}

const idOf = (request: Pick<KeyedRequest, 'scope' | 'key'>) => `${request.scope}\n${request.key}`;

/** What claiming a key found, for each request of a batch. */
export type KeyClaim =
  /** The key is this transaction's: its answer is to be stored (`answerIdempotencyKeys`) before it commits. */
  | { state: 'claimed' }
  /** Another request claimed the key first and stored this answer: the same request gets it back. */
  | { state: 'answered'; outcome: Outcome<unknown> }
  /** Another request claimed the key first and there is no answer to give: it is still running, or it asked something else. */
  | { state: 'refused'; error: IdempotencyError }
  /** The key of a request earlier in the same batch: its answer is that one's, readable once the transaction commits. */
  | { state: 'repeated' };

type TakenKey = Extract<KeyClaim, { state: 'answered' | 'refused' }>;

/** The stored answers to keys other requests claimed: the same answer for the same request, a refusal otherwise. */
async function storedAnswers(db: Executor, requests: KeyedRequest[]): Promise<TakenKey[]> {
  if (requests.length === 0) return [];
  const rows = await db
    .select()
    .from(idempotencyKeys)
    .where(or(...requests.map((request) => and(eq(idempotencyKeys.scope, request.scope), eq(idempotencyKeys.key, request.key)))));
  const byId = new Map(rows.map((row) => [idOf(row), row]));
  return requests.map((request) => {
    const first = byId.get(idOf(request));
    if (!first || first.status === 0) {
      return { state: 'refused', error: new IdempotencyError('in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.') };
    }
    if (first.fingerprint !== request.fingerprint) {
      const error = new IdempotencyError('key_reused', 'This Idempotency-Key was used for a different request; use a new key for a new operation.', {
        fields: [{ field: 'idempotency-key', in: 'headers', message: 'was used with other parameters' }],
      });
      return { state: 'refused', error };
    }
    return { state: 'answered', outcome: { status: first.status, body: first.body } };
  });
}

/** The stored answer to a key another request claimed first: the same answer for the same request, a 422 for another. */
export async function storedAnswer<T>(db: Executor, request: KeyedRequest): Promise<Outcome<T>> {
  const [found] = await storedAnswers(db, [request]);
  if (found!.state === 'refused') throw found!.error;
  return found!.outcome as Outcome<T>;
}

/**
 * Claims the keys of several requests in one insert, in the caller's transaction; the result is in the
 * order of `requests`. Keys are inserted in one order everywhere, so two transactions claiming some of the
 * same keys cannot deadlock on them. A key a concurrent transaction is claiming makes this one wait until
 * that one commits, and then it has an answer.
 */
export async function claimIdempotencyKeys(ctx: ServiceContext, requests: KeyedRequest[]): Promise<KeyClaim[]> {
  const firsts = new Map<string, KeyedRequest>();
  for (const request of requests) if (!firsts.has(idOf(request))) firsts.set(idOf(request), request);
  const candidates = [...firsts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, request]) => request);
  const claimedRows =
    candidates.length === 0
      ? []
      : await ctx.tx
          .insert(idempotencyKeys)
          .values(
            candidates.map((request) => ({
              scope: request.scope,
              key: request.key,
              fingerprint: request.fingerprint,
              status: 0,
              body: {},
              createdAt: ctx.now,
            })),
          )
          .onConflictDoNothing()
          .returning({ scope: idempotencyKeys.scope, key: idempotencyKeys.key });
  const claimed = new Set(claimedRows.map(idOf));
  const taken = candidates.filter((request) => !claimed.has(idOf(request)));
  const answers = new Map((await storedAnswers(ctx.tx, taken)).map((answer, i) => [taken[i]!, answer]));
  return requests.map((request): KeyClaim => {
    if (firsts.get(idOf(request)) !== request) return { state: 'repeated' };
    return answers.get(request) ?? { state: 'claimed' };
  });
}

export interface KeyAnswer {
  request: KeyedRequest;
  outcome: Outcome<unknown>;
}

const answersUpdate = (answers: KeyAnswer[]) =>
  sql`UPDATE idempotency_keys AS k SET status = v.status, body = v.body FROM (VALUES ${sql.join(
    answers.map(({ request, outcome }) => sql`(${request.scope}, ${request.key}, ${outcome.status}::int, ${JSON.stringify(outcome.body)}::json)`),
    sql`, `,
  )}) AS v(scope, key, status, body) WHERE k.scope = v.scope AND k.key = v.key`;

/** Stores the answers to keys this transaction claimed. */
export async function answerIdempotencyKeys(ctx: ServiceContext, answers: KeyAnswer[]): Promise<void> {
  if (answers.length > 0) await ctx.tx.execute(answersUpdate(answers));
}

/** `answerIdempotencyKeys` as a `WITH` part, for a caller that writes the answers in the statement that writes the rest (`ctx.emitMany`'s prelude). */
export function idempotencyAnswersCte(answers: KeyAnswer[]): SQL | undefined {
  return answers.length > 0 ? sql`idempotency_answers_written AS (${answersUpdate(answers)})` : undefined;
}

/**
 * Runs a money-moving request once per key, as payment APIs do. The key row is inserted first in the
 * request's transaction: a concurrent request with the same key waits on it (the unique index) until
 * this one commits, then finds the answer. Refusals (4xx) are answers too: the work is rolled back to a
 * savepoint and the refusal is stored, so a replay cannot succeed later where the first attempt failed.
 * A 5xx stores nothing, so the client may retry.
 */
export async function runIdempotent<T>(
  kernel: Kernel,
  request: KeyedRequest,
  actor: Actor,
  work: (ctx: ServiceContext) => Promise<Outcome<T>>,
): Promise<{ outcome: Outcome<T>; replayed: boolean }> {
  return kernel.write(actor, async (ctx) => {
    const [claim] = await claimIdempotencyKeys(ctx, [request]);
    if (claim!.state === 'refused') throw claim!.error;
    if (claim!.state === 'answered') return { outcome: claim!.outcome as Outcome<T>, replayed: true };
    let outcome: Outcome<unknown>;
    try {
      outcome = await ctx.savepoint(work);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      outcome = refusal(error, request.instance);
    }
    await answerIdempotencyKeys(ctx, [{ request, outcome }]);
    return { outcome: outcome as Outcome<T>, replayed: false };
  });
}

export function sendOutcome(reply: FastifyReply, outcome: Outcome<unknown>, replayed: boolean): FastifyReply {
  if (replayed) reply.header('idempotent-replayed', 'true');
  if (outcome.status >= 400) reply.type('application/problem+json');
  return reply.code(outcome.status).send(outcome.body);
}

/** `runIdempotent` for a route: the key from the header, the answer sent (marked when it is a replay). */
export async function idempotent<T>(
  kernel: Kernel,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  work: (ctx: ServiceContext) => Promise<Outcome<T>>,
): Promise<FastifyReply> {
  const { outcome, replayed } = await runIdempotent(kernel, keyedRequest(request, actor), actor, work);
  return sendOutcome(reply, outcome, replayed);
}

/** Forgets keys older than the retention period (an hourly job). */
export async function purgeIdempotencyKeys(kernel: Kernel): Promise<number> {
  const cutoff = new Date(kernel.now().getTime() - IDEMPOTENCY_RETENTION_HOURS * 3600_000);
  const deleted = await kernel.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).returning({ key: idempotencyKeys.key });
  return deleted.length;
}
