import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openDatabase } from './client.ts';
import { runMigrations } from './migrate.ts';
import { queryRows } from './sql.ts';

describe('embedded database', () => {
  it('turns a root query inside a transaction into an error instead of a hang', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      await assert.rejects(
        database.db.transaction(async () => {
          await database.db.execute(sql`SELECT 1`);
        }),
        (error: Error) => /use the transaction/.test(String((error.cause as Error | undefined)?.message ?? error.message)),
      );
      await assert.rejects(
        database.db.transaction(async () => {
          await database.db.transaction(async () => undefined);
        }),
        /inside a transaction/,
      );
      const rows = await queryRows<{ one: number }>(database.db, sql`SELECT 1 AS one`);
      assert.equal(rows[0]!.one, 1, 'the database is usable afterwards');
    } finally {
      await database.close();
    }
  });

  it('applies the migrations twice without harm and runs multi-statement scripts', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      await runMigrations(database);
      await runMigrations(database);
      await database.executeSql('CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2);');
      const { rows } = await database.executeSql<{ total: number }>('SELECT sum(n)::int AS total FROM t WHERE n > $1', [0]);
      assert.equal(rows[0]!.total, 3);
    } finally {
      await database.close();
    }
  });
});
