import type { FastifyInstance } from 'fastify';
import type { Kernel } from './core/kernel.ts';

/** Until the console is built, `/` tells a visitor where the API and its reference are. */
export function registerLanding(app: FastifyInstance, kernel: Kernel): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const modules = [...new Set([...kernel.catalogue.permissions.values()].map((p) => p.module))].join(', ');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#161616}code{background:#f4f4f4;padding:0 .25rem}</style>
</head><body>
<h1>Switchboard</h1>
<p>The server is running. The web console is not built into this server yet.</p>
<ul>
<li>Interactive API reference: <a href="/docs">/docs</a></li>
<li>OpenAPI document: <a href="/api/openapi.json">/api/openapi.json</a></li>
<li>Sign in: <code>POST /api/console/session</code> with <code>{"email","password"}</code>, then use the <code>sb_session</code> cookie.</li>
</ul>
<p>Enabled modules: ${modules}.</p>
</body></html>`;
  });
}
