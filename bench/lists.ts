/**
 * HTTP throughput of the app-users list (`GET /api/console/creators/users`) on the large data set of
 * `npm run seed`, against the same SQL sent raw through the same driver from a bare node:http server,
 * measured in the same run; and the latency of a page deep in the list against the first page.
 *
 *   npm run bench -- lists                          100,000 users, 2,000 streamers, 30 agencies on PGlite
 *   npm run bench -- lists --users 1000000 --streamers 20000 --agencies 300
 *   npm run bench -- lists --explain                also prints EXPLAIN ANALYZE of each list statement
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- lists
 *                                                   a throwaway database created on that server, dropped at the end
 *
 * See bench/README.md for what each figure means.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadavg } from 'node:os';
import type { Logger } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { DatabaseHandle } from '../server/src/core/db/client.ts';
import { encodeCursor } from '../server/src/core/paging.ts';
import { listUsers } from '../server/src/modules/creators/users/views.ts';
import { parseSize, seedCreators, type SeedSize } from '../server/scripts/seed-data.ts';
import { CONNECTIONS, HOST, WARMUP_SECONDS, compare, getJson, loadGenerator, printTable, seconds, withConsoleApp, type Row } from './support.ts';

const SIZE: SeedSize = { users: 100_000, streamers: 2_000, agencies: 30 };
const PAGE = 50;
const TARGET = 0.5;
/** A deep page may take at most this many times the first page's latency. */
const DEEP_TARGET = 2;
/** How far down the list the deep page starts (a share of all users). */
const DEPTH = 0.9;
/** One last name in 80 of the seed contains it ("Sokolova"): a full page of matches from 4,000 users on. */
const FRAGMENT = 'sokol';
const MIN_USERS = 1_000;

interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The statements `work` sends through Drizzle, with their values, read from Drizzle's query logger. The
 * baseline replays exactly these: the list's own SQL, however the services build it, with the values the
 * API computes (the same for every request of one path, since the data do not change).
 */
async function record(database: DatabaseHandle, work: () => Promise<unknown>): Promise<Statement[]> {
  const session = (database.db as unknown as { _: { session: { logger: Logger } } })._.session;
  const previous = session.logger;
  const statements: Statement[] = [];
  session.logger = { logQuery: (text, values) => statements.push({ text, values }) };
  try {
    await work();
  } finally {
    session.logger = previous;
  }
  return statements;
}

/** The query the route hands listUsers for a path. */
function queryOf(path: string) {
  const params = new URL(path, `http://${HOST}`).searchParams;
  return { q: params.get('q') ?? undefined, cursor: params.get('cursor') ?? undefined, limit: Number(params.get('limit') ?? PAGE) };
}

/** The baseline: a path's recorded statements one after the other, as the API sends them, all rows as JSON. */
function sqlServer(database: DatabaseHandle, statements: Map<string, Statement[]>): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const results: unknown[][] = [];
      for (const { text, values } of statements.get(req.url ?? '') ?? []) results.push((await database.executeSql(text, values)).rows);
      const [items = [], ...related] = results;
      const body = JSON.stringify({ items: items.slice(0, PAGE), related });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
}

/** `count` users from `offset` on, in the list's order, straight from the tables (OFFSET: this is the reference, not the list). */
async function usersAt(database: DatabaseHandle, offset: number, count: number): Promise<Array<{ name: string; id: string }>> {
  const { rows } = await database.executeSql<{ name: string; id: string }>(
    `SELECT lower(display_name) AS name, id FROM people WHERE id IN (SELECT person_id FROM creator_users)
     ORDER BY lower(display_name), id OFFSET $1 LIMIT $2`,
    [offset, count],
  );
  if (rows.length < count) throw new Error(`fewer than ${count} users from user ${offset} on`);
  return rows;
}

/** The API and the baseline must answer with the same rows, and those the seed implies, or the comparison means nothing. */
async function check(name: string, ours: string, baseline: string, auth: Record<string, string>, expect: (items: any[]) => boolean) {
  const api = await getJson(ours, auth);
  const raw = await getJson(baseline, {});
  const ids = (items: Array<{ id: string }>) => items.map((r) => r.id).join();
  if (!expect(api.items)) throw new Error(`${name}: the API answered ${api.items.length} rows, not what the seed implies`);
  if (ids(api.items) !== ids(raw.items)) throw new Error(`${name}: the SQL baseline does not return the same rows as the API`);
}

