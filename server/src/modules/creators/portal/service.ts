import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { decodeCursor, toPage } from '../../../core/paging.ts';
import { cancelPayout, listApplications, requestPayout } from '../../payouts/service.ts';
import { COIN } from '../coins.ts';
import { CreatorsError } from '../errors.ts';
import { findStreamer, type Streamer } from '../streamers/service.ts';

export const STREAMER_RULES_SETTING = 'creators.streamer_rules';

/** The member's streamer row, or a 403: the portal is for streamers. */
export async function portalStreamer(db: Executor, personId: string): Promise<Streamer> {
  const streamer = await findStreamer(db, personId);
  if (!streamer) throw CreatorsError.forbidden('The streamer portal is for streamers.');
  return streamer;
}

/** The member's streamer row when they may ask for a payout: a suspended streamer may not. */
export async function payoutStreamer(db: Executor, personId: string): Promise<Streamer> {
  const streamer = await portalStreamer(db, personId);
  if (streamer.status !== 'active') throw CreatorsError.forbidden('A suspended streamer cannot ask for a payout; contact support.');
  return streamer;
}

/** A streamer's own payout applications, newest first. */
export async function myPayouts(db: Executor, personId: string, cursor: string | undefined, limit: number) {
  await portalStreamer(db, personId);
  const before = decodeCursor<[string, string]>(cursor, ['date', 'uuid']);
  const rows = await listApplications(db, { ownerType: 'person', ownerId: personId, before, limit: limit + 1 });
  return toPage(
    rows,
    limit,
    (a) => [a.createdAt.toISOString(), a.id],
    (a) => a,
  );
}

/** Asks to pay out a streamer's COIN earnings (all that is available when no amount is given). */
export async function requestStreamerPayout(ctx: ServiceContext, streamer: Streamer, input: { amount?: number; note?: string }) {
  return requestPayout(ctx, { owner: { type: 'person', id: streamer.personId }, currency: COIN, amount: input.amount, note: input.note, origin: 'member' });
}

/** Withdraws one of the streamer's own applications; anyone else's is not found. */
export async function cancelStreamerPayout(ctx: ServiceContext, personId: string, applicationId: string) {
  return cancelPayout(ctx, applicationId, { type: 'person', id: personId });
}
