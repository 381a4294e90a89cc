import type { FastifyReply, FastifyRequest } from 'fastify';
import { asc, gt } from 'drizzle-orm';
import type { Principal } from '../access.ts';
import type { Kernel } from '../kernel.ts';
import { eventLog } from './schema.ts';
import type { StoredEvent } from './types.ts';
import { eventView } from './routes.ts';

const HEARTBEAT_MS = 15_000;
/** At most this many missed events are replayed; past it the client gets `replay_truncated` and should reload. */
const REPLAY_LIMIT = 500;
const REPLAY_SCAN_LIMIT = 10_000;

export interface StreamOptions {
  principal: Principal;
  token: string;
  lastEventId: number | undefined;
  visible(principal: Principal, event: StoredEvent): boolean;
}

/**
 * Streams new events to one console tab. The stream re-checks its session whenever the bus says that
 * user's access changed, and closes at once when the session no longer holds (sign-out, password reset,
 * disabling), so a revoked user stops receiving within the same tick.
 */
export async function openEventStream(kernel: Kernel, request: FastifyRequest, reply: FastifyReply, options: StreamOptions) {
  let principal = options.principal;
  let open = true;
  const sent = new Set<number>();
  let sentCount = 0;
  let replaying = options.lastEventId !== undefined;
  const buffered: StoredEvent[] = [];

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');

  const send = (event: StoredEvent) => {
    if (!open || sent.has(event.id) || !options.visible(principal, event)) return;
    if (replaying) sent.add(event.id);
    sentCount++;
    res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventView(event))}\n\n`);
  };

  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  };

  let recheck: Promise<void> = Promise.resolve();
  const unsubscribe = kernel.bus.subscribe((message) => {
    if (message.kind === 'event') {
      if (replaying) buffered.push(message.event);
      else send(message.event);
      return;
    }
    if (message.staffIds !== 'all' && !message.staffIds.includes(principal.staffId)) return;
    recheck = recheck.then(async () => {
      if (!open) return;
      const current = await kernel.authenticator.authenticate(options.token).catch(() => null);
      if (!current) {
        res.write('event: session_ended\ndata: {}\n\n');
        close();
      } else principal = current;
    });
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  request.raw.on('close', close);

  if (options.lastEventId !== undefined) {
    const complete = await replay(kernel, options.lastEventId, (event) => {
      const before = sentCount;
      send(event);
      return sentCount > before;
    });
    if (!complete && open) res.write('event: replay_truncated\ndata: {}\n\n');
    replaying = false;
    for (const event of buffered.splice(0)) send(event);
    sent.clear();
  }
}

/** Sends what was missed after `lastEventId`, in id order; false when it stopped at a limit. */
async function replay(kernel: Kernel, lastEventId: number, deliver: (event: StoredEvent) => boolean): Promise<boolean> {
  let after = lastEventId;
  let delivered = 0;
  for (let scanned = 0; scanned < REPLAY_SCAN_LIMIT; ) {
    const batch = await kernel.db.select().from(eventLog).where(gt(eventLog.id, after)).orderBy(asc(eventLog.id)).limit(500);
    if (batch.length === 0) return true;
    for (const event of batch) {
      if (deliver(event as StoredEvent) && ++delivered >= REPLAY_LIMIT) return false;
      after = event.id;
    }
    scanned += batch.length;
  }
  return false;
}
