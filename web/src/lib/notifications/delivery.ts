import type { Batch, MemberNotification, StaffNotice } from './types';

/** States after which nothing more happens to a notification (as the server's `SETTLED`). */
const SETTLED = new Set(['acked', 'pushed', 'failed', 'muted']);
/** How long a young notification's tab keeps asking: an ACK or a push comes within the ACK timeout and a few retries. */
const WATCH_MS = 3 * 60_000;

/**
 * A notification still on its way (in-app and waiting for the ACK, or a push not yet answered), made in the
 * last minutes: not settled, acknowledged, read or withdrawn.
 */
export const stillDelivering = (n: MemberNotification, now = Date.now()) =>
  !SETTLED.has(n.state) && !n.ackedAt && !n.readAt && !n.withdrawnAt && now - Date.parse(n.createdAt) < WATCH_MS;

/** A send whose notifications are still being made: its progress moves. */
export const stillSending = (batch: Batch) => batch.state !== 'done';

/** A device id, short enough for a table cell (the full one is its title). */
export const shortId = (id: string) => id.slice(0, 8);

/** Where a staff notice leads: the send it is about. */
export function noticeHref(notice: Pick<StaffNotice, 'data'>): string | null {
  const batchId = notice.data.batchId;
  return batchId ? `/notifications/sent/${batchId}` : null;
}