async function explain(database: DatabaseHandle, statements: Map<string, Statement[]>): Promise<void> {
  for (const [path, [list]] of statements) {
    const plan = await database.executeSql<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${list!.text}`, list!.values);
    console.log(`\n${path.length > 100 ? `${path.slice(0, 100)}…` : path}\n${plan.rows.map((r) => `  ${Object.values(r)[0]}`).join('\n')}`);
  }
  console.log();
}

async function recordAll(app: FastifyInstance, paths: string[]): Promise<Map<string, Statement[]>> {
  const statements = new Map<string, Statement[]>();
  for (const path of paths) statements.set(path, await record(app.kernel.database, () => listUsers(app.kernel, queryOf(path))));
  return statements;
}

export async function main(args: string[]): Promise<void> {
  const size = parseSize(
    args.filter((arg) => arg !== '--explain'),
    SIZE,
  );
  if (size.users < MIN_USERS) throw new Error(`--users must be at least ${MIN_USERS}: a full page deep in the list and some "${FRAGMENT}"s are needed`);
  const duration = seconds();
  const loadgen = loadGenerator();
  let seeded = '';
  const seed = async (database: DatabaseHandle) => {
    const report = await seedCreators(database, size, (line) => process.stderr.write(`  seed: ${line}\n`));
    seeded = `seeded in ${report.seconds.toFixed(0)} s + ${report.vacuumSeconds.toFixed(0)} s vacuum`;
  };
  await withConsoleApp(seed, async ({ app, database, origin, auth, serve }) => {
    const base = `/api/console/creators/users?limit=${PAGE}`;
    // The deep page follows the user at DEPTH: its cursor is that user's sort key, as the list encodes it.
    const [at, ...deepPage] = await usersAt(database, Math.floor(size.users * DEPTH), PAGE + 1);
    const firstPage = await usersAt(database, 0, PAGE);
    const paths = {
      first: base,
      deep: `${base}&cursor=${encodeCursor([at!.name, at!.id])}`,
      fragment: `${base}&q=${FRAGMENT}`,
      id: `${base}&q=${at!.id}`,
    };
    const statements = await recordAll(app, Object.values(paths));
    const sqlUrl = await serve(sqlServer(database, statements));
    const ids = (items: Array<{ id: string }>) => items.map((u) => u.id).join();
    await check('first page', `${origin}${paths.first}`, `${sqlUrl}${paths.first}`, auth, (items) => ids(items) === ids(firstPage));
    await check('deep page', `${origin}${paths.deep}`, `${sqlUrl}${paths.deep}`, auth, (items) => ids(items) === ids(deepPage));
    await check(
      'name fragment',
      `${origin}${paths.fragment}`,
      `${sqlUrl}${paths.fragment}`,
      auth,
      (items) => items.length > 0 && items.every((u: { displayName: string }) => u.displayName.toLowerCase().includes(FRAGMENT)),
    );
    await check('exact id', `${origin}${paths.id}`, `${sqlUrl}${paths.id}`, auth, (items) => items.length === 1 && items[0].id === at!.id);
    if (args.includes('--explain')) await explain(database, statements);

    console.log(
      `bench lists: ${database.driver}, ${size.users} users, ${size.streamers} streamers, ${size.agencies} agencies (${seeded}), ` +
        `${duration} s per run after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ` +
        `load generator ${loadgen === 'worker' ? 'in a worker thread' : 'on the main thread'}, node ${process.version}`,
    );
    // On a shared machine other work skews every figure; the load says how much there was.
    const loadBefore = loadavg()[0]!;
    const line = (name: string, path: string) =>
      compare(`${name} vs same SQL on node:http`, TARGET, { url: `${origin}${path}`, headers: auth }, { url: `${sqlUrl}${path}` }, duration);
    const rows: Row[] = [
      await line(`users page 1 (${PAGE} rows)`, paths.first),
      await line(`users page at ${DEPTH * 100} % (${PAGE} rows)`, paths.deep),
      await line(`users q=${FRAGMENT} (1 name in 80)`, paths.fragment),
      await line('users q=<id> (1 row)', paths.id),
    ];
    console.log();
    printTable(rows);
    const [page1, deepRow] = rows as [Row, Row];
    const slower = deepRow.ours.latencyMs / page1.ours.latencyMs;
    console.log(
      `\ndeep page ÷ page 1, mean latency: ours ${deepRow.ours.latencyMs.toFixed(1)} / ${page1.ours.latencyMs.toFixed(1)} ms = ${slower.toFixed(2)} ` +
        `(raw SQL ${(deepRow.baseline.latencyMs / page1.baseline.latencyMs).toFixed(2)}), target ≤ ${DEEP_TARGET.toFixed(2)}: ${slower <= DEEP_TARGET ? 'PASS' : 'BELOW'}`,
    );
    console.log(`machine load average (1 min): ${loadBefore.toFixed(1)} before the runs, ${loadavg()[0]!.toFixed(1)} after`);
  });
}
