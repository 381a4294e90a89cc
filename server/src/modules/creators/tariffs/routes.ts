import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principalOf, staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { parseDate } from '../../../core/paging.ts';
import { Nullable } from '../../../core/schemas.ts';
import { assertTariff, saveTariff, tariffFor, tariffVersions } from './service.ts';
import { CallKinds, PreviewRow, previewOf, TariffBody, TariffVersionView, tariffVersionViews } from './views.ts';

const KindParams = Type.Object({ kind: CallKinds.schema });

/** Call tariffs: versions per call kind, the one in force, and a preview of a draft. */
export function tariffRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/console/creators/tariffs',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Each call kind with the tariff in force now (null when it has none yet) and the newest version',
          response: {
            200: Type.Array(Type.Object({ callKind: CallKinds.schema, current: Nullable(TariffVersionView), latest: Nullable(TariffVersionView) })),
          },
        },
      },
      async () =>
        Promise.all(
          CallKinds.values.map(async (callKind) => {
            const current = await tariffFor(kernel.db, callKind, kernel.now(), { agencyId: null });
            const [latest] = await tariffVersions(kernel.db, callKind);
            const views = new Map(
              (
                await tariffVersionViews(
                  kernel.db,
                  [current, latest].filter((v) => v !== undefined),
                )
              ).map((v) => [v.id, v]),
            );
            return { callKind, current: current ? views.get(current.id)! : null, latest: latest ? views.get(latest.id)! : null };
          }),
        ),
    );

    app.get(
      '/console/creators/tariffs/:kind',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A call kind's tariff versions, newest first",
          params: KindParams,
          response: { 200: Type.Array(TariffVersionView), ...problems(400, 403) },
        },
      },
      async (request) => tariffVersionViews(kernel.db, await tariffVersions(kernel.db, request.params.kind)),
    );

    app.post(
      '/console/creators/tariffs/:kind',
      {
        config: { permission: 'creators.tariffs' },
        schema: {
          tags: ['creators'],
          summary: 'A new version of a call kind’s tariff: calls that connect from `effectiveFrom` (now by default) on are billed by it',
          params: KindParams,
          body: Type.Object(
            {
              ...TariffBody,
              effectiveFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Not in the past; now when left out.' })),
              note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            },
            { additionalProperties: false },
          ),
          response: { 201: TariffVersionView, ...problems(400, 403) },
        },
      },
      async (request, reply) => {
        const { effectiveFrom, ...tariff } = request.body;
        const saved = await kernel.write(staffActorOf(request), (ctx) =>
          saveTariff(
            ctx,
            request.params.kind,
            { ...tariff, ...(effectiveFrom ? { effectiveFrom: parseDate('effectiveFrom', effectiveFrom) } : {}) },
            principalOf(request).staffId,
          ),
        );
        return reply.code(201).send((await tariffVersionViews(kernel.db, [saved]))[0]!);
      },
    );

    app.post(
      '/console/creators/tariffs/preview',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'What a draft tariff would charge and pay for calls of 10 s, 20 s, 1 min, 3 min and 10 min (nothing is saved)',
          body: Type.Object(TariffBody, { additionalProperties: false }),
          response: { 200: Type.Array(PreviewRow), ...problems(400, 403) },
        },
      },
      async (request) => {
        assertTariff(request.body);
        return previewOf(request.body);
      },
    );
  };
}
