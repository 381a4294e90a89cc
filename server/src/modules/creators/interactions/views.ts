import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import { Id, Timestamp } from '../../../core/schemas.ts';
import { getPeople } from '../../people/people.ts';
import type { Interaction } from './service.ts';

export const InteractionView = Type.Object({
  counterpart: Type.Object({ id: Id, name: Type.String() }),
  messages: Type.Integer(),
  gifts: Type.Integer(),
  giftCoins: Type.Integer(),
  calls: Type.Integer(),
  callSeconds: Type.Integer(),
  callCoins: Type.Integer(),
  viewsOfThem: Type.Integer({ description: "Times the person opened the counterpart's profile (once per 10 minutes)." }),
  viewsByThem: Type.Integer({ description: "Times the counterpart opened the person's profile." }),
  lastAt: Timestamp,
});

export async function interactionViews(db: Executor, rows: Array<Interaction & { counterpart: string }>) {
  const names = new Map(
    (
      await getPeople(
        db,
        rows.map((r) => r.counterpart),
      )
    ).map((p) => [p.id, p.displayName]),
  );
  return rows.map((r) => ({
    counterpart: { id: r.counterpart, name: names.get(r.counterpart) ?? '' },
    messages: r.messages,
    gifts: r.gifts,
    giftCoins: r.giftCoins,
    calls: r.calls,
    callSeconds: r.callSeconds,
    callCoins: r.callCoins,
    // personA/personB are the pair in id order; the person is the one who is not the counterpart.
    viewsOfThem: r.counterpart === r.personB ? r.viewsByA : r.viewsByB,
    viewsByThem: r.counterpart === r.personB ? r.viewsByB : r.viewsByA,
    lastAt: r.lastAt.toISOString(),
  }));
}
