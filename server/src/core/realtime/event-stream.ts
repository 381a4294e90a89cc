import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Principal } from '../access.ts';
import type { BusMessage } from '../events/bus.ts';
import { eventsAfter } from '../events/log.ts';
import type { StoredEvent } from '../events/types.ts';
import { eventView } from '../events/views.ts';
import { eventVisibility, type EventVisibility } from '../events/visibility.ts';
import type { Kernel, ServiceContext } from '../kernel.ts';

/** Mutable so tests can shorten it; every beat also checks the session's expiry. */
export const streamTiming = { heartbeatMs: 15_000 };
/** At most this many missed events are replayed; past it the client gets `replay_truncated` and should reload. */
const REPLAY_LIMIT = 500;
const REPLAY_SCAN_LIMIT = 10_000;
/** One event's frame, made once however many streams send it (a thousand console tabs get the same bytes). */
const frames = new WeakMap<StoredEvent, string>();
function frameOf(event: StoredEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) frames.set(event, (frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(eventView(event))}\n\n`));
  return frame;
}
/** A client that stops reading is dropped once this much is waiting in its socket; it reconnects with Last-Event-ID. */
const MAX_UNREAD_BYTES = 1024 * 1024;

export interface StreamOptions {
  principal: Principal;
  token: string;
  lastEventId: number | undefined;
}

/**
 * One console tab's live feed of the event log (Server-Sent Events). It re-checks its session whenever the bus says that user's access
 * changed and whenever the session's expiry passes, and closes at once when the session no longer
 * holds (sign-out, password reset, disabling, expiry).
 */
class EventStream {
  private principal: Principal;
  private open = true;
  private replaying: boolean;
  private readonly buffered: StoredEvent[] = [];
  /** Ids sent during replay, so a live event that raced the replay is not sent twice. */
  private readonly replayed = new Set<number>();
  private recheck: Promise<void> = Promise.resolve();
  private visibleFor: { principal: Principal; rule: EventVisibility } | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly kernel: Kernel,
    private readonly res: ServerResponse,
    private readonly options: StreamOptions,
  ) {
    this.principal = options.principal;
    this.replaying = options.lastEventId !== undefined;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.write('retry: 3000\n\n');
    this.unsubscribe = kernel.bus.subscribe((message) => this.onMessage(message));
    this.heartbeat = setInterval(() => this.beat(), streamTiming.heartbeatMs);
    this.heartbeat.unref();
    res.on('close', () => this.close());
    kernel.openStreams.add(this);
  }

  close(reason?: string): void {
    if (!this.open) return;
    if (reason) this.write(`event: ${reason}\ndata: {}\n\n`);
    this.open = false;
    clearInterval(this.heartbeat);
    this.unsubscribe();
    this.kernel.openStreams.delete(this);
    this.res.end();
  }

  async replay(lastEventId: number): Promise<void> {
    try {
      const complete = await this.replayFrom(lastEventId);
      if (!complete) this.write('event: replay_truncated\ndata: {}\n\n');
    } catch (error) {
      this.kernel.log.warn({ err: error }, 'event stream replay failed');
      this.close('replay_failed');
      return;
    } finally {
      this.replaying = false;
    }
    for (const event of this.buffered.splice(0)) this.send(event);
    this.replayed.clear();
  }

  /** Sends what was missed after `lastEventId`, in id order; false when it stopped at a limit. */
  private async replayFrom(lastEventId: number): Promise<boolean> {
    let after = lastEventId;
    let delivered = 0;
    for (let scanned = 0; scanned < REPLAY_SCAN_LIMIT;) {
      const batch = await eventsAfter(this.kernel.db, after, 500);
      if (batch.length === 0) return true;
      for (const event of batch) {
        if (this.send(event) && ++delivered >= REPLAY_LIMIT) return false;
        after = event.id;
      }
      scanned += batch.length;
    }
    return false;
  }

  private onMessage(message: BusMessage): void {
    if (message.kind === 'event') {
      if (this.replaying) this.buffered.push(message.event);
      else this.send(message.event);
      return;
    }
    if (message.kind === 'staff_push') {
      if (message.staffIds.includes(this.principal.staffId)) this.write(`event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`);
      return;
    }
    if (message.kind !== 'auth_changed') return;
    if (message.staffIds === 'all' || message.staffIds.includes(this.principal.staffId)) this.revalidate();
  }

  /** Built once per principal: a new principal object appears whenever the user's access changes. */
  private visibility(): EventVisibility {
    if (this.visibleFor?.principal !== this.principal) {
      this.visibleFor = {
        principal: this.principal,
        rule: eventVisibility(this.kernel.catalogue, { type: 'staff', principal: this.principal }, this.kernel.now),
      };
    }
    return this.visibleFor.rule;
  }

  /** Returns whether the event was written. */
  private send(event: StoredEvent): boolean {
    if (!this.open || this.replayed.has(event.id) || !this.visibility().allows(event)) return false;
    if (this.replaying) this.replayed.add(event.id);
    return this.write(frameOf(event));
  }

  private write(chunk: string): boolean {
    if (!this.open) return false;
    if (this.res.writableLength > MAX_UNREAD_BYTES) {
      this.close();
      return false;
    }
    this.res.write(chunk);
    return true;
  }

  private beat(): void {
    if (this.kernel.now() >= this.principal.sessionExpiresAt) this.revalidate();
    else this.write(': keep-alive\n\n');
  }

  /** Looks the session up again (without counting as activity); closes the stream if it is gone. */
  private revalidate(): void {
    this.recheck = this.recheck.then(async () => {
      if (!this.open) return;
      const current = await this.kernel.authenticator.authenticate(this.options.token, { touch: false }).catch(() => null);
      if (!current) this.close('session_ended');
      else this.principal = current;
    });
  }
}

/**
 * Sends a frame (`event: <event>`) to these staff users' open console streams, on every server process, once
 * the transaction commits. It carries no event id: a tab that reconnects reloads what it shows (the bell's count).
 */
export function pushToStaff(ctx: ServiceContext, staffIds: string[], event: string, data: Record<string, unknown>): void {
  if (staffIds.length === 0) return;
  ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'staff_push', staffIds, event, data }));
}

export async function openEventStream(kernel: Kernel, request: FastifyRequest, reply: FastifyReply, options: StreamOptions) {
  reply.hijack();
  const stream = new EventStream(kernel, reply.raw, options);
  // The client may have gone while the request was being authenticated: then 'close' has already fired.
  if (request.raw.destroyed || reply.raw.destroyed) {
    stream.close();
    return;
  }
  if (options.lastEventId !== undefined) await stream.replay(options.lastEventId);
}
