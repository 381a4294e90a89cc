/**
 * The large data set of the creators module (`npm run seed`, bench/lists.ts): agencies, streamers and app
 * users written straight into the tables with set-based SQL, in exactly the shape the services give them
 * (people with `search_text`, a sign-in identity, organizations of kind `agency`, streamer rows with their
 * agency history, app-user rows) together with the events those services append, so the console works
 * on it as on real data. Everything goes in one transaction: an interrupted run leaves nothing behind.
 *
 * Seeded events are by the system actor `seed`; finding one means the database was seeded already, and a
 * second run is refused (its people would be a second copy of the first run's).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DatabaseHandle, Executor } from '../src/core/db/client.ts';

export interface SeedSize {
  users: number;
  streamers: number;
  agencies: number;
}

export const DEFAULT_SIZE: SeedSize = { users: 10_000, streamers: 200, agencies: 10 };
/** Users per statement (with the streamers of the same stretch of time): one round trip each. */
const BATCH = 50_000;
const SEED_ACTOR_ID = 'seed';
/** People seeded are spread over this many days before the run; agencies come before all of them. */
const SPAN_DAYS = 730;

export class AlreadySeeded extends Error {}

/** `--users N --streamers N --agencies N` (each optional) over `defaults`; throws naming a bad flag. */
export function parseSize(args: string[], defaults: SeedSize): SeedSize {
  const size = { ...defaults };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, '');
    const raw = args[i + 1];
    if (key !== 'users' && key !== 'streamers' && key !== 'agencies') throw new Error(`Unknown option "${args[i]}".`);
    const value = Number(raw);
    if (!raw || !Number.isSafeInteger(value) || value < 0) throw new Error(`--${key} takes a whole number ≥ 0, got "${raw ?? ''}".`);
    size[key] = value;
  }
  return size;
}

// ------------------------------------------------------------------ names

