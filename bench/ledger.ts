/**
 * Ledger transfers per second on PostgreSQL against `pgbench -b tpcb-like` on the same server, in the same run.
 *
 *   npm run bench -- ledger                      PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- ledger
 *   BENCH_SECONDS=10 npm run bench -- ledger
 *   DATABASE_POOL_SIZE=10 npm run bench -- ledger   the app's pool (default 20, as many as pgbench's clients)
 *   npm run bench -- ledger --profile            …and where a transfer's time goes (statements, pool waits, events)
 *
 * Two throwaway databases are created on that server and dropped at the end: one for pgbench, one for
 * the app. See bench/README.md for what each figure means.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../server/src/app.ts';
import { parseConfig } from '../server/src/core/config.ts';
import { checkLedger } from '../server/src/modules/ledger/check.ts';
import { throwawayDatabase } from '../server/test/throwaway-database.ts';
import { ADMIN, HOST, WARMUP_SECONDS, adminCookie, loadGenerator, seconds } from './support.ts';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const CLIENTS = 20;
const ACCOUNTS = 50;
/**
 * pgbench's tpcb-like transaction updates one of `scale` rows of pgbench_branches (and one of 10 × scale
 * tellers, one of 100,000 × scale accounts). At scale 1 every transaction of every client waits on the one
 * branch row: pgbench's own hot-row case. Scale 50 gives it as many branches as we have accounts, so the
 * baseline is spread out like our first line. It makes a 5-million-row pgbench_accounts (about 4 s to
 * build here, server-side).
 */
const PGBENCH_SCALE = 50;
/** Connections our app keeps to PostgreSQL (DATABASE_POOL_SIZE), as many as pgbench's clients unless set. */
const POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE || CLIENTS);
const FUNDING = 1_000_000_000;
const TARGET_SPREAD = 0.4;
const TARGET_HOT = 0.7;

const execFileAsync = promisify(execFile);

interface Rate {
  /** Transactions (pgbench) or transfers answered 201 (ours) per second. */
  tps: number;
  /** Failed transactions, non-201 answers and connection errors: any makes the line INVALID. */
  bad: number;
  detail?: string;
  /** Share of the machine's CPU busy during the run (all processes), and busy CPU ms per transaction. */
  machineBusy?: number;
  cpuMsPerTx?: number;
  /** CPU ms per transaction of the PostgreSQL backends serving the run's database (--profile). */
  backendMsPerTx?: number;
}

/** CPU time spent by the whole machine (every core, every process) since boot, in ms. */
function machineCpuMs(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

/**
 * CPU used by the PostgreSQL backends serving one database, read from /proc every 100 ms (so only for a
 * server on this machine; 0 otherwise). A backend's last 100 ms before it exits are missed.
 */
function backendCpu(serverUrl: string, database: string): { stop(): Promise<number> } {
  const client = new pg.Client({ connectionString: serverUrl });
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let running = true;
  const ticks = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
  };
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
      for (const { pid } of rows) {
        const now = await ticks(pid).catch(() => undefined);
        if (now === undefined) continue;
        if (!first.has(pid)) first.set(pid, now);
        last.set(pid, now);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.end();
  })().catch(() => undefined);
  return {
    async stop() {
      running = false;
      await loop;
      let total = 0;
      for (const [pid, start] of first) total += last.get(pid)! - start;
      return total * 10;
    },
  };
}

/** CPU ms this process's main thread (the app's event loop) has used: /proc, so Linux only (0 elsewhere). */
async function mainThreadCpuMs(): Promise<number> {
  try {
    const stat = await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------ pgbench

function pgEnv(url: URL): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
  };
}

