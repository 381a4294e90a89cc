import { and, eq, inArray, max } from 'drizzle-orm';
import { systemActor } from '../../../core/actor.ts';
import type { Kernel } from '../../../core/kernel.ts';
import type { JobDef } from '../../../core/module.ts';
import { googlePlay, VOIDED_WINDOW_MS } from './google.ts';
import { creatorStoreNotifications } from '../schema.ts';
import { handleNotification } from './purchases.ts';

/** The notification type Google's voided purchases are recorded under (Play sends them to no webhook of ours). */
export const VOIDED_TYPE = 'VOIDED_PURCHASE';
/** Each run looks this far behind the newest void it recorded: Google lists by when its systems saw the void, which may lag. */
const OVERLAP_MS = 3 * 24 * 3600_000;

/**
 * Takes back the coins of Google Play purchases Google voided (refunds, chargebacks, revocations), as the
 * App Store's REFUND notifications do: Google reports them only through `voidedpurchases.list`, so this
 * reads it and hands each voided purchase token to the same notification handling (`refundPurchase`),
 * recorded once per token as a `google` notification `voided:<token>` — a void seen again changes nothing,
 * and a void of a token never delivered is remembered so that token is refused if it arrives later.
 * Each void commits on its own. Returns what happened to each newly seen void.
 */
export async function syncGoogleVoidedPurchases(kernel: Kernel): Promise<Array<{ purchaseToken: string; outcome: string }>> {
  const play = googlePlay(kernel);
  if (!play) return [];
  const now = kernel.now();
  const [last] = await kernel.db
    .select({ at: max(creatorStoreNotifications.receivedAt) })
    .from(creatorStoreNotifications)
    .where(and(eq(creatorStoreNotifications.store, 'google'), eq(creatorStoreNotifications.type, VOIDED_TYPE)));
  const since = last?.at ? new Date(last.at.getTime() - OVERLAP_MS) : new Date(now.getTime() - VOIDED_WINDOW_MS);
  const voided = await play.voidedPurchases(since, now);
  const ids = [...new Set(voided.map((v) => `voided:${v.purchaseToken}`))];
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await kernel.db
      .select({ id: creatorStoreNotifications.id })
      .from(creatorStoreNotifications)
      .where(and(eq(creatorStoreNotifications.store, 'google'), inArray(creatorStoreNotifications.id, ids.slice(i, i + 500))));
    for (const row of rows) known.add(row.id);
  }
  const results: Array<{ purchaseToken: string; outcome: string }> = [];
  for (const v of voided) {
    const id = `voided:${v.purchaseToken}`;
    if (known.has(id)) continue;
    known.add(id);
    const { outcome } = await kernel.write(systemActor('google-voided-purchases'), (ctx) =>
      handleNotification(ctx, {
        store: 'google',
        id,
        type: VOIDED_TYPE,
        subtype: v.voidedReason === null ? null : String(v.voidedReason),
        transactionId: v.purchaseToken,
        signedAt: v.voidedAt,
        action: 'refund',
        reason: v.reason,
      }),
    );
    results.push({ purchaseToken: v.purchaseToken, outcome });
  }
  if (results.length > 0) kernel.log.info({ voided: results.length }, 'Google Play voided purchases taken back');
  return results;
}

/**
 * The store's scheduled jobs, for the creators manifest (`jobs: storeJobs`): Google's voided purchases,
 * hourly (voidedpurchases.list allows 6,000 queries a day).
 */
export const storeJobs: JobDef[] = [
  { name: 'creators.google_voided_purchases', cron: '23 * * * *', handle: async (_data, kernel) => void (await syncGoogleVoidedPurchases(kernel)) },
];
