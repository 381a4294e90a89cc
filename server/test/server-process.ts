/**
 * The real server (`src/main.ts`) as a child process, for tests that kill it (SIGKILL) and start it again on
 * the same database, and a signed-in console client that talks to it over HTTP.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { throwawayDatabase } from './throwaway-database.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
export const ADMIN = { email: 'admin@crash.local', password: 'correct horse battery staple' };
const REQUEST_TIMEOUT_MS = 15_000;

/** Whether the crash tests run on PostgreSQL (TEST_DB=postgres) or on PGlite in a DATA_DIR. */
export const POSTGRES = process.env.TEST_DB === 'postgres';

export interface DurableDatabase {
  /** The environment a child server needs to use it (DATABASE_URL, DATA_DIR). */
  env: Record<string, string>;
  dataDir: string;
  /** The PostgreSQL database's URL; undefined on PGlite (its files are in `dataDir`). */
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

/**
 * A database that outlives the child servers using it, so a second one starts on what the killed one left: a
 * throwaway PostgreSQL database (TEST_DB=postgres, TEST_DATABASE_URL) or PGlite's files in a temporary DATA_DIR.
 */
export async function durableDatabase(name: string): Promise<DurableDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `sb-${name}-`));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (!POSTGRES) return { env: { DATABASE_URL: '', DATA_DIR: dataDir }, dataDir, databaseUrl: undefined, drop: async () => removeDir() };
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
  const database = await throwawayDatabase(serverUrl, `sb_${name.replaceAll('-', '_')}`);
  return {
    env: { DATABASE_URL: database.url, DATA_DIR: dataDir },
    dataDir,
    databaseUrl: database.url,
    drop: async () => {
      await database.drop();
      removeDir();
    },
  };
}

export interface Server {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

export function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      CONSOLE_DIR: '/nonexistent/switchboard-console',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in time:\n${output}`));
    }, 60_000);
    const check = () => {
      const url = /Switchboard is running at (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ child, base: url.replace('//localhost:', '//127.0.0.1:'), output: () => output, exited });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before it listened:\n${output}`));
    });
  });
}

export async function stopServer(server: Server | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await server.exited;
  clearTimeout(timer);
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export class Client {
  constructor(
    readonly base: string,
    readonly cookie: string,
  ) {}

  static async signIn(base: string): Promise<Client> {
    const response = await fetch(`${base}/api/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify(ADMIN),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
    assert.ok(cookie, 'a session cookie');
    return new Client(base, cookie.split(';')[0]!);
  }

  async request(method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { origin: this.base, cookie: this.cookie, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  async ok(method: string, path: string, body?: object, headers?: Record<string, string>, status = method === 'GET' ? 200 : 201): Promise<any> {
    const answer = await this.request(method, path, body, headers);
    assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}
