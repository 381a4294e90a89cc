import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/core/db/client.ts';
import { runMigrations } from '../src/core/db/migrate.ts';
import { installJobSchema } from '../src/core/jobs.ts';
import { databaseUrl, onServer } from './throwaway-database.ts';

/**
 * `pg-template.ts create <server url>` makes a migrated database to copy test databases from and prints
 * its name; `pg-template.ts drop <server url> <name>` removes it. A copy (CREATE DATABASE … TEMPLATE) is
 * a file copy on the server, cheaper than running every migration for each test file. The pool has two
 * connections because the migration lock holds one.
 */
async function create(serverUrl: string): Promise<string> {
  const name = `sb_template_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const handle = await openDatabase({ databaseUrl: databaseUrl(serverUrl, name), dataDir: 'unused', poolSize: 2 });
  try {
    await runMigrations(handle);
    await installJobSchema(handle);
  } finally {
    await handle.close();
  }
  return name;
}

const [command, serverUrl, name] = process.argv.slice(2);
if (command === 'create' && serverUrl) process.stdout.write(`${await create(serverUrl)}\n`);
else if (command === 'drop' && serverUrl && name)
  await onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
else throw new Error('usage: pg-template.ts create <server url> | drop <server url> <name>');
