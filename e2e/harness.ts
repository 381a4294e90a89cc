import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ADMIN = { email: 'admin@e2e.local', password: 'correct horse battery staple' };
const main = fileURLToPath(new URL('../server/src/main.ts', import.meta.url));
const screenshots = fileURLToPath(new URL('./screenshots/', import.meta.url));

export interface Console {
  base: string;
  stop(): Promise<void>;
}

/** Starts the real server (`server/src/main.ts`) on an in-memory database, serving the built console; `env` adds to its environment. */
export async function startConsole(env: Record<string, string> = {}): Promise<Console> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      DATABASE_URL: '',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const check = () => {
      if (!/Switchboard is running at \S+/.test(output)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    // The banner names the port the server took (PORT=0); it listens on the IPv4 loopback.
    base: /Switchboard is running at (\S+)/.exec(output)![1]!.replace('//localhost:', '//127.0.0.1:'),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

/** Every test leaves a picture of where it ended, to look at (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}${name}.png`, fullPage: false });
}

/** API calls made with the signed-in page's cookies (the console's Origin header), as the console itself makes them. */
export function consoleApi(page: Page, base: string) {
  async function post<T = { id: string }>(url: string, data: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await page.request.post(`${base}${url}`, { data, headers: { origin: base, ...headers } });
    if (!response.ok()) throw new Error(`${url}: ${response.status()} ${await response.text()}`);
    return (await response.json()) as T;
  }
  /** A client-app bearer token for a person, issued through the console. */
  const memberToken = async (personId: string) => (await post<{ token: string }>(`/api/console/people/${personId}/member-token`, {})).token;
  /** Uploads one plain photo per colour to a member's gallery through the client API (each waits for review). */
  async function uploadPhotos(token: string, colours: string[]): Promise<void> {
    for (const colour of colours) {
      const buffer = await sharp({ create: { width: 600, height: 800, channels: 3, background: colour } })
        .jpeg()
        .toBuffer();
      const response = await page.request.post(`${base}/api/client/files?kind=photo`, {
        headers: { authorization: `Bearer ${token}` },
        multipart: { file: { name: 'me.jpg', mimeType: 'image/jpeg', buffer } },
      });
      if (response.status() !== 201) throw new Error(`upload: ${response.status()} ${await response.text()}`);
    }
  }
  return { post, memberToken, uploadPhotos };
}
