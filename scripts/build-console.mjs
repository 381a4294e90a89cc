/**
 * Builds the web console (web/build) unless the build is newer than every source it is made from,
 * so `npm start` serves the current console without rebuilding on every start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const built = join(web, 'build', 'index.html');
const sources = ['src', 'messages', 'static', 'project.inlang', 'svelte.config.js', 'vite.config.ts', 'package.json'].map((p) => join(web, p));
const ignored = new Set([join(web, 'src', 'lib', 'paraglide')]);

function newest(path) {
  if (!existsSync(path) || ignored.has(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const force = process.argv.includes('--force');
const lockfile = join(root, 'package-lock.json');
if (!force && existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(lockfile), ...sources.map(newest))) {
  console.log('Console build is up to date.');
} else {
  console.log('Building the console (web/build)…');
  const result = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
