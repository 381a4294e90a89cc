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
  let next = 0;
  let stopped = false;

  const visit = async (personId: string): Promise<void> => {
    const { token } = await memberTokens(kernel).issue(personId);
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const entry: Visit = { personId, socket, ping: undefined };
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type?: string; heartbeatSeconds?: number };
      if (message.type === 'welcome' && message.heartbeatSeconds) {
        entry.ping = setInterval(() => socket.send(JSON.stringify({ type: 'ping' })), (message.heartbeatSeconds * 1000) / 2);
      }
    });
    socket.on('error', (error) => kernel.log.warn({ err: error, personId }, 'demo presence: connection failed'));
    socket.on('close', () => {
      clearInterval(entry.ping);
      const at = visits.indexOf(entry);
      if (at >= 0) visits.splice(at, 1);
      // A token that expired or a server restart ends a visit: the streamer comes straight back.
      if (!stopped && at >= 0) void visit(personId).catch((error: unknown) => kernel.log.warn({ err: error }, 'demo presence: reconnect failed'));
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
  kernel.notices.push(`demo: ${ONLINE} streamers are kept online by the presence simulator (demo data only)`);

  return async () => {
    stopped = true;
    clearInterval(swap);
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
