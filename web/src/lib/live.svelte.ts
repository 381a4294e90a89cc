import type { Schemas } from './api/client';

export type LiveEvent = Schemas['Event'];
type Handler = (event: LiveEvent) => void;

/**
 * The console's one EventSource on /api/console/stream. The server names each message after the event
 * type, so a page subscribes to the types it shows; the browser reconnects by itself and the server
 * replays what was missed from Last-Event-ID.
 */
class LiveStream {
  status: 'off' | 'connecting' | 'open' = $state('off');
  private source: EventSource | null = null;
  private handlers = new Map<string, Set<Handler>>();
  private listeners = new Map<string, (message: MessageEvent<string>) => void>();
  private ended: () => void = () => undefined;

  connect(onSessionEnded: () => void): void {
    if (this.source) return;
    this.ended = onSessionEnded;
    const source = new EventSource('/api/console/stream');
    this.source = source;
    this.status = 'connecting';
    source.onopen = () => (this.status = 'open');
    source.onerror = () => {
      // CLOSED means the browser gave up (e.g. a 401): the session check decides what next.
      this.status = source.readyState === EventSource.CLOSED ? 'off' : 'connecting';
      if (source.readyState === EventSource.CLOSED) {
        this.source = null;
        this.ended();
      }
    };
    source.addEventListener('session_ended', () => {
      this.disconnect();
      this.ended();
    });
    for (const type of this.handlers.keys()) this.listen(type);
  }

  disconnect(): void {
    this.source?.close();
    this.source = null;
    this.listeners.clear();
    this.status = 'off';
  }

  /** Calls `handler` for each live event of these types; returns the unsubscribe function. */
  on(types: string[], handler: Handler): () => void {
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

  private listen(type: string): void {
    if (!this.source || this.listeners.has(type)) return;
    const listener = (message: MessageEvent<string>) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(message.data) as LiveEvent;
      } catch {
        return;
      }
      for (const handler of this.handlers.get(type) ?? []) handler(event);
    };
    this.listeners.set(type, listener);
    this.source.addEventListener(type, listener);
  }
}

export const live = new LiveStream();
