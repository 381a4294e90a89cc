// Property-based tests of the ledger through its HTTP API: random sequences of transfers, atomic
// batches (some made unfundable on purpose), holds posted in full or in part, voids, replays of
// earlier requests with their Idempotency-Key and reuses of a key with other parameters. An in-test
// model predicts every answer and the balances; after every step the stored balances must equal the
// model, and after every sequence the ledger must balance and pass its own replay check.
//
// Each run works in two currencies of its own (fresh codes standing for COIN and USD), so every run
// has fresh person and platform accounts and runs never interfere, while the app is made once.
// LEDGER_PROPERTY_RUNS=<n> and LEDGER_PROPERTY_SEED=<seed> (printed by fast-check on failure) override.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inArray, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { createTestApp, signIn, type Session, type TestApp } from '../../../test/helpers.ts';
import { systemActor } from '../../core/actor.ts';
import { ledgerAccounts } from './schema.ts';
import { ensureAccount, type AccountKind } from './accounts.ts';
import { checkLedger } from './check.ts';
import { MAX_AMOUNT } from './transfers.ts';

// ------------------------------------------------------------------ the accounts, by readable name

const CURRENCIES = ['COIN', 'USD'] as const;
type Currency = (typeof CURRENCIES)[number];
const PEOPLE = ['alice', 'bob'] as const;

interface AccountSpec {
  name: string;
  person: (typeof PEOPLE)[number] | null;
  kind: AccountKind;
  currency: Currency;
}

const SPECS: AccountSpec[] = [
  ...PEOPLE.flatMap((person): AccountSpec[] => [
    { name: `${person}.wallet.COIN`, person, kind: 'wallet', currency: 'COIN' },
    { name: `${person}.earnings.COIN`, person, kind: 'earnings', currency: 'COIN' },
    { name: `${person}.wallet.USD`, person, kind: 'wallet', currency: 'USD' },
  ]),
  ...(['liability', 'revenue', 'settlement'] as const).flatMap((kind) =>
    CURRENCIES.map((currency): AccountSpec => ({ name: `platform.${kind}.${currency}`, person: null, kind, currency })),
  ),
];
const SPEC = new Map(SPECS.map((s) => [s.name, s]));
const isPlatform = (name: string) => SPEC.get(name)!.person === null;

type Pair = readonly [from: string, to: string];
const samePairs: Pair[] = SPECS.flatMap((a) => SPECS.filter((b) => b.currency === a.currency && b.name !== a.name).map((b) => [a.name, b.name] as const));
/** Money entering: platform liability to a person's account. */
const fundingPairs = samePairs.filter(([from, to]) => from.startsWith('platform.liability.') && !isPlatform(to));
/** A person spending or paying out, to anyone in the same currency. */
const spendingPairs = samePairs.filter(([from]) => !isPlatform(from));
/** Platform accounts moving money among themselves or to people (other than funding). */
const otherPairs = samePairs.filter((pair) => isPlatform(pair[0]) && !fundingPairs.includes(pair));
/** Refused by validation: the same account on both sides, or two currencies. */
const invalidPairs: Pair[] = [
  ['alice.wallet.COIN', 'alice.wallet.COIN'],
  ['platform.revenue.USD', 'platform.revenue.USD'],
  ['alice.wallet.COIN', 'bob.wallet.USD'],
  ['platform.liability.USD', 'alice.wallet.COIN'],
];

// ------------------------------------------------------------------ operations (generated, readable)

interface Leg {
  from: string;
  to: string;
  amount: number;
}
type Op =
  | { op: 'transfer'; leg: Leg; twice: boolean }
  | { op: 'batch'; legs: Leg[]; overdraw: { from: string; to: string; extra: number } | null }
  | { op: 'hold'; leg: Leg }
  | { op: 'post'; hold: number; amount: number | undefined }
  | { op: 'void'; hold: number }
  | { op: 'retry'; request: number }
  | { op: 'reuse'; request: number; leg: Leg };

