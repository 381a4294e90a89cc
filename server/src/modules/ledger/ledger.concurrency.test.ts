// The ledger under real concurrency (PostgreSQL only): 50 clients send 200 random transfers each at
// once over 20 funded wallets, one of them hot, with deliberately repeated Idempotency-Keys (replays
// of a client's earlier request, the same request sent twice at once, and keys shared by clients of
// one staff user that collide across clients). Afterwards the answers, the transfers and the balances
// must agree exactly: nothing applied twice, nothing lost, no error reaching a caller.
// LEDGER_CONCURRENCY_SEED=<n> replays the same random choices (timing still differs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inArray, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, signIn, staffWith, type Session, type TestApp } from '../../../test/helpers.ts';
import { throwawayDatabase } from '../../../test/throwaway-database.ts';
import { systemActor } from '../../core/actor.ts';
import { openDatabase } from '../../core/db/client.ts';
import { ledgerAccounts } from './schema.ts';
import { ensureAccount, platformAccount } from './accounts.ts';
import { checkLedger } from './check.ts';

const CLIENTS = 50;
const REQUESTS_PER_CLIENT = 200;
const ACCOUNTS = 20;
const STAFF_USERS = 5; // clients share these; clients of one staff user share its key scope
/** Share of transfers the hot account (wallet 0) takes part in, on one side or the other. */
const HOT_SHARE = 0.4;
const FUNDING = 600;
const HOT_FUNDING = 2_000;
const MAX_TRANSFER = 100;
/** Of a client's requests: a replay of its own earlier request, the same new request twice at once, one of its staff user's shared requests. */
const REPLAY = 0.08;
const TWICE = 0.04;
const SHARED = 0.04;
const SHARED_PER_STAFF = 25;

const skip =
  process.env.TEST_DB !== 'postgres'
    ? 'needs PostgreSQL (TEST_DB=postgres and TEST_DATABASE_URL): PGlite is a single connection, so nothing would run concurrently'
    : false;

