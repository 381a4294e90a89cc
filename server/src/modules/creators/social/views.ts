import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import { defineCodes } from '../../../core/labels.ts';
import { Nullable, Timestamp } from '../../../core/schemas.ts';
import { getPerson, subjectNames } from '../../people/people.ts';
import { BLOCK_REASONS } from '../schema.ts';
import { listBlocks } from './blocks.ts';
import type { Greeting } from './greetings.ts';
import { findPenaltyFiring, findPenaltyRule, type PenaltyRule } from './penalties.ts';

export const BlockReasons = defineCodes('block_reason', {
  nudity: { en: 'nudity', ru: 'Обнажённость' },
  harassment: { en: 'harassment', ru: 'Травля' },
  spam: { en: 'spam', ru: 'Спам' },
  other: { en: 'something else', ru: 'Другое' },
} satisfies Record<(typeof BLOCK_REASONS)[number], unknown>);
export const BlockReason = Type.Union(BLOCK_REASONS.map((r) => Type.Literal(r)));
export const PenaltyActions = defineCodes('penalty_action', {
  suspend_streamer: { en: 'streamer suspended', ru: 'стример приостановлен' },
  block_person: { en: 'blocked', ru: 'заблокирован' },
});
export const Relation = Type.Object({ personId: Type.String(), displayName: Nullable(Type.String()), since: Timestamp });
export const BlockEntry = Type.Object({
  personId: Type.String(),
  displayName: Nullable(Type.String()),
  reason: BlockReason,
  note: Nullable(Type.String()),
  since: Timestamp,
});
export const FavoriteCounts = Type.Object({ favorites: Type.Integer(), followers: Type.Integer() });

/** A penalty rule's fields, as staff write them and as they read them back. */
export const PenaltyRuleFields = {
  reason: BlockReason,
  targetRole: Type.Union([Type.Literal('streamer'), Type.Literal('user')]),
  blockerRole: Type.Union([Type.Literal('streamer'), Type.Literal('user'), Type.Literal('anyone')]),
  threshold: Type.Integer({ minimum: 1, maximum: 10000 }),
  windowDays: Type.Integer({ minimum: 1, maximum: 365 }),
  action: PenaltyActions.schema,
  blockReason: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 40 }))),
  active: Type.Optional(Type.Boolean()),
};
export const PenaltyRuleView = Type.Object(
  { id: Type.String(), ...PenaltyRuleFields, blockReason: Nullable(Type.String()), active: Type.Boolean(), createdAt: Timestamp },
  { $id: 'CreatorPenaltyRule' },
);
export const ruleView = (r: PenaltyRule) => ({ ...r, createdAt: r.createdAt.toISOString() });

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Favorites or followers with the other person's name. */
export async function relationPage(db: Executor, page: Page<{ id: string; createdAt: Date }>) {
  const names = await subjectNames(
    db,
    page.items.map((r) => ({ type: 'person' as const, id: r.id })),
  );
  return {
    items: page.items.map((r) => ({ personId: r.id, displayName: names.get(r.id) ?? null, since: r.createdAt.toISOString() })),
    nextCursor: page.nextCursor,
  };
}

/** Blocks with the other person's name. */
export async function blockPage<R extends string>(db: Executor, page: Page<{ id: string; reason: R; note: string | null; createdAt: Date }>) {
  const names = await subjectNames(
    db,
    page.items.map((r) => ({ type: 'person' as const, id: r.id })),
  );
  return {
    items: page.items.map((r) => ({ personId: r.id, displayName: names.get(r.id) ?? null, reason: r.reason, note: r.note, since: r.createdAt.toISOString() })),
    nextCursor: page.nextCursor,
  };
}

/** What a moderator sees of a penalty: the person, the rule, how many blocked them and the latest blocks. */
export async function penaltyPreview(db: Executor, firingId: string) {
  const firing = await findPenaltyFiring(db, firingId);
  if (!firing) return { firing: null };
  const rule = await findPenaltyRule(db, firing.ruleId);
  const person = await getPerson(db, firing.personId).catch(() => undefined);
  const recent = await blockPage(db, await listBlocks(db, firing.personId, 'blocked_by', undefined, 10));
  return {
    person: person ? { id: person.id, displayName: person.displayName, status: person.status } : null,
    rule: rule ?? null,
    blockers: firing.blockers,
    firedAt: firing.firedAt.toISOString(),
    liftedAt: firing.liftedAt?.toISOString() ?? null,
    recentBlocks: recent.items,
  };
}

export const GreetingView = Type.Object({ id: Type.String(), text: Type.String(), createdAt: Timestamp });
export const greetingView = (greeting: Greeting) => ({ id: greeting.id, text: greeting.text, createdAt: greeting.createdAt.toISOString() });