// 64 × 80 display names, spread over everyone by a hash of their number. Only "Sokolova" contains "sokol"
// (bench/lists.ts searches for it: one last name in 80).
const FIRST = [
  'Aleksandr',
  'Alina',
  'Amara',
  'Ana',
  'Anastasia',
  'Andrés',
  'Anna',
  'Arjun',
  'Aylin',
  'Beatriz',
  'Camille',
  'Carlos',
  'Chiara',
  'Chloé',
  'Daniel',
  'Darya',
  'David',
  'Dmitri',
  'Elena',
  'Elif',
  'Emma',
  'Fatima',
  'Felix',
  'Giorgos',
  'Hana',
  'Hugo',
  'Ines',
  'Ivan',
  'Jakub',
  'Julia',
  'Kateryna',
  'Kenji',
  'Laura',
  'Lea',
  'Lena',
  'Leon',
  'Lucas',
  'Lucía',
  'Maja',
  'Mariam',
  'Marta',
  'Mateo',
  'Mei',
  'Mikhail',
  'Nadia',
  'Nikolai',
  'Noah',
  'Olga',
  'Oskar',
  'Paula',
  'Pedro',
  'Priya',
  'Rafael',
  'Sara',
  'Sofia',
  'Sven',
  'Tomasz',
  'Valentina',
  'Viktor',
  'Yara',
  'Yusuf',
  'Zeynep',
  'Zoe',
  'Ömer',
];
const LAST = [
  'Abramov',
  'Adeyemi',
  'Almeida',
  'Andersen',
  'Aydin',
  'Bauer',
  'Becker',
  'Bergström',
  'Bianchi',
  'Bogdanova',
  'Brown',
  'Castro',
  'Chen',
  'Costa',
  'Demir',
  'Dubois',
  'Esposito',
  'Fernández',
  'Fischer',
  'García',
  'Gonzalez',
  'Grünewald',
  'Hansen',
  'Hoffmann',
  'Horvat',
  'Ishikawa',
  'Ivanova',
  'Jansen',
  'Jovanović',
  'Kaya',
  'Kim',
  'Kovač',
  'Kowalski',
  'Kuznetsov',
  'Larsen',
  'Laurent',
  'Lebedeva',
  'Lee',
  'Lindqvist',
  'López',
  'Martin',
  'Mendes',
  'Meyer',
  'Moreau',
  'Morozov',
  'Müller',
  'Nakamura',
  'Nguyen',
  'Novak',
  'Nowak',
  'Oliveira',
  'Orlov',
  'Papadopoulos',
  'Park',
  'Patel',
  'Pavlova',
  'Petrenko',
  'Popescu',
  'Rahman',
  'Ricci',
  'Rossi',
  'Santos',
  'Schmidt',
  'Silva',
  'Sokolova',
  'Suzuki',
  'Takahashi',
  'Tanaka',
  'Vasquez',
  'Volkov',
  'Wagner',
  'Wang',
  'Weber',
  'Wiśniewska',
  'Yamamoto',
  'Yilmaz',
  'Zaitseva',
  'Zhang',
  'Zielinski',
  'Özdemir',
];
const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'proton.me', 'mail.ru', 'yandex.ru', 'gmx.de', 'web.de'];
const COUNTRY_CODES = ['1', '44', '49', '33', '34', '39', '7', '90', '48', '55', '52', '380'];
const AGENCY_WORDS = [
  'Starlight',
  'Nova',
  'Velvet',
  'Aurora',
  'Crimson',
  'Golden',
  'Silver',
  'Neon',
  'Lunar',
  'Solar',
  'Coral',
  'Amber',
  'Indigo',
  'Crystal',
  'Echo',
  'Horizon',
  'Orchid',
  'Phoenix',
  'Sapphire',
  'Zenith',
];
const AGENCY_KINDS = [
  'Talent',
  'Media',
  'Studio',
  'Agency',
  'Models',
  'Live',
  'Stars',
  'Group',
  'Network',
  'Creators',
  'Collective',
  'House',
  'Lab',
  'Works',
  'Club',
];
const AGENCY_COUNTRIES = ['CY', 'EE', 'GB', 'DE', 'PL', 'UA', 'TR', 'BR', 'CO', 'PH', 'RO', 'GE'];
const SUSPENSION_REASONS = ['Nudity reported by users', 'Repeated no-shows for booked calls', 'Under review after payment disputes'];

/** As bench/people.ts: the ASCII letters of a name, lower-cased, for the local part of an email. */
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
/** Arrays go to PostgreSQL as one parameter each (a bare array in `sql` would become a list). */
const textArray = (values: string[]) => sql`${sql.param(values)}::text[]`;

// ------------------------------------------------------------------ SQL building blocks

