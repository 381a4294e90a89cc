import type { Schemas } from './api/client';

export type LiveEvent = Schemas['Event'];
type Handler = (data: unknown) => void;

/** Sent by the server when it could not replay everything missed since Last-Event-ID: reload lists. */
export const REPLAY_TRUNCATED = 'replay_truncated';

/**
 * The console's one EventSource on /api/console/stream. The server names each message after the event
 * type, so a page subscribes to the types it shows; the browser reconnects by itself after a dropped
 * connection and the server replays what was missed from Last-Event-ID. When the browser gives up
 * (an error status), the session is checked and, while it holds, the stream is opened again.
 *
 * The stream also carries frames that are not events (`event: notification`, the user's own bell): they
 * have no id and are never replayed, so whoever shows them reloads on `onOpen`.
 */
class LiveStream {
  status: 'off' | 'connecting' | 'open' = $state('off');
  private source: EventSource | null = null;
  private handlers = new Map<string, Set<Handler>>();
  private openHandlers = new Set<() => void>();
  private listeners = new Map<string, (message: MessageEvent<string>) => void>();
  private sessionHolds: () => Promise<boolean> = async () => false;
  private wanted = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = 1000;

  /** `sessionHolds` answers whether to keep trying (it also sends the user to sign-in when not). */
  connect(sessionHolds: () => Promise<boolean>): void {
    this.sessionHolds = sessionHolds;
    this.wanted = true;
    this.open();
  }

  disconnect(): void {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.close();
  }

  /** Calls `handler` for each live event of these types; returns the unsubscribe function. */
  on(types: string[], handler: (event: LiveEvent) => void): () => void {
    return this.subscribe(types, handler as Handler);
  }

  /** Calls `handler` with the data of each frame of this name that is not an event (`notification`); returns the unsubscribe function. */
  onMessage<T>(type: string, handler: (data: T) => void): () => void {
    return this.subscribe([type], handler as Handler);
  }

  /**
   * Calls `handler` each time the stream opens: the first time and after every reconnect, when frames
   * without an id may have been missed. Returns the unsubscribe function.
   */
  onOpen(handler: () => void): () => void {
    this.openHandlers.add(handler);
    return () => {
      this.openHandlers.delete(handler);
    };
  }

  private subscribe(types: string[], handler: Handler): () => void {
    for (const type of types) {
      let set = this.handlers.get(type);
      if (!set) this.handlers.set(type, (set = new Set()));
      set.add(handler);
      this.listen(type);
    }
    return () => {
      for (const type of types) this.handlers.get(type)?.delete(handler);
    };
  }

  private open(): void {
    if (this.source || !this.wanted) return;
    const source = new EventSource('/api/console/stream');
    this.source = source;
    this.status = 'connecting';
    source.onopen = () => {
      this.status = 'open';
      this.retryMs = 1000;
      for (const handler of this.openHandlers) handler();
    };
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) {
        this.status = 'connecting';
        return;
      }
      this.close();
      this.retryWhileSignedIn();
    };
    source.addEventListener('session_ended', () => {
      this.close();
      this.retryWhileSignedIn();
    });
    for (const type of this.handlers.keys()) this.listen(type);
  }

  private close(): void {
    this.source?.close();
    this.source = null;
    this.listeners.clear();
    this.status = 'off';
  }

  private retryWhileSignedIn(): void {
    void this.sessionHolds().then((holds) => {
      if (!holds || !this.wanted) return;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    });
  }

  private listen(type: string): void {
    if (!this.source || this.listeners.has(type)) return;
    const listener = (message: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      for (const handler of this.handlers.get(type) ?? []) handler(data);
    };
    this.listeners.set(type, listener);
    this.source.addEventListener(type, listener);
  }
}

export const live = new LiveStream();
