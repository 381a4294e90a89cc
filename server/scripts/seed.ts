/**
 * `npm run seed [-- --users N --streamers N --agencies N]`: the creators module's large data set (see
 * seed-data.ts), by default 10,000 app users, 200 streamers and 10 agencies.
 *
 * The database is the server's: DATABASE_URL, else PGlite in DATA_DIR (default ./data), read from the
 * environment and `.env` exactly as `npm start` reads them, and migrated as the server migrates it. Embedded
 * PGlite belongs to one process: stop the server first. A database seeded once is refused (exit 1): seed a
 * new one. Seeding a new database before the server's first start means it gets no demo data (it is not
 * empty any more); the first administrator is created all the same.
 *
 * Exit status: 0 when seeded, 1 when refused or failed (nothing is kept), 2 on a bad option or configuration.
 */
import { ConfigError, loadConfig } from '../src/core/config.ts';
import { DataDirInUse, openDatabase } from '../src/core/db/client.ts';
import { runMigrations } from '../src/core/db/migrate.ts';
import { AlreadySeeded, DEFAULT_SIZE, parseSize, seedCreators } from './seed-data.ts';

const USAGE = 'Usage: npm run seed [-- --users N --streamers N --agencies N]';

async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let size;
  try {
    size = parseSize(args, DEFAULT_SIZE);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  if (!config.databaseUrl && config.dataDir === 'memory://') {
    process.stderr.write('DATA_DIR=memory:// is a database that lives only inside a running server: there is nothing to seed.\n');
    return 2;
  }
  const url = config.databaseUrl ? new URL(config.databaseUrl) : undefined;
  const where = url ? `PostgreSQL ${url.host}${url.pathname}` : `PGlite in ${config.dataDir}`;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const started = performance.now();
    await runMigrations(database);
    process.stdout.write(`Seeding ${where}: ${size.users} users, ${size.streamers} streamers, ${size.agencies} agencies\n`);
    const report = await seedCreators(database, size, (line) => process.stdout.write(`  ${line}\n`));
    const total = (performance.now() - started) / 1000;
    process.stdout.write(`Done in ${total.toFixed(1)} s (inserts ${report.seconds.toFixed(1)} s, vacuum and analyze ${report.vacuumSeconds.toFixed(1)} s).\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof AlreadySeeded)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirInUse) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
