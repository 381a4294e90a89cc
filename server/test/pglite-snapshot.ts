import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { openDatabase } from '../src/core/db/client.ts';
import { runMigrations } from '../src/core/db/migrate.ts';
import { installJobSchema } from '../src/core/jobs.ts';

/**
 * Creating an in-memory PGlite runs initdb inside WebAssembly (about a second) and then every migration;
 * loading a dumped data directory takes a third of that. `npm test` builds one migrated snapshot before
 * the suite (`TEST_PGLITE_SNAPSHOT`); a test file run on its own builds it on first use.
 */
export async function buildMigratedSnapshot(): Promise<Blob> {
  const handle = await openDatabase({ dataDir: 'memory://' });
  try {
    await runMigrations(handle);
    await installJobSchema(handle);
    return await handle.dump!();
  } finally {
    await handle.close();
  }
}

let migrated: Promise<Blob> | undefined;

export function migratedSnapshot(): Promise<Blob> {
  migrated ??= (async () => {
    const path = process.env.TEST_PGLITE_SNAPSHOT;
    if (path && existsSync(path)) return new Blob([await readFile(path)]);
    return buildMigratedSnapshot();
  })();
  return migrated;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2];
  if (!path) throw new Error('usage: pglite-snapshot.ts <file to write>');
  await writeFile(path, Buffer.from(await (await buildMigratedSnapshot()).arrayBuffer()));
}