const legText = (l: Leg) => `${l.from} → ${l.to} ${l.amount}`;
function describeOp(o: Op): string {
  switch (o.op) {
    case 'transfer':
      return `transfer ${legText(o.leg)}${o.twice ? ' (sent twice at once)' : ''}`;
    case 'batch':
      return `batch [${o.legs.map(legText).join('; ')}${o.overdraw ? `; OVERDRAW ${o.overdraw.from} → ${o.overdraw.to} available+${o.overdraw.extra}` : ''}]`;
    case 'hold':
      return `hold ${legText(o.leg)}`;
    case 'post':
      return `post hold #${o.hold}${o.amount === undefined ? ' in full' : ` amount ${o.amount}`}`;
    case 'void':
      return `void hold #${o.hold}`;
    case 'retry':
      return `retry request #${o.request}`;
    case 'reuse':
      return `reuse key of request #${o.request} for transfer ${legText(o.leg)}`;
  }
}
/** fast-check prints each operation as one line of text, so a shrunk counterexample reads as a script. */
const readable = (o: Op): Op => Object.defineProperty(o, fc.toStringMethod, { value: () => describeOp(o), enumerable: false, configurable: true });

const leg = (pairs: Pair[], min: number, max: number): fc.Arbitrary<Leg> =>
  fc.tuple(fc.constantFrom(...pairs), fc.integer({ min, max })).map(([[from, to], amount]) => ({ from, to, amount }));
const fundingLeg = leg(fundingPairs, 50, 1000);
const legArb: fc.Arbitrary<Leg> = fc.oneof(
  { arbitrary: fundingLeg, weight: 4 },
  { arbitrary: leg(spendingPairs, 1, 250), weight: 6 },
  { arbitrary: leg(otherPairs, 1, 400), weight: 1 },
  { arbitrary: leg(invalidPairs, 1, 100), weight: 1 },
);
const holdIndex = fc.nat({ max: 20 });
const requestIndex = fc.nat({ max: 60 });

const opArb: fc.Arbitrary<Op> = fc
  .oneof(
    {
      arbitrary: fc.record({
        op: fc.constant('transfer' as const),
        leg: legArb,
        twice: fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 }),
      }),
      weight: 6,
    },
    {
      arbitrary: fc.record({
        op: fc.constant('batch' as const),
        legs: fc.array(legArb, { minLength: 1, maxLength: 4 }),
        // One batch in three gets a last line its debit account cannot pay: the whole batch must be refused.
        overdraw: fc.oneof(
          { arbitrary: fc.constant(null), weight: 2 },
          {
            arbitrary: fc.tuple(fc.constantFrom(...spendingPairs), fc.integer({ min: 1, max: 50 })).map(([[from, to], extra]) => ({ from, to, extra })),
            weight: 1,
          },
        ),
      }),
      weight: 3,
    },
    { arbitrary: fc.record({ op: fc.constant('hold' as const), leg: legArb }), weight: 3 },
    {
      arbitrary: fc.record({ op: fc.constant('post' as const), hold: holdIndex, amount: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }) }),
      weight: 2,
    },
    { arbitrary: fc.record({ op: fc.constant('void' as const), hold: holdIndex }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('retry' as const), request: requestIndex }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('reuse' as const), request: requestIndex, leg: legArb }), weight: 1 },
  )
  .map(readable);

/** A few transfers that bring money in first (so that spending is not mostly refused), then anything. */
const sequenceArb: fc.Arbitrary<Op[]> = fc
  .tuple(
    fc.array(
      fundingLeg.map((l) => readable({ op: 'transfer', leg: l, twice: false })),
      { maxLength: 4 },
    ),
    fc.array(opArb, { maxLength: 40, size: 'max' }),
  )
  .map(([funding, ops]) => [...funding, ...ops]);

// ------------------------------------------------------------------ the model

interface ModelAccount {
  id: string;
  name: string;
  currency: string;
  mayGoNegative: boolean;
  posted: number;
  held: number;
}
interface ModelHold {
  id: string;
  debit: string;
  credit: string;
  amount: number;
  state: 'pending' | 'posted' | 'voided';
}
/** A request as first sent, and its first answer: what a retry must get back. */
interface Sent {
  key: string;
  url: string;
  payload: object;
  status: number;
  body: string;
  label: string;
}
interface Expected {
  status: number;
  code?: string;
}

