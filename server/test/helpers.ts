import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { makeStaff, uniqueName } from './factories.ts';
import { throwawayDatabase } from './throwaway-database.ts';
import { migratedSnapshot } from './pglite-snapshot.ts';
import { buildApp, type BuildOptions } from '../src/app.ts';
import type { Actor } from '../src/core/actor.ts';
import { parseConfig, type Config } from '../src/core/config.ts';
import { openDatabase, type DatabaseHandle } from '../src/core/db/client.ts';

export const ORIGIN = 'http://localhost:80';
export const ADMIN = { email: 'admin@test.local', password: 'correct horse battery staple' };

/** A controllable clock: tests move time forward to expire sessions. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  /** Negative to step back (a test restoring the time it moved). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * A fresh, isolated database: in-memory PGlite, or (TEST_DB=postgres) a new database created on the
 * TEST_DATABASE_URL server and dropped again when the handle closes.
 */
export async function testDatabase(): Promise<DatabaseHandle & { url?: string }> {
  if (process.env.TEST_DB !== 'postgres') return openDatabase({ dataDir: 'memory://', snapshot: await migratedSnapshot() });
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
  const database = await throwawayDatabase(serverUrl, 'sb_test');
  const handle = await openDatabase({ databaseUrl: database.url, dataDir: 'unused', poolSize: 5 });
  return {
    ...handle,
    url: database.url,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}

export function testConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    // Tests do not depend on whether web/build exists; console.test.ts makes its own.
    CONSOLE_DIR: '/nonexistent/switchboard-console',
    // Files of an in-memory installation go to a throwaway directory of their own, never ./data.
    DATA_DIR: 'memory://',
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  clock: TestClock;
  database: DatabaseHandle & { url?: string };
  close(): Promise<void>;
}

export async function createTestApp(
  options: BuildOptions & { env?: Record<string, string>; database?: DatabaseHandle & { url?: string }; keepDatabase?: boolean } = {},
): Promise<TestApp> {
  const clock = new TestClock();
  const database = options.database ?? (await testDatabase());
  const app = await buildApp(testConfig(options.env), {
    workers: false,
    logger: false,
    now: clock.now,
    ...options,
    database,
  }).catch(async (error: unknown) => {
    if (!options.database) await database.close();
    throw error;
  });
  return {
    app,
    clock,
    database,
    async close() {
      await app.close();
      if (!options.keepDatabase) await database.close();
    },
  };
}

/** A signed-in console user: requests carry its cookie and a same-origin Origin header. */
export class Session {
  constructor(
    readonly app: FastifyInstance,
    readonly cookie: string,
  ) {}

  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject({
      ...options,
      headers: { origin: ORIGIN, cookie: this.cookie, ...(options.headers ?? {}) },
    });
  }
  get(url: string) {
    return this.request({ method: 'GET', url });
  }
  post(url: string, payload?: object) {
    return this.request({ method: 'POST', url, ...(payload ? { payload } : {}) });
  }
  patch(url: string, payload: object) {
    return this.request({ method: 'PATCH', url, payload });
  }
  delete(url: string) {
    return this.request({ method: 'DELETE', url });
  }
}

export function signInRequest(app: FastifyInstance, email: string, password: string, extra: Partial<InjectOptions> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/console/session',
    payload: { email, password },
    ...extra,
    headers: { origin: ORIGIN, ...(extra.headers ?? {}) },
  });
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'sb_session');
  if (!cookie) throw new Error(`no session cookie in ${response.statusCode} ${response.body}`);
  return `sb_session=${cookie.value}`;
}

export async function signIn(app: FastifyInstance, email = ADMIN.email, password = ADMIN.password): Promise<Session> {
  const response = await signInRequest(app, email, password);
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return new Session(app, sessionCookie(response));
}

/** The staff actor of a signed-in session, as the routes take it from the request (`staffActorOf`). */
export async function actorOf(session: Session): Promise<Actor> {
  const me = await session.get('/api/console/me');
  if (me.statusCode !== 200) throw new Error(`me: ${me.statusCode} ${me.body}`);
  return { type: 'staff', id: me.json().id };
}

/**
 * Creates a role with these permissions and a staff user holding it, and signs them in. Both are written by
 * `admin` through the staff services (test/factories.ts), without hashing a password; the sign-in is real.
 */
export async function staffWith(admin: Session, permissions: string[], name = uniqueName()) {
  const { user, role, email, password } = await makeStaff(admin.app, { name, permissions, actor: await actorOf(admin) });
  return { session: await signIn(admin.app, email, password), user, role: role!, email, password };
}

/** Polls `predicate` until it holds; fails after `ms` (for effects of jobs, subscribers and sockets). */
export async function waitFor(predicate: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Listens on a random loopback port (for real HTTP: SSE, fetch) and returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/**
 * One app and a signed-in administrator for a whole `describe` block: registers its own before/after
 * hooks. Read `ctx.t` and `ctx.admin` inside tests (they are set once `before` has run).
 */
export function useTestApp(options: Parameters<typeof createTestApp>[0] = {}): { t: TestApp; admin: Session } {
  const ctx = {} as { t: TestApp; admin: Session };
  before(async () => {
    ctx.t = await createTestApp(options);
    ctx.admin = await signIn(ctx.t.app);
  });
  after(() => ctx.t.close());
  return ctx;
}

/** A multipart/form-data body with one file part, as a browser or an app sends it. */
export function multipart(bytes: Buffer, filename = 'upload.jpg', contentType = 'image/jpeg', field = 'file') {
  const boundary = '----switchboard-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** A person with a member token, and a way to call the client API as them. */
export async function newMember(t: TestApp, admin: Session, displayName: string) {
  const id = (await admin.post('/api/console/people', { displayName })).json().id as string;
  const token = (await admin.post(`/api/console/people/${id}/member-token`)).json().token as string;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object | Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload ? { payload } : {}) });
  return { id, token, call };
}

/** Credits a person's coin wallet through the ledger API (as a store purchase would), with its own idempotency key. */
export function fundWallet(admin: Session, personId: string, amount: number) {
  return admin.request({
    method: 'POST',
    url: '/api/console/ledger/adjustments',
    payload: { ownerType: 'person', ownerId: personId, kind: 'wallet', currency: 'COIN', amount, reason: 'bought coins' },
    headers: { 'idempotency-key': randomUUID() },
  });
}

/** The posted coins of an owner's account of a kind (the platform's when `ownerId` is null); 0 before it exists. */
export async function coinBalance(admin: Session, ownerType: string, ownerId: string | null, kind: string): Promise<number> {
  const query = ownerId ? `ownerType=${ownerType}&ownerId=${ownerId}&kind=${kind}` : `ownerType=platform&kind=${kind}`;
  return (await admin.get(`/api/console/ledger/accounts?${query}&currency=COIN`)).json().items[0]?.posted ?? 0;
}
