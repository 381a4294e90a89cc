import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { memberOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Search } from '../streamers/views.ts';
import { signUpUser } from './service.ts';
import { listUsers, SignUp, UserView } from './views.ts';

/** App users: the list staff see, and the sign-up the app sends once. */
export function userRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/creators/users',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'App users, by name, with coins and presence',
          querystring: Type.Object({
            q: Search,
            status: Type.Optional(Type.Union(['active', 'blocked', 'deleted'].map((s) => Type.Literal(s)))),
            ...PageQuery,
          }),
          response: { 200: Page(UserView), ...problems(400) },
        },
      },
      async (request) => listUsers(kernel, { ...request.query, status: request.query.status as 'active' | 'blocked' | 'deleted' | undefined }),
    );

    app.post(
      '/client/creators/sign-up',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Sign me up as an app user (once; repeating it answers 200 with the first sign-up)',
          body: Type.Object(
            { platform: Type.Optional(Type.Union([Type.Literal('ios'), Type.Literal('android'), Type.Literal('web')])) },
            { additionalProperties: false },
          ),
          response: { 200: SignUp, 201: SignUp, ...problems(400, 401) },
        },
      },
      async (request, reply) => {
        const personId = memberOf(request).personId;
        const result = await kernel.write({ type: 'member', id: personId }, (ctx) => signUpUser(ctx, personId, request.body.platform ?? null));
        return reply.code(result.created ? 201 : 200).send({ signedUpAt: result.signedUpAt.toISOString() });
      },
    );
  };
}
