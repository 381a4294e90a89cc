import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { Config } from './core/config.ts';
import { openDatabase, type DatabaseHandle } from './core/db/client.ts';
import { runMigrations } from './core/db/migrate.ts';
import { LocalBus, RedisBus, type Bus } from './core/events/bus.ts';
import { logIsEmpty } from './core/events/log.ts';
import { SubscriberRunner } from './core/events/subscribers.ts';
import { refuseNulCharacters } from './core/http/text-guard.ts';
import { frameworkErrors, registerErrorHandling } from './core/http/errors.ts';
import { registerGuard } from './core/http/guard.ts';
import { registerOpenApi } from './core/http/openapi.ts';
import { startJobs, type Jobs } from './core/jobs.ts';
import { createWriter, type Kernel } from './core/kernel.ts';
import { Catalogue, type ModuleManifest } from './core/module.ts';
import { enabledModules } from './modules/index.ts';
import { registerConsole } from './console.ts';

declare module 'fastify' {
  interface FastifyInstance {
    kernel: Kernel;
    subscribers: SubscriberRunner;
  }
}

export interface BuildOptions {
  /** An already open database (tests); otherwise opened from the config. */
  database?: DatabaseHandle;
  /** Replaces the module list (tests plug in modules of their own). */
  modules?: ModuleManifest[];
  /** The clock (tests move it to expire sessions). */
  now?: () => Date;
  /** Start pg-boss and the durable subscribers (default true). */
  workers?: boolean;
  /** The event bus (tests give each app its own Redis channel); otherwise from REDIS_URL. */
  bus?: Bus;
  /** Logger setting for Fastify; defaults to the config's LOG_LEVEL. */
  logger?: boolean | { level: string };
}

const noJobs: Jobs = {
  send: async () => {
    throw new Error('Jobs are not running in this process');
  },
  insert: async () => {
    throw new Error('Jobs are not running in this process');
  },
  stop: async () => undefined,
};

/** Builds the whole server: database, migrations, modules, routes, workers. `main.ts` then listens. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const modules = options.modules ?? enabledModules(config.modules);
  const catalogue = new Catalogue(modules);
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize }));
  await runMigrations(database);
  const bus: Bus = options.bus ?? (config.redisUrl ? await RedisBus.connect(config.redisUrl) : new LocalBus());

  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: typeof config.trustProxy === 'number' ? (_address: string, hop: number) => hop < (config.trustProxy as number) : config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    frameworkErrors,
  });

  const kernel = {
    config,
    database,
    db: database.db,
    bus,
    log: app.log,
    catalogue,
    jobs: noJobs,
    notices: [] as string[],
    openStreams: new Set(),
    now: options.now ?? (() => new Date()),
  } as Kernel;
  kernel.write = createWriter(kernel);
  kernel.authenticator = catalogue.require('staffAuthenticator', kernel);
  kernel.memberAuthenticator = catalogue.provide('memberAuthenticator', kernel);
  kernel.principals = catalogue.provide('principals', kernel);
  kernel.notifier = catalogue.provide('notifier', kernel);
  const settings = catalogue.require('settings', kernel);
  kernel.settings = settings;
  app.decorate('kernel', kernel);

  await app.register(cookie);
  const errors = registerErrorHandling(app);
  refuseNulCharacters(app);
  registerGuard(app, {
    authenticator: kernel.authenticator,
    now: kernel.now,
    publicUrl: config.publicUrl,
    memberAuthenticator: () => kernel.memberAuthenticator,
  });
  await registerOpenApi(app);
  // A refused WebSocket handshake is answered over a socket HTTP no longer manages: once the answer is
  // written it must be closed here, or it lingers and keeps the server from ever closing.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.upgrade && reply.statusCode !== 101) reply.raw.once('finish', () => request.raw.socket.destroy());
    done(null, payload);
  });
  for (const module of modules) if (module.onRequest) app.addHook('onRequest', module.onRequest(kernel));
  await app.register(
    async (api) => {
      for (const module of modules) if (module.routes) await module.routes(api, kernel);
    },
    { prefix: '/api' },
  );
  errors.consoleFallback = await registerConsole(app, kernel, config.consoleDir);

  // What modules run once the server listens (the demo presence simulator's client sockets), stopped first on close.
  const listening = { stops: [] as Array<() => Promise<void>>, closing: false };
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (!address || typeof address === 'string') return;
    const host = ['0.0.0.0', '::'].includes(address.address) ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    for (const module of modules) {
      const stop = await module.onListen?.(kernel, `http://${host}:${address.port}`).catch((error: unknown) => {
        app.log.error({ err: error, module: module.name }, 'a module failed to start what it runs once listening');
        return undefined;
      });
      if (stop && listening.closing) await stop();
      else if (stop) listening.stops.push(stop);
    }
  });
  app.addHook('preClose', async () => {
    listening.closing = true;
    for (const stop of listening.stops.splice(0)) await stop().catch((error: unknown) => app.log.error({ err: error }, 'stopping failed'));
  });
  // Hijacked SSE connections would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const stream of [...kernel.openStreams]) stream.close('server_closing');
  });
  const workersRunning: Array<{ stop(): Promise<void> }> = [];
  app.addHook('onClose', async () => {
    for (const worker of workersRunning.splice(0)) await worker.stop();
    settings.stop();
    await app.subscribers?.stop();
    await kernel.jobs.stop();
    for (const module of modules)
      await module.onClose?.(kernel).catch((error: unknown) => app.log.error({ err: error, module: module.name }, 'closing failed'));
    await bus.close();
    if (!options.database) await database.close();
  });
  try {
    // Jobs first, so bootstrap and demo seeders may enqueue; subscribers last, once the data is there.
    await settings.start();
    const workers = options.workers !== false;
    if (workers) {
      kernel.jobs = await startJobs(
        database,
        modules.flatMap((m) => m.jobs ?? []),
        () => kernel,
        app.log,
        { schedule: true },
      );
    }
    // A database that has never recorded an event is new: demo data goes only there.
    const fresh = await logIsEmpty(kernel.db);
    for (const module of modules) await module.bootstrap?.(kernel);
    if (fresh && config.seedDemo) for (const module of modules) await module.seedDemo?.(kernel);

    const subscribers = new SubscriberRunner(
      kernel,
      modules.flatMap((m) => m.subscribers ?? []),
    );
    app.decorate('subscribers', subscribers);
    if (workers) await subscribers.start();
    if (workers) for (const module of modules) if (module.worker) workersRunning.push(module.worker(kernel));
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
