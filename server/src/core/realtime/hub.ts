import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { and, count, eq, gt, sql } from 'drizzle-orm';
import { systemActor } from '../actor.ts';
import { DomainError } from '../errors.ts';
import type { MemberPrincipal } from '../auth.ts';
import { uuidIn } from '../db/sql.ts';
import { eventView } from '../events/views.ts';
import { eventVisibility } from '../events/visibility.ts';
import { perKernel, type Kernel, type ServiceContext } from '../kernel.ts';
import { memberConnections, memberPresence } from './schema.ts';

/** Close codes clients act on. */
export const CLOSE = { blocked: 4003, timeout: 4008, sessionExpired: 4001, shuttingDown: 1001 } as const;

export interface PresenceStatus {
  online: boolean;
  lastSeenAt: string | null;
}

/** Runs in the transaction that records a person's flip between online and offline (e.g. to append an event). */
export type PresenceChange = (ctx: ServiceContext, personId: string, online: boolean) => Promise<void>;

/**
 * Handles one type of message a member's app sends over its socket (`chat.received`, `notification.ack`);
 * what it returns is sent back on that socket.
 */
export type ClientMessageHandler = (member: MemberPrincipal, message: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

/** Sends `message` to the open client sockets of these members, on every server process, once the transaction commits. */
export function pushToMembers(ctx: ServiceContext, personIds: string[], message: Record<string, unknown>): void {
  if (personIds.length === 0) return;
  ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'member_push', personIds, message }));
}

interface Connection {
  id: string;
  socket: WebSocket;
  member: MemberPrincipal;
  lastBeat: number;
  lastStored: number;
  timer: ReturnType<typeof setInterval>;
}

/**
 * Client WebSockets, shared by whatever pushes to apps (presence, the member's own events; chat, calls
 * and notifications next): each connection beats, and a person is online while one of theirs does,
 * offline after 2.5 missed intervals or when the last one closes. Connections are rows in
 * `member_connections`, so presence is right across server processes; events reach the sockets of the
 * person they are about through the bus, so a socket on any process hears them.
 */
export class RealtimeHub {
  private readonly connections = new Map<string, Set<Connection>>();
  private readonly presenceChanges: PresenceChange[] = [];
  private readonly handlers = new Map<string, ClientMessageHandler>();
  private unsubscribe: (() => void) | undefined;
  private readonly heartbeatMs: number;

  constructor(private readonly kernel: Kernel) {
    this.heartbeatMs = kernel.config.presenceHeartbeatSeconds * 1000;
  }

  /** Called for every flip of a person's presence, inside its transaction. */
  onPresenceChange(handler: PresenceChange): void {
    this.presenceChanges.push(handler);
  }

  /** Takes the messages of one type that apps send (modules register theirs when their routes are built). */
  handle(type: string, handler: ClientMessageHandler): void {
    if (this.handlers.has(type)) throw new Error(`Client message type ${type} is handled twice`);
    this.handlers.set(type, handler);
  }

  start(): void {
    this.unsubscribe = this.kernel.bus.subscribe((message) => {
      if (message.kind === 'member_push') {
        const data = JSON.stringify(message.message);
        for (const personId of message.personIds) for (const connection of this.connections.get(personId) ?? []) connection.socket.send(data);
        return;
      }
      if (message.kind !== 'event') return;
      const { event } = message;
      if (event.subjectType !== 'person' || !event.subjectId) return;
      const sockets = this.connections.get(event.subjectId);
      if (!sockets) return;
      if (!eventVisibility(this.kernel.catalogue, { type: 'member', personId: event.subjectId }, this.kernel.now).allows(event)) return;
      const data = JSON.stringify({ type: 'event', event: eventView(event) });
      for (const connection of sockets) connection.socket.send(data);
    });
  }

  /** Closes every connection (server shutdown); their rows go with them. */
  stop(): void {
    this.unsubscribe?.();
    for (const sockets of this.connections.values()) for (const c of sockets) c.socket.close(CLOSE.shuttingDown, 'server closing');
  }

