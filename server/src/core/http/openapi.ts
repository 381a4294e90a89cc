import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import { SESSION_COOKIE } from '../auth.ts';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    retryAfter: Type.Optional(Type.Integer({ description: 'Seconds until a 429 may be retried' })),
    code: Type.Optional(
      Type.String({
        description: 'A machine-readable reason where the status alone is ambiguous, e.g. `insufficient_funds`; other members may give its details.',
      }),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details', additionalProperties: true },
);

/** The OpenAPI document is derived from the routes' own schemas; `/docs` is the interactive reference. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Named schemas keep their `$id` as their name, so the generated console client says `StaffUser`, not `def-0`.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Switchboard API',
        version: '0.1.0',
        description: 'Console API (`/api/console`, staff session cookie) of Switchboard. Errors are `application/problem+json`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A member token: ours, a Firebase ID token or an OIDC token, as configured.',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}

/** Response schemas for the problem answers a route may give: `...problems(400, 404)`. */
export const problems = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ProblemSchema]));
