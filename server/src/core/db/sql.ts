import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from './client.ts';

/** Runs a raw `sql` template through drizzle and returns its rows, whichever driver is underneath. */
export async function queryRows<Row>(executor: Executor, query: SQL): Promise<Row[]> {
  const result = (await executor.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/**
 * `column IN ids` for uuid columns as one array parameter: Drizzle's inArray binds (and type-checks) one
 * parameter per id, which for a page of 50 costs about as much as the database's answer (bench/README.md, `lists`).
 */
export const uuidIn = (column: AnyPgColumn, ids: string[]): SQL => sql`${column} = ANY(${sql.param(ids)}::uuid[])`;

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = findPgError(error);
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return findPgError(error)?.code === '23503';
}

interface PgError {
  code?: string;
  constraint?: string;
}

/** Drizzle wraps driver errors; the SQLSTATE sits on the error or its `cause`. */
function findPgError(error: unknown): PgError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const candidate = current as PgError & { cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return undefined;
}
