/**
 * Benchmark dispatcher: `npm run bench -- <name>` runs `bench/<name>.ts`, which exports `main(args)`.
 * `support.ts` holds helpers shared by the benchmarks and is not one itself.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Benchmark {
  main(args: string[]): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const NOT_BENCHMARKS = new Set(['run.ts', 'support.ts']);
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !NOT_BENCHMARKS.has(file) && !file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

// What runs in production is what is measured (development adds checks such as PGlite's self-deadlock
// guard and event payload validation): `NODE_ENV=development npm run bench -- …` measures those too.
process.env.NODE_ENV ??= 'production';

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(
    `${name ? `Unknown benchmark "${name}".` : 'Name a benchmark to run.'}\n` +
      `Usage: npm run bench -- <name>\nAvailable: ${available.join(', ') || '(none)'}`,
  );
  process.exit(2);
}

const benchmark = (await import(new URL(`./${name}.ts`, import.meta.url).href)) as Partial<Benchmark>;
if (typeof benchmark.main !== 'function') {
  console.error(`bench/${name}.ts does not export main(args).`);
  process.exit(2);
}
await benchmark.main(args);
