/**
 * HTTP throughput of the console API against bare node:http baselines measured in the same run.
 *
 *   npm run bench -- http                 PGlite in a temporary DATA_DIR
 *   BENCH_SECONDS=10 npm run bench -- http
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- http
 *                                         a throwaway database created on that server, dropped at the end
 *
 * See bench/README.md for what each figure means.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { buildApp } from '../server/src/app.ts';
import { parseConfig } from '../server/src/core/config.ts';
import type { DatabaseHandle } from '../server/src/core/db/client.ts';
import { hashPassword } from '../server/src/modules/staff/passwords.ts';
import { roles, staffUserRoles, staffUsers } from '../server/src/modules/staff/schema.ts';
import { throwawayDatabase } from '../server/test/throwaway-database.ts';

const HOST = '127.0.0.1';
const CONNECTIONS = 10;
const WARMUP_SECONDS = 1;
const STAFF_USERS = 2_000;
const PAGE = 50;
const ADMIN = { email: 'admin@bench.local', password: 'bench administrator passphrase' };

// ------------------------------------------------------------------ the SQL the staff list issues
// Copied from listStaffUsers (server/src/modules/staff/service.ts) as Drizzle renders it: the keyset
// page (limit + 1 rows) and the roles of the kept rows. Keep these in step with the service.
const PAGE_SQL =
  'select "id", "email", "name", "password_hash", "status", "locale", "created_at", "updated_at" from "staff_users" ' +
  'where (lower("staff_users"."name"), "staff_users"."id") > ($1, $2::uuid) ' +
  'order by lower("staff_users"."name"), "staff_users"."id" asc limit $3';
const rolesSql = (n: number) =>
  'select "staff_user_roles"."staff_id", "roles"."id", "roles"."name" from "staff_user_roles" ' +
  'inner join "roles" on "roles"."id" = "staff_user_roles"."role_id" ' +
  `where "staff_user_roles"."staff_id" in (${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ')}) ` +
  'order by "roles"."name" asc';

interface Measured {
  rps: number;
  non2xx: number;
  errors: number;
}

interface Row {
  name: string;
  ours: Measured;
  baseline: Measured;
  target: number;
}

function seconds(): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return 5;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1) throw new Error(`BENCH_SECONDS must be a number ≥ 1, got "${raw}"`);
  return Math.round(value);
}

/** `worker` (default) fires requests from a worker thread, off the servers' event loop; `inline` from this thread. */
function loadGenerator(): 'worker' | 'inline' {
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
  return { rps: result.requests.average, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** Warms both sides up, then measures the baseline and the subject one after the other. */
async function compare(
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

/** The baseline for /me: the least a JSON endpoint can do over node:http. */
function helloServer(): Server {
  const body = JSON.stringify({ hello: 'world' });
  return createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

/** The baseline for the staff page: the same two statements through the same driver, rows serialised as JSON. */
function sqlServer(database: DatabaseHandle): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const cursor = new URL(req.url ?? '/', `http://${HOST}`).searchParams.get('cursor');
      const [afterName, afterId] = JSON.parse(Buffer.from(cursor ?? '', 'base64url').toString('utf8')) as [string, string];
      const page = await database.executeSql<Record<string, unknown>>(PAGE_SQL, [afterName, afterId, PAGE + 1]);
      const kept = page.rows.slice(0, PAGE);
      const ids = kept.map((r) => r.id);
      const roleRows = ids.length > 0 ? (await database.executeSql(rolesSql(ids.length), ids)).rows : [];
      // The hash is selected (as the service does) but, as in the API, never sent.
      const items = kept.map(({ password_hash: _hash, ...rest }) => rest);
      const body = JSON.stringify({ items, roles: roleRows });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
}

const FIRST = ['Ada', 'Boris', 'Chen', 'Dana', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Lev', 'Maya', 'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sami', 'Tara'];
const LAST = ['Abbott', 'Baker', 'Castro', 'Dietrich', 'Eriksen', 'Fischer', 'Garcia', 'Horvat', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Sato', 'Tanaka'];

/** 2,000 staff users straight into the tables, one shared password hash, each holding one or two roles. */
async function seed(database: DatabaseHandle): Promise<void> {
  const { db } = database;
  const now = new Date();
  const roleIds = ['Support', 'Finance', 'Operations'].map(() => uuidv7());
  await db.insert(roles).values(
    ['Support', 'Finance', 'Operations'].map((name, i) => ({ id: roleIds[i]!, name, createdAt: now, updatedAt: now })),
  );
  const passwordHash = await hashPassword('bench seeded user password');
  const users = Array.from({ length: STAFF_USERS }, (_, i) => ({
    id: uuidv7(),
    email: `user${i}@bench.local`,
    name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`,
    passwordHash,
    createdAt: now,
    updatedAt: now,
  }));
  for (let i = 0; i < users.length; i += 500) {
    const chunk = users.slice(i, i + 500);
    await db.insert(staffUsers).values(chunk);
    await db.insert(staffUserRoles).values(
      chunk.flatMap((u, j) => {
        const first = { staffId: u.id, roleId: roleIds[(i + j) % 3]! };
        return (i + j) % 4 === 0 ? [first, { staffId: u.id, roleId: roleIds[(i + j + 1) % 3]! }] : [first];
      }),
    );
  }
}

async function getJson(url: string, headers: Record<string, string>): Promise<any> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function printTable(rows: Row[]): void {
  const header = ['benchmark', 'ours req/s', 'baseline req/s', 'ratio', 'target', 'verdict'];
  const lines = rows.map((r) => {
    const ratio = r.ours.rps / r.baseline.rps;
    const bad = r.ours.non2xx + r.ours.errors + r.baseline.non2xx + r.baseline.errors;
    const verdict = bad > 0 ? `INVALID (${bad} non-2xx/errors)` : ratio >= r.target ? 'PASS' : 'BELOW';
    return [r.name, r.ours.rps.toFixed(0), r.baseline.rps.toFixed(0), ratio.toFixed(2), `≥ ${r.target.toFixed(2)}`, verdict];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

export async function main(_args: string[]): Promise<void> {
  const duration = seconds();
  const loadgen = loadGenerator();
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

    const signIn = await fetch(`${origin}/api/console/session`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
    const session = signIn.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
    if (!session) throw new Error('sign-in set no sb_session cookie');
    const auth = { cookie: session.split(';')[0]! };

    const me = await getJson(`${origin}/api/console/me`, auth);
    if (me.email !== ADMIN.email) throw new Error(`/me answered for ${me.email}`);
    const first = await getJson(`${origin}/api/console/staff?limit=${PAGE}`, auth);
    if (!first.nextCursor) throw new Error('the first staff page has no next cursor');
    const pageUrl = `/api/console/staff?limit=${PAGE}&cursor=${encodeURIComponent(first.nextCursor)}`;
    const second = await getJson(`${origin}${pageUrl}`, auth);

    const hello = helloServer();
    const sqlBaseline = sqlServer(database);
    servers.push(hello, sqlBaseline);
    const helloUrl = await listen(hello);
    const sqlUrl = await listen(sqlBaseline);
    const check = await getJson(`${sqlUrl}${pageUrl}`, {});
    const sameRows = check.items.map((r: { id: string }) => r.id).join() === second.items.map((r: { id: string }) => r.id).join();
    if (check.items.length !== PAGE || !sameRows) throw new Error('the SQL baseline does not return the same page as the API');

    console.log(
      `bench http: ${database.driver}, ${STAFF_USERS + 1} staff users, ${duration} s per run after ${WARMUP_SECONDS} s warm-up, ` +
        `${CONNECTIONS} connections, load generator ${loadgen === 'worker' ? 'in a worker thread' : 'on the main thread'}, node ${process.version}`,
    );
    const rows = [
      await compare('GET /api/console/me vs node:http hello', 0.6, { url: `${origin}/api/console/me`, headers: auth }, { url: `${helloUrl}/` }, duration),
      await compare(
        `GET /api/console/staff page 2 (${PAGE} rows) vs same SQL on node:http`,
        0.5,
        { url: `${origin}${pageUrl}`, headers: auth },
        { url: `${sqlUrl}${pageUrl}` },
        duration,
      ),
    ];
    console.log();
    printTable(rows);
  } finally {
    await Promise.all(servers.map(closeServer));
    await app?.close();
    await postgres?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
