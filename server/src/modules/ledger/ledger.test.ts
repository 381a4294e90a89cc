import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { WebSocket } from 'ws';
import { createTestApp, listen, signIn, staffWith, type Session, type TestApp } from '../../../test/helpers.ts';
import { systemActor } from '../../core/actor.ts';
import { expireHolds } from './holds.ts';
import { rebuildProjection } from './check.ts';
import { purgeIdempotencyKeys } from '../../core/http/idempotency/idempotency.ts';

describe('ledger', () => {
  let t: TestApp;
  let admin: Session;
  let alice: string;
  let bob: string;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    alice = (await admin.post('/api/console/people', { displayName: 'Alice Wallet' })).json().id;
    bob = (await admin.post('/api/console/people', { displayName: 'Bob Earner' })).json().id;
  });
  after(() => t.close());

  const keyed = (session: Session, url: string, payload: object, key: string = randomUUID()) =>
    session.request({ method: 'POST', url, payload, headers: { 'idempotency-key': key } });
  const adjust = (ownerId: string, amount: number, key?: string, extra: object = {}) =>
    keyed(
      admin,
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId, kind: 'wallet', currency: 'COIN', amount, reason: 'test credit', ...extra },
      key,
    );
  const account = async (id: string) => (await admin.get(`/api/console/ledger/accounts/${id}`)).json();
  const transfersCount = async () =>
    Number(((await t.app.kernel.db.execute(sql`SELECT count(*)::int AS n FROM ledger_transfers`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n);
  const openAccount = async (body: object) => {
    const response = await admin.post('/api/console/ledger/accounts', body);
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { id: string };
  };

  it('credits by adjustment once per Idempotency-Key: a replay returns the first answer and moves nothing', async () => {
    const key = randomUUID();
    const first = await adjust(alice, 1000, key);
    assert.equal(first.statusCode, 201, first.body);
    const { account: wallet, transfer } = first.json();
    assert.deepEqual([wallet.posted, wallet.held, wallet.available, wallet.ownerName], [1000, 0, 1000, 'Alice Wallet']);
    assert.equal(transfer.kind, 'adjustment');
    assert.equal(transfer.memo, 'test credit');
    const count = await transfersCount();

    const replay = await adjust(alice, 1000, key);
    assert.equal(replay.statusCode, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(replay.json(), first.json(), 'the same answer, byte for byte');
    assert.equal(await transfersCount(), count, 'nothing moved again');
    assert.equal((await account(wallet.id)).posted, 1000);

    const other = await adjust(alice, 999, key);
    assert.equal(other.statusCode, 422, 'the same key with other parameters');
    assert.equal(other.json().errors[0].field, 'headers.idempotency-key');

    const missing = await admin.post('/api/console/ledger/adjustments', {
      ownerType: 'person',
      ownerId: alice,
      kind: 'wallet',
      currency: 'COIN',
      amount: 5,
      reason: 'no key given',
    });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().detail, /headers\.idempotency-key is required/);
  });

  it('keys belong to who sent them: another staff user may use the same key for their own request', async () => {
    const key = randomUUID();
    assert.equal((await adjust(alice, 10, key)).statusCode, 201);
    const { session } = await staffWith(admin, ['ledger.adjust', 'ledger.read']);
    const theirs = await keyed(
      session,
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId: alice, kind: 'wallet', currency: 'COIN', amount: 10, reason: 'test credit' },
      key,
    );
    assert.equal(theirs.statusCode, 201);
    assert.equal(theirs.headers['idempotent-replayed'], undefined);
  });

  it('refuses to debit below the available balance, and a replay of that refusal stays a refusal', async () => {
    const carol = (await admin.post('/api/console/people', { displayName: 'Carol' })).json().id;
    assert.equal((await adjust(carol, 100)).statusCode, 201);
    const key = randomUUID();
    const refused = await adjust(carol, -150, key);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'insufficient_funds');
    assert.equal(refused.json().available, 100);
    assert.equal((await adjust(carol, 500)).statusCode, 201, 'money arrives meanwhile');
    const replay = await adjust(carol, -150, key);
    assert.equal(replay.statusCode, 409, 'the first answer stands');
    assert.equal(replay.body, refused.body, 'byte for byte');
  });

  it('validates transfers and names the field: amount, same account, currency, unknown account', async () => {
    const usd = await openAccount({ ownerType: 'person', ownerId: bob, kind: 'wallet', currency: 'USD' });
    const coins = await openAccount({ ownerType: 'person', ownerId: bob, kind: 'earnings', currency: 'COIN' });
    const liability = await openAccount({ ownerType: 'platform', kind: 'liability', currency: 'COIN' });
    const cases: Array<[object, number, string]> = [
      [{ debitAccountId: liability.id, creditAccountId: coins.id, amount: 0, kind: 'gift' }, 400, 'body.amount'],
      [{ debitAccountId: liability.id, creditAccountId: coins.id, amount: 1.5, kind: 'gift' }, 400, 'body.amount'],
      [{ debitAccountId: coins.id, creditAccountId: coins.id, amount: 1, kind: 'gift' }, 400, 'body.creditAccountId'],
      [{ debitAccountId: liability.id, creditAccountId: usd.id, amount: 1, kind: 'gift' }, 400, 'body.creditAccountId'],
      [{ debitAccountId: randomUUID(), creditAccountId: coins.id, amount: 1, kind: 'gift' }, 400, 'body.debitAccountId'],
      [{ debitAccountId: liability.id, creditAccountId: coins.id, amount: 1, kind: 'Gift!' }, 400, 'body.kind'],
    ];
    for (const [body, status, field] of cases) {
      const response = await keyed(admin, '/api/console/ledger/transfers', body);
      assert.equal(response.statusCode, status, `${JSON.stringify(body)}: ${response.body}`);
      assert.match(response.json().detail, new RegExp(field.replace('.', '\\.')), JSON.stringify(body));
    }
    const platformWithOwner = await admin.post('/api/console/ledger/accounts', { ownerType: 'platform', ownerId: bob, kind: 'revenue', currency: 'COIN' });
    assert.equal(platformWithOwner.statusCode, 400);
    const personRevenue = await admin.post('/api/console/ledger/accounts', { ownerType: 'person', ownerId: bob, kind: 'revenue', currency: 'COIN' });
    assert.equal(personRevenue.statusCode, 400);
    assert.match(personRevenue.json().detail, /kind/);
  });

  it('posts a batch atomically: when one transfer cannot be made, none is', async () => {
    const dave = (await admin.post('/api/console/people', { displayName: 'Dave' })).json().id;
    const wallet = (await adjust(dave, 100)).json().account;
    const earnings = await openAccount({ ownerType: 'person', ownerId: bob, kind: 'earnings', currency: 'COIN' });
    const revenue = await openAccount({ ownerType: 'platform', kind: 'revenue', currency: 'COIN' });
    const count = await transfersCount();
    const refused = await keyed(admin, '/api/console/ledger/batches', {
      transfers: [
        { debitAccountId: wallet.id, creditAccountId: earnings.id, amount: 60, kind: 'gift' },
        { debitAccountId: wallet.id, creditAccountId: revenue.id, amount: 60, kind: 'gift' },
      ],
    });
    assert.equal(refused.statusCode, 409);
    assert.equal(await transfersCount(), count);
    assert.equal((await account(wallet.id)).posted, 100);

    const posted = await keyed(admin, '/api/console/ledger/batches', {
      transfers: [
        { debitAccountId: wallet.id, creditAccountId: earnings.id, amount: 60, kind: 'gift', reference: { type: 'gift', id: 'g-1' } },
        { debitAccountId: wallet.id, creditAccountId: revenue.id, amount: 40, kind: 'gift', reference: { type: 'gift', id: 'g-1' } },
      ],
    });
    assert.equal(posted.statusCode, 201, posted.body);
    const { batchId, transfers } = posted.json();
    assert.ok(batchId);
    assert.deepEqual(
      transfers.map((t: { batchId: string }) => t.batchId),
      [batchId, batchId],
    );
    assert.deepEqual(
      transfers.map((t: { debitBalanceAfter: number }) => t.debitBalanceAfter),
      [40, 0],
    );
    assert.equal((await account(wallet.id)).available, 0);
  });

  it('holds: reserve, post in part (the rest is released), and nothing resolves twice', async () => {
    const erin = (await admin.post('/api/console/people', { displayName: 'Erin' })).json().id;
    const wallet = (await adjust(erin, 1000)).json().account;
    const settlement = await openAccount({ ownerType: 'platform', kind: 'settlement', currency: 'COIN' });
    const hold = await keyed(admin, '/api/console/ledger/holds', { debitAccountId: wallet.id, creditAccountId: settlement.id, amount: 300, kind: 'payout' });
    assert.equal(hold.statusCode, 201, hold.body);
    assert.deepEqual(await account(wallet.id).then((a) => [a.posted, a.held, a.available]), [1000, 300, 700]);

    const tooMuch = await adjust(erin, -800);
    assert.equal(tooMuch.statusCode, 409, 'held money is not available');

    const post = await keyed(admin, `/api/console/ledger/holds/${hold.json().id}/post`, { amount: 200 });
    assert.equal(post.statusCode, 200, post.body);
    assert.equal(post.json().hold.state, 'posted');
    assert.equal(post.json().hold.postedAmount, 200);
    assert.equal(post.json().transfer.holdId, hold.json().id);
    assert.deepEqual(await account(wallet.id).then((a) => [a.posted, a.held, a.available]), [800, 0, 800]);

    const again = await keyed(admin, `/api/console/ledger/holds/${hold.json().id}/post`, {});
    assert.equal(again.statusCode, 409);
    const voided = await keyed(admin, `/api/console/ledger/holds/${hold.json().id}/void`, {});
    assert.equal(voided.statusCode, 409);
    const over = await keyed(admin, '/api/console/ledger/holds', { debitAccountId: wallet.id, creditAccountId: settlement.id, amount: 900, kind: 'payout' });
    assert.equal(over.statusCode, 409);

    const second = (
      await keyed(admin, '/api/console/ledger/holds', { debitAccountId: wallet.id, creditAccountId: settlement.id, amount: 100, kind: 'payout' })
    ).json();
    const tooLarge = await keyed(admin, `/api/console/ledger/holds/${second.id}/post`, { amount: 101 });
    assert.equal(tooLarge.statusCode, 400);
    assert.match(tooLarge.json().detail, /body\.amount/);
    assert.equal((await keyed(admin, `/api/console/ledger/holds/${second.id}/void`, {})).json().state, 'voided');
    assert.deepEqual(await account(wallet.id).then((a) => [a.posted, a.held]), [800, 0]);
    const holds = (await admin.get(`/api/console/ledger/accounts/${wallet.id}/holds`)).json().items;
    assert.deepEqual(
      holds.map((h: { state: string }) => h.state),
      ['voided', 'posted'],
    );
  });

  it('expires holds whose time ran out (the job), releasing the amount', async () => {
    const fay = (await admin.post('/api/console/people', { displayName: 'Fay' })).json().id;
    const wallet = (await adjust(fay, 500)).json().account;
    const settlement = await openAccount({ ownerType: 'platform', kind: 'settlement', currency: 'COIN' });
    const expiresAt = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const past = await keyed(admin, '/api/console/ledger/holds', {
      debitAccountId: wallet.id,
      creditAccountId: settlement.id,
      amount: 200,
      kind: 'call_charge',
      expiresAt: new Date(0).toISOString(),
    });
    assert.equal(past.statusCode, 400, 'an expiry in the past');
    const hold = (
      await keyed(admin, '/api/console/ledger/holds', {
        debitAccountId: wallet.id,
        creditAccountId: settlement.id,
        amount: 200,
        kind: 'call_charge',
        expiresAt,
      })
    ).json();
    await expireHolds(t.app.kernel);
    assert.equal((await account(wallet.id)).held, 200, 'not yet');
    t.clock.advance(61_000);
    try {
      const late = await keyed(admin, `/api/console/ledger/holds/${hold.id}/post`, {});
      assert.equal(late.statusCode, 409, 'an expired hold is not posted, even before the job has run');
      assert.equal(late.json().code, 'hold_expired');
      await expireHolds(t.app.kernel);
    } finally {
      t.clock.advance(-61_000);
    }
    assert.equal((await account(wallet.id)).held, 0);
    const holds = (await admin.get(`/api/console/ledger/accounts/${wallet.id}/holds?state=expired`)).json().items;
    assert.deepEqual(
      holds.map((h: { id: string }) => h.id),
      [hold.id],
    );
  });

  it('shows a statement newest first with a running balance, filters by kind, pages by cursor, and exports CSV', async () => {
    const gus = (await admin.post('/api/console/people', { displayName: 'Gus' })).json().id;
    const wallet = (await adjust(gus, 1000)).json().account;
    const earnings = await openAccount({ ownerType: 'person', ownerId: bob, kind: 'earnings', currency: 'COIN' });
    for (const amount of [100, 200, 300]) {
      assert.equal(
        (
          await keyed(admin, '/api/console/ledger/transfers', {
            debitAccountId: wallet.id,
            creditAccountId: earnings.id,
            amount,
            kind: 'gift',
            memo: amount === 100 ? 'x;=CMD()' : '=HYPERLINK("evil")',
          })
        ).statusCode,
        201,
      );
    }
    const page1 = (await admin.get(`/api/console/ledger/accounts/${wallet.id}/statement?limit=2`)).json();
    assert.deepEqual(
      page1.items.map((l: { amount: number; balanceAfter: number }) => [l.amount, l.balanceAfter]),
      [
        [-300, 400],
        [-200, 700],
      ],
    );
    assert.equal(page1.items[0].counterparty, 'Bob Earner');
    const page2 = (await admin.get(`/api/console/ledger/accounts/${wallet.id}/statement?limit=2&cursor=${page1.nextCursor}`)).json();
    assert.deepEqual(
      page2.items.map((l: { amount: number; balanceAfter: number }) => [l.amount, l.balanceAfter]),
      [
        [-100, 900],
        [1000, 1000],
      ],
    );
    assert.equal(page2.items[1].counterparty, 'platform liability');
    assert.equal(page2.nextCursor, null);
    const gifts = (await admin.get(`/api/console/ledger/accounts/${wallet.id}/statement?kind=gift`)).json().items;
    assert.equal(gifts.length, 3);
    const future = (await admin.get(`/api/console/ledger/accounts/${wallet.id}/statement?from=2999-01-01T00:00:00Z`)).json().items;
    assert.equal(future.length, 0);
    assert.equal((await admin.get(`/api/console/ledger/accounts/${wallet.id}/statement?cursor=nonsense`)).statusCode, 400);

    const csv = await admin.get(`/api/console/ledger/accounts/${wallet.id}/statement.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /^attachment; filename="statement-/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0], 'time,transfer_id,kind,amount,balance_after,currency,counterparty,counter_account_id,reference,memo');
    assert.equal(lines.length, 5);
    assert.match(lines[1]!, /,gift,-300,400,COIN,Bob Earner,/);
    assert.ok(lines[1]!.endsWith(`"'=HYPERLINK(""evil"")"`), 'a formula is defused: ' + lines[1]);
    assert.ok(lines[3]!.endsWith('"x;=CMD()"'), 'a cell with a semicolon is quoted whole: ' + lines[3]);
  });

  it('proves the projection: the check replays transfers and holds; a tampered balance is found and rebuilt', async () => {
    const healthy = (await admin.get('/api/console/ledger/check')).json();
    assert.equal(healthy.ok, true, JSON.stringify(healthy));
    assert.ok(healthy.transfers > 0);
    const wallet = (await adjust(alice, 1)).json().account;
    await t.app.kernel.db.execute(sql`UPDATE ledger_accounts SET posted = posted + 5 WHERE id = ${wallet.id}`);
    const broken = (await admin.get('/api/console/ledger/check')).json();
    assert.equal(broken.ok, false);
    assert.deepEqual(
      broken.mismatches.map((m: { accountId: string }) => m.accountId),
      [wallet.id],
    );
    assert.deepEqual(broken.unbalanced, [{ currency: 'COIN', sum: 5 }]);
    const fixed = await t.app.kernel.write(systemActor('test'), (ctx) => rebuildProjection(ctx));
    assert.equal(fixed.length, 1);
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('gives ten concurrent requests with one key one effect and identical answers', async () => {
    const hal = (await admin.post('/api/console/people', { displayName: 'Hal' })).json().id;
    const key = randomUUID();
    const count = await transfersCount();
    const answers = await Promise.all(Array.from({ length: 10 }, () => adjust(hal, 77, key)));
    assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([201]));
    assert.equal(new Set(answers.map((a) => a.body)).size, 1, 'identical bodies');
    assert.equal(await transfersCount(), count + 1);
  });

  it('lets a member read only their own balances and statements, and streams their balance changes', async () => {
    const token = (await admin.post(`/api/console/people/${alice}/member-token`)).json().token;
    const bobToken = (await admin.post(`/api/console/people/${bob}/member-token`)).json().token;
    const mine = await t.app.inject({ method: 'GET', url: '/api/client/ledger/accounts', headers: { authorization: `Bearer ${token}` } });
    assert.equal(mine.statusCode, 200);
    const wallet = mine.json().find((a: { kind: string }) => a.kind === 'wallet');
    assert.ok(wallet.posted > 0);
    const statement = await t.app.inject({
      method: 'GET',
      url: `/api/client/ledger/accounts/${wallet.id}/statement`,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(statement.statusCode, 200);
    assert.ok(statement.json().items.length > 0);
    const theirs = await t.app.inject({
      method: 'GET',
      url: `/api/client/ledger/accounts/${wallet.id}/statement`,
      headers: { authorization: `Bearer ${bobToken}` },
    });
    assert.equal(theirs.statusCode, 404, "another member's account is not found");

    const base = (await listen(t.app)).replace('http://', 'ws://');
    const connect = (bearer: string) =>
      new Promise<{ socket: WebSocket; messages: Array<{ type: string; event?: { type: string; payload: Record<string, unknown> } }> }>((resolve, reject) => {
        const socket = new WebSocket(`${base}/api/client/ws`, { headers: { authorization: `Bearer ${bearer}` } });
        const messages: Array<{ type: string; event?: { type: string; payload: Record<string, unknown> } }> = [];
        socket.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
        socket.once('open', () => resolve({ socket, messages }));
        socket.once('error', reject);
      });
    const aliceSocket = await connect(token);
    const bobSocket = await connect(bobToken);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await adjust(alice, 25)).statusCode, 201);
      const deadline = Date.now() + 3000;
      const changed = () => aliceSocket.messages.find((m) => m.event?.type === 'ledger.balance_changed');
      while (!changed() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(changed()?.event?.payload.posted, wallet.posted + 25, 'the app sees the new balance');
      assert.ok(!bobSocket.messages.some((m) => m.event?.type === 'ledger.balance_changed'), "nobody else hears of Alice's balance");
    } finally {
      aliceSocket.socket.close();
      bobSocket.socket.close();
    }
  });

  it('keeps Idempotency-Keys 24 hours: after that the hourly purge forgets them', async () => {
    const key = randomUUID();
    assert.equal((await adjust(alice, 3, key)).statusCode, 201);
    assert.equal((await adjust(alice, 3, key)).headers['idempotent-replayed'], 'true');
    t.clock.advance(23 * 3600_000);
    try {
      await purgeIdempotencyKeys(t.app.kernel);
      assert.equal((await adjust(alice, 3, key)).headers['idempotent-replayed'], 'true', 'still kept after 23 hours');
      t.clock.advance(2 * 3600_000);
      assert.ok((await purgeIdempotencyKeys(t.app.kernel)) >= 1);
      const fresh = await adjust(alice, 3, key);
      assert.equal(fresh.statusCode, 201);
      assert.equal(fresh.headers['idempotent-replayed'], undefined, 'a forgotten key acts again');
    } finally {
      t.clock.advance(-25 * 3600_000);
    }
  });

  it('keeps balances exact: a movement that would pass 2^53 is refused, not rounded', async () => {
    const ivan = (await admin.post('/api/console/people', { displayName: 'Ivan Huge' })).json().id;
    for (let i = 0; i < 9; i++) assert.equal((await adjust(ivan, 1_000_000_000_000_000)).statusCode, 201);
    const over = await adjust(ivan, 1_000_000_000_000_000);
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().code, 'balance_out_of_range');
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('refuses NUL characters in any field with a 400 naming it, before they reach the database', async () => {
    const wallet = (await adjust(alice, 1)).json().account;
    const liability = await openAccount({ ownerType: 'platform', kind: 'liability', currency: 'COIN' });
    const response = await keyed(admin, '/api/console/ledger/transfers', {
      debitAccountId: liability.id,
      creditAccountId: wallet.id,
      amount: 1,
      kind: 'gift',
      memo: 'a\u0000b',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().errors[0].field, 'body.memo');
    const query = await admin.get(`/api/console/ledger/accounts?currency=${encodeURIComponent('CO\u0000IN')}`);
    assert.equal(query.statusCode, 400);
  });

  it('requires its permissions: reading is not adjusting', async () => {
    const { session } = await staffWith(admin, ['ledger.read']);
    const refused = await keyed(session, '/api/console/ledger/adjustments', {
      ownerType: 'person',
      ownerId: alice,
      kind: 'wallet',
      currency: 'COIN',
      amount: 1,
      reason: 'nope',
    });
    assert.equal(refused.statusCode, 403);
    assert.equal((await session.get('/api/console/ledger/check')).statusCode, 200);
  });
});
