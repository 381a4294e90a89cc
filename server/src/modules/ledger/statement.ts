import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../core/db/client.ts';
import type { Account } from './accounts.ts';

export interface StatementFilter {
  kind?: string;
  from?: Date;
  to?: Date;
  /** Lines older than this `seq` (the previous page's last line). */
  beforeSeq?: number;
  limit: number;
}

export interface StatementLine {
  transferId: string;
  seq: number;
  kind: string;
  /** Positive when money came in, negative when it went out. */
  amount: number;
  /** The account's posted balance right after this line. */
  balanceAfter: number;
  counterAccountId: string;
  counterOwnerType: string;
  counterOwnerId: string | null;
  counterKind: string;
  reference: { type: string; id: string | null } | null;
  memo: string | null;
  holdId: string | null;
  batchId: string | null;
  actorType: string;
  actorId: string | null;
  createdAt: Date;
}

/**
 * An account's lines, newest first. Each side (debits, credits) is read through its own index in `seq`
 * order and the two are merged, so a page costs the same on an account with millions of lines.
 */
export async function statement(db: Executor, account: Account, filter: StatementFilter): Promise<StatementLine[]> {
  const side = (column: SQL) => {
    const conditions: SQL[] = [sql`${column} = ${account.id}`];
    if (filter.beforeSeq !== undefined) conditions.push(sql`t.seq < ${filter.beforeSeq}`);
    if (filter.kind) conditions.push(sql`t.kind = ${filter.kind}`);
    if (filter.from) conditions.push(sql`t.created_at >= ${filter.from.toISOString()}`);
    if (filter.to) conditions.push(sql`t.created_at < ${filter.to.toISOString()}`);
    return sql`(SELECT t.* FROM ledger_transfers t WHERE ${sql.join(conditions, sql` AND `)} ORDER BY t.seq DESC LIMIT ${filter.limit})`;
  };
  const result = (await db.execute(sql`
    SELECT l.id, l.seq, l.kind, l.amount, l.debit_account_id, l.credit_account_id, l.debit_balance_after, l.credit_balance_after,
           l.reference_type, l.reference_id, l.memo, l.hold_id, l.batch_id, l.actor_type, l.actor_id, l.created_at,
           c.id AS counter_id, c.owner_type AS counter_owner_type, c.owner_id AS counter_owner_id, c.kind AS counter_kind
    FROM (${side(sql.raw('t.debit_account_id'))} UNION ALL ${side(sql.raw('t.credit_account_id'))}) l
    JOIN ledger_accounts c ON c.id = CASE WHEN l.credit_account_id = ${account.id} THEN l.debit_account_id ELSE l.credit_account_id END
    ORDER BY l.seq DESC
    LIMIT ${filter.limit}`)) as unknown as { rows: Record<string, unknown>[] };
  return result.rows.map((row) => {
    const incoming = row.credit_account_id === account.id;
    return {
      transferId: String(row.id),
      seq: Number(row.seq),
      kind: String(row.kind),
      amount: incoming ? Number(row.amount) : -Number(row.amount),
      balanceAfter: Number(incoming ? row.credit_balance_after : row.debit_balance_after),
      counterAccountId: String(row.counter_id),
      counterOwnerType: String(row.counter_owner_type),
      counterOwnerId: row.counter_owner_id === null ? null : String(row.counter_owner_id),
      counterKind: String(row.counter_kind),
      reference: row.reference_type === null ? null : { type: String(row.reference_type), id: row.reference_id === null ? null : String(row.reference_id) },
      memo: row.memo === null ? null : String(row.memo),
      holdId: row.hold_id === null ? null : String(row.hold_id),
      batchId: row.batch_id === null ? null : String(row.batch_id),
      actorType: String(row.actor_type),
      actorId: row.actor_id === null ? null : String(row.actor_id),
      createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
    };
  });
}

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+$/.test(text) ? `'${text}` : text;
  // Semicolons too: spreadsheets in many locales split on them.
  return /[",;\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const CSV_HEADER = ['time', 'transfer_id', 'kind', 'amount', 'balance_after', 'currency', 'counterparty', 'counter_account_id', 'reference', 'memo'];

/** One CSV row per line; amounts in minor units, as stored. */
export function csvRow(line: StatementLine, currency: string, counterparty: string): string {
  return [
    line.createdAt.toISOString(),
    line.transferId,
    line.kind,
    line.amount,
    line.balanceAfter,
    currency,
    counterparty,
    line.counterAccountId,
    line.reference ? `${line.reference.type}:${line.reference.id ?? ''}` : '',
    line.memo ?? '',
  ]
    .map(csvCell)
    .join(',');
}
