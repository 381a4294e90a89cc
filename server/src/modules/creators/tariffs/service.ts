import { and, desc, eq, lte, max, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { type CALL_KINDS, creatorTariffs } from '../schema.ts';
import { tariffProblems, type Tariff } from './schedule.ts';

export type CallKind = (typeof CALL_KINDS)[number];
export type TariffVersion = typeof creatorTariffs.$inferSelect;

/** Who a call is between, as far as choosing its tariff goes (per agency or cohort tariffs would look here). */
export interface TariffContext {
  agencyId: string | null;
}

/**
 * The tariff a call of this kind is billed by: the version in force at `at` (the call's connect). The one
 * place tariffs are chosen: versions per agency or per cohort would be picked here from `context`.
 */
export async function tariffFor(db: Executor, kind: CallKind, at: Date, _context: TariffContext): Promise<TariffVersion | undefined> {
  const [version] = await db
    .select()
    .from(creatorTariffs)
    .where(and(eq(creatorTariffs.callKind, kind), lte(creatorTariffs.effectiveFrom, at)))
    .orderBy(desc(creatorTariffs.effectiveFrom), desc(creatorTariffs.version))
    .limit(1);
  return version;
}

export async function tariffById(db: Executor, id: string): Promise<TariffVersion | undefined> {
  const [tariff] = await db.select().from(creatorTariffs).where(eq(creatorTariffs.id, id));
  return tariff;
}

/** Every version of a kind's tariff, newest first (including ones that come into force later). */
export async function tariffVersions(db: Executor, kind: CallKind): Promise<TariffVersion[]> {
  return db.select().from(creatorTariffs).where(eq(creatorTariffs.callKind, kind)).orderBy(desc(creatorTariffs.version));
}

export function assertTariff(tariff: Tariff): void {
  const [first, ...rest] = tariffProblems(tariff);
  if (first) throw new CreatorsError('invalid', first.message, { field: first.field, fields: rest });
}

/**
 * A new version of a kind's tariff, in force from `effectiveFrom` (now when not given; never in the past, so
 * calls already billed keep the version they were billed by). Versions are numbered per kind without gaps.
 */
export async function saveTariff(
  ctx: ServiceContext,
  kind: CallKind,
  input: Tariff & { effectiveFrom?: Date; note?: string | null },
  staffId: string | null,
): Promise<TariffVersion> {
  assertTariff(input);
  const effectiveFrom = input.effectiveFrom ?? ctx.now;
  if (effectiveFrom.getTime() < ctx.now.getTime() - 1000) throw CreatorsError.invalid('effectiveFrom', 'may not be in the past');
  // Versions of one kind are made one at a time: the numbering reads the highest under this lock.
  await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`creator_tariffs:${kind}`}))`);
  const [last] = await ctx.tx
    .select({ version: max(creatorTariffs.version) })
    .from(creatorTariffs)
    .where(eq(creatorTariffs.callKind, kind));
  const [saved] = await ctx.tx
    .insert(creatorTariffs)
    .values({
      id: uuidv7(),
      callKind: kind,
      version: (last?.version ?? 0) + 1,
      effectiveFrom,
      caller: input.caller,
      streamer: input.streamer,
      agencyShareBp: input.agencyShareBp,
      note: input.note?.trim() || null,
      createdBy: staffId,
      createdAt: ctx.now,
    })
    .returning();
  await ctx.emit({
    type: CreatorEvents.tariffSaved,
    payload: { tariffId: saved!.id, callKind: kind, version: saved!.version, effectiveFrom: effectiveFrom.toISOString() },
  });
  return saved!;
}
