/**
 * The ledger survives its process being killed in the middle of a transfer load.
 *
 * The real server (`src/main.ts`) runs as a child process on the database of this pass: a throwaway
 * PostgreSQL database (TEST_DB=postgres) or embedded PGlite in a temporary DATA_DIR (the default
 * deployment). Several clients post transfers, each with its own Idempotency-Key and a `crash`
 * reference naming that key; the server gets SIGKILL while requests are in flight. After a restart on
 * the same database: the replay check is clean, every acknowledged transfer is there (and replaying its
 * request answers the stored 201, marked `idempotent-replayed`), and retrying every unanswered request
 * with its key leaves exactly one transfer per key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, durableDatabase, POSTGRES, startServer, stopServer, type DurableDatabase, type Answer, type Server } from './server-process.ts';

const transfer = (client: Client, key: string, body: object): Promise<Answer> =>
  client.request('POST', '/api/console/ledger/transfers', body, { 'idempotency-key': key });

const CLIENTS = 8;
const WALLETS = 10;
const FUNDING = 1_000_000;
/**
 * SIGKILL once 50–250 transfers were acknowledged, or after LOAD_MS: a different point each run, drawn
 * from CRASH_SEED (printed with the result, so a failing run's kill point can be replayed).
 */
const CRASH_SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILL_AFTER_ACKS = 50 + (CRASH_SEED % 200);
const LOAD_MS = 4_000;

