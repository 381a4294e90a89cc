import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Kernel } from './core/kernel.ts';
import type { ConsoleFallback } from './core/http/errors.ts';

/** Built assets carry a content hash in their names, so they may be cached for good. */
const IMMUTABLE = '/_app/immutable/';

/**
 * Serves the built console (web/build) at `/`: hashed assets cached for a year, `index.html` never,
 * Brotli/gzip files chosen from the build when the browser accepts them. Any other GET outside
 * `/api` and `/docs` that asks for HTML is a client-side route, so it gets `index.html` too.
 */
export async function registerConsole(app: FastifyInstance, kernel: Kernel, dir: string): Promise<ConsoleFallback | undefined> {
  if (!existsSync(join(dir, 'index.html'))) {
    registerNotBuilt(app, kernel, dir);
    return undefined;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    preCompressed: true,
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('cache-control', path.includes(IMMUTABLE) ? 'public, max-age=31536000, immutable' : 'no-cache');
      // The same URL answers in Brotli, gzip or plain: caches between us and the browser must keep them apart.
      res.setHeader('vary', 'accept-encoding');
    },
  });
  return (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    if (path === '/api' || path.startsWith('/api/') || path.startsWith('/docs') || path.startsWith(IMMUTABLE)) return undefined;
    if (!(request.headers.accept ?? '').includes('text/html')) return undefined;
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
}

/** Without a build, `/` says how to make one and where the API is. */
function registerNotBuilt(app: FastifyInstance, kernel: Kernel, dir: string): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const modules = [...new Set([...kernel.catalogue.permissions.values()].map((p) => p.module))].join(', ');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#161616}code{background:#f4f4f4;padding:0 .25rem}</style>
</head><body>
<h1>Switchboard</h1>
<p>The server is running, but the web console has not been built (no <code>${escapeHtml(dir)}/index.html</code>).
<code>npm start</code> builds it; or run <code>npm run build -w web</code>.</p>
<ul>
<li>Interactive API reference: <a href="/docs">/docs</a></li>
<li>OpenAPI document: <a href="/api/openapi.json">/api/openapi.json</a></li>
</ul>
<p>Enabled modules: ${escapeHtml(modules)}.</p>
</body></html>`;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
