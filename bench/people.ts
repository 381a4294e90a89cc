/**
 * HTTP throughput of the people list (`GET /api/console/people`) against the same SQL sent raw
 * through the same driver from a bare node:http server, measured in the same run.
 *
 *   npm run bench -- people                  PGlite in a temporary DATA_DIR
 *   npm run bench -- people --explain        also prints EXPLAIN ANALYZE of the three statements
 *   BENCH_SECONDS=10 npm run bench -- people
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- people
 *                                            a throwaway database created on that server, dropped at the end
 *
 * See bench/README.md for what each figure means.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { uuidv7 } from 'uuidv7';
import type { DatabaseHandle } from '../server/src/core/db/client.ts';
import { people, personIdentities } from '../server/src/modules/people/schema.ts';
import { CONNECTIONS, HOST, WARMUP_SECONDS, compare, getJson, loadGenerator, printTable, seconds, withConsoleApp } from './support.ts';

const PEOPLE = 20_000;
const CHUNK = 1_000;
const PAGE = 50;
const TARGET = 0.5;
/** The person whose Telegram id is looked up, and the name fragment searched for (it matches one last name in 20). */
const LOOKED_UP = 12_345;
const FRAGMENT = 'sok';

// ------------------------------------------------------------------ the SQL the people list issues
// Copied from listPeople (server/src/modules/people/people.ts) as Drizzle renders it (logged once with
// Drizzle's query logger): without `q`, and with `q` (no cursor, no status, no tag). `q` is matched
// against search_text with LIKE, and against every identity's external id, as given and lower-cased.
// Keep these in step with the service.
const COLUMNS =
  'select "id", "display_name", "status", "locale", "time_zone", "contacts", "tags", "public_profile", "private_profile", ' +
  '"block_reason", "block_note", "blocked_at", "search_text", "created_at", "updated_at" from "people" ';
const ORDER = 'order by lower("people"."display_name"), "people"."id" asc limit ';
const FIRST_PAGE_SQL = `${COLUMNS}${ORDER}$1`;
const SEARCH_SQL =
  `${COLUMNS}where "people"."id" IN (SELECT "people"."id" FROM "people" WHERE "people"."search_text" LIKE $1 ` +
  'UNION SELECT "person_identities"."person_id" FROM "person_identities" WHERE "person_identities"."external_id" IN ($2, $3)) ' +
  `${ORDER}$4`;
/** As the service builds the LIKE pattern. */
const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function statementFor(url: URL): { text: string; values: unknown[]; limit: number } {
  const limit = Number(url.searchParams.get('limit') ?? PAGE);
  const q = url.searchParams.get('q')?.trim();
  return q ? { text: SEARCH_SQL, values: [likePattern(q), q, q.toLowerCase(), limit + 1], limit } : { text: FIRST_PAGE_SQL, values: [limit + 1], limit };
}

/** The baseline: the same statement through the same driver, the kept rows serialised as JSON. */
function sqlServer(database: DatabaseHandle): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const { text, values, limit } = statementFor(new URL(req.url ?? '/', `http://${HOST}`));
      const result = await database.executeSql<Record<string, unknown>>(text, values);
      // Every column is selected (as the service does); only those the API sends are sent.
      const items = result.rows
        .slice(0, limit)
        .map(({ id, display_name, status, tags, contacts, created_at, updated_at }) => ({ id, display_name, status, tags, contacts, created_at, updated_at }));
      const body = JSON.stringify({ items });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
}

// 20 × 20 = 400 display names, each shared by 50 people; "Sokolov" is the only one containing "sok".
const FIRST = [
  'Aleksandr',
  'Beatriz',
  'Chiara',
  'Dmitri',
  'Emma',
  'Fatima',
  'Giorgos',
  'Hana',
  'Ivan',
  'Julia',
  'Kenji',
  'Lena',
  'Mateo',
  'Nadia',
  'Oskar',
  'Priya',
  'Rafael',
  'Sofia',
  'Tomasz',
  'Yusuf',
];
const LAST = [
  'Almeida',
  'Bergström',
  'Costa',
  'Dubois',
  'Esposito',
  'Fernández',
  'Grünewald',
  'Hoffmann',
  'Ishikawa',
  'Jovanović',
  'Kovač',
  'Larsen',
  'Mendes',
  'Nakamura',
  'Oliveira',
  'Papadopoulos',
  'Rahman',
  'Sokolov',
  'Takahashi',
  'Weber',
];
const TAGS = ['beta', 'newsletter', 'vip'];
const telegramId = (i: number) => String(100_000_000 + i * 7_919);
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

