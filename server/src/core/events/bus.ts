import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { StoredEvent } from './types.ts';

/**
 * What travels on the bus after a commit: new events, and notices that cached sessions or permissions
 * changed (so every process drops them and open streams re-check at once).
 */
export type BusMessage =
  | { kind: 'event'; event: StoredEvent }
  | { kind: 'auth_changed'; staffIds: string[] | 'all' }
  /** A message for these members' open client sockets, wherever they are connected (a chat message, a notification). */
  | { kind: 'member_push'; personIds: string[]; message: Record<string, unknown> }
  /** A frame for these staff users' open console streams (a notification for the bell). */
  | { kind: 'staff_push'; staffIds: string[]; event: string; data: Record<string, unknown> };

export interface Bus {
  publish(message: BusMessage): void;
  subscribe(listener: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

/** One process: listeners are called synchronously, before the publishing request answers. */
export class LocalBus implements Bus {
  protected readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(message: BusMessage): void {
    this.emitter.emit('message', message);
  }

  subscribe(listener: (message: BusMessage) => void): () => void {
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/**
 * Several processes: each message is delivered locally at once and also sent over Redis pub/sub to the
 * other processes (a process ignores its own echo).
 */
export class RedisBus extends LocalBus {
  private readonly origin = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  private constructor(
    url: string,
    private readonly channel: string,
  ) {
    super();
    this.publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: true });
  }

  static async connect(url: string, channel = 'switchboard:bus'): Promise<RedisBus> {
    const bus = new RedisBus(url, channel);
    await Promise.all([bus.publisher.connect(), bus.subscriber.connect()]);
    await bus.subscriber.subscribe(channel);
    bus.subscriber.on('message', (_channel: string, raw: string) => bus.receive(raw));
    return bus;
  }

  override publish(message: BusMessage): void {
    super.publish(message);
    this.publisher.publish(this.channel, JSON.stringify({ origin: this.origin, message })).catch(() => {
      // The local delivery happened; other processes fall back to their cache TTL and subscriber polling.
    });
  }

  private receive(raw: string): void {
    let parsed: { origin: string; message: BusMessage };
    try {
      parsed = JSON.parse(raw) as { origin: string; message: BusMessage };
    } catch {
      return; // not ours: another program published on the channel
    }
    const { origin, message } = parsed;
    if (origin === this.origin) return;
    if (message.kind === 'event') message.event.createdAt = new Date(message.event.createdAt);
    super.publish(message);
  }

  override async close(): Promise<void> {
    await super.close();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