  /** Closes the person's connections on this process (every process does it for an event on the bus). */
  disconnect(personId: string, code: number, reason: string): void {
    for (const connection of this.connections.get(personId) ?? []) connection.socket.close(code, reason);
  }

  /** How long a connection may stay silent. */
  get timeoutMs(): number {
    return Math.round(this.heartbeatMs * 2.5);
  }

  async attach(socket: WebSocket, member: MemberPrincipal, log: FastifyBaseLogger): Promise<void> {
    const now = this.kernel.now().getTime();
    const connection: Connection = {
      id: randomUUID(),
      socket,
      member,
      lastBeat: now,
      lastStored: now,
      timer: setInterval(() => this.check(connection), this.heartbeatMs),
    };
    let sockets = this.connections.get(member.personId);
    if (!sockets) this.connections.set(member.personId, (sockets = new Set()));
    sockets.add(connection);
    socket.on('message', (raw) => void this.receive(connection, raw.toString()));
    socket.on('close', () => void this.detach(connection).catch((error: unknown) => log.error({ err: error }, 'closing a member connection failed')));
    socket.on('error', () => socket.terminate());
    await this.kernel.db.insert(memberConnections).values({ id: connection.id, personId: member.personId, lastBeatAt: new Date(now), openedAt: new Date(now) });
    await this.setOnline(member.personId, true);
    socket.send(JSON.stringify({ type: 'welcome', personId: member.personId, heartbeatSeconds: this.heartbeatMs / 1000 }));
  }

  /** Whether the person has a live connection on any server, and when they were last seen. */
  async status(personId: string): Promise<PresenceStatus & { connections: number }> {
    const [live] = await this.kernel.db
      .select({ n: count() })
      .from(memberConnections)
      .where(and(eq(memberConnections.personId, personId), gt(memberConnections.lastBeatAt, this.staleBefore())));
    const [presence] = await this.kernel.db.select().from(memberPresence).where(eq(memberPresence.personId, personId));
    const connections = Number(live?.n ?? 0);
    return { online: connections > 0, lastSeenAt: presence?.lastSeenAt.toISOString() ?? null, connections };
  }

  /** Which of these people have a live connection on any server (one query; no last-seen times). */
  async onlineAmong(personIds: string[], db = this.kernel.db): Promise<Set<string>> {
    const ids = [...new Set(personIds)];
    if (ids.length === 0) return new Set();
    const live = await db
      .selectDistinct({ personId: memberConnections.personId })
      .from(memberConnections)
      .where(and(uuidIn(memberConnections.personId, ids), gt(memberConnections.lastBeatAt, this.staleBefore())));
    return new Set(live.map((row) => row.personId));
  }

  /** `status` for many people at once (a list's "online now" and "last seen" columns). */
  async statuses(personIds: string[], db = this.kernel.db): Promise<Map<string, PresenceStatus>> {
    const ids = [...new Set(personIds)];
    if (ids.length === 0) return new Map();
    const live = await db
      .selectDistinct({ personId: memberConnections.personId })
      .from(memberConnections)
      .where(and(uuidIn(memberConnections.personId, ids), gt(memberConnections.lastBeatAt, this.staleBefore())));
    const seen = await db.select().from(memberPresence).where(uuidIn(memberPresence.personId, ids));
    const online = new Set(live.map((row) => row.personId));
    const lastSeen = new Map(seen.map((row) => [row.personId, row.lastSeenAt.toISOString()]));
    return new Map(ids.map((id) => [id, { online: online.has(id), lastSeenAt: lastSeen.get(id) ?? null }]));
  }

  private staleBefore(): Date {
    return new Date(this.kernel.now().getTime() - this.timeoutMs);
  }