class Model {
  accounts = new Map<string, ModelAccount>();
  holds: ModelHold[] = [];
  sent: Sent[] = [];
  transfers = 0;
  constructor(readonly currencies: Record<Currency, string>) {}
  get(name: string) {
    return this.accounts.get(name)!;
  }
  available(name: string) {
    const a = this.get(name);
    return a.posted - a.held;
  }
  /**
   * What postTransfers answers for these legs, and the balances after: validation of every leg first
   * (400), then leg by leg in order a currency mismatch (400) or a debit beyond the available balance
   * of an account that may not go negative (409). All or nothing.
   */
  predictLegs(legs: Leg[]): { expected: Expected; after?: Map<string, number> } {
    if (legs.some((l) => l.from === l.to)) return { expected: { status: 400 } };
    const posted = new Map<string, number>();
    const postedOf = (name: string) => posted.get(name) ?? this.get(name).posted;
    for (const leg of legs) {
      const debit = this.get(leg.from);
      if (debit.currency !== this.get(leg.to).currency) return { expected: { status: 400 } };
      if (!debit.mayGoNegative && postedOf(leg.from) - debit.held < leg.amount) return { expected: { status: 409, code: 'insufficient_funds' } };
      posted.set(leg.from, postedOf(leg.from) - leg.amount);
      posted.set(leg.to, postedOf(leg.to) + leg.amount);
    }
    return { expected: { status: 201 }, after: posted };
  }
  /** The available balance `name` would have if all these legs were made (an overdraw line asks for more). */
  availableAfter(legs: Leg[], name: string) {
    let available = this.available(name);
    for (const leg of legs) {
      if (leg.from === name) available -= leg.amount;
      if (leg.to === name) available += leg.amount;
    }
    return available;
  }
  apply(after: Map<string, number>) {
    for (const [name, posted] of after) this.get(name).posted = posted;
  }
}

/**
 * A replay carries the first answer. Successes come back byte for byte; a stored refusal comes back
 * with the same members, though PostgreSQL's jsonb may list a problem's extra members in another order.
 */
function assertSameAnswer(replay: string, first: string, status: number, what: string) {
  assert.deepEqual(JSON.parse(replay), JSON.parse(first), `${what}: the first answer`);
  if (status < 400) assert.equal(replay, first, `${what}: the first answer, byte for byte`);
}

// ------------------------------------------------------------------ the test

