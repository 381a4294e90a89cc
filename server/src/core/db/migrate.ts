import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { DatabaseHandle } from './client.ts';

export const migrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Applies the committed SQL migrations in `server/drizzle`; the same files on both drivers. */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  const options = { migrationsFolder, migrationsSchema: 'drizzle' };
  // Several processes starting at once on a new database: one migrates, the others then find it done.
  await handle.exclusively('switchboard-migrations', async () => {
    if (handle.driver === 'pglite') await migratePglite(handle.db as unknown as PgliteDatabase, options);
    else await migratePg(handle.db as unknown as NodePgDatabase, options);
  });
}