  private async receive(connection: Connection, raw: string): Promise<void> {
    let message: { type?: unknown; stream?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      connection.socket.send(JSON.stringify({ type: 'error', code: 'bad_message', message: 'Messages are JSON objects with a type.' }));
      return;
    }
    if (message.type === 'ping') {
      connection.lastBeat = this.kernel.now().getTime();
      connection.socket.send(JSON.stringify({ type: 'pong' }));
      // The row's beat is what other processes see; writing it every ping would be wasteful.
      if (connection.lastBeat - connection.lastStored >= this.heartbeatMs / 2) {
        connection.lastStored = connection.lastBeat;
        await this.kernel.db
          .update(memberConnections)
          .set({ lastBeatAt: new Date(connection.lastBeat) })
          .where(eq(memberConnections.id, connection.id));
      }
      return;
    }
    if (message.type === 'subscribe') {
      // A member hears only about themselves: any other stream is refused and stays silent.
      const own = message.stream === 'me' || message.stream === `person:${connection.member.personId}`;
      connection.socket.send(
        JSON.stringify(
          own
            ? { type: 'subscribed', stream: message.stream }
            : { type: 'error', code: 'forbidden', stream: message.stream, message: 'You may only subscribe to your own stream.' },
        ),
      );
      return;
    }
    const handler = typeof message.type === 'string' ? this.handlers.get(message.type) : undefined;
    if (handler) {
      try {
        const answer = await handler(connection.member, message as Record<string, unknown>);
        if (answer) connection.socket.send(JSON.stringify(answer));
      } catch (error) {
        const detail =
          error instanceof DomainError
            ? { code: error.code, message: error.message }
            : { code: 'failed', message: 'The server could not handle this message.' };
        if (!(error instanceof DomainError)) this.kernel.log.error({ err: error, type: message.type }, 'a client socket message failed');
        connection.socket.send(JSON.stringify({ type: 'error', for: message.type, ...detail }));
      }
      return;
    }
    connection.socket.send(
      JSON.stringify({ type: 'error', code: 'unknown_type', message: `Known types: ${['ping', 'subscribe', ...this.handlers.keys()].join(', ')}.` }),
    );
  }

  private check(connection: Connection): void {
    const now = this.kernel.now().getTime();
    if (now - connection.lastBeat > this.timeoutMs) connection.socket.close(CLOSE.timeout, 'missed heartbeats');
    else if (now >= connection.member.expiresAt.getTime()) connection.socket.close(CLOSE.sessionExpired, 'token expired');
  }

  private async detach(connection: Connection): Promise<void> {
    clearInterval(connection.timer);
    const sockets = this.connections.get(connection.member.personId);
    sockets?.delete(connection);
    if (sockets?.size === 0) this.connections.delete(connection.member.personId);
    await this.kernel.db.delete(memberConnections).where(eq(memberConnections.id, connection.id));
    const { online } = await this.status(connection.member.personId);
    if (!online) await this.setOnline(connection.member.personId, false);
  }

  /**
   * Records that someone was last seen at `at` while offline (demo data, or history imported from an earlier
   * system); a later sighting already on record wins, and nobody online is touched.
   */
  async recordLastSeen(ctx: ServiceContext, personId: string, at: Date): Promise<void> {
    await ctx.tx
      .insert(memberPresence)
      .values({ personId, online: false, lastSeenAt: at })
      .onConflictDoUpdate({
        target: memberPresence.personId,
        set: { lastSeenAt: at },
        setWhere: sql`NOT ${memberPresence.online} AND ${memberPresence.lastSeenAt} < ${at}`,
      });
  }

  /** Records the state; the presence-change handlers run only when it really flips. */
  private async setOnline(personId: string, online: boolean): Promise<void> {
    await this.kernel.write(systemActor('presence'), async (ctx) => {
      await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`presence:${personId}`}))`);
      const [current] = await ctx.tx.select().from(memberPresence).where(eq(memberPresence.personId, personId));
      await ctx.tx
        .insert(memberPresence)
        .values({ personId, online, lastSeenAt: ctx.now })
        .onConflictDoUpdate({ target: memberPresence.personId, set: { online, lastSeenAt: ctx.now } });
      if (current?.online !== online) for (const handler of this.presenceChanges) await handler(ctx, personId, online);
    });
  }
}

/** The hub of one running kernel. */
export const realtimeHub = perKernel((kernel) => new RealtimeHub(kernel));
