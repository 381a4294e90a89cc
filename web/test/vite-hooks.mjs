/**
 * Node module hooks for the web unit tests, doing the two things Vite does to the console's modules
 * that Node cannot: an eager `import.meta.glob` of `<dir>/<any folder>/<file>` becomes static imports
 * of the files that exist, and a `.svelte` import becomes a stub function named after the file.
 * Register them from a test before importing: `register('../../test/vite-hooks.mjs', import.meta.url)`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GLOB = /import\.meta\.glob\(\s*(['"])([^'"]+)\1\s*,\s*\{\s*eager:\s*true\s*\}\s*\)/g;

export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('.svelte') && context.parentURL) return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.endsWith('.svelte')) {
    const name = basename(fileURLToPath(url), '.svelte');
    return { format: 'module', source: `export default function ${name}() {}`, shortCircuit: true };
  }
  const result = await nextLoad(url, context);
  if (!url.startsWith('file:') || url.includes('/node_modules/') || result.source == null) return result;
  const source = String(result.source);
  if (!source.includes('import.meta.glob')) return result;
  const imports = [];
  const code = source.replace(GLOB, (_call, _quote, pattern) => {
    const entries = expand(pattern, dirname(fileURLToPath(url))).map((path) => {
      const local = `__glob${imports.length}`;
      imports.push(`import * as ${local} from ${JSON.stringify(path)};`);
      return `${JSON.stringify(path)}: ${local}`;
    });
    return `{ ${entries.join(', ')} }`;
  });
  if (code.includes('import.meta.glob(')) throw new Error(`${url}: the test hooks only understand an eager glob of <dir>/<any folder>/<file>`);
  return { ...result, source: `${imports.join('\n')}\n${code}` };
}

/** A pattern like `../<any folder>/person-tabs.ts` → the files that exist, folders in alphabetical order. */
function expand(pattern, base) {
  const match = /^((?:\.\.?\/)+)\*\/([^*/]+)$/.exec(pattern);
  if (!match) throw new Error(`unsupported glob pattern ${pattern}`);
  const [, prefix, file] = match;
  const dir = join(base, prefix);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, file)))
    .map((entry) => `${prefix}${entry.name}/${file}`)
    .sort();
}
