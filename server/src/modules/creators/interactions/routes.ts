import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { problems } from '../../../core/http/openapi.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { IdParams } from '../../../core/schemas.ts';
import { getPerson } from '../../people/people.ts';
import { interactionsOf } from './service.ts';
import { InteractionView, interactionViews } from './views.ts';

/** A person's top counterparts: what they did with each (messages, gifts, calls). */
export function interactionRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/console/people/:id/interactions',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A person's counterparts, most recent first, with the messages, gifts and calls between them",
          params: IdParams,
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }),
          response: { 200: Type.Array(InteractionView), ...problems(403, 404) },
        },
      },
      async (request) => {
        await getPerson(kernel.db, request.params.id);
        return interactionViews(kernel.db, await interactionsOf(kernel.db, request.params.id, request.query.limit));
      },
    );
  };
}
