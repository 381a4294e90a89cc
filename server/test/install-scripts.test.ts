import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

interface Lock {
  packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
}

/** Dependencies whose install scripts nobody reviewed: every one that has a script must be named in `allowScripts`. */
export function unreviewedInstallScripts(lock: Lock, allowScripts: Record<string, boolean>): string[] {
  const reviewed = (name: string, version: string | undefined) => `${name}@${version}` in allowScripts || name in allowScripts;
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
    .map(([path, entry]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version }))
    .filter(({ name, version }) => !reviewed(name, version))
    .map(({ name, version }) => `${name}@${version}`)
    .sort();
}

// A self-hosted back-office must not run a dependency's code at install (carbon-components-svelte's
// postinstall starts IBM's telemetry): npm skips every install script, and each dependency that has one
// is reviewed in package.json's allowScripts, which npm itself enforces from version 12.
describe('install scripts', () => {
  it('are all skipped by npm: .npmrc sets ignore-scripts', () => {
    const settings = read('.npmrc')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    assert.ok(settings.includes('ignore-scripts=true'), `.npmrc must keep ignore-scripts=true; it has: ${settings.join(', ')}`);
  });

  it('of every dependency in the lock file were reviewed in allowScripts', () => {
    const { allowScripts } = JSON.parse(read('package.json')) as { allowScripts: Record<string, boolean> };
    const lock = JSON.parse(read('package-lock.json')) as Lock;
    assert.deepEqual(unreviewedInstallScripts(lock, allowScripts), [], 'review each, then add it to allowScripts in package.json (false unless it is needed)');
    assert.equal(allowScripts['carbon-components-svelte'], false, 'the telemetry postinstall stays denied');
  });

  it('names a new dependency that ships an install script', () => {
    const lock: Lock = {
      packages: {
        '': {},
        'node_modules/esbuild': { version: '0.25.0', hasInstallScript: true },
        'node_modules/vite/node_modules/esbuild': { version: '0.28.0', hasInstallScript: true },
        'node_modules/@scope/phones-home': { version: '1.0.0', hasInstallScript: true },
        'node_modules/quiet': { version: '2.0.0' },
      },
    };
    assert.deepEqual(unreviewedInstallScripts(lock, { esbuild: false }), ['@scope/phones-home@1.0.0']);
    assert.deepEqual(unreviewedInstallScripts(lock, { esbuild: false, '@scope/phones-home@1.0.0': false }), []);
  });
});
