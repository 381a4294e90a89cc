import { WebSocket } from 'ws';

/** A client app's socket in a test: every message it received, and a way to wait for one of a type. */
export interface SocketClient {
  socket: WebSocket;
  messages: Array<Record<string, unknown>>;
  /** Takes the first received message of this type (waiting for it up to `timeoutMs`). */
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens `/api/client/ws` at `wsBase` with a member's bearer token, as an app does. */
export function connectClient(wsBase: string, token: string | undefined, headers: Record<string, string> = {}): Promise<SocketClient> {
  const socket = new WebSocket(`${wsBase}/api/client/ws`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (raw) => {
    messages.push(JSON.parse(raw.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: SocketClient = {
    socket,
    messages,
    closed,
    async next(type, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.findIndex((m) => m.type === type);
        if (found >= 0) return messages.splice(found, 1)[0]!;
        if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (request, response) => {
      // The refused request's connection must be let go, or the server cannot close.
      request.destroy();
      reject(new Error(`handshake refused: ${response.statusCode}`));
    });
    socket.once('error', reject);
  });
}
