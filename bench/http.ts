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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { uuidv7 } from 'uuidv7';
import type { DatabaseHandle } from '../server/src/core/db/client.ts';
import { hashPassword } from '../server/src/modules/staff/passwords.ts';
import { roles, staffUserRoles, staffUsers } from '../server/src/modules/staff/schema.ts';
import { ADMIN, CONNECTIONS, HOST, WARMUP_SECONDS, compare, getJson, loadGenerator, printTable, seconds, withConsoleApp } from './support.ts';

const STAFF_USERS = 2_000;
const PAGE = 50;

// ------------------------------------------------------------------ the SQL the staff list issues
// Copied from listStaffUsers (server/src/modules/staff/users.ts) as Drizzle renders it: the keyset
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

/** The baseline for /me: the least a JSON endpoint can do over node:http. */
function helloServer(): Server {
  return fixedServer(JSON.stringify({ hello: 'world' }));
}

/** A bare server answering every request with the same bytes (`/me`'s own body, for the second `/me` line). */
function fixedServer(body: string): Server {
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

const FIRST = [
  'Ada',
  'Boris',
  'Chen',
  'Dana',
  'Elif',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Kira',
  'Lev',
  'Maya',
  'Nils',
  'Olga',
  'Pavel',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
];
const LAST = [
  'Abbott',
  'Baker',
  'Castro',
  'Dietrich',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Horvat',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Quispe',
  'Rossi',
  'Sato',
  'Tanaka',
];

/** 2,000 staff users straight into the tables, one shared password hash, each holding one or two roles. */
async function seed(database: DatabaseHandle): Promise<void> {
  const { db } = database;
  const now = new Date();
  // Prefixed: role names are unique (case-insensitively) and modules bring built-in roles such as "Support".
  const roleNames = ['Bench Support', 'Bench Finance', 'Bench Operations'];
  const roleIds = roleNames.map(() => uuidv7());
  await db.insert(roles).values(roleNames.map((name, i) => ({ id: roleIds[i]!, name, createdAt: now, updatedAt: now })));
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

export async function main(_args: string[]): Promise<void> {
  const duration = seconds();
  const loadgen = loadGenerator();
  await withConsoleApp(seed, async ({ database, origin, auth, serve }) => {
    const me = await getJson(`${origin}/api/console/me`, auth);
    if (me.email !== ADMIN.email) throw new Error(`/me answered for ${me.email}`);
    const first = await getJson(`${origin}/api/console/staff?limit=${PAGE}`, auth);
    if (!first.nextCursor) throw new Error('the first staff page has no next cursor');
    const pageUrl = `/api/console/staff?limit=${PAGE}&cursor=${encodeURIComponent(first.nextCursor)}`;
    const second = await getJson(`${origin}${pageUrl}`, auth);

    const helloUrl = await serve(helloServer());
    const meBodyUrl = await serve(fixedServer(JSON.stringify(me)));
    const sqlUrl = await serve(sqlServer(database));
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
        `GET /api/console/me vs node:http sending the same ${Buffer.byteLength(JSON.stringify(me))} bytes`,
        0.6,
        { url: `${origin}/api/console/me`, headers: auth },
        { url: `${meBodyUrl}/` },
        duration,
      ),
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
  });
}
