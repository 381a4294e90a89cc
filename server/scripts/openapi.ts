/**
 * Prints the OpenAPI document of every module, whatever MODULES says, so the console's typed client
 * knows all routes. Runs on a throwaway in-memory database without workers.
 */
import { buildApp } from '../src/app.ts';
import { parseConfig } from '../src/core/config.ts';
import { kernelModules, optionalModules } from '../src/modules/index.ts';

const config = parseConfig({ DATA_DIR: 'memory://', SEED_DEMO: 'false', LOG_LEVEL: 'silent' });
const app = await buildApp(config, { modules: [...kernelModules, ...optionalModules], workers: false, logger: false });
await app.ready();
process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
await app.close();
