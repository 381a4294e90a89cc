import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Search } from '../streamers/views.ts';
import { createAgency } from './service.ts';
import { AgencyView, CreatedAgency, listAgencies } from './views.ts';

/** Agencies: organizations of kind `agency`, with their streamers and earnings. */
export function agencyRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/creators/agencies',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Agencies, by name, with their streamers and earnings',
          querystring: Type.Object({
            q: Search,
            status: Type.Optional(Type.Union(['active', 'suspended', 'closed'].map((s) => Type.Literal(s)))),
            ...PageQuery,
          }),
          response: { 200: Page(AgencyView), ...problems(400) },
        },
      },
      async (request) => listAgencies(kernel.db, { ...request.query, status: request.query.status as 'active' | 'suspended' | 'closed' | undefined }),
    );

    app.post(
      '/console/creators/agencies',
      {
        config: { permission: 'creators.manage' },
        schema: {
          tags: ['creators'],
          summary: 'Create an agency (an organization of kind agency)',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
              details: Type.Optional(
                Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
                  maxProperties: 50,
                  description: 'Legal name, country, contacts, banking details.',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 201: CreatedAgency, ...problems(400) },
        },
      },
      async (request, reply) => {
        const agency = await kernel.write(staffActorOf(request), (ctx) => createAgency(ctx, request.body));
        return reply.code(201).send({ id: agency.id, name: agency.name });
      },
    );
  };
}
