/**
 * `npm test`: the whole suite.
 *   0. lint: ESLint and Prettier over the TypeScript (`npm run format` fixes most of what they report);
 *   1. server: type check, then every test on PGlite (and on PostgreSQL when TEST_DATABASE_URL is set);
 *   2. web: svelte-check (types and accessibility), unit tests of lib/, and the typed API client
 *      checked against the routes;
 *   3. browser tests in e2e/ against a fresh build, when Chromium is installed (CHROMIUM_PATH or /usr/bin/chromium).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(title, command, args) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✖ ${title} failed`);
    process.exit(result.status ?? 1);
  }
}

run('lint: ESLint and Prettier', 'npm', ['run', 'lint']);
run('server tests', 'npm', ['run', 'test', '-w', 'server']);
run('web: svelte-check', 'npm', ['run', 'check', '-w', 'web']);
run('web: unit tests', 'npm', ['run', 'test:unit', '-w', 'web']);
run('web: API client is current', 'npm', ['run', 'api:check', '-w', 'web']);

if (existsSync(chromium)) {
  run('web: build the console', process.execPath, ['scripts/build-console.mjs']);
  const files = readdirSync(`${root}e2e`)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `e2e/${f}`);
  run('browser tests (Chromium)', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
} else {
  console.log(`\n⚠ browser tests skipped: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}
