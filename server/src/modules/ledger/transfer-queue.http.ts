import { systemActor, type Actor } from '../../core/actor.ts';
import {
  claimIdempotencyKeys,
  IdempotencyError,
  idempotencyAnswersCte,
  isRefusal,
  refusal,
  runIdempotent,
  storedAnswer,
  type KeyClaim,
  type KeyedRequest,
  type Outcome,
} from '../../core/http/idempotency/idempotency.ts';
import { perKernel, type Kernel } from '../../core/kernel.ts';
import { lockAccounts } from './accounts.ts';
import { balanceEvents, balancesCte, changedAccounts, snapshot, transfersCte, withCtes } from './internal.ts';
import { applyTransfer, postTransfer, transferEvents, type PostedTransfer, type TransferInput, type TransferRow } from './transfers.ts';

export interface QueuedTransfer {
  request: KeyedRequest;
  actor: Actor;
  input: TransferInput;
  /** The answer's body for a posted transfer (what the route would send). */
  view: (transfer: PostedTransfer) => unknown;
}

export interface Answer {
  outcome: Outcome<unknown>;
  replayed: boolean;
}

interface Waiting extends QueuedTransfer {
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

/** Largest group committed at once, and how many groups may be in flight (each holds one connection). */
const MAX_GROUP = 200;
const MAX_IN_FLIGHT = 2;
const fieldName = (_index: number, field: string) => field;

/**
 * Group commit for single transfers sent through the API. Requests that arrive while earlier groups are
 * being written wait and go together in one transaction, so a busy ledger pays for one BEGIN/COMMIT, one
 * lock of each account and a handful of statements per group instead of a dozen statements per transfer
 * — and a hot account is locked once per group rather than once per transfer. The answers are exactly
 * those of `runIdempotent` around `postTransfer`: each request is applied or refused on its own, in
 * arrival order, and its answer is stored with its Idempotency-Key in the group's transaction.
 *
 * A request whose key is already taken (a replay, or a duplicate in flight) is answered after the group
 * commits, from the stored answer. If the group's transaction fails as a whole, every request in it is
 * retried on its own through the one-request path.
 */
export class TransferQueue {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly kernel: Kernel) {}

  submit(transfer: QueuedTransfer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...transfer, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const group = this.waiting.splice(0, MAX_GROUP);
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** One request on its own, as the route would run it without the queue. */
  private single(item: QueuedTransfer): Promise<Answer> {
    return runIdempotent(this.kernel, item.request, item.actor, async (ctx) => ({
      status: 201,
      body: item.view(await postTransfer(ctx, item.input, fieldName)),
    }));
  }

  private async commit(group: Waiting[]): Promise<void> {
    let result: { answered: Map<Waiting, Answer>; later: Array<{ item: Waiting; claim: KeyClaim }> };
    try {
      result = await this.write(group);
    } catch (error) {
      this.kernel.log.warn({ err: error, size: group.length }, 'transfer group failed; retrying its requests one by one');
      await Promise.all(group.map((item) => this.single(item).then(item.resolve, item.reject)));
      return;
    }
    for (const [item, answer] of result.answered) item.resolve(answer);
    await Promise.all(result.later.map(({ item, claim }) => this.answerLater(item, claim).then(item.resolve, item.reject)));
  }

  /** A request whose key this group did not claim: answered from the first request's answer, or on its own while there is none. */
  private answerLater(item: Waiting, claim: KeyClaim): Promise<Answer> {
    const stillRunning = (error: unknown) => error instanceof IdempotencyError && error.code === 'in_progress';
    if (claim.state === 'answered') return Promise.resolve({ outcome: claim.outcome, replayed: true });
    if (claim.state === 'refused') return stillRunning(claim.error) ? this.single(item) : Promise.reject(claim.error);
    // A repeat of a key this group claimed: its answer is stored now that the group committed.
    return storedAnswer(this.kernel.db, item.request)
      .then((outcome) => ({ outcome, replayed: true }))
      .catch((error: unknown) => (stillRunning(error) ? this.single(item) : Promise.reject(error)));
  }

  private write(group: Waiting[]): Promise<{ answered: Map<Waiting, Answer>; later: Array<{ item: Waiting; claim: KeyClaim }> }> {
    return this.kernel.write(systemActor('ledger.transfers'), async (ctx) => {
      const claims = await claimIdempotencyKeys(
        ctx,
        group.map((item) => item.request),
      );
      const mine = group.filter((_item, i) => claims[i]!.state === 'claimed');
      const later = group.flatMap((item, i) => (claims[i]!.state === 'claimed' ? [] : [{ item, claim: claims[i]! }]));

      const accounts = await lockAccounts(
        ctx.tx,
        mine.flatMap((item) => [item.input.debitAccountId, item.input.creditAccountId]),
      );
      const before = snapshot(accounts);
      const rows: TransferRow[] = [];
      const rowOf = new Map<Waiting, TransferRow>();
      const actorOf = new Map<string, Actor>();
      const outcomes = new Map<Waiting, Outcome<unknown>>();
      // In arrival order, each on its own: a refusal leaves the accounts as the next request finds them.
      for (const item of mine) {
        try {
          const row = applyTransfer(accounts, item.input, { index: 0, name: fieldName, actor: item.actor, now: ctx.now, batchId: null, holdId: null });
          rows.push(row);
          rowOf.set(item, row);
          actorOf.set(row.id, item.actor);
        } catch (error) {
          if (!isRefusal(error)) throw error;
          outcomes.set(item, refusal(error, item.request.instance));
        }
      }
      for (const [item, row] of rowOf) outcomes.set(item, { status: 201, body: item.view(row) });
      const changed = changedAccounts(accounts, before);
      const answers = idempotencyAnswersCte(mine.map((item) => ({ request: item.request, outcome: outcomes.get(item)! })));
      // Transfers, balances, stored answers and events: one statement for the whole group.
      await ctx.emitMany(
        [...transferEvents(rows, accounts, (row) => actorOf.get(row.id)!), ...balanceEvents(changed, { rows, actorOf: (row) => actorOf.get(row.id)! })],
        withCtes([transfersCte(rows), balancesCte(changed), answers]),
      );
      return { answered: new Map(mine.map((item) => [item, { outcome: outcomes.get(item)!, replayed: false }])), later };
    });
  }
}

export const transferQueue = perKernel((kernel) => new TransferQueue(kernel));