/** 20,000 people straight into the tables in chunks: one email contact, a Telegram and an email identity each, a few tags. */
async function seed(database: DatabaseHandle): Promise<void> {
  const { db } = database;
  const now = new Date();
  const started = Date.now();
  for (let start = 0; start < PEOPLE; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, PEOPLE - start) }, (_, j) => {
      const i = start + j;
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
      const displayName = `${first} ${last}`;
      const email = `${ascii(first)}.${ascii(last)}.${i}@example.com`;
      const contacts = [{ kind: 'email' as const, value: email }];
      const tags = TAGS.filter((_tag, t) => i % (t + 3) === 0); // sorted, as the service keeps them
      return {
        id: uuidv7(),
        displayName,
        contacts,
        tags,
        // As searchTextOf in the service: the name and the contact values, lower-cased.
        searchText: [displayName, ...contacts.map((c) => c.value)].join(' ').toLowerCase(),
        createdAt: now,
        updatedAt: now,
      };
    });
    await db.insert(people).values(rows);
    await db.insert(personIdentities).values(
      rows.flatMap((p, j) => [
        { id: uuidv7(), personId: p.id, provider: 'telegram', externalId: telegramId(start + j), createdAt: now },
        { id: uuidv7(), personId: p.id, provider: 'email', externalId: p.contacts[0]!.value, createdAt: now },
      ]),
    );
  }
  await database.executeSql('ANALYZE people; ANALYZE person_identities');
  process.stderr.write(`  seeded ${PEOPLE} people and ${PEOPLE * 2} identities in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The API and the baseline must answer with the same rows, or the comparison means nothing. */
async function check(name: string, ours: string, baseline: string, auth: Record<string, string>, expect: (items: any[]) => boolean) {
  const api = await getJson(ours, auth);
  const raw = await getJson(baseline, {});
  const ids = (items: Array<{ id: string }>) => items.map((r) => r.id).join();
  if (!expect(api.items)) throw new Error(`${name}: the API answered ${api.items.length} rows, not what the seed implies`);
  if (ids(api.items) !== ids(raw.items)) throw new Error(`${name}: the SQL baseline does not return the same rows as the API`);
}

async function explain(database: DatabaseHandle, paths: string[]): Promise<void> {
  for (const path of paths) {
    const { text, values } = statementFor(new URL(path, `http://${HOST}`));
    const plan = await database.executeSql<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
    console.log(`\n${path}\n${plan.rows.map((r) => `  ${Object.values(r)[0]}`).join('\n')}`);
  }
  console.log();
}

export async function main(args: string[]): Promise<void> {
  const duration = seconds();
  const loadgen = loadGenerator();
  await withConsoleApp(seed, async ({ database, origin, auth, serve }) => {
    const sqlUrl = await serve(sqlServer(database));
    const firstPage = `/api/console/people?limit=${PAGE}`;
    const byTelegram = `/api/console/people?limit=${PAGE}&q=${telegramId(LOOKED_UP)}`;
    const byFragment = `/api/console/people?limit=${PAGE}&q=${FRAGMENT}`;
    const lookedUpName = `${FIRST[LOOKED_UP % FIRST.length]} ${LAST[Math.floor(LOOKED_UP / FIRST.length) % LAST.length]}`;
    await check('first page', `${origin}${firstPage}`, `${sqlUrl}${firstPage}`, auth, (items) => items.length === PAGE);
    await check(
      'Telegram id',
      `${origin}${byTelegram}`,
      `${sqlUrl}${byTelegram}`,
      auth,
      (items) => items.length === 1 && items[0].displayName === lookedUpName,
    );
    await check(
      'name fragment',
      `${origin}${byFragment}`,
      `${sqlUrl}${byFragment}`,
      auth,
      (items) => items.length === PAGE && items.every((p: { displayName: string }) => p.displayName.toLowerCase().includes(FRAGMENT)),
    );
    if (args.includes('--explain')) await explain(database, [firstPage, byTelegram, byFragment]);

    console.log(
      `bench people: ${database.driver}, ${PEOPLE} people, ${PEOPLE * 2} identities, ${duration} s per run after ${WARMUP_SECONDS} s warm-up, ` +
        `${CONNECTIONS} connections, load generator ${loadgen === 'worker' ? 'in a worker thread' : 'on the main thread'}, node ${process.version}`,
    );
    const line = (name: string, path: string) =>
      compare(`${name} vs same SQL on node:http`, TARGET, { url: `${origin}${path}`, headers: auth }, { url: `${sqlUrl}${path}` }, duration);
    const rows = [
      await line(`GET /api/console/people page 1 (${PAGE} rows)`, firstPage),
      await line('GET /api/console/people?q=<Telegram id> (1 row)', byTelegram),
      await line(`GET /api/console/people?q=${FRAGMENT} (${PAGE} rows)`, byFragment),
    ];
    console.log();
    printTable(rows);
  });
}