/** mulberry32: small, seeded, good enough to pick accounts and amounts reproducibly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TransferRequest {
  key: string;
  session: Session;
  payload: { debitAccountId: string; creditAccountId: string; amount: number; kind: string; reference: { type: 'test'; id: string } };
}
interface Answer {
  status: number;
  body: string;
  replayed: boolean;
}

describe('ledger under concurrent clients (PostgreSQL)', { skip }, () => {
  let t: TestApp;
  let sessions: Session[];
  let wallets: string[];
  let liability: string;

  before(async () => {
    // A pool larger than the default test pool, so that many transactions really overlap.
    const database = await throwawayDatabase(process.env.TEST_DATABASE_URL!, 'sb_test');
    const handle = await openDatabase({ databaseUrl: database.url, dataDir: 'unused', poolSize: 20 }).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
    const close = async () => {
      await handle.close();
      await database.drop();
    };
    t = await createTestApp({ database: { ...handle, url: database.url, close } }).catch(async (error: unknown) => {
      await close();
      throw error;
    });
    const admin = await signIn(t.app);
    sessions = [admin];
    for (let i = 1; i < STAFF_USERS; i++) sessions.push((await staffWith(admin, ['ledger.transfer', 'ledger.read'], `clerk-${i}`)).session);
    const people: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const response = await admin.post('/api/console/people', { displayName: i === 0 ? 'Hot Wallet' : `Wallet ${i}` });
      assert.equal(response.statusCode, 201, response.body);
      people.push(response.json().id);
    }
    await t.app.kernel.write(systemActor('ledger.concurrency'), async (ctx) => {
      liability = (await platformAccount(ctx, 'liability', 'COIN')).id;
      wallets = [];
      for (const person of people) wallets.push((await ensureAccount(ctx, { ownerType: 'person', ownerId: person, kind: 'wallet', currency: 'COIN' })).id);
    });
    for (const [i, wallet] of wallets.entries()) {
      const funded = await admin.request({
        method: 'POST',
        url: '/api/console/ledger/transfers',
        headers: { 'idempotency-key': `funding-${i}` },
        payload: { debitAccountId: liability, creditAccountId: wallet, amount: i === 0 ? HOT_FUNDING : FUNDING, kind: 'funding' },
      });
      assert.equal(funded.statusCode, 201, funded.body);
    }
  });
  after(() => t?.close());

  it('applies every key once, answers every replay alike, and keeps the books exact', async (test) => {
    const seed = Number(process.env.LEDGER_CONCURRENCY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    test.diagnostic(`seed ${seed} (LEDGER_CONCURRENCY_SEED=${seed} to repeat the choices)`);
    const rand = random(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;

    let serial = 0;
    const newTransfer = (prefix: string, session: Session): TransferRequest => {
      const key = `${prefix}-${String(serial++).padStart(6, '0')}`;
      let debit: number;
      let credit: number;
      if (rand() < HOT_SHARE) {
        const other = 1 + Math.floor(rand() * (ACCOUNTS - 1));
        [debit, credit] = rand() < 0.5 ? [0, other] : [other, 0];
      } else {
        debit = 1 + Math.floor(rand() * (ACCOUNTS - 1));
        credit = 1 + Math.floor(rand() * (ACCOUNTS - 2));
        if (credit >= debit) credit++;
      }
      const amount = 1 + Math.floor(rand() * MAX_TRANSFER);
      return {
        key,
        session,
        payload: { debitAccountId: wallets[debit]!, creditAccountId: wallets[credit]!, amount, kind: 'test_transfer', reference: { type: 'test', id: key } },
      };
    };
    // Requests several clients of one staff user will send with the same key, at whatever moment they get to it.
    const shared = sessions.map((session, s) => Array.from({ length: SHARED_PER_STAFF }, () => newTransfer(`shared-s${s}`, session)));

    // Every client's plan is drawn before anything is sent, so the seed alone decides it.
    type Step = { kind: 'new' | 'twice' | 'replay' | 'shared'; request: TransferRequest };
    const plans: Step[][] = Array.from({ length: CLIENTS }, (_, c) => {
      const session = sessions[c % sessions.length]!;
      const own: TransferRequest[] = [];
      const steps: Step[] = [];
      while (steps.length < REQUESTS_PER_CLIENT) {
        const r = rand();
        if (r < REPLAY && own.length > 0) steps.push({ kind: 'replay', request: pick(own) });
        else if (r < REPLAY + SHARED) steps.push({ kind: 'shared', request: pick(shared[c % sessions.length]!) });
        else {
          const request = newTransfer(`c${String(c).padStart(2, '0')}`, session);
          own.push(request);
          steps.push({ kind: r < REPLAY + SHARED + TWICE ? 'twice' : 'new', request });
        }
      }
      return steps;
    });

    const answers = new Map<string, Answer[]>();
    const requests = new Map<string, TransferRequest>();
    const unexpected: string[] = [];
    let sent = 0;
    const send = async (request: TransferRequest) => {
      const response: LightMyRequestResponse = await request.session.request({
        method: 'POST',
        url: '/api/console/ledger/transfers',
        headers: { 'idempotency-key': request.key },
        payload: request.payload,
      });
      sent++;
      const answer = { status: response.statusCode, body: response.body, replayed: response.headers['idempotent-replayed'] === 'true' };
      if (answer.status !== 201 && !(answer.status === 409 && response.json().code === 'insufficient_funds'))
        unexpected.push(`${request.key}: ${answer.status} ${answer.body}`);
      requests.set(request.key, request);
      answers.set(request.key, [...(answers.get(request.key) ?? []), answer]);
    };

    const started = performance.now();
    await Promise.all(
      plans.map(async (steps) => {
        for (const step of steps) {
          if (step.kind === 'twice') await Promise.all([send(step.request), send(step.request)]);
          else await send(step.request);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    // No answer but a transfer or a refusal for want of money: no deadlock, serialization failure or 500.
    assert.deepEqual(unexpected.slice(0, 5), [], `${unexpected.length} unexpected answers`);

    // One effect per key: the first answer acted, every other one is a replay of it.
    const posted = new Map<string, { id: string; amount: number; debitAccountId: string; creditAccountId: string }>();
    let refusedKeys = 0;
    let replays = 0;
    for (const [key, list] of answers) {
      const first = list.find((a) => !a.replayed);
      assert.ok(first, `${key}: some answer acted`);
      assert.equal(list.filter((a) => !a.replayed).length, 1, `${key}: exactly one answer that is not a replay (${list.length} answers)`);
      for (const other of list) {
        assert.equal(other.status, first.status, `${key}: every answer has the first one's status`);
        // A success comes back byte for byte; a stored refusal with the same members (jsonb may reorder a problem's extra members).
        if (first.status === 201) assert.equal(other.body, first.body, `${key}: every answer is the first one`);
        else assert.deepEqual(JSON.parse(other.body), JSON.parse(first.body), `${key}: every answer is the first one`);
      }
      replays += list.length - 1;
      if (first.status === 201) {
        const body = JSON.parse(first.body);
        assert.equal(body.reference.id, key);
        posted.set(key, body);
      } else refusedKeys++;
    }

    // The transfers stored: exactly one per key answered 201 (the one it answered), none for a refused key.
    const db = t.app.kernel.db;
    const stored = (
      (await db.execute(
        sql`SELECT reference_id AS key, count(*)::int AS n, min(id::text) AS id FROM ledger_transfers WHERE reference_type = 'test' GROUP BY reference_id`,
      )) as unknown as {
        rows: Array<{ key: string; n: number; id: string }>;
      }
    ).rows;
    const storedByKey = new Map(stored.map((r) => [r.key, r]));
    for (const [key, transfer] of posted) {
      assert.equal(storedByKey.get(key)?.n, 1, `${key}: one transfer`);
      assert.equal(storedByKey.get(key)?.id, transfer.id, `${key}: the transfer its answer named`);
    }
    for (const key of storedByKey.keys()) assert.ok(posted.has(key), `${key}: a transfer without a 201 for its key`);
    assert.equal(
      stored.reduce((n, r) => n + Number(r.n), 0),
      posted.size,
      'transfers = distinct keys answered 201',
    );
    const [keys] = (
      (await db.execute(sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 0)::int AS pending FROM idempotency_keys`)) as unknown as {
        rows: Array<{ n: number; pending: number }>;
      }
    ).rows;
    assert.deepEqual(
      [Number(keys!.n), Number(keys!.pending)],
      [answers.size + ACCOUNTS, 0],
      'one stored answer per key (and the funding keys), none left unanswered',
    );

    // Balances: what the funding and the acknowledged transfers add up to, nothing else.
    const expected = new Map<string, number>([
      [liability, -(HOT_FUNDING + FUNDING * (ACCOUNTS - 1))],
      ...wallets.map((w, i) => [w, i === 0 ? HOT_FUNDING : FUNDING] as [string, number]),
    ]);
    for (const transfer of posted.values()) {
      expected.set(transfer.debitAccountId, expected.get(transfer.debitAccountId)! - transfer.amount);
      expected.set(transfer.creditAccountId, expected.get(transfer.creditAccountId)! + transfer.amount);
    }
    const accounts = await db
      .select()
      .from(ledgerAccounts)
      .where(inArray(ledgerAccounts.id, [...expected.keys()]));
    assert.deepEqual(
      Object.fromEntries(accounts.map((a) => [a.id, [a.posted, a.held]])),
      Object.fromEntries([...expected].map(([id, p]) => [id, [p, 0]])),
      'stored balances',
    );
    for (const a of accounts) if (!a.mayGoNegative) assert.ok(a.posted - a.held >= 0, `${a.id} is negative`);

    // Each account's lines, in seq order, carry a running balance that continues the one before: no lost update.
    const lines = (
      (await db.execute(
        sql`SELECT debit_account_id AS debit, credit_account_id AS credit, amount, debit_balance_after AS "debitAfter", credit_balance_after AS "creditAfter" FROM ledger_transfers ORDER BY seq`,
      )) as unknown as {
        rows: Array<{ debit: string; credit: string; amount: unknown; debitAfter: unknown; creditAfter: unknown }>;
      }
    ).rows;
    const running = new Map<string, number>();
    let broken = 0;
    for (const line of lines) {
      const debit = (running.get(line.debit) ?? 0) - Number(line.amount);
      const credit = (running.get(line.credit) ?? 0) + Number(line.amount);
      if (Number(line.debitAfter) !== debit || Number(line.creditAfter) !== credit) broken++;
      running.set(line.debit, Number(line.debitAfter));
      running.set(line.credit, Number(line.creditAfter));
    }
    assert.equal(broken, 0, 'lines whose balance-after does not continue the line before');

    // Σ posted per currency is zero, and the ledger's own replay check agrees.
    const check = await checkLedger(db);
    assert.deepEqual(
      { mismatches: check.mismatches, unbalanced: check.unbalanced, negative: check.negative },
      { mismatches: [], unbalanced: [], negative: [] },
      'checkLedger',
    );

    // Refusals are possible but not the rule (a check on the set-up, not on the ledger).
    assert.ok(posted.size > refusedKeys, `${posted.size} keys posted, ${refusedKeys} refused`);
    const message =
      `${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)} requests/s, ${Math.round(posted.size / seconds)} transfers/s): ` +
      `${answers.size} keys, ${posted.size} posted, ${refusedKeys} refused for want of money, ${replays} replays`;
    test.diagnostic(message);
  });
});
