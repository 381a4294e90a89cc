/**
 * The module anatomy, checked by `npm test` (test/architecture.test.ts runs it over src/ and over a
 * fixture that breaks every rule). See docs/architecture.md, "Module anatomy".
 */
const source = '^src/';
const notTest = '\\.test\\.ts$';
const schemaFile = '(^|/)schema\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-foreign-schema',
      severity: 'error',
      comment: "A module reads and writes another module's tables through that module's services, never through its schema.ts.",
      from: { path: '^src/modules/([^/]+)/', pathNot: notTest },
      to: { path: schemaFile, pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-foreign-core-schema',
      severity: 'error',
      comment: "A core part's tables are that part's own: other parts and the composition root go through its functions.",
      from: { path: source, pathNot: ['^src/core/([^/]+)/', '^src/modules/', notTest] },
      to: { path: ['^src/core/[^/]+/schema\\.ts$'] },
    },
    {
      name: 'no-core-schema-across-parts',
      severity: 'error',
      from: { path: '^src/core/([^/]+)/', pathNot: notTest },
      to: { path: '^src/core/[^/]+/schema\\.ts$', pathNot: '^src/core/$1/' },
    },
    {
      name: 'thin-routes',
      severity: 'error',
      comment: 'routes.ts parses, authorises, calls services and maps with views: queries belong in services.',
      from: { path: '(^|/)routes\\.ts$' },
      to: { path: ['node_modules/drizzle-orm/', schemaFile] },
    },
    {
      name: 'manifest-only-index',
      severity: 'error',
      comment: "A module's index.ts is its manifest: no queries, no tables.",
      from: { path: '^src/modules/[^/]+/index\\.ts$' },
      to: { path: ['node_modules/drizzle-orm/', schemaFile] },
    },
    {
      name: 'no-http-in-services',
      severity: 'error',
      comment:
        'Services are called by routes, jobs, subscribers and bots alike: they throw domain errors and know nothing of HTTP. ' +
        'An adapter of HTTP requests other than routes (the ledger batching transfer requests) says so in its name: *.http.ts.',
      from: { path: '^src/(modules|core)/', pathNot: ['(^|/)(routes|views|index)\\.ts$', '\\.http\\.ts$', '^src/core/http/', notTest] },
      to: { path: ['^src/core/http/', 'node_modules/fastify/', 'node_modules/@fastify/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-core-into-console',
      severity: 'error',
      comment: 'The kernel does not depend on the console that is built on it.',
      from: { path: '^src/core/' },
      to: { path: '^src/console\\.ts$' },
    },
    {
      name: 'no-core-into-modules',
      severity: 'error',
      comment: 'Core knows modules only through their manifests, handed to it by app.ts.',
      from: { path: '^src/core/', pathNot: notTest },
      to: { path: '^src/modules/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle that exists at run time (types may refer back and forth: kernel and manifest types do).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '^test/fixtures/' },
  },
};
