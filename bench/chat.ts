/**
 * Chat under load: 1,000 connected member sockets, 200 conversations sending at once.
 *
 *   npm run bench -- chat                   PGlite in a temporary DATA_DIR
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- chat
 *   BENCH_SECONDS=10 npm run bench -- chat
 *
 * Prints messages per second accepted by POST /api/client/chats/:id/messages against a bare node:http server
 * sending the same inserts as raw SQL through the same driver (the ratio), the delay from a send to the recipient's socket (p50, p99),
 * lost and duplicated deliveries, and the console's SSE fan-out of the same events to 1,000 subscribers.
 * See bench/README.md.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { type WebSocket } from 'ws';
import type { FastifyInstance } from 'fastify';
import { connectClient, type SocketClient } from '../server/test/ws-client.ts';
import { printTable, seconds, withConsoleApp, type ConsoleApp } from './support.ts';

const SOCKETS = 1_000;
const CONVERSATIONS = 200;
const SSE_SUBSCRIBERS = 1_000;
const SSE_EVENTS = 50;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 100;

interface Member {
  id: string;
  token: string;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function api(origin: string, headers: Record<string, string>, method: string, path: string, body?: unknown) {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), origin },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** People with member tokens, made through the console API a few at a time. */
async function makeMembers(env: ConsoleApp, n: number): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, async (_, j) => {
        const person = await api(env.origin, env.auth, 'POST', '/api/console/people', { displayName: `Bench Member ${i + j}` });
        const { token } = await api(env.origin, env.auth, 'POST', `/api/console/people/${person.id}/member-token`);
        return { id: person.id as string, token: token as string };
      }),
    );
    members.push(...batch);
  }
  return members;
}

interface SendResult {
  accepted: number;
  perSecond: number;
  delays: number[];
  lost: number;
  duplicated: number;
  errors: number;
}

