import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import { staffNames } from '../../staff/users.ts';
import { defineCodes } from '../../../core/labels.ts';
import { Id, Nullable, Timestamp } from '../../../core/schemas.ts';
import { MAX_CALL_SECONDS, MAX_CHECKPOINTS, MAX_POINT_AMOUNT, PREVIEW_SECONDS, totalsAt, type Tariff } from './schedule.ts';
import type { TariffVersion } from './service.ts';

export const CallKinds = defineCodes('call_kind', {
  direct: { en: 'Direct call', ru: 'Прямой звонок' },
  roulette: { en: 'Roulette', ru: 'Рулетка' },
  prerecorded: { en: 'Prerecorded video', ru: 'Записанное видео' },
});

const Amount = Type.Integer({ minimum: 0, maximum: MAX_POINT_AMOUNT, description: 'Coins.' });
const Second = Type.Integer({ minimum: 1, maximum: MAX_CALL_SECONDS });
export const TariffSideSchema = Type.Object(
  {
    connect: Type.Integer({ minimum: 0, maximum: MAX_POINT_AMOUNT, description: 'Coins at the connect (second 0).' }),
    checkpoints: Type.Array(Type.Object({ at: Second, amount: Amount }, { additionalProperties: false }), {
      maxItems: MAX_CHECKPOINTS,
      description: 'In increasing seconds, each after the connect.',
    }),
    repeat: Nullable(
      Type.Object(
        { every: Type.Integer({ minimum: 1, maximum: MAX_CALL_SECONDS }), amount: Amount },
        { additionalProperties: false, description: 'And so on: every `every` seconds after the last checkpoint, `amount` again.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const TariffBody = {
  caller: TariffSideSchema,
  streamer: TariffSideSchema,
  agencyShareBp: Type.Integer({
    minimum: 0,
    maximum: 10000,
    description: "The streamer's agency's share of each payment, in basis points; the platform keeps the rest.",
  }),
};

export const PreviewRow = Type.Object({
  seconds: Type.Integer(),
  cost: Type.Integer({ description: 'What the caller has paid by then.' }),
  streamer: Type.Integer(),
  agency: Type.Integer(),
  platform: Type.Integer(),
});

export const TariffVersionView = Type.Object({
  id: Id,
  callKind: CallKinds.schema,
  version: Type.Integer(),
  effectiveFrom: Timestamp,
  ...TariffBody,
  note: Nullable(Type.String()),
  createdBy: Nullable(Id),
  createdByName: Nullable(Type.String({ description: 'The staff user who made it; null for one the system made (the demo).' })),
  createdAt: Timestamp,
  preview: Type.Array(PreviewRow, { description: 'Cost and earnings of calls of 10 s, 20 s, 1 min, 3 min and 10 min.' }),
});

export const previewOf = (tariff: Tariff) => PREVIEW_SECONDS.map((seconds) => totalsAt(tariff, seconds));

/** Versions with the names of the staff users who made them, in one query. */
export async function tariffVersionViews(db: Executor, versions: TariffVersion[]) {
  const names = await staffNames(
    db,
    versions.flatMap((v) => (v.createdBy ? [v.createdBy] : [])),
  );
  return versions.map((v) => ({ ...tariffVersionView(v), createdByName: v.createdBy ? (names.get(v.createdBy) ?? null) : null }));
}

const tariffVersionView = (t: TariffVersion) => ({
  id: t.id,
  callKind: t.callKind,
  version: t.version,
  effectiveFrom: t.effectiveFrom.toISOString(),
  caller: t.caller,
  streamer: t.streamer,
  agencyShareBp: t.agencyShareBp,
  note: t.note,
  createdBy: t.createdBy,
  createdAt: t.createdAt.toISOString(),
  preview: previewOf(t),
});
