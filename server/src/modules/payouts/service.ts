import { and, asc, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { systemActor, type Actor } from '../../core/actor.ts';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { accountsAvailableAtLeast, accountsByOwner, available, ensureAccount, platformAccount, type Account } from '../ledger/accounts.ts';
import { getHold, placeHold, postHold, voidHold } from '../ledger/holds.ts';
import { personDetail, subjectNames } from '../people/people.ts';
import type { EventPayloads, NewEvent } from '../../core/events/types.ts';
import { PayoutEvents, type PayoutStepEvent } from './events.ts';

type StepPayload = EventPayloads['payouts.approved'];
import { payoutApplications, payoutFeeRules } from './schema.ts';
import { PayoutsError } from './errors.ts';

export type PayoutApplication = typeof payoutApplications.$inferSelect;
export type FeeRule = typeof payoutFeeRules.$inferSelect;
export type PayoutState = PayoutApplication['state'];
export type Owner = { type: 'person' | 'organization'; id: string };

export interface Quote {
  /** Null while the owner has never earned in this currency. */
  accountId: string | null;
  currency: string;
  available: number;
  amount: number;
  fee: number;
  net: number;
  rule: PayoutApplication['feeRule'];
}

/** Payouts are made to a person or organization that exists. */
export async function assertOwner(db: Executor, owner: Owner): Promise<void> {
  if (!(await subjectNames(db, [owner])).has(owner.id)) throw PayoutsError.notFound(`No such ${owner.type}.`);
}

// ------------------------------------------------------------------ fees

/** The rule that applies to an owner: their own, else one of an organization they belong to, else the currency's default. */
export async function feeRuleFor(db: Executor, owner: Owner, currency: string): Promise<PayoutApplication['feeRule']> {
  const own = await db
    .select()
    .from(payoutFeeRules)
    .where(and(eq(payoutFeeRules.ownerType, owner.type), eq(payoutFeeRules.ownerId, owner.id), eq(payoutFeeRules.currency, currency)));
  if (own[0]) return { percentBp: own[0].percentBp, fixed: own[0].fixed, source: 'owner' };
  if (owner.type === 'person') {
    const organizations = (await personDetail(db, owner.id)).organizations.map((o) => o.organizationId);
    if (organizations.length > 0) {
      const [rule] = await db
        .select()
        .from(payoutFeeRules)
        .where(and(eq(payoutFeeRules.ownerType, 'organization'), inArray(payoutFeeRules.ownerId, organizations), eq(payoutFeeRules.currency, currency)))
        .orderBy(asc(payoutFeeRules.ownerId))
        .limit(1);
      if (rule) return { percentBp: rule.percentBp, fixed: rule.fixed, source: 'organization', organizationId: rule.ownerId! };
    }
  }
  const [fallback] = await db
    .select()
    .from(payoutFeeRules)
    .where(and(isNull(payoutFeeRules.ownerType), eq(payoutFeeRules.currency, currency)));
  if (fallback) return { percentBp: fallback.percentBp, fixed: fallback.fixed, source: 'default' };
  return { percentBp: 0, fixed: 0, source: 'none' };
}

/** Percentage rounded down (in the owner's favour), plus the fixed part; exact for any amount (BigInt). */
export function feeOf(amount: number, rule: Pick<FeeRule, 'percentBp' | 'fixed'>): number {
  return Number((BigInt(amount) * BigInt(rule.percentBp)) / 10000n) + rule.fixed;
}

async function earningsAccount(db: Executor, owner: Owner, currency: string): Promise<Account | undefined> {
  return (await accountsByOwner(db, owner.type, [owner.id], 'earnings', currency)).get(owner.id);
}

/** What a payout of `amount` (all that is available by default) would cost and bring, before anyone commits to it. */
export async function quote(db: Executor, owner: Owner, currency: string, amount?: number): Promise<Quote> {
  const account = await earningsAccount(db, owner, currency);
  const rule = await feeRuleFor(db, owner, currency);
  const free = account ? available(account) : 0;
  const wanted = amount ?? free;
  const fee = wanted > 0 ? feeOf(wanted, rule) : 0;
  return { accountId: account?.id ?? null, currency, available: free, amount: wanted, fee, net: wanted - fee, rule };
}

export async function saveFeeRule(ctx: ServiceContext, input: { owner: Owner | null; currency: string; percentBp: number; fixed: number }): Promise<FeeRule> {
  const values = {
    ownerType: input.owner?.type ?? null,
    ownerId: input.owner?.id ?? null,
    currency: input.currency,
    percentBp: input.percentBp,
    fixed: input.fixed,
    updatedBy: ctx.actor.id,
    updatedAt: ctx.now,
  };
  const [rule] = await ctx.tx
    .insert(payoutFeeRules)
    .values({ id: uuidv7(), ...values })
    .onConflictDoUpdate({ target: [payoutFeeRules.ownerType, payoutFeeRules.ownerId, payoutFeeRules.currency], set: values })
    .returning();
  await ctx.emit({
    type: PayoutEvents.feeRuleSaved,
    subject: input.owner ?? undefined,
    payload: { currency: input.currency, percentBp: input.percentBp, fixed: input.fixed, owner: input.owner },
  });
  return rule!;
}

export async function deleteFeeRule(ctx: ServiceContext, id: string): Promise<void> {
  const [rule] = await ctx.tx.delete(payoutFeeRules).where(eq(payoutFeeRules.id, id)).returning();
  if (!rule) throw PayoutsError.notFound('No such fee rule.');
  await ctx.emit({
    type: PayoutEvents.feeRuleDeleted,
    subject: rule.ownerType ? { type: rule.ownerType, id: rule.ownerId! } : undefined,
    payload: { currency: rule.currency },
  });
}

export async function listFeeRules(db: Executor): Promise<FeeRule[]> {
  return db
    .select()
    .from(payoutFeeRules)
    .orderBy(asc(payoutFeeRules.currency), sql`${payoutFeeRules.ownerType} NULLS FIRST`, asc(payoutFeeRules.ownerId));
}

// ------------------------------------------------------------------ applications

const by = (actor: Actor) => `${actor.type}:${actor.id}`;

export async function getApplication(db: Executor, id: string): Promise<PayoutApplication> {
  const [application] = await db.select().from(payoutApplications).where(eq(payoutApplications.id, id));
  if (!application) throw PayoutsError.notFound('No such payout application.');
  return application;
}

function illegal(application: PayoutApplication, action: string): PayoutsError {
  return new PayoutsError('illegal_transition', `A ${application.state} application cannot be ${action}.`, { extra: { state: application.state } });
}

/** Locks the application and checks it is in one of `from`; concurrent steps on one application queue here. */
async function lockIn(ctx: ServiceContext, id: string, from: PayoutState[], action: string): Promise<PayoutApplication> {
  const [application] = await ctx.tx.select().from(payoutApplications).where(eq(payoutApplications.id, id)).for('update');
  if (!application) throw PayoutsError.notFound('No such payout application.');
  if (!from.includes(application.state)) throw illegal(application, action);
  return application;
}

async function emitStep<T extends PayoutStepEvent>(
  ctx: ServiceContext,
  type: T,
  application: PayoutApplication,
  extra: Omit<EventPayloads[T], keyof StepPayload>,
) {
  const payload: StepPayload = {
    applicationId: application.id,
    amount: application.amount,
    fee: application.fee,
    currency: application.currency,
    state: application.state,
  };
  await ctx.emit({ type, subject: { type: application.ownerType, id: application.ownerId }, payload: { ...payload, ...extra } } as NewEvent);
}

/**
 * Requests a payout of the owner's earnings: the amount (all that is available by default) is held at
 * once, so it cannot be spent or requested twice; the fee is fixed now, by the rule in force.
 */
export async function requestPayout(
  ctx: ServiceContext,
  input: { owner: Owner; currency: string; amount?: number; note?: string | null; origin: PayoutApplication['origin'] },
): Promise<PayoutApplication> {
  const account = await ensureAccount(ctx, { ownerType: input.owner.type, ownerId: input.owner.id, kind: 'earnings', currency: input.currency });
  const q = await quote(ctx.tx, input.owner, input.currency, input.amount);
  if (q.amount <= 0) throw PayoutsError.invalid('amount', `must be positive; ${q.available} ${input.currency} is available`);
  if (q.net <= 0) throw PayoutsError.invalid('amount', `must exceed the fee of ${q.fee} ${input.currency}`);
  const id = uuidv7();
  const settlement = await platformAccount(ctx, 'settlement', input.currency);
  const hold = await placeHold(ctx, {
    debitAccountId: account.id,
    creditAccountId: settlement.id,
    amount: q.amount,
    kind: 'payout',
    reference: { type: 'payout_application', id },
    managedBy: 'payouts',
  });
  const [application] = await ctx.tx
    .insert(payoutApplications)
    .values({
      id,
      ownerType: input.owner.type,
      ownerId: input.owner.id,
      accountId: account.id,
      currency: input.currency,
      amount: q.amount,
      fee: q.fee,
      feeRule: q.rule,
      state: 'requested',
      origin: input.origin,
      note: input.note ?? null,
      holdId: hold.id,
      requestedByType: ctx.actor.type,
      requestedById: ctx.actor.id,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  await emitStep(ctx, PayoutEvents.requested, application!, { origin: input.origin });
  return application!;
}

/** Four eyes: whoever requested an application may not approve it. Approving twice is a 409, never a second approval. */
export async function approvePayout(ctx: ServiceContext, id: string): Promise<PayoutApplication> {
  const application = await lockIn(ctx, id, ['requested'], 'approved');
  const hold = await getHold(ctx.tx, application.holdId);
  if (hold.state !== 'pending') throw new PayoutsError('hold_resolved', `The amount of this payout is no longer held (the hold is ${hold.state}).`);
  if (application.requestedByType === ctx.actor.type && application.requestedById === ctx.actor.id) {
    throw PayoutsError.forbidden('You requested this payout: another staff user must approve it.');
  }
  const [approved] = await ctx.tx
    .update(payoutApplications)
    .set({ state: 'approved', approvedBy: by(ctx.actor), approvedAt: ctx.now, updatedAt: ctx.now })
    .where(eq(payoutApplications.id, id))
    .returning();
  await emitStep(ctx, PayoutEvents.approved, approved!, {});
  return approved!;
}

/** Posts the hold: the net amount to the settlement account, the fee to platform revenue. Only an approved application is paid, once. */
export async function markPaid(ctx: ServiceContext, id: string, paymentReference: string): Promise<PayoutApplication> {
  const application = await lockIn(ctx, id, ['approved'], 'paid');
  const net = application.amount - application.fee;
  const revenue = application.fee > 0 ? await platformAccount(ctx, 'revenue', application.currency) : undefined;
  // The net to settlement and the fee to revenue in one posting: all three accounts locked once, in id order.
  const { transfer, alongside } = await postHold(
    ctx,
    application.holdId,
    net,
    'amount',
    revenue
      ? [
          {
            debitAccountId: application.accountId,
            creditAccountId: revenue.id,
            amount: application.fee,
            kind: 'payout_fee',
            reference: { type: 'payout_application', id },
          },
        ]
      : [],
  );
  const feeTransferId = alongside[0]?.id ?? null;
  const [paid] = await ctx.tx
    .update(payoutApplications)
    .set({ state: 'paid', paidBy: by(ctx.actor), paidAt: ctx.now, paymentReference, payoutTransferId: transfer.id, feeTransferId, updatedAt: ctx.now })
    .where(eq(payoutApplications.id, id))
    .returning();
  await emitStep(ctx, PayoutEvents.paid, paid!, { paymentReference, net });
  return paid!;
}

export async function rejectPayout(ctx: ServiceContext, id: string, reason: string): Promise<PayoutApplication> {
  const application = await lockIn(ctx, id, ['requested', 'approved'], 'rejected');
  await voidHold(ctx, application.holdId);
  const [rejected] = await ctx.tx
    .update(payoutApplications)
    .set({ state: 'rejected', rejectedBy: by(ctx.actor), rejectedAt: ctx.now, rejectionReason: reason, updatedAt: ctx.now })
    .where(eq(payoutApplications.id, id))
    .returning();
  await emitStep(ctx, PayoutEvents.rejected, rejected!, { reason });
  return rejected!;
}

/** Withdrawn before approval, by staff or by the member who asked for it. */
export async function cancelPayout(ctx: ServiceContext, id: string, owner?: Owner): Promise<PayoutApplication> {
  if (owner) {
    // Someone else's application answers exactly like one that does not exist, whatever its state.
    const seen = await getApplication(ctx.tx, id);
    if (seen.ownerType !== owner.type || seen.ownerId !== owner.id) throw PayoutsError.notFound('No such payout application.');
  }
  const application = await lockIn(ctx, id, ['requested'], 'cancelled');
  await voidHold(ctx, application.holdId);
  const [cancelled] = await ctx.tx
    .update(payoutApplications)
    .set({ state: 'cancelled', cancelledByType: ctx.actor.type, cancelledById: ctx.actor.id, cancelledAt: ctx.now, updatedAt: ctx.now })
    .where(eq(payoutApplications.id, id))
    .returning();
  await emitStep(ctx, PayoutEvents.cancelled, cancelled!, {});
  return cancelled!;
}

export interface ApplicationQuery {
  state?: PayoutState;
  ownerType?: Owner['type'];
  ownerId?: string;
  currency?: string;
  origin?: PayoutApplication['origin'];
  /** Older than this (createdAt, id): the previous page's last row. */
  before?: [string, string];
  limit: number;
}

/** Newest first, keyset-paginated. */
export async function listApplications(db: Executor, query: ApplicationQuery): Promise<PayoutApplication[]> {
  const conditions: Array<SQL | undefined> = [];
  if (query.state) conditions.push(eq(payoutApplications.state, query.state));
  if (query.ownerType) conditions.push(eq(payoutApplications.ownerType, query.ownerType));
  if (query.ownerId) conditions.push(eq(payoutApplications.ownerId, query.ownerId));
  if (query.currency) conditions.push(eq(payoutApplications.currency, query.currency));
  if (query.origin) conditions.push(eq(payoutApplications.origin, query.origin));
  if (query.before) {
    const [createdAt, id] = query.before;
    conditions.push(
      or(lt(payoutApplications.createdAt, new Date(createdAt)), and(eq(payoutApplications.createdAt, new Date(createdAt)), lt(payoutApplications.id, id))),
    );
  }
  return db
    .select()
    .from(payoutApplications)
    .where(and(...conditions))
    .orderBy(desc(payoutApplications.createdAt), desc(payoutApplications.id))
    .limit(query.limit);
}

/** Counts by state, for the queue's tabs and the navigation badge. */
export async function countByState(db: Executor): Promise<Record<PayoutState, number>> {
  const rows = await db
    .select({ state: payoutApplications.state, n: sql<number>`count(*)::int` })
    .from(payoutApplications)
    .groupBy(payoutApplications.state);
  const counts = { requested: 0, approved: 0, paid: 0, rejected: 0, cancelled: 0 };
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

// ------------------------------------------------------------------ the automatic rule

export interface AutomaticRule {
  enabled: boolean;
  /** Smallest available balance, per currency, that gets an application; currencies not listed are skipped. */
  minimum: Record<string, number>;
}

/**
 * Opens an application for every earnings account at or over its currency's minimum that has no open
 * application yet, each in its own transaction, so one refusal does not stop the others. Returns the ids made.
 */
export async function createAutomaticApplications(kernel: Kernel, rule: AutomaticRule): Promise<string[]> {
  if (!rule.enabled) return [];
  const made: string[] = [];
  for (const [currency, minimum] of Object.entries(rule.minimum)) {
    const rich = await accountsAvailableAtLeast(kernel.db, 'earnings', currency, Math.max(1, minimum));
    const open = rich.length
      ? await kernel.db
          .select({ accountId: payoutApplications.accountId })
          .from(payoutApplications)
          .where(
            and(
              inArray(
                payoutApplications.accountId,
                rich.map((a) => a.id),
              ),
              inArray(payoutApplications.state, ['requested', 'approved']),
            ),
          )
      : [];
    const busy = new Set(open.map((row) => row.accountId));
    const candidates = rich.filter((account) => !busy.has(account.id));
    for (const account of candidates) {
      const owner = { type: account.ownerType as Owner['type'], id: account.ownerId! };
      try {
        const application = await kernel.write(systemActor('payouts.automatic'), (ctx) =>
          requestPayout(ctx, { owner, currency, origin: 'automatic', note: 'Automatic weekly payout' }),
        );
        made.push(application.id);
      } catch (error) {
        kernel.log.warn({ err: error, accountId: account.id }, 'automatic payout not created');
      }
    }
  }
  return made;
}
