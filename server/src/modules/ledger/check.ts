import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { ledgerAccounts } from './schema.ts';

export interface ProjectionMismatch {
  accountId: string;
  posted: number;
  expectedPosted: number;
  held: number;
  expectedHeld: number;
}

export interface LedgerCheck {
  accounts: number;
  transfers: number;
  mismatches: ProjectionMismatch[];
  /** Per currency, the sum of all posted balances: zero in a sound ledger (every debit has its credit). */
  unbalanced: Array<{ currency: string; sum: number }>;
  /** Accounts that may not go negative but are below zero by more than refunds overdrew them. */
  negative: string[];
  /**
   * Accounts whose stored overdraft refunds do not explain: an overdraft is only ever what a refund left
   * the account below zero, so it is 0 or exactly `held − posted` (money coming in shrinks both alike),
   * never on an account that may go negative, and never more than the account's refund debits in all.
   */
  overdrafts: string[];
}

/** Every account with what its transfers and pending holds say, compared in SQL (exact, whatever the size). */
const EXPECTED = sql`
  WITH moved AS (
    SELECT account_id, sum(delta) AS posted FROM (
      SELECT credit_account_id AS account_id, amount AS delta FROM ledger_transfers
      UNION ALL
      SELECT debit_account_id, -amount FROM ledger_transfers
    ) lines GROUP BY account_id
  ), reserved AS (
    SELECT debit_account_id AS account_id, sum(amount) AS held FROM ledger_holds WHERE state = 'pending' GROUP BY debit_account_id
  )
  SELECT a.id AS "accountId", a.posted::text AS posted, a.held::text AS held,
         coalesce(m.posted, 0)::text AS "expectedPosted", coalesce(r.held, 0)::text AS "expectedHeld",
         (a.posted <> coalesce(m.posted, 0) OR a.held <> coalesce(r.held, 0)) AS mismatch
  FROM ledger_accounts a LEFT JOIN moved m ON m.account_id = a.id LEFT JOIN reserved r ON r.account_id = a.id`;

/** Replays the transfers and pending holds and compares them with the stored balances. */
export async function checkLedger(db: Executor): Promise<LedgerCheck> {
  const rows = ((await db.execute(EXPECTED)) as unknown as { rows: Record<string, unknown>[] }).rows;
  const mismatches = rows
    .filter((r) => r.mismatch === true || r.mismatch === 't')
    .map((r) => ({
      accountId: String(r.accountId),
      posted: Number(r.posted),
      held: Number(r.held),
      expectedPosted: Number(r.expectedPosted),
      expectedHeld: Number(r.expectedHeld),
    }));
  const sums = (
    (await db.execute(sql`SELECT currency, sum(posted)::text AS sum FROM ledger_accounts GROUP BY currency HAVING sum(posted) <> 0`)) as unknown as {
      rows: Array<{ currency: string; sum: string }>;
    }
  ).rows;
  const negative = await db
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.mayGoNegative, false), sql`${ledgerAccounts.posted} - ${ledgerAccounts.held} < -${ledgerAccounts.overdraft}`));
  const overdrafts = (
    (await db.execute(sql`
    SELECT a.id FROM ledger_accounts a
    LEFT JOIN (SELECT debit_account_id AS account_id, sum(amount) AS refunded FROM ledger_transfers WHERE kind = 'refund' GROUP BY debit_account_id) r ON r.account_id = a.id
    WHERE a.overdraft > 0 AND (a.may_go_negative OR a.overdraft <> a.held - a.posted OR a.overdraft > coalesce(r.refunded, 0))
    ORDER BY a.id`)) as unknown as { rows: Array<{ id: string }> }
  ).rows;
  const [counted] = ((await db.execute(sql`SELECT count(*)::int AS n FROM ledger_transfers`)) as unknown as { rows: Array<{ n: number }> }).rows;
  return {
    accounts: rows.length,
    transfers: Number(counted?.n ?? 0),
    mismatches,
    unbalanced: sums.map((s) => ({ currency: s.currency, sum: Number(s.sum) })),
    negative: negative.map((n) => n.id),
    overdrafts: overdrafts.map((o) => String(o.id)),
  };
}

/**
 * Sets every stored balance to what the transfers and holds say (after a restore or a bug); returns what it
 * fixed. Each overdraft is recomputed with its balances: what the account is below zero, as far as its
 * refund debits explain (0 on accounts that may go negative); `overdrawnAt` is set if it was not. An
 * account below zero beyond its refunds still breaks `ledger_accounts_available_within_overdraft`, and the
 * rebuild fails rather than invent an overdraft.
 */
export async function rebuildProjection(ctx: ServiceContext): Promise<ProjectionMismatch[]> {
  await ctx.tx.execute(sql`LOCK TABLE ledger_accounts, ledger_transfers, ledger_holds IN SHARE ROW EXCLUSIVE MODE`);
  const { mismatches, overdrafts } = await checkLedger(ctx.tx);
  const ids = [...new Set([...mismatches.map((m) => m.accountId), ...overdrafts])];
  // Recomputed in SQL, so the written values are exact whatever their size.
  for (const id of ids) {
    await ctx.tx.execute(sql`
      WITH expected AS (
        SELECT
          (SELECT coalesce(sum(CASE WHEN credit_account_id = ${id}::uuid THEN amount ELSE -amount END), 0) FROM ledger_transfers WHERE debit_account_id = ${id}::uuid OR credit_account_id = ${id}::uuid) AS posted,
          (SELECT coalesce(sum(amount), 0) FROM ledger_holds WHERE state = 'pending' AND debit_account_id = ${id}::uuid) AS held,
          (SELECT coalesce(sum(amount), 0) FROM ledger_transfers WHERE kind = 'refund' AND debit_account_id = ${id}::uuid) AS refunded
      )
      UPDATE ledger_accounts a SET
        posted = e.posted,
        held = e.held,
        overdraft = CASE WHEN a.may_go_negative THEN 0 ELSE LEAST(GREATEST(0, e.held - e.posted), e.refunded) END,
        overdrawn_at = CASE WHEN NOT a.may_go_negative AND e.held - e.posted > 0 AND e.refunded > 0 THEN coalesce(a.overdrawn_at, ${ctx.now.toISOString()}::timestamptz) ELSE a.overdrawn_at END
      FROM expected e
      WHERE a.id = ${id}::uuid`);
  }
  return mismatches;
}

/** Nothing found: the stored balances are what the transfers and holds say, and every overdraft is explained. */
export const ledgerIsSound = (check: LedgerCheck) =>
  check.mismatches.length === 0 && check.unbalanced.length === 0 && check.negative.length === 0 && check.overdrafts.length === 0;
