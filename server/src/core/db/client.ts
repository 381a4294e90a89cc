import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';

/** Drizzle over either driver; a transaction (`tx`) has the same type, so services take an `Executor`. */
export type Executor = PgDatabase<PgQueryResultHKT, Record<string, never>>;

export interface SqlResult<Row> {
  rows: Row[];
}

export interface DatabaseHandle {
  db: Executor;
  driver: 'pglite' | 'postgres';
  /** Raw SQL through the same driver: one parameterised statement, or a multi-statement script without values. */
  executeSql<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<SqlResult<Row>>;
  /** Runs `work` while holding a lock that every process on this database respects (migrations). */
  exclusively<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball, to start other in-memory databases from. */
  dump?(): Promise<Blob>;
}

export interface OpenOptions {
  /** `postgres://…` for a server; otherwise PGlite in `dataDir` (or in memory when dataDir is `memory://`). */
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** An in-memory PGlite starts from this data directory (a `dumpDataDir` tarball) instead of an empty one. */
  snapshot?: Blob;
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir, options.snapshot);
}

/** Raised when another live process has the embedded database open; the message says what to do. */
export class DataDirInUse extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is a database inside this process: a second process opening the same directory would work on
 * its own copy and silently lose the other's writes. A lock file with our pid keeps it to one process;
 * one left by a process that died is taken over. (A pid reused by another program, or processes in
 * separate containers sharing the volume, can fool it: such deployments want DATABASE_URL.)
 */
function claimDataDir(location: string): () => void {
  const lock = join(location, 'switchboard.lock');
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder && holder !== process.pid && processAlive(holder)) {
      throw new DataDirInUse(
        `Invalid configuration:\n  DATA_DIR: ${location} is in use by process ${holder}; the embedded database allows one process at a time (stop it, or use DATABASE_URL to share a PostgreSQL server).`,
      );
    }
    writeFileSync(lock, String(process.pid));
  }
  return () => rmSync(lock, { force: true });
}

async function openPglite(dataDir: string, snapshot?: Blob): Promise<DatabaseHandle> {
  let location = 'memory://';
  let release = () => undefined as void;
  if (dataDir !== 'memory://') {
    location = join(dataDir, 'pglite');
    mkdirSync(location, { recursive: true });
    release = claimDataDir(location);
  }
  const client = await PGlite.create(location, { extensions: { pg_trgm }, ...(snapshot && location === 'memory://' ? { loadDataDir: snapshot } : {}) }).catch(
    (error: unknown) => {
      release();
      throw error;
    },
  );
  if (process.env.NODE_ENV !== 'production') guardAgainstSelfDeadlock(client);
  const db = drizzlePglite(client) as unknown as Executor;
  // One process owns a PGlite directory, so an in-process queue is the lock.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    db,
    driver: 'pglite',
    exclusively<T>(_key: string, work: () => Promise<T>): Promise<T> {
      const run = queue.then(work, work);
      queue = run.catch(() => undefined);
      return run;
    },
    async executeSql<Row>(text: string, values?: unknown[]) {
      // PGlite's extended protocol takes one statement; multi-statement scripts go through `exec`.
      if (values && values.length > 0) return (await client.query(text, values)) as SqlResult<Row>;
      const results = await client.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Row[] };
    },
    async close() {
      await client.close();
      release();
    },
    dump: () => client.dumpDataDir('none'),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection the server drops (restart, failover, DROP DATABASE … FORCE) must not crash the
  // process: the pool discards it and opens a new one on the next query.
  pool.on('error', () => undefined);
  // Fail at start, with the server's own message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const db = drizzlePg(pool) as unknown as Executor;
  return {
    db,
    driver: 'postgres',
    async exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
      // A session-level advisory lock on a connection of its own; the work may use any other connection.
      const holder = await pool.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        try {
          return await work();
        } finally {
          await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        }
      } finally {
        holder.release();
      }
    },
    async executeSql<Row>(text: string, values?: unknown[]) {
      const result = await pool.query(text, values);
      return { rows: (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as Row[] };
    },
    close: () => pool.end(),
  };
}

/**
 * PGlite is one connection: a query on the root database issued from inside a transaction waits for
 * that transaction, which waits for the query — a silent hang. Make that mistake throw at once instead.
 * Development and tests only, where the mistake is made: on Node 20 an AsyncLocalStorage turns on promise
 * hooks for every promise in the process, which cost `/me` a tenth of its throughput (bench/README.md).
 */
function guardAgainstSelfDeadlock(client: PGlite): void {
  const inTransaction = new AsyncLocalStorage<boolean>();
  const transaction = client.transaction.bind(client);
  client.transaction = ((callback: Parameters<PGlite['transaction']>[0]) => {
    if (inTransaction.getStore()) {
      throw new Error('A new transaction inside a transaction: use the open one (ctx.tx), or nest with ctx.tx.transaction().');
    }
    return transaction((tx) => inTransaction.run(true, () => callback(tx)));
  }) as PGlite['transaction'];
  for (const method of ['query', 'exec', 'sql'] as const) {
    const original = client[method].bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      if (inTransaction.getStore()) {
        throw new Error('Query on the root database inside a transaction: use the transaction (ctx.tx) instead.');
      }
      return original(...args);
    };
  }
}