/** Every conversation's sender posts its next message as soon as the previous one is answered, for `durationMs`. */
async function sendThroughApi(
  env: ConsoleApp,
  pairs: Array<{ from: Member; to: Member; chatId: string }>,
  sockets: Map<string, SocketClient>,
  durationMs: number,
  /** Each conversation sends one message every this many ms (an open load); unset: as fast as answers come. */
  intervalMs?: number,
): Promise<SendResult> {
  const sentAt = new Map<string, number>();
  const seen = new Map<string, number>();
  const delays: number[] = [];
  const listeners: Array<() => void> = [];
  for (const { to } of pairs) {
    const socket = sockets.get(to.id)!;
    const onMessage = (raw: WebSocket.RawData) => {
      const message = JSON.parse(raw.toString()) as { type: string; message?: { clientId: string } };
      if (message.type !== 'chat.message' || !message.message?.clientId?.startsWith('bench-')) return;
      const clientId = message.message.clientId;
      seen.set(clientId, (seen.get(clientId) ?? 0) + 1);
      const start = sentAt.get(clientId);
      if (start !== undefined && seen.get(clientId) === 1) delays.push(performance.now() - start);
    };
    socket.socket.on('message', onMessage);
    listeners.push(() => socket.socket.off('message', onMessage));
  }
  let accepted = 0;
  let errors = 0;
  const accepteds: string[] = [];
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    pairs.map(async ({ from, chatId }, index) => {
      // Paced senders start spread over one interval, so the load is even rather than in waves.
      if (intervalMs) await new Promise((resolve) => setTimeout(resolve, (index / pairs.length) * intervalMs));
      let next = performance.now();
      while (performance.now() < deadline) {
        if (intervalMs) {
          next += intervalMs;
        }
        const clientId = `bench-${randomUUID()}`;
        sentAt.set(clientId, performance.now());
        const response = await fetch(`${env.origin}/api/client/chats/${chatId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ clientId, text: 'hello from the benchmark' }),
        });
        await response.arrayBuffer();
        if (response.status === 201) {
          accepted += 1;
          accepteds.push(clientId);
        } else errors += 1;
        if (intervalMs) await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  // Let the last pushes arrive.
  const settle = performance.now() + 3000;
  while (performance.now() < settle && accepteds.some((id) => !seen.has(id))) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const off of listeners) off();
  const lost = accepteds.filter((id) => !seen.has(id)).length;
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  return { accepted, perSecond: accepted / elapsed, delays, lost, duplicated, errors };
}

/**
 * The baseline: a bare node:http server that writes what a send writes, as raw SQL through the same driver
 * (one transaction: the statement that numbers and inserts the message, moving the participants, and the
 * event), driven by the same concurrent loops over HTTP. The difference is ours: Fastify, validation, the
 * member's token, the checks, the views and the push to the sockets.
 */
function rawSqlServer(app: FastifyInstance): Server {
  const db = app.kernel.db;
  return createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      void (async () => {
        const { chatId, senderId, clientId, text } = JSON.parse(body) as { chatId: string; senderId: string; clientId: string; text: string };
        const id = randomUUID();
        const now = new Date().toISOString();
        await db.transaction(async (tx) => {
          await tx.execute(sql`WITH c AS (
              UPDATE chat_conversations SET last_seq = last_seq + 1, last_message_at = ${now}::timestamptz WHERE id = ${chatId}::uuid RETURNING last_seq
            ), p AS (
              UPDATE chat_participants SET activity_at = ${now}::timestamptz,
                read_seq = CASE WHEN participant_id = ${senderId}::uuid THEN (SELECT last_seq FROM c) ELSE read_seq END,
                delivered_seq = CASE WHEN participant_id = ${senderId}::uuid THEN (SELECT last_seq FROM c) ELSE delivered_seq END
              WHERE conversation_id = ${chatId}::uuid RETURNING type, participant_id, left_at
            ), m AS (
              INSERT INTO chat_messages (id, conversation_id, seq, sender_type, sender_id, client_id, kind, body, file_id, data, created_at)
              SELECT ${id}::uuid, ${chatId}::uuid, c.last_seq, 'member', ${senderId}::uuid, ${clientId}, 'text', ${text}, NULL, '{}'::jsonb, ${now}::timestamptz FROM c
              RETURNING seq
            )
            SELECT (SELECT seq FROM m) AS seq, (SELECT json_agg(json_build_object('type', type, 'id', participant_id)) FROM p) AS participants`);
          await tx.execute(sql`INSERT INTO event_log (type, subject_type, subject_id, actor_type, actor_id, payload, parent_id, created_at)
            VALUES ('chat.message_sent', 'conversation', ${chatId}::uuid, 'member', ${senderId}, ${JSON.stringify({ messageId: id, seq: 0, kind: 'text' })}::jsonb, NULL, ${now}::timestamptz)`);
        });
        const answer = JSON.stringify({ id, clientId });
        response.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
      })();
    });
  });
}

async function sendRawSql(base: string, pairs: Array<{ from: Member; chatId: string }>, durationMs: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    pairs.map(async ({ from, chatId }) => {
      while (performance.now() < deadline) {
        const response = await fetch(`${base}/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ chatId, senderId: from.id, clientId: `raw-${randomUUID()}`, text: 'hello from the benchmark' }),
        });
        await response.arrayBuffer();
        if (response.status === 201) done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** The console's live stream to many tabs at once: each subscriber counts the chat events it receives. */
async function sseFanOut(env: ConsoleApp, pair: { from: Member; chatId: string }): Promise<{ delays: number[]; missed: number; subscribers: number }> {
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  const received: Array<Set<string>> = [];
  const controllers: AbortController[] = [];
  const readers = Array.from({ length: SSE_SUBSCRIBERS }, async (_, i) => {
    const controller = new AbortController();
    controllers.push(controller);
    const mine = new Set<string>();
    received[i] = mine;
    const response = await fetch(`${env.origin}/api/console/stream`, {
      headers: { ...env.auth, origin: env.origin, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (!data) continue;
          const event = JSON.parse(data.slice(6)) as { type?: string; payload?: { messageId?: string } };
          const messageId = event.payload?.messageId;
          if (event.type !== 'chat.message_sent' || !messageId || !sentAt.has(messageId)) continue;
          mine.add(messageId);
          delays.push(performance.now() - sentAt.get(messageId)!);
        }
      }
    } catch {
      // aborted at the end
    }
  });
  // Every subscriber is connected once the server counts them.
  const deadline = performance.now() + 30_000;
  while (env.app.kernel.openStreams.size < SSE_SUBSCRIBERS && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const subscribers = env.app.kernel.openStreams.size;
  const ids: string[] = [];
  for (let i = 0; i < SSE_EVENTS; i++) {
    const before = performance.now();
    const message = await api(env.origin, { authorization: `Bearer ${pair.from.token}` }, 'POST', `/api/client/chats/${pair.chatId}/messages`, {
      clientId: `sse-${i}`,
      text: `fan-out ${i}`,
    });
    // The event is published after commit, before the answer: the send's start is the reference.
    sentAt.set(message.id, before);
    ids.push(message.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const settle = performance.now() + 5000;
  while (performance.now() < settle && received.some((set) => set.size < ids.length)) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const controller of controllers) controller.abort();
  await Promise.allSettled(readers);
  const missed = received.reduce((sum, set) => sum + ids.filter((id) => !set.has(id)).length, 0);
  return { delays, missed, subscribers };
}

export async function main(): Promise<void> {
  const durationMs = seconds() * 1000;
  const where = process.env.BENCH_DATABASE_URL ? 'postgresql' : 'pglite';
  console.log(`bench chat: ${where}, ${SOCKETS} member sockets, ${CONVERSATIONS} conversations sending for ${seconds()} s, node ${process.version}`);
  await withConsoleApp(
    async () => undefined,
    async (env) => {
      process.stdout.write('  members and tokens… ');
      const members = await makeMembers(env, SOCKETS);
      const pairs: Array<{ from: Member; to: Member; chatId: string }> = [];
      for (let i = 0; i < CONVERSATIONS; i++) {
        const from = members[2 * i]!;
        const to = members[2 * i + 1]!;
        const chat = await api(env.origin, { authorization: `Bearer ${from.token}` }, 'POST', '/api/client/chats', {
          kind: 'creators.direct',
          personId: to.id,
        });
        pairs.push({ from, to, chatId: chat.id });
      }
      process.stdout.write('sockets… ');
      const wsBase = env.origin.replace('http://', 'ws://');
      const sockets = new Map<string, SocketClient>();
      for (let i = 0; i < members.length; i += 50) {
        const batch = await Promise.all(members.slice(i, i + 50).map((m) => connectClient(wsBase, m.token)));
        batch.forEach((socket, j) => sockets.set(members[i + j]!.id, socket));
      }
      const beat = setInterval(() => {
        for (const socket of sockets.values()) socket.socket.send('{"type":"ping"}');
      }, 10_000);
      try {
        process.stdout.write('warm-up… ');
        await sendThroughApi(env, pairs.slice(0, 20), sockets, 1000);
        process.stdout.write('raw SQL… ');
        const raw = await sendRawSql(await env.serve(rawSqlServer(env.app)), pairs, durationMs);
        process.stdout.write('API… ');
        const ours = await sendThroughApi(env, pairs, sockets, durationMs);
        // Latency at half the throughput: under a closed loop of 200 senders a delay is mostly queueing.
        const paced = Math.max(1, ours.perSecond / 2);
        process.stdout.write(`paced at ${paced.toFixed(0)}/s… `);
        const latency = await sendThroughApi(env, pairs, sockets, durationMs, (CONVERSATIONS / paced) * 1000);
        process.stdout.write('SSE fan-out… ');
        const sse = await sseFanOut(env, pairs[0]!);
        console.log('done\n');
        printTable([
          {
            name: `POST a message (${CONVERSATIONS} conversations at once) vs the same inserts as raw SQL on node:http`,
            ours: { rps: ours.perSecond, latencyMs: NaN, non2xx: ours.errors, errors: 0 },
            baseline: { rps: raw, latencyMs: NaN, non2xx: 0, errors: 0 },
            target: TARGET_RATIO,
          },
        ]);

        const p50 = percentile(latency.delays, 50);
        const p99 = percentile(latency.delays, 99);
        console.log(
          `\nat full load: ${ours.accepted} accepted, ${ours.lost} lost, ${ours.duplicated} duplicated, ${ours.errors} refused; send → socket p99 ${percentile(ours.delays, 99).toFixed(0)} ms (queueing)`,
        );
        console.log(
          `at ${latency.perSecond.toFixed(0)} messages/s: send → recipient socket p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms ` +
            `(target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'PASS' : 'BELOW'}); ${latency.accepted} accepted, ${latency.lost} lost, ${latency.duplicated} duplicated`,
        );
        console.log(
          `console SSE fan-out: ${sse.subscribers} subscribers × ${SSE_EVENTS} events: p50 ${percentile(sse.delays, 50).toFixed(1)} ms, p99 ${percentile(sse.delays, 99).toFixed(1)} ms, ${sse.missed} missed`,
        );
      } finally {
        clearInterval(beat);
        for (const socket of sockets.values()) socket.socket.close();
      }
    },
  );
}
