/**
 * `npm run ledger:check [-- --rebuild]`: replays every transfer and pending hold of the configured
 * database and compares the result with the stored balances (checkLedger), then prints a short report.
 *
 * The database is the server's: DATABASE_URL, else PGlite in DATA_DIR (default ./data), read from the
 * environment and `.env` exactly as `npm start` reads them. Embedded PGlite belongs to one process: on a
 * DATA_DIR, stop the server first (opening it is refused while a server has it).
 *
 *   --rebuild   sets every mismatched balance to what the transfers and holds say (rebuildProjection,
 *               in one transaction holding the ledger tables' locks), prints what it changed, and checks again.
 *
 * Exit status: 0 when the ledger is sound (after the rebuild, with --rebuild), 1 when it is not,
 * 2 when it could not be checked (bad configuration, no database, a server holding the DATA_DIR, unknown option).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../src/core/actor.ts';
import { ConfigError, loadConfig } from '../src/core/config.ts';
import { DataDirInUse, openDatabase, type DatabaseHandle } from '../src/core/db/client.ts';
import { LocalBus } from '../src/core/events/bus.ts';
import { createWriter, type Kernel } from '../src/core/kernel.ts';
import { checkLedger, rebuildProjection, type LedgerCheck, type ProjectionMismatch } from '../src/modules/ledger/check.ts';

class Unusable extends Error {}

const USAGE = 'Usage: npm run ledger:check [-- --rebuild]';
const MAX_LISTED = 20;

function parseArgs(argv: string[]): { rebuild: boolean } {
  let rebuild = false;
  for (const arg of argv) {
    if (arg === '--rebuild') rebuild = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Unusable(`Unknown option "${arg}".\n${USAGE}`);
  }
  return { rebuild };
}

const isSound = (check: LedgerCheck) => check.mismatches.length === 0 && check.unbalanced.length === 0 && check.negative.length === 0;

function listed<T>(items: T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, MAX_LISTED).map((item) => `    ${line(item)}`);
  if (items.length > MAX_LISTED) lines.push(`    … and ${items.length - MAX_LISTED} more`);
  return lines;
}

const mismatchLine = (m: ProjectionMismatch) =>
  `${m.accountId}  posted ${m.posted} (expected ${m.expectedPosted}), held ${m.held} (expected ${m.expectedHeld})`;

function report(check: LedgerCheck): string {
  return [
    `  accounts:   ${check.accounts}`,
    `  transfers:  ${check.transfers}`,
    `  mismatches: ${check.mismatches.length}`,
    ...listed(check.mismatches, mismatchLine),
    `  unbalanced currencies: ${check.unbalanced.length === 0 ? 'none' : check.unbalanced.map((u) => `${u.currency} (sum ${u.sum})`).join(', ')}`,
    `  negative accounts:     ${check.negative.length === 0 ? 'none' : check.negative.length}`,
    ...listed(check.negative, (id) => id),
    `  verdict: ${isSound(check) ? 'SOUND' : 'NOT SOUND'}`,
  ].join('\n');
}

/** All of checkLedger's statements see one snapshot, so its figures agree with each other on a live database. */
const snapshotCheck = (database: DatabaseHandle) =>
  database.db.transaction((tx) => checkLedger(tx), { isolationLevel: 'repeatable read', accessMode: 'read only' });

async function open(): Promise<{ database: DatabaseHandle; where: string }> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    const where = `PostgreSQL ${url.host}${url.pathname}`;
    return { database: await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 }), where };
  }
  if (config.dataDir === 'memory://')
    throw new Unusable('DATA_DIR=memory:// is a database that lives only inside a running server: there is nothing to check.');
  // openDatabase would create an empty database where there is none: refuse instead, a typo in DATA_DIR is likelier.
  if (!existsSync(join(config.dataDir, 'pglite', 'PG_VERSION'))) {
    throw new Unusable(`No database in ${config.dataDir} (no ${join('pglite', 'PG_VERSION')} there). Set DATA_DIR or DATABASE_URL as for the server.`);
  }
  return { database: await openDatabase({ dataDir: config.dataDir }), where: `PGlite in ${config.dataDir}` };
}

async function run(argv: string[]): Promise<number> {
  const { rebuild } = parseArgs(argv);
  const { database, where } = await open();
  try {
    const tables = await database.executeSql<{ table: string | null }>("SELECT to_regclass('ledger_accounts')::text AS table");
    if (!tables.rows[0]?.table) throw new Unusable(`${where} has no ledger tables: start the server on it once (it applies the migrations).`);

    const before = await snapshotCheck(database);
    process.stdout.write(`Ledger check of ${where}\n${report(before)}\n`);
    if (!rebuild) {
      if (!isSound(before)) process.stdout.write('\nRun with --rebuild to set the stored balances to what the transfers and holds say.\n');
      return isSound(before) ? 0 : 1;
    }

    // A kernel-like writer: the same transaction and context as the server's kernel.write, without the
    // server around it (no jobs, an in-process bus nobody listens to; the rebuild emits no events).
    const kernel = {
      db: database.db,
      database,
      bus: new LocalBus(),
      now: () => new Date(),
      jobs: {
        send: async () => {
          throw new Error('No jobs in ledger:check');
        },
        stop: async () => undefined,
      },
    } as unknown as Omit<Kernel, 'write'>;
    const write = createWriter(kernel);
    const fixed = await write(systemActor('ledger-check'), (ctx) => rebuildProjection(ctx));
    process.stdout.write(`\nRebuild: ${fixed.length === 0 ? 'nothing to fix' : `set ${fixed.length} account balance${fixed.length === 1 ? '' : 's'}`}\n`);
    for (const line of listed(fixed, (m) => `${m.accountId}  posted ${m.posted} → ${m.expectedPosted}, held ${m.held} → ${m.expectedHeld}`)) {
      process.stdout.write(`${line}\n`);
    }
    const after = await snapshotCheck(database);
    process.stdout.write(`\nAfter the rebuild\n${report(after)}\n`);
    return isSound(after) ? 0 : 1;
  } finally {
    await database.close();
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof Unusable || error instanceof ConfigError || error instanceof DataDirInUse) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ledger:check failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  }
}