interface Attempt {
  key: string;
  body: { debitAccountId: string; creditAccountId: string; amount: number; kind: string; reference: { type: string; id: string } };
  /** The 201 answer, when one came back before the kill. */
  acknowledged?: any;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe(`ledger after SIGKILL under load (${POSTGRES ? 'PostgreSQL' : 'PGlite in DATA_DIR'})`, { timeout: 90_000 }, () => {
  let database: DurableDatabase;
  let server: Server | undefined;

  before(async () => {
    database = await durableDatabase('ledger-crash');
  });

  after(async () => {
    await stopServer(server, 'SIGKILL');
    await database.drop();
  });

  it('keeps every acknowledged transfer, a sound projection, and one transfer per key after retries', async (t) => {
    server = await startServer(database.env);
    let client = await Client.signIn(server.base);

    // ---------------------------------------------------------------- accounts, funded from the platform
    const liability = await client.ok('POST', '/api/console/ledger/accounts', { ownerType: 'platform', kind: 'liability', currency: 'COIN' }, undefined, 200);
    const wallets: string[] = [];
    for (let i = 0; i < WALLETS; i++) {
      const person = await client.ok('POST', '/api/console/people', { displayName: `Crash Wallet ${i}` });
      const wallet = await client.ok(
        'POST',
        '/api/console/ledger/accounts',
        { ownerType: 'person', ownerId: person.id, kind: 'wallet', currency: 'COIN' },
        undefined,
        200,
      );
      await client.ok(
        'POST',
        '/api/console/ledger/transfers',
        { debitAccountId: liability.id, creditAccountId: wallet.id, amount: FUNDING, kind: 'funding' },
        { 'idempotency-key': randomUUID() },
      );
      wallets.push(wallet.id);
    }

    // ---------------------------------------------------------------- the load, and the kill in its middle
    const attempts: Attempt[] = [];
    const unexpected: string[] = [];
    let acks = 0;
    let killed = false;
    const victim = server;
    const kill = () => {
      if (killed) return;
      killed = true;
      victim.child.kill('SIGKILL');
    };
    const deadline = setTimeout(kill, LOAD_MS);
    const loadStarted = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (!killed) {
          const debit = Math.floor(Math.random() * WALLETS);
          const credit = (debit + 1 + Math.floor(Math.random() * (WALLETS - 1))) % WALLETS;
          const key = randomUUID();
          const attempt: Attempt = {
            key,
            body: {
              debitAccountId: wallets[debit]!,
              creditAccountId: wallets[credit]!,
              amount: 1 + Math.floor(Math.random() * 100),
              kind: 'crash',
              reference: { type: 'crash', id: key },
            },
          };
          attempts.push(attempt);
          let answer: Answer;
          try {
            answer = await transfer(client, key, attempt.body);
          } catch (error) {
            // Connection reset or refused: the kill. Anything else before it is a failure of its own.
            if (!killed) unexpected.push(`request failed before the kill: ${String(error)}`);
            return;
          }
          if (answer.status === 201) {
            attempt.acknowledged = answer.body;
            if (++acks >= KILL_AFTER_ACKS) kill();
          } else {
            unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
            return;
          }
        }
      }),
    );
    clearTimeout(deadline);
    const loadMs = Date.now() - loadStarted;
    assert.equal(await victim.exited, -1, 'the server died of the signal');
    assert.deepEqual(unexpected, [], 'every request before the kill was answered 201');
    const acknowledged = attempts.filter((a) => a.acknowledged);
    const unanswered = attempts.filter((a) => !a.acknowledged);
    assert.ok(acknowledged.length > 0, 'some transfers were acknowledged before the kill');
    assert.ok(unanswered.length > 0, 'some requests were in flight at the kill');

    // ---------------------------------------------------------------- restart on the same database
    server = await startServer(database.env);
    client = await Client.signIn(server.base);

    const check = await client.ok('GET', '/api/console/ledger/check');
    assert.deepEqual(
      { ok: check.ok, mismatches: check.mismatches, unbalanced: check.unbalanced, negative: check.negative },
      { ok: true, mismatches: [], unbalanced: [], negative: [] },
      'the projection matches the transfers after the crash',
    );

    // Every acknowledged transfer is stored, and its key answers the same 201 again without acting.
    await inParallel(acknowledged, 4, async (attempt) => {
      const replay = await transfer(client, attempt.key, attempt.body);
      assert.equal(replay.status, 201, `replay of ${attempt.key}: ${JSON.stringify(replay.body)}`);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true', `replay of ${attempt.key} is marked as one`);
      assert.deepEqual(replay.body, attempt.acknowledged, `replay of ${attempt.key} is the stored answer`);
    });

    // Every request left without an answer is retried with its key: it either happened (replayed) or happens now.
    let happenedBeforeKill = 0;
    await inParallel(unanswered, 4, async (attempt) => {
      const retry = await transfer(client, attempt.key, attempt.body);
      assert.equal(retry.status, 201, `retry of ${attempt.key}: ${JSON.stringify(retry.body)}`);
      if (retry.headers.get('idempotent-replayed') === 'true') happenedBeforeKill++;
      attempt.acknowledged = retry.body;
    });

    // Count by reference through the statements: each transfer is a line on both wallets' statements.
    const byReference = new Map<string, Set<string>>();
    for (const wallet of wallets) {
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ transferId: string; reference: { type: string; id: string } | null }>; nextCursor: string | null } = await client.ok(
          'GET',
          `/api/console/ledger/accounts/${wallet}/statement?kind=crash&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        for (const line of page.items) {
          assert.equal(line.reference?.type, 'crash');
          const ids = byReference.get(line.reference.id) ?? new Set<string>();
          ids.add(line.transferId);
          byReference.set(line.reference.id, ids);
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    assert.equal(byReference.size, attempts.length, 'a transfer for every key, and for no other');
    for (const attempt of attempts) {
      assert.deepEqual([...(byReference.get(attempt.key) ?? [])], [attempt.acknowledged.id], `exactly one transfer for ${attempt.key}, the one answered`);
    }

    const final = await client.ok('GET', '/api/console/ledger/check');
    assert.equal(final.ok, true, JSON.stringify(final));
    assert.equal(final.transfers, WALLETS + attempts.length, 'the funding and one transfer per key');

    t.diagnostic(
      `CRASH_SEED=${CRASH_SEED}: ${attempts.length} requests in ${loadMs} ms before SIGKILL: ${acknowledged.length} acknowledged, ` +
        `${unanswered.length} unanswered (${happenedBeforeKill} of them had committed, ${unanswered.length - happenedBeforeKill} posted on retry)`,
    );
    await stopServer(server);
    server = undefined;
  });
});
