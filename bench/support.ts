/**
 * Shared by the HTTP benchmarks (`http`, `people`, `lists`): the app on a throwaway database with a signed-in
 * administrator, autocannon runs against a baseline, and the results table. Not a benchmark itself
 * (bench/run.ts leaves it out of the list).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/src/app.ts';
import { parseConfig } from '../server/src/core/config.ts';
import type { DatabaseHandle } from '../server/src/core/db/client.ts';
import { throwawayDatabase } from '../server/test/throwaway-database.ts';

export const HOST = '127.0.0.1';
export const CONNECTIONS = 10;
export const WARMUP_SECONDS = 1;
export const ADMIN = { email: 'admin@bench.local', password: 'bench administrator passphrase' };

export interface Measured {
  rps: number;
  /** Mean request latency, milliseconds. */
  latencyMs: number;
  non2xx: number;
  errors: number;
}

export interface Row {
  name: string;
  ours: Measured;
  baseline: Measured;
  target: number;
}

export function seconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return 5;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1) throw new Error(`BENCH_SECONDS must be a number ≥ 1, got "${raw}"`);
  return Math.round(value);
}

/** `worker` (default) fires requests from a worker thread, off the servers' event loop; `inline` from this thread. */
export function loadGenerator(): 'worker' | 'inline' {
  const raw = process.env.BENCH_LOADGEN ?? 'worker';
  if (raw !== 'worker' && raw !== 'inline') throw new Error(`BENCH_LOADGEN must be "worker" or "inline", got "${raw}"`);
  return raw;
}

async function fire(url: string, headers: Record<string, string>, duration: number): Promise<Measured> {
  const result = await autocannon({
    url,
    headers,
    connections: CONNECTIONS,
    duration,
    ...(loadGenerator() === 'worker' ? { workers: 1 } : {}),
  });
  return { rps: result.requests.average, latencyMs: result.latency.average, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** Warms both sides up, then measures the baseline and the subject one after the other. */
export async function compare(
  name: string,
  target: number,
  subject: { url: string; headers: Record<string, string> },
  baseline: { url: string; headers?: Record<string, string> },
  duration: number,
): Promise<Row> {
  process.stderr.write(`  ${name}: warming up…`);
  await fire(baseline.url, baseline.headers ?? {}, WARMUP_SECONDS);
  await fire(subject.url, subject.headers, WARMUP_SECONDS);
  process.stderr.write(' baseline…');
  const base = await fire(baseline.url, baseline.headers ?? {}, duration);
  process.stderr.write(' ours…');
  const ours = await fire(subject.url, subject.headers, duration);
  process.stderr.write(' done\n');
  return { name, ours, baseline: base, target };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  return `http://${HOST}:${(server.address() as AddressInfo).port}`;
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function getJson(url: string, headers: Record<string, string>): Promise<any> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

export function printTable(rows: Row[]): void {
  const header = ['benchmark', 'ours req/s', 'baseline req/s', 'ratio', 'target', 'verdict'];
  const lines = rows.map((r) => {
    const ratio = r.ours.rps / r.baseline.rps;
    const bad = r.ours.non2xx + r.ours.errors + r.baseline.non2xx + r.baseline.errors;
    const verdict = bad > 0 ? `INVALID (${bad} non-2xx/errors)` : ratio >= r.target ? 'PASS' : 'BELOW';
    return [r.name, r.ours.rps.toFixed(0), r.baseline.rps.toFixed(0), ratio.toFixed(2), `≥ ${r.target.toFixed(2)}`, verdict];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

export interface ConsoleApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  /** Where the app listens, on 127.0.0.1. */
  origin: string;
  /** The administrator's `sb_session` cookie, as request headers. */
  auth: Record<string, string>;
  /** Listens on 127.0.0.1 and returns the origin; the server is closed when the benchmark ends. */
  serve(server: Server): Promise<string>;
}

/**
 * The whole server in-process (`buildApp`, no workers, no logging) on PGlite in a temporary DATA_DIR,
 * or on a throwaway database on the server in `BENCH_DATABASE_URL`; `seed` fills it before it listens,
 * then the administrator signs in over HTTP. Everything is closed, dropped and removed afterwards.
 */
export async function withConsoleApp(seed: (database: DatabaseHandle) => Promise<void>, work: (env: ConsoleApp) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const postgres = process.env.BENCH_DATABASE_URL ? await throwawayDatabase(process.env.BENCH_DATABASE_URL, 'sb_bench') : undefined;
  const servers: Server[] = [];
  let app: FastifyInstance | undefined;
  try {
    const config = parseConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: postgres?.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
    });
    app = await buildApp(config, { workers: false, logger: false });
    const database = app.kernel.database;
    await seed(database);
    const origin = await app.listen({ host: HOST, port: 0 });

    const auth = { cookie: await adminCookie(origin) };

    await work({
      app,
      database,
      origin,
      auth,
      serve(server) {
        servers.push(server);
        return listen(server);
      },
    });
  } finally {
    await Promise.all(servers.map(closeServer));
    await app?.close();
    await postgres?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Signs the bench administrator in over HTTP, as a browser would, and returns the `sb_session=…` cookie. */
export async function adminCookie(origin: string): Promise<string> {
  const signIn = await fetch(`${origin}/api/console/session`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const session = signIn.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
  if (!session) throw new Error('sign-in set no sb_session cookie');
  return session.split(';')[0]!;
}