describe('ledger properties (random operation sequences through the API)', () => {
  let t: TestApp;
  let admin: Session;
  const people: Record<string, string> = {};
  let runNo = 0;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    for (const person of PEOPLE) {
      const response = await admin.post('/api/console/people', { displayName: `Property ${person}` });
      assert.equal(response.statusCode, 201, response.body);
      people[person] = response.json().id;
    }
  });
  after(() => t.close());

  const db = () => t.app.kernel.db;
  const rows = async <R>(query: ReturnType<typeof sql>) => ((await db().execute(query)) as unknown as { rows: R[] }).rows;

  /** Two currencies no other run uses ("COIN" and "USD" of this run) and their twelve accounts. */
  async function freshModel(): Promise<Model> {
    const n = runNo++;
    const letters = Array.from({ length: 4 }, (_, i) => String.fromCharCode(65 + (Math.floor(n / 26 ** i) % 26))).join('');
    const model = new Model({ COIN: `CN${letters}`, USD: `US${letters}` });
    await t.app.kernel.write(systemActor('ledger.property'), async (ctx) => {
      for (const spec of SPECS) {
        const account = await ensureAccount(ctx, {
          ownerType: spec.person ? 'person' : 'platform',
          ownerId: spec.person ? people[spec.person]! : null,
          kind: spec.kind,
          currency: model.currencies[spec.currency],
        });
        model.accounts.set(spec.name, {
          id: account.id,
          name: spec.name,
          currency: account.currency,
          mayGoNegative: account.mayGoNegative,
          posted: 0,
          held: 0,
        });
      }
    });
    return model;
  }

  const send = (key: string, url: string, payload: object) =>
    admin.request({ method: 'POST', url: `/api/console/ledger${url}`, payload, headers: { 'idempotency-key': key } });
  const transferBody = (model: Model, leg: Leg, reference?: string) => ({
    debitAccountId: model.get(leg.from).id,
    creditAccountId: model.get(leg.to).id,
    amount: leg.amount,
    kind: 'gift',
    ...(reference ? { reference: { type: 'property', id: reference } } : {}),
  });

  /** The stored balances, holds and transfers of the run's accounts equal the model's. */
  async function assertStoredEqualsModel(model: Model, when: string) {
    const ids = [...model.accounts.values()].map((a) => a.id);
    const stored = await db().select().from(ledgerAccounts).where(inArray(ledgerAccounts.id, ids));
    const byId = new Map(stored.map((a) => [a.id, a]));
    const actual = Object.fromEntries([...model.accounts.values()].map((a) => [a.name, [byId.get(a.id)!.posted, byId.get(a.id)!.held]]));
    const expected = Object.fromEntries([...model.accounts.values()].map((a) => [a.name, [a.posted, a.held]]));
    assert.deepEqual(actual, expected, `${when}: stored [posted, held] per account differ from the model`);
    // Both sides of a line are always accounts of the run (one currency), so the debit side finds them all.
    const idList = sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    const [counts] = await rows<{ transfers: number; holds: number }>(sql`
      SELECT (SELECT count(*)::int FROM ledger_transfers WHERE debit_account_id IN (${idList})) AS transfers,
             (SELECT count(*)::int FROM ledger_holds WHERE debit_account_id IN (${idList})) AS holds`);
    assert.deepEqual(
      [Number(counts!.transfers), Number(counts!.holds)],
      [model.transfers, model.holds.length],
      `${when}: [transfers, holds] stored differ from the model`,
    );
  }

  /** Runs one operation: predicts the answer from the model, sends it, compares, and updates the model on success. */
  async function step(model: Model, o: Op, i: number, log: string[]): Promise<void> {
    const key = `property-${model.currencies.COIN}-${i}`;
    const first = async (url: string, payload: object, expected: Expected, label: string) => {
      const response = await send(key, url, payload);
      log.push(`#${model.sent.length} ${label} → ${response.statusCode}${response.json().code ? ` ${response.json().code}` : ''}`);
      assert.equal(response.statusCode, expected.status, `${label}: ${response.body}`);
      if (expected.code) assert.equal(response.json().code, expected.code, label);
      assert.equal(response.headers['idempotent-replayed'], undefined, `${label}: a new key is not a replay`);
      model.sent.push({ key, url, payload, status: response.statusCode, body: response.body, label });
      return response;
    };
    switch (o.op) {
      case 'transfer': {
        const { expected, after } = model.predictLegs([o.leg]);
        const label = describeOp(o);
        if (!o.twice) {
          const response = await first('/transfers', transferBody(model, o.leg), expected, label);
          if (after) {
            const line = response.json();
            assert.deepEqual(
              [line.debitBalanceAfter, line.creditBalanceAfter],
              [after.get(o.leg.from), after.get(o.leg.to)],
              `${label}: balances after on the line`,
            );
          }
        } else {
          // Two identical requests at once: one acts, the other waits for it and gets the same answer.
          const payload = transferBody(model, o.leg);
          const answers = await Promise.all([send(key, '/transfers', payload), send(key, '/transfers', payload)]);
          log.push(`#${model.sent.length} ${label} → ${answers.map((a) => a.statusCode).join(', ')}`);
          for (const answer of answers) assert.equal(answer.statusCode, expected.status, `${label}: ${answer.body}`);
          assertSameAnswer(answers[1]!.body, answers[0]!.body, expected.status, `${label}: the two answers`);
          assert.deepEqual(answers.map((a) => a.headers['idempotent-replayed']).sort(), ['true', undefined], `${label}: exactly one of the two is a replay`);
          model.sent.push({ key, url: '/transfers', payload, status: answers[0]!.statusCode, body: answers[0]!.body, label });
        }
        if (after) {
          model.apply(after);
          model.transfers += 1;
        }
        return;
      }
      case 'batch': {
        const legs = [...o.legs];
        if (o.overdraw) {
          // One more line taking more than its debit account will have left after the lines before it.
          const amount = Math.min(MAX_AMOUNT, Math.max(1, model.availableAfter(legs, o.overdraw.from) + o.overdraw.extra));
          legs.push({ from: o.overdraw.from, to: o.overdraw.to, amount });
        }
        const { expected, after } = model.predictLegs(legs);
        if (o.overdraw) assert.notEqual(expected.status, 201, 'an overdrawn batch is never predicted to pass');
        const label = describeOp(o);
        const response = await first('/batches', { transfers: legs.map((l) => transferBody(model, l)) }, expected, label);
        if (after) {
          const body = response.json();
          assert.equal(body.transfers.length, legs.length);
          if (legs.length > 1)
            assert.ok(body.batchId && body.transfers.every((l: { batchId: string }) => l.batchId === body.batchId), `${label}: one batch id`);
          model.apply(after);
          model.transfers += legs.length;
        }
        return;
      }
      case 'hold': {
        const { from, to, amount } = o.leg;
        let expected: Expected = { status: 201 };
        if (from === to || model.get(from).currency !== model.get(to).currency) expected = { status: 400 };
        else if (!model.get(from).mayGoNegative && model.available(from) < amount) expected = { status: 409, code: 'insufficient_funds' };
        const response = await first('/holds', transferBody(model, o.leg), expected, describeOp(o));
        if (response.statusCode === 201) {
          model.get(from).held += amount;
          model.holds.push({ id: response.json().id, debit: from, credit: to, amount, state: 'pending' });
          log[log.length - 1] += ` (hold #${model.holds.length - 1})`;
        }
        return;
      }
      case 'post':
      case 'void': {
        if (model.holds.length === 0) {
          log.push(`(${describeOp(o)}: no hold yet, skipped)`);
          return;
        }
        const n = o.hold % model.holds.length;
        const hold = model.holds[n]!;
        const label = `${o.op} hold #${n} (${hold.state}, ${hold.debit} → ${hold.credit} ${hold.amount})${o.op === 'post' ? (o.amount === undefined ? ' in full' : ` amount ${o.amount}`) : ''}`;
        if (o.op === 'void') {
          const expected: Expected = hold.state === 'pending' ? { status: 200 } : { status: 409, code: 'hold_resolved' };
          const response = await first(`/holds/${hold.id}/void`, {}, expected, label);
          if (response.statusCode === 200) {
            model.get(hold.debit).held -= hold.amount;
            hold.state = 'voided';
          }
          return;
        }
        const amount = o.amount ?? hold.amount;
        let expected: Expected = { status: 200 };
        if (hold.state !== 'pending') expected = { status: 409, code: 'hold_resolved' };
        else if (amount > hold.amount) expected = { status: 400 };
        const response = await first(`/holds/${hold.id}/post`, o.amount === undefined ? {} : { amount: o.amount }, expected, label);
        if (response.statusCode === 200) {
          const debit = model.get(hold.debit);
          debit.held -= hold.amount;
          debit.posted -= amount;
          model.get(hold.credit).posted += amount;
          hold.state = 'posted';
          model.transfers += 1;
          const body = response.json();
          assert.deepEqual([body.hold.state, body.hold.postedAmount, body.transfer.amount, body.transfer.holdId], ['posted', amount, amount, hold.id], label);
        }
        return;
      }
      case 'retry': {
        if (model.sent.length === 0) {
          log.push(`(${describeOp(o)}: nothing sent yet, skipped)`);
          return;
        }
        const n = o.request % model.sent.length;
        const original = model.sent[n]!;
        const replay = await send(original.key, original.url, original.payload);
        log.push(`   retry #${n} (${original.label}) → ${replay.statusCode}`);
        assert.equal(replay.statusCode, original.status, `retry of #${n} ${original.label}: the first answer's status`);
        assertSameAnswer(replay.body, original.body, original.status, `retry of #${n} ${original.label}`);
        assert.equal(replay.headers['idempotent-replayed'], 'true');
        return;
      }
      case 'reuse': {
        if (model.sent.length === 0) {
          log.push(`(${describeOp(o)}: nothing sent yet, skipped)`);
          return;
        }
        const n = o.request % model.sent.length;
        const original = model.sent[n]!;
        let payload: object = transferBody(model, o.leg);
        // Other parameters than the first time, always.
        if (original.url === '/transfers') payload = transferBody(model, o.leg, 'reused');
        const response = await send(original.key, '/transfers', payload);
        log.push(`   reuse key of #${n} (${original.label}) for ${legText(o.leg)} → ${response.statusCode}`);
        assert.equal(response.statusCode, 422, `reuse of #${n}'s key: ${response.body}`);
        assert.equal(response.json().errors[0].field, 'headers.idempotency-key');
        return;
      }
    }
  }

  it('every answer is the one the model predicts, balances follow the model, money is never created or lost', async (test) => {
    const numRuns = Number(process.env.LEDGER_PROPERTY_RUNS ?? 60);
    const seed = process.env.LEDGER_PROPERTY_SEED ? Number(process.env.LEDGER_PROPERTY_SEED) : undefined;
    let steps = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (ops) => {
        const model = await freshModel();
        const log: string[] = [];
        try {
          for (const [i, o] of ops.entries()) {
            await step(model, o, i, log);
            steps++;
            // A refusal, a replay or a 422 changed nothing; a success changed exactly what the model did.
            await assertStoredEqualsModel(model, `after step ${i} (${describeOp(o)})`);
          }
          for (const s of model.sent) {
            const what = `${s.label.split(' ')[0]} ${s.status}`;
            outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
          }
          await assertSequenceInvariants(model);
        } catch (error) {
          // The requests as sent and answered, with the hold and request numbers the operations refer to.
          if (error instanceof Error) {
            const trace = `\n  requests (currencies ${JSON.stringify(model.currencies)}):\n    ${log.join('\n    ')}`;
            const { message } = error;
            error.message += trace;
            error.stack = error.stack?.includes(message) ? error.stack.replace(message, error.message) : `${error.message}\n${error.stack}`;
          }
          throw error;
        }
      }),
      { numRuns, seed, endOnFailure: false, interruptAfterTimeLimit: 10 * 60_000 },
    );
    test.diagnostic(`${numRuns} runs, ${steps} steps; first answers ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  });

  async function assertSequenceInvariants(model: Model) {
    const currencies = Object.values(model.currencies);
    // Σ posted per currency is zero: every debit has its credit.
    const sums = await rows<{ currency: string; sum: unknown }>(
      sql`SELECT currency, sum(posted)::bigint AS sum FROM ledger_accounts WHERE currency IN (${currencies[0]}, ${currencies[1]}) GROUP BY currency ORDER BY currency`,
    );
    assert.deepEqual(
      sums.map((s) => [s.currency, Number(s.sum)]),
      currencies.map((c) => [c, 0]).sort(),
      'Σ posted per currency',
    );
    // No account that may not go negative has less than nothing available.
    for (const a of model.accounts.values()) {
      assert.ok(a.held >= 0, `${a.name} holds ${a.held}`);
      if (!a.mayGoNegative) assert.ok(a.posted - a.held >= 0, `${a.name} has ${a.posted - a.held} available`);
    }
    // Model-held equals the pending holds' amounts; hold states stored as modelled.
    const holdRows = await rows<{ id: string; state: string }>(sql`SELECT id, state FROM ledger_holds WHERE currency IN (${currencies[0]}, ${currencies[1]})`);
    assert.deepEqual(Object.fromEntries(holdRows.map((h) => [h.id, h.state])), Object.fromEntries(model.holds.map((h) => [h.id, h.state])), 'hold states');
    for (const a of model.accounts.values()) {
      const pending = model.holds.filter((h) => h.debit === a.name && h.state === 'pending').reduce((s, h) => s + h.amount, 0);
      assert.equal(a.held, pending, `${a.name}: held is the sum of its pending holds`);
    }
    // Each statement line's balance-after continues the one before it (per account, in seq order).
    const lines = await rows<{ debit: string; credit: string; amount: unknown; debit_after: unknown; credit_after: unknown }>(sql`
      SELECT debit_account_id AS debit, credit_account_id AS credit, amount, debit_balance_after AS debit_after, credit_balance_after AS credit_after
      FROM ledger_transfers WHERE currency IN (${currencies[0]}, ${currencies[1]}) ORDER BY seq`);
    const running = new Map<string, number>();
    for (const line of lines) {
      const amount = Number(line.amount);
      const debit = (running.get(line.debit) ?? 0) - amount;
      const credit = (running.get(line.credit) ?? 0) + amount;
      assert.deepEqual([Number(line.debit_after), Number(line.credit_after)], [debit, credit], 'running balances on the lines');
      running.set(line.debit, debit);
      running.set(line.credit, credit);
    }
    for (const a of model.accounts.values()) assert.equal(running.get(a.id) ?? 0, a.posted, `${a.name}: the last line's balance is the posted balance`);
    // The ledger's own replay check, over the whole database.
    const check = await checkLedger(db());
    assert.deepEqual(
      { mismatches: check.mismatches, unbalanced: check.unbalanced, negative: check.negative },
      { mismatches: [], unbalanced: [], negative: [] },
      'checkLedger',
    );
  }
});