/** A UUIDv7 for the time `at` (as the app's uuidv7() makes them: time-ordered, the rest random). */
const uuidv7At = (at: SQL) =>
  sql`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send((extract(epoch from ${at}) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;

interface Timeline {
  since: Date;
  now: Date;
}

/**
 * People number `from`…`to - 1` of `count` (numbered globally from `offset`, users first, then streamers),
 * spread evenly over the timeline; with a name, contacts and `search_text` as createPerson keeps them, and
 * the Firebase uid a first sign-in from the app gives them. `h` is a hash of the number that picks
 * everything else, so a size always seeds the same names.
 */
function peopleRows(from: number, to: number, count: number, offset: number, timeline: Timeline): SQL {
  const names = sql`${textArray(FIRST)} AS first, ${textArray(FIRST.map(ascii))} AS first_ascii, ${textArray(FIRST.map((n) => n.toLowerCase()))} AS first_lower,
    ${textArray(LAST)} AS last, ${textArray(LAST.map(ascii))} AS last_ascii, ${textArray(LAST.map((n) => n.toLowerCase()))} AS last_lower`;
  return sql`
    SELECT o.n, o.at, ${uuidv7At(sql`o.at`)} AS id, c.display_name, c.uid,
      CASE WHEN c.email IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('kind', 'email', 'value', c.email)) END
        || CASE WHEN c.phone IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('kind', 'phone', 'value', c.phone)) END AS contacts,
      concat_ws(' ', c.name_lower, c.email, c.phone) AS search_text, o.h
    FROM (
      SELECT ${offset}::int + i AS n, (${offset}::bigint + i) * 2654435761 % 4294967296 AS h,
        ${timeline.since.toISOString()}::timestamptz + (${timeline.now.toISOString()}::timestamptz - ${timeline.since.toISOString()}::timestamptz) * ((i + 0.5) / ${count}::int) AS at
      FROM generate_series(${from}::int, ${to - 1}::int) AS i
    ) AS o
    CROSS JOIN (SELECT ${names}) AS l
    CROSS JOIN LATERAL (SELECT 1 + o.h % ${FIRST.length} AS f, 1 + o.h / ${FIRST.length} % ${LAST.length} AS s) AS pick
    CROSS JOIN LATERAL (
      SELECT l.first[pick.f] || ' ' || l.last[pick.s] AS display_name,
        l.first_lower[pick.f] || ' ' || l.last_lower[pick.s] AS name_lower,
        substr(md5('seed-' || o.n), 1, 28) AS uid,
        -- Five in six have an email (unique by the person's number); a phone for the rest and a third of all.
        CASE WHEN o.h % 6 <> 0 THEN
          CASE o.h / 6 % 3
            WHEN 0 THEN l.first_ascii[pick.f] || '.' || l.last_ascii[pick.s]
            WHEN 1 THEN l.first_ascii[pick.f] || l.last_ascii[pick.s]
            ELSE left(l.first_ascii[pick.f], 1) || '.' || l.last_ascii[pick.s]
          END || o.n || '@' || (${textArray(DOMAINS)})[1 + o.h / 18 % ${DOMAINS.length}]
        END AS email,
        CASE WHEN o.h % 6 = 0 OR o.h % 3 = 1 THEN
          '+' || (${textArray(COUNTRY_CODES)})[1 + o.h / 7 % ${COUNTRY_CODES.length}] || lpad((o.h / 11 % 1000000000)::text, 9, '0')
        END AS phone
    ) AS c`;
}

/**
 * One stretch of the timeline: its users and its streamers, their rows and their events in one statement.
 * A user signs in from the app (the person and their identity) and signs up two seconds later. A streamer
 * is made one by staff an hour after their first sign-in, in an agency for nine in ten; one in eight of
 * those moves to another agency halfway between then and now, and one in forty is suspended three
 * quarters of the way.
 */
function stretch(users: [number, number], streamers: [number, number], size: SeedSize, agencies: string[], timeline: Timeline): SQL {
  const now = sql`${timeline.now.toISOString()}::timestamptz`;
  const agencyIds = sql`${sql.param(agencies)}::uuid[]`;
  return sql`
    WITH u AS MATERIALIZED (
      SELECT p.*, (ARRAY['ios', 'android', 'web'])[CASE WHEN p.h / 64 % 20 < 9 THEN 1 WHEN p.h / 64 % 20 < 18 THEN 2 ELSE 3 END] AS platform,
        p.at + interval '2 seconds' AS signed_up_at
      FROM (${peopleRows(users[0], users[1], size.users, 0, timeline)}) AS p
    ),
    s AS MATERIALIZED (
      SELECT p.*, p.at + interval '1 hour' AS registered_at, a.first_agency, a.agency,
        CASE WHEN a.first_agency IS DISTINCT FROM a.agency THEN p.at + interval '1 hour' + (${now} - p.at - interval '1 hour') / 2 END AS moved_at,
        CASE WHEN p.h / 128 % 40 = 3 THEN p.at + interval '1 hour' + (${now} - p.at - interval '1 hour') * 3 / 4 END AS suspended_at,
        (${textArray(SUSPENSION_REASONS)})[1 + p.h / 5120 % ${SUSPENSION_REASONS.length}] AS reason
      FROM (${peopleRows(streamers[0], streamers[1], size.streamers, size.users, timeline)}) AS p
      -- Bigger agencies first: the square of a uniform pick favours the front of the list.
      CROSS JOIN LATERAL (SELECT CASE WHEN cardinality(${agencyIds}) > 0 AND p.h % 10 <> 0
        THEN 1 + floor(cardinality(${agencyIds}) * power(p.h / 1024 % 1000000 / 1000000.0, 2))::int END AS pick) AS x
      CROSS JOIN LATERAL (SELECT (${agencyIds})[x.pick] AS agency,
        (${agencyIds})[CASE WHEN cardinality(${agencyIds}) > 1 AND p.h / 32 % 8 = 1 THEN 1 + x.pick % cardinality(${agencyIds}) ELSE x.pick END] AS first_agency) AS a
    ),
    everyone AS (SELECT n, at, id, display_name, contacts, search_text, uid FROM u UNION ALL SELECT n, at, id, display_name, contacts, search_text, uid FROM s),
    -- As createPerson and addIdentity write them.
    people_rows AS (
      INSERT INTO people (id, display_name, contacts, search_text, created_at, updated_at)
      SELECT id, display_name, contacts, search_text, at, at FROM everyone
    ),
    identity_rows AS (
      INSERT INTO person_identities (id, person_id, provider, external_id, created_at)
      SELECT ${uuidv7At(sql`at`)}, id, 'firebase', uid, at FROM everyone
    ),
    user_rows AS (INSERT INTO creator_users (person_id, platform, signed_up_at) SELECT id, platform, signed_up_at FROM u),
    streamer_rows AS (
      INSERT INTO creator_streamers (person_id, agency_id, status, suspended_reason, created_at, updated_at)
      SELECT id, agency, CASE WHEN suspended_at IS NULL THEN 'active' ELSE 'suspended' END, CASE WHEN suspended_at IS NOT NULL THEN reason END,
        registered_at, greatest(registered_at, moved_at, suspended_at)
      FROM s
    ),
    history_rows AS (
      INSERT INTO creator_streamer_agencies (id, person_id, agency_id, joined_at, left_at)
      SELECT ${uuidv7At(sql`registered_at`)}, id, first_agency, registered_at, moved_at FROM s WHERE first_agency IS NOT NULL
      UNION ALL
      SELECT ${uuidv7At(sql`moved_at`)}, id, agency, moved_at, NULL FROM s WHERE moved_at IS NOT NULL
    )
    INSERT INTO event_log (type, subject_type, subject_id, actor_type, actor_id, payload, created_at)
    SELECT type, 'person', id::text, 'system', ${SEED_ACTOR_ID}, payload, at
    FROM (
      SELECT n, at, 0 AS k, 'people.person_created' AS type, id,
        jsonb_build_object('displayName', display_name, 'contacts', contacts, 'tags', '[]'::jsonb) AS payload FROM everyone
      UNION ALL
      SELECT n, at, 1, 'people.identity_added', id, jsonb_build_object('provider', 'firebase', 'externalId', uid) FROM everyone
      UNION ALL
      SELECT n, signed_up_at, 2, 'user.signed_up', id, jsonb_build_object('platform', platform) FROM u
      UNION ALL
      SELECT n, registered_at, 2, 'creators.streamer_registered', id, jsonb_build_object('agencyId', first_agency) FROM s
      UNION ALL
      SELECT n, moved_at, 3, 'creators.streamer_agency_changed', id, jsonb_build_object('from', first_agency, 'to', agency) FROM s WHERE moved_at IS NOT NULL
      UNION ALL
      SELECT n, suspended_at, 4, 'creators.streamer_suspended', id, jsonb_build_object('reason', reason) FROM s WHERE suspended_at IS NOT NULL
    ) AS e
    -- In time order, as the services would have appended them.
    ORDER BY at, n, k`;
}

/** Agencies as createOrganization writes them (kind `agency`, with details), with their events; returns their ids. */
async function seedAgencies(tx: Executor, count: number, timeline: Timeline): Promise<string[]> {
  if (count === 0) return [];
  const result = (await tx.execute(sql`
    WITH a AS MATERIALIZED (
      SELECT i, at, ${uuidv7At(sql`at`)} AS id,
        (${textArray(AGENCY_WORDS)})[1 + i % ${AGENCY_WORDS.length}] || ' ' || (${textArray(AGENCY_KINDS)})[1 + i / ${AGENCY_WORDS.length} % ${AGENCY_KINDS.length}]
          || CASE WHEN i >= ${AGENCY_WORDS.length * AGENCY_KINDS.length} THEN ' ' || (1 + i / ${AGENCY_WORDS.length * AGENCY_KINDS.length}) ELSE '' END AS name,
        (${textArray(AGENCY_COUNTRIES)})[1 + i % ${AGENCY_COUNTRIES.length}] AS country
      FROM generate_series(0, ${count - 1}::int) AS i
      CROSS JOIN LATERAL (SELECT ${timeline.since.toISOString()}::timestamptz - interval '90 days' + i * interval '1 hour' AS at) AS t
    ),
    organization_rows AS (
      INSERT INTO organizations (id, name, kind, details, created_at, updated_at)
      SELECT id, name, 'agency', jsonb_build_object('legalName', name || ' LLC', 'country', country), at, at FROM a
    ),
    event_rows AS (
      INSERT INTO event_log (type, subject_type, subject_id, actor_type, actor_id, payload, created_at)
      SELECT 'people.organization_created', 'organization', id::text, 'system', ${SEED_ACTOR_ID}, jsonb_build_object('name', name, 'kind', 'agency'), at
      FROM a ORDER BY i
    )
    SELECT id FROM a ORDER BY i`)) as unknown as { rows: Array<{ id: string }> };
  return result.rows.map((row) => row.id);
}

export interface SeedReport {
  seconds: number;
  /** Seconds of the VACUUM (ANALYZE) of the tables afterwards. */
  vacuumSeconds: number;
}

/**
 * Seeds `size` into the database, which must be migrated and not seeded before (AlreadySeeded).
 * `progress` hears a line per statement.
 */
export async function seedCreators(database: DatabaseHandle, size: SeedSize, progress: (line: string) => void = () => undefined): Promise<SeedReport> {
  const seeded = await database.executeSql("SELECT 1 FROM event_log WHERE actor_id = $1 AND actor_type = 'system' LIMIT 1", [SEED_ACTOR_ID]);
  if (seeded.rows.length > 0) throw new AlreadySeeded('This database holds seeded data already (events by the system actor "seed"); seed a new one.');
  const now = new Date();
  const timeline = { since: new Date(now.getTime() - SPAN_DAYS * 86_400_000), now };
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  const stretches = Math.max(1, Math.ceil(size.users / BATCH), Math.ceil(size.streamers / BATCH));
  const bound = (count: number, k: number) => Math.floor((count * k) / stretches);
  await database.db.transaction(async (tx) => {
    const agencies = await seedAgencies(tx, size.agencies, timeline);
    progress(`agencies ${size.agencies} (${elapsed()} s)`);
    for (let k = 0; k < stretches; k++) {
      const users: [number, number] = [bound(size.users, k), bound(size.users, k + 1)];
      const streamers: [number, number] = [bound(size.streamers, k), bound(size.streamers, k + 1)];
      await tx.execute(stretch(users, streamers, size, agencies, timeline));
      progress(`users ${users[1]}/${size.users}, streamers ${streamers[1]}/${size.streamers} (${elapsed()} s)`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  // What autovacuum would do soon anyway; until then the planner has no statistics for the new rows.
  for (const table of ['people', 'person_identities', 'organizations', 'creator_users', 'creator_streamers', 'creator_streamer_agencies', 'event_log']) {
    await database.executeSql(`VACUUM (ANALYZE) ${table}`);
  }
  const vacuumSeconds = (performance.now() - started) / 1000 - seconds;
  progress(`vacuum and analyze (${vacuumSeconds.toFixed(1)} s)`);
  return { seconds, vacuumSeconds };
}
