import WebSocket from 'ws';
import type { Kernel } from '../../core/kernel.ts';
import { memberTokens } from '../members/index.ts';
import { personByIdentity } from '../people/identities.ts';
import { demoStreamerIdentity } from './demo.ts';

/** How many demo streamers are online at a time, and how often one of them hands over to the next. */
const ONLINE = 2;
const SWAP_EVERY_MS = 3 * 60_000;
/** The demo streamers it cycles through (of the thirty the creators demo makes). */
const CANDIDATES = 8;

interface Visit {
  personId: string;
  socket: WebSocket;
  ping: NodeJS.Timeout | undefined;
}

/** Reconnects after a dropped visit wait this long, doubling up to the maximum, back to the minimum once welcomed. */
const RETRY_MS = { min: 1_000, max: 60_000 };
/** The hub closes a blocked member's socket with this code: such a visit is over, not retried. */
const BLOCKED = 4003;

/**
 * Keeps a couple of demo streamers online, as the app would: each is a real client WebSocket to
 * `/api/client/ws` with a member token, answering the hub's heartbeat; every few minutes one goes offline and
 * the next comes online, so "online now" and "last seen" move while someone looks at the console. Runs only
 * where the creators demo data is (its streamers are found by their app identities), never on real data.
 */
export async function startPresenceSimulator(kernel: Kernel, origin: string): Promise<(() => Promise<void>) | undefined> {
  if (!kernel.config.seedDemo) return undefined;
  const streamers: string[] = [];
  for (let i = 0; i < CANDIDATES; i += 1) {
    const { provider, externalId } = demoStreamerIdentity(i);
    const person = await personByIdentity(kernel.db, provider, externalId);
    if (person?.status === 'active') streamers.push(person.id);
  }
  if (streamers.length < ONLINE) return undefined;

  const url = `${origin.replace(/^http/, 'ws')}/api/client/ws`;
  const visits: Visit[] = [];
  const retries = new Set<NodeJS.Timeout>();
  let next = 0;
  let stopped = false;

  const visit = async (personId: string, retryMs = RETRY_MS.min): Promise<void> => {
    const { token } = await memberTokens(kernel).issue(personId);
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const entry: Visit = { personId, socket, ping: undefined };
    let welcomed = false;
    socket.on('message', (raw) => {
      let message: { type?: unknown; heartbeatSeconds?: unknown };
      try {
        message = JSON.parse(raw.toString()) as typeof message;
      } catch {
        return;
      }
      if (message.type !== 'welcome' || typeof message.heartbeatSeconds !== 'number' || message.heartbeatSeconds <= 0) return;
      welcomed = true;
      clearInterval(entry.ping);
      entry.ping = setInterval(
        () => {
          if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
        },
        (message.heartbeatSeconds * 1000) / 2,
      );
    });
    // A refused handshake (401/403) ends the visit: the hand-over moves on to the next streamer in time.
    socket.on('unexpected-response', (_request, response) => {
      kernel.log.warn({ personId, status: response.statusCode }, 'demo presence: the server refused the socket');
      const at = visits.indexOf(entry);
      if (at >= 0) visits.splice(at, 1);
      socket.terminate();
    });
    socket.on('error', (error) => kernel.log.warn({ err: error, personId }, 'demo presence: connection failed'));
    socket.on('close', (code) => {
      clearInterval(entry.ping);
      const at = visits.indexOf(entry);
      if (at < 0) return;
      visits.splice(at, 1);
      // A token past its life or a restart ends a visit and the streamer comes back, after a pause that grows
      // while the server keeps dropping them; a blocked streamer does not come back.
      if (stopped || code === BLOCKED) return;
      const wait = welcomed ? RETRY_MS.min : retryMs;
      const timer = setTimeout(() => {
        retries.delete(timer);
        if (stopped) return;
        void visit(personId, Math.min(wait * 2, RETRY_MS.max)).catch((error: unknown) => kernel.log.warn({ err: error }, 'demo presence: reconnect failed'));
      }, wait);
      timer.unref();
      retries.add(timer);
    });
    visits.push(entry);
  };

  const handOver = async (): Promise<void> => {
    const leaving = visits.shift();
    if (leaving) {
      clearInterval(leaving.ping);
      leaving.socket.close(1000, 'demo visit over');
    }
    await visit(streamers[next % streamers.length]!);
    next += 1;
  };

  for (; next < ONLINE; next += 1) await visit(streamers[next]!);
  const swap = setInterval(() => void handOver().catch((error: unknown) => kernel.log.warn({ err: error }, 'demo presence: hand-over failed')), SWAP_EVERY_MS);
  swap.unref();
  kernel.log.info(`demo: ${ONLINE} streamers are kept online by the presence simulator (demo data only)`);

  return async () => {
    stopped = true;
    clearInterval(swap);
    for (const timer of retries) clearTimeout(timer);
    await Promise.all(
      visits.splice(0).map(
        (entry) =>
          new Promise<void>((resolve) => {
            clearInterval(entry.ping);
            if (entry.socket.readyState === WebSocket.CLOSED) return resolve();
            entry.socket.once('close', () => resolve());
            entry.socket.close(1000, 'server stopping');
          }),
      ),
    );
  };
}
