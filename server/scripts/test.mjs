// Runs the server suite on in-memory PGlite, then again on PostgreSQL when TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...findTests('src'), ...findTests('test')].sort();

function run(label, command, args, env = {}) {
  process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    process.stdout.write(`✖ ${label} failed\n`);
    process.exit(result.status ?? 1);
  }
}

if (only.length === 0) run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
const workers = Math.max(2, availableParallelism());
const nodeTest = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${workers}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/slowest-files.mjs',
  '--test-reporter-destination=stdout',
  ...files,
];
// Every test file's in-memory databases start from one migrated PGlite data directory, built once here.
const snapshotDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
process.on('exit', () => rmSync(snapshotDir, { recursive: true, force: true }));
const snapshot = join(snapshotDir, 'migrated.tar');
run('migrated PGlite snapshot', process.execPath, ['--import', 'tsx', 'test/pglite-snapshot.ts', snapshot]);
run('server tests on PGlite (in memory)', process.execPath, nodeTest, { TEST_DB: 'pglite', TEST_PGLITE_SNAPSHOT: snapshot });
const serverUrl = process.env.TEST_DATABASE_URL;
if (serverUrl) {
  // Every test database on the server is a copy of one migrated template, made once here.
  const made = spawnSync(process.execPath, ['--import', 'tsx', 'test/pg-template.ts', 'create', serverUrl], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (made.status !== 0) process.exit(made.status ?? 1);
  const template = made.stdout.trim();
  process.on('exit', () => spawnSync(process.execPath, ['--import', 'tsx', 'test/pg-template.ts', 'drop', serverUrl, template], { stdio: 'inherit' }));
  run('server tests on PostgreSQL (TEST_DATABASE_URL)', process.execPath, nodeTest, { TEST_DB: 'postgres', TEST_PG_TEMPLATE: template });
}