async function pgbench(url: URL, args: string[]): Promise<string> {
  const binary = process.env.PGBENCH ?? 'pgbench';
  try {
    return (await execFileAsync(binary, args, { env: pgEnv(url), maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${binary} not found: install PostgreSQL's client tools, or set PGBENCH to its path`);
    throw error;
  }
}

async function pgbenchRun(url: URL, database: string, duration: number): Promise<Rate> {
  const stdout = await pgbench(url, ['-b', 'tpcb-like', '-c', String(CLIENTS), '-j', '2', '-T', String(duration), '-n', database]);
  const tps = /tps = ([0-9.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`no tps in pgbench's output:\n${stdout}`);
  const failed = Number(/number of failed transactions: ([0-9]+)/.exec(stdout)?.[1] ?? 0);
  return { tps: Number(tps), bad: failed };
}

async function measurePgbench(serverUrl: string, duration: number, profile: boolean): Promise<Rate> {
  const database = await throwawayDatabase(serverUrl, 'sb_bench_pgbench');
  try {
    const url = new URL(database.url);
    const name = url.pathname.slice(1);
    process.stderr.write(`  pgbench: initialising scale ${PGBENCH_SCALE}…`);
    // d: drop, t: tables, G: rows generated on the server (fast), v: vacuum, p: primary keys.
    await pgbench(url, ['-i', '-s', String(PGBENCH_SCALE), '-I', 'dtGvp', '-q', name]);
    process.stderr.write(' warming up…');
    await pgbenchRun(url, name, WARMUP_SECONDS);
    process.stderr.write(' measuring…');
    const backends = profile ? backendCpu(serverUrl, name) : undefined;
    const cpu = machineCpuMs();
    const rate = await pgbenchRun(url, name, duration);
    const used = machineCpuMs();
    const backendMs = await backends?.stop();
    process.stderr.write(' done\n');
    const busy = used.busy - cpu.busy;
    const transactions = rate.tps * duration;
    return {
      ...rate,
      machineBusy: busy / (used.total - cpu.total),
      cpuMsPerTx: busy / transactions,
      backendMsPerTx: backendMs === undefined ? undefined : backendMs / transactions,
    };
  } finally {
    await database.drop();
  }
}

// ------------------------------------------------------------------ our load generator

/**
 * Plain JavaScript (it runs in a worker thread, without tsx): `CLIENTS` keep-alive connections, each posting
 * one transfer after another, every request with its own Idempotency-Key and a `bench` reference naming it.
 */
const LOADGEN = String.raw`
const http = require('node:http');
const { randomUUID } = require('node:crypto');
async function run({ origin, cookie, connections, durationMs, pattern, accounts, hot }) {
  const url = new URL('/api/console/ledger/transfers', origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const statuses = {};
  let errors = 0;
  let sample = '';
  let latencyMs = 0;
  const pick = () => Math.floor(Math.random() * accounts.length);
  function bodyFor(key) {
    let debit, credit;
    if (pattern === 'hot') {
      debit = accounts[pick()];
      credit = hot;
    } else {
      const a = pick();
      let b = pick();
      while (b === a) b = pick();
      debit = accounts[a];
      credit = accounts[b];
    }
    return JSON.stringify({ debitAccountId: debit, creditAccountId: credit, amount: 1, kind: 'bench', reference: { type: 'bench', id: key } });
  }
  function post() {
    return new Promise((resolve) => {
      const key = randomUUID();
      const body = bodyFor(key);
      const sent = performance.now();
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie, origin, 'idempotency-key': key },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => { if (res.statusCode !== 201) text += chunk; });
        res.on('end', () => {
          latencyMs += performance.now() - sent;
          statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
          if (res.statusCode !== 201 && !sample) sample = res.statusCode + ' ' + text.slice(0, 300);
          resolve();
        });
      });
      req.on('error', (error) => { errors++; if (!sample) sample = String(error); resolve(); });
      req.end(body);
    });
  }
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(Array.from({ length: connections }, async () => { while (performance.now() < end) await post(); }));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  return { statuses, errors, sample, elapsedMs, meanLatencyMs: answered ? latencyMs / answered : 0 };
}
`;

interface LoadResult {
  statuses: Record<string, number>;
  errors: number;
  sample: string;
  elapsedMs: number;
  meanLatencyMs: number;
}

interface LoadOptions {
  origin: string;
  cookie: string;
  connections: number;
  durationMs: number;
  pattern: 'spread' | 'hot';
  accounts: string[];
  hot: string;
}

function fire(options: LoadOptions): Promise<LoadResult> {
  if (loadGenerator() === 'inline') {
    const run = new Function('require', `${LOADGEN}\nreturn run;`)(createRequire(import.meta.url)) as (o: LoadOptions) => Promise<LoadResult>;
    return run(options);
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');\n${LOADGEN}\nrun(workerData).then((r) => parentPort.postMessage(r));`,
      { eval: true, workerData: options, execArgv: [] },
    );
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the load generator exited with ${code}`))));
  });
}

const created = (r: LoadResult) => r.statuses['201'] ?? 0;
const rateOf = (r: LoadResult): Rate => {
  const bad = Object.entries(r.statuses).reduce((sum, [status, n]) => sum + (status === '201' ? 0 : n), 0) + r.errors;
  return { tps: created(r) / (r.elapsedMs / 1000), bad, detail: r.sample || undefined };
};

// ------------------------------------------------------------------ where the time goes (--profile)

interface Probe {
  statements: number;
  queryMs: number;
  checkouts: number;
  waitMs: number;
  reset(): void;
}

/** Counts the statements the app sends and the time it waits for a pooled connection (pg's prototypes, so before the app opens its pool). */
function installProbe(): Probe {
  const probe: Probe = {
    statements: 0,
    queryMs: 0,
    checkouts: 0,
    waitMs: 0,
    reset() {
      this.statements = this.queryMs = this.checkouts = this.waitMs = 0;
    },
  };
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const started = performance.now();
    probe.statements++;
    const result = query.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      void (result as Promise<unknown>).then(
        () => (probe.queryMs += performance.now() - started),
        () => (probe.queryMs += performance.now() - started),
      );
    }
    return result;
  };
  const connect = pg.Pool.prototype.connect as (...args: unknown[]) => unknown;
  (pg.Pool.prototype as unknown as { connect: unknown }).connect = function (this: pg.Pool, ...args: unknown[]) {
    const started = performance.now();
    probe.checkouts++;
    const done = () => (probe.waitMs += performance.now() - started);
    const callback = args[0];
    if (typeof callback === 'function') {
      return connect.call(this, (...results: unknown[]) => {
        done();
        return (callback as (...r: unknown[]) => unknown)(...results);
      });
    }
    const result = connect.apply(this, args) as Promise<unknown>;
    void result.then(done, done);
    return result;
  };
  return probe;
}

async function counters(app: FastifyInstance) {
  const { rows } = await app.kernel.database.executeSql<{ events: string; transfers: string }>(
    'SELECT (SELECT count(*) FROM event_log)::text AS events, (SELECT count(*) FROM ledger_transfers)::text AS transfers',
  );
  return { events: Number(rows[0]!.events), transfers: Number(rows[0]!.transfers) };
}

// ------------------------------------------------------------------ our side

async function post(origin: string, cookie: string, path: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { origin, cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

interface OursResult {
  spread: Rate;
  hot: Rate;
  spreadLoad: LoadResult;
  hotLoad: LoadResult;
  profile: string[];
  check: string;
}

async function measureOurs(serverUrl: string, duration: number, profile: boolean): Promise<OursResult> {
  const probe = profile ? installProbe() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const database = await throwawayDatabase(serverUrl, 'sb_bench_ledger');
  let app: FastifyInstance | undefined;
  try {
    const config = parseConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
    });
    app = await buildApp(config, { workers: false, logger: false });
    const origin = await app.listen({ host: HOST, port: 0 });
    const cookie = await adminCookie(origin);

    process.stderr.write(`  ours: opening and funding ${ACCOUNTS} accounts…`);
    const liability = await post(origin, cookie, '/api/console/ledger/accounts', { ownerType: 'platform', kind: 'liability', currency: 'COIN' });
    const hot = await post(origin, cookie, '/api/console/ledger/accounts', { ownerType: 'platform', kind: 'revenue', currency: 'COIN' });
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const person = await post(origin, cookie, '/api/console/people', { displayName: `Bench Wallet ${i}` });
      const wallet = await post(origin, cookie, '/api/console/ledger/accounts', { ownerType: 'person', ownerId: person.id, kind: 'wallet', currency: 'COIN' });
      await post(
        origin,
        cookie,
        '/api/console/ledger/transfers',
        { debitAccountId: liability.id, creditAccountId: wallet.id, amount: FUNDING, kind: 'funding' },
        { 'idempotency-key': `bench-funding-${i}` },
      );
      accounts.push(wallet.id);
    }
    await app.kernel.database.executeSql('ANALYZE');

    const run = (pattern: 'spread' | 'hot', seconds: number) =>
      fire({ origin, cookie, connections: CLIENTS, durationMs: seconds * 1000, pattern, accounts, hot: hot.id });
    const notes: string[] = [];
    const cpuNotes: Record<string, { machineBusy: number; cpuMsPerTx: number; backendMsPerTx?: number }> = {};
    let posted = 0;
    const measure = async (pattern: 'spread' | 'hot') => {
      process.stderr.write(` ${pattern}: warming up…`);
      posted += created(await run(pattern, WARMUP_SECONDS));
      process.stderr.write(' measuring…');
      const before = await counters(app!);
      probe?.reset();
      const backends = profile ? backendCpu(serverUrl, new URL(database.url).pathname.slice(1)) : undefined;
      const cpu = machineCpuMs();
      const processCpu = process.cpuUsage();
      const mainCpu = await mainThreadCpuMs();
      const loop = performance.eventLoopUtilization();
      const load = await run(pattern, duration);
      const mainThread = performance.eventLoopUtilization(loop).utilization;
      const mainMs = (await mainThreadCpuMs()) - mainCpu;
      const processMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(processCpu));
      const used = machineCpuMs();
      const backendMs = await backends?.stop();
      const after = await counters(app!);
      posted += created(load);
      const n = Math.max(1, after.transfers - before.transfers);
      const busy = used.busy - cpu.busy;
      cpuNotes[pattern] = {
        machineBusy: busy / (used.total - cpu.total),
        cpuMsPerTx: busy / n,
        backendMsPerTx: backendMs === undefined ? undefined : backendMs / n,
      };
      if (probe) {
        const secondsRun = load.elapsedMs / 1000;
        notes.push(
          `${pattern}: CPU per transfer ${(busy / n).toFixed(2)} ms machine-wide: ${(mainMs / n).toFixed(2)} ms on the app's thread ` +
            `(its event loop never idle ${(mainThread * 100).toFixed(0)} % of the time), ${((processMs - mainMs) / n).toFixed(2)} ms on this process's other threads ` +
            `(load generator, GC), ${((backendMs ?? 0) / n).toFixed(2)} ms in the PostgreSQL backends of its database, the rest elsewhere (WAL writer, other processes)`,
        );
        notes.push(
          `${pattern}: ${(probe.statements / n).toFixed(1)} statements and ${((after.events - before.events) / n).toFixed(1)} events per transfer; ` +
            `request latency ${load.meanLatencyMs.toFixed(1)} ms mean, of which waiting for a pooled connection ${(probe.waitMs / Math.max(1, probe.checkouts)).toFixed(1)} ms ` +
            `(${(probe.checkouts / n).toFixed(1)} checkouts per transfer); ` +
            `statements in flight on average ${(probe.queryMs / 1000 / secondsRun).toFixed(1)} (of ${POOL_SIZE} connections), ` +
            `${(probe.queryMs / probe.statements).toFixed(2)} ms per statement round trip`,
        );
      }
      return load;
    };
    const spreadLoad = await measure('spread');
    const hotLoad = await measure('hot');
    process.stderr.write(' done\n');

    // The load must have left a sound ledger, with one transfer per 201 (fundings and warm-ups included).
    const check = await checkLedger(app.kernel.db);
    const sound = check.mismatches.length === 0 && check.unbalanced.length === 0 && check.negative.length === 0;
    if (!sound) throw new Error(`the ledger is not sound after the load: ${JSON.stringify(check).slice(0, 500)}`);
    if (check.transfers !== ACCOUNTS + posted) throw new Error(`${check.transfers} transfers stored for ${ACCOUNTS + posted} answered 201`);
    return {
      spread: { ...rateOf(spreadLoad), ...cpuNotes.spread },
      hot: { ...rateOf(hotLoad), ...cpuNotes.hot },
      spreadLoad,
      hotLoad,
      profile: notes,
      check: `ledger check after the load: sound; ${check.transfers} transfers stored, one per 201 answered (fundings and warm-ups included)`,
    };
  } finally {
    await app?.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ the table

interface Line {
  name: string;
  ours: Rate;
  baseline: Rate;
  target: number;
}

function printTable(lines: Line[]): void {
  const header = ['benchmark', 'ours tx/s', 'baseline tx/s', 'ratio', 'target', 'verdict'];
  const rows = lines.map((l) => {
    const ratio = l.ours.tps / l.baseline.tps;
    const bad = l.ours.bad + l.baseline.bad;
    const verdict = bad > 0 ? `INVALID (${bad} failed/non-201/errors)` : ratio >= l.target ? 'PASS' : 'BELOW';
    return [l.name, l.ours.tps.toFixed(0), l.baseline.tps.toFixed(0), ratio.toFixed(2), `≥ ${l.target.toFixed(2)}`, verdict];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(format(row));
}

export async function main(args: string[]): Promise<void> {
  const unknown = args.filter((a) => a !== '--profile');
  if (unknown.length > 0) throw new Error(`unknown option(s) ${unknown.join(' ')}; the ledger bench takes --profile`);
  const profile = args.includes('--profile');
  const duration = seconds();
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_SERVER;
  if (!Number.isInteger(POOL_SIZE) || POOL_SIZE < 1) throw new Error(`DATABASE_POOL_SIZE must be a whole number ≥ 1`);

  const version = new pg.Client({ connectionString: serverUrl });
  await version.connect();
  const { rows } = await version.query<{ server_version: string }>('SHOW server_version');
  await version.end();
  const where = new URL(serverUrl);
  console.log(
    `bench ledger: PostgreSQL ${rows[0]!.server_version} at ${where.host}, ${CLIENTS} clients, ${duration} s per run after ${WARMUP_SECONDS} s warm-up; ` +
      `pgbench tpcb-like scale ${PGBENCH_SCALE}; ours ${ACCOUNTS} funded wallets, pool of ${POOL_SIZE} connections, ` +
      `load generator ${loadGenerator() === 'worker' ? 'in a worker thread' : 'on the main thread'}, node ${process.version}`,
  );

  const pgbench = await measurePgbench(serverUrl, duration, profile);
  const ours = await measureOurs(serverUrl, duration, profile);
  console.log();
  printTable([
    { name: `spread (${ACCOUNTS} accounts) ÷ pgbench`, ours: ours.spread, baseline: pgbench, target: TARGET_SPREAD },
    { name: 'hot account ÷ spread', ours: ours.hot, baseline: ours.spread, target: TARGET_HOT },
  ]);
  console.log();
  console.log(`mean request latency: spread ${ours.spreadLoad.meanLatencyMs.toFixed(1)} ms, hot ${ours.hotLoad.meanLatencyMs.toFixed(1)} ms`);
  const cpuLine = (rate: Rate) =>
    `${((rate.machineBusy ?? 0) * 100).toFixed(0)} % busy, ${(rate.cpuMsPerTx ?? 0).toFixed(2)} ms CPU per transaction` +
    (rate.backendMsPerTx === undefined ? '' : ` (${rate.backendMsPerTx.toFixed(2)} ms in its PostgreSQL backends)`);
  console.log(`machine CPU (all processes, all cores): pgbench ${cpuLine(pgbench)}; spread ${cpuLine(ours.spread)}; hot ${cpuLine(ours.hot)}`);
  for (const [name, rate] of [
    ['spread', ours.spread],
    ['hot', ours.hot],
    ['pgbench', pgbench],
  ] as const) {
    if (rate.bad > 0) console.log(`${name}: ${rate.bad} failed${rate.detail ? `, e.g. ${rate.detail}` : ''}`);
  }
  console.log(ours.check);
  for (const note of ours.profile) console.log(`profile ${note}`);
}
