import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../../../test/helpers.ts';
import { systemActor } from '../../core/actor.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { ensureAccount, platformAccount, type Account } from './accounts.ts';
import { checkLedger, rebuildProjection } from './check.ts';
import { placeHold } from './holds.ts';
import { postRefund, postTransfers } from './transfers.ts';

/** A refund is the one posting that may overdraw a wallet: by what it lacks, flagged, and nothing else may go lower. */
describe('ledger: refunds may overdraw, and only they', () => {
  const suite = useTestApp();

  const write = <T>(work: (ctx: ServiceContext) => Promise<T>) => suite.t.app.kernel.write(systemActor('test'), work);
  /** A person's COIN wallet holding `coins`, bought from the platform liability account. */
  async function walletWith(coins: number): Promise<{ wallet: Account; liability: Account; personId: string }> {
    const personId = (await suite.admin.post('/api/console/people', { displayName: `Refunded ${randomUUID().slice(0, 6)}` })).json().id as string;
    return write(async (ctx) => {
      const liability = await platformAccount(ctx, 'liability', 'COIN');
      const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: personId, kind: 'wallet', currency: 'COIN' });
      await postTransfers(ctx, [{ debitAccountId: liability.id, creditAccountId: wallet.id, amount: coins, kind: 'purchase' }]);
      return { wallet, liability, personId };
    });
  }
  const view = async (id: string) => (await suite.admin.get(`/api/console/ledger/accounts/${id}`)).json();
  const spend = (from: Account, to: Account, amount: number) =>
    write((ctx) => postTransfers(ctx, [{ debitAccountId: from.id, creditAccountId: to.id, amount, kind: 'gift' }])).then(
      () => 'posted',
      (error: { kind?: string; code?: string }) => `${error.kind} ${error.code}`,
    );

  it('takes back coins that were spent: the wallet goes below zero by what the refund lacked, flagged, with an event', async () => {
    const { t, admin } = suite;
    const { wallet, liability, personId } = await walletWith(1000);
    const revenue = await write((ctx) => platformAccount(ctx, 'revenue', 'COIN'));
    assert.equal(await spend(wallet, revenue, 700), 'posted');

    const { transfer, overdrawnBy } = await write((ctx) =>
      postRefund(ctx, { debitAccountId: wallet.id, creditAccountId: liability.id, amount: 1000, reference: { type: 'test_purchase', id: 'p1' } }),
    );
    assert.equal(transfer.kind, 'refund');
    assert.equal(overdrawnBy, 700);
    const flagged = await view(wallet.id);
    assert.deepEqual([flagged.posted, flagged.available, flagged.overdraft], [-700, -700, 700]);
    assert.ok(flagged.overdrawnAt, 'flagged');
    const events = (await admin.get(`/api/console/events?type=ledger.account_overdrawn&subjectId=${personId}`)).json().items;
    assert.equal(events.length, 1);
    assert.deepEqual([events[0].payload.overdrawnBy, events[0].payload.overdraft, events[0].payload.transferId], [700, 700, transfer.id]);

    const check = await checkLedger(t.app.kernel.db);
    assert.deepEqual([check.mismatches, check.unbalanced, check.negative], [[], [], []], 'an overdraft a refund left is sound');
  });

  it('refuses every other debit and hold on an overdrawn wallet; money coming in pays the overdraft back first', async () => {
    const { admin } = suite;
    const { wallet, liability } = await walletWith(100);
    const revenue = await write((ctx) => platformAccount(ctx, 'revenue', 'COIN'));
    assert.equal(await spend(wallet, revenue, 100), 'posted');
    await write((ctx) => postRefund(ctx, { debitAccountId: wallet.id, creditAccountId: liability.id, amount: 100 }));
    assert.equal((await view(wallet.id)).overdraft, 100);

    assert.equal(await spend(wallet, revenue, 1), 'conflict insufficient_funds');
    const hold = await write((ctx) => placeHold(ctx, { debitAccountId: wallet.id, creditAccountId: revenue.id, amount: 1, kind: 'call_charge' })).catch(
      (error: { code: string }) => error.code,
    );
    assert.equal(hold, 'insufficient_funds');
    const adjusted = await admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: wallet.ownerId, kind: 'wallet', currency: 'COIN', amount: -1, reason: 'take one more' },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(adjusted.statusCode, 409, 'a manual debit is refused too');

    await write((ctx) => postTransfers(ctx, [{ debitAccountId: liability.id, creditAccountId: wallet.id, amount: 60, kind: 'purchase' }]));
    const repaying = await view(wallet.id);
    assert.deepEqual([repaying.available, repaying.overdraft], [-40, 40], 'the overdraft shrinks with the balance');
    assert.equal(await spend(wallet, revenue, 1), 'conflict insufficient_funds', 'still nothing to spend');
    await write((ctx) => postTransfers(ctx, [{ debitAccountId: liability.id, creditAccountId: wallet.id, amount: 50, kind: 'purchase' }]));
    const repaid = await view(wallet.id);
    assert.deepEqual([repaid.available, repaid.overdraft], [10, 0]);
    assert.ok(repaid.overdrawnAt, 'the flag stays for staff');
    assert.equal(await spend(wallet, revenue, 10), 'posted');
  });

  it('overdraws only by the refund: a second refund on an overdrawn wallet adds exactly its own amount', async () => {
    const { wallet, liability } = await walletWith(300);
    const revenue = await write((ctx) => platformAccount(ctx, 'revenue', 'COIN'));
    assert.equal(await spend(wallet, revenue, 250), 'posted');
    const first = await write((ctx) => postRefund(ctx, { debitAccountId: wallet.id, creditAccountId: liability.id, amount: 200 }));
    assert.equal(first.overdrawnBy, 150);
    const second = await write((ctx) => postRefund(ctx, { debitAccountId: wallet.id, creditAccountId: liability.id, amount: 100 }));
    assert.equal(second.overdrawnBy, 100);
    assert.deepEqual([(await view(wallet.id)).available, (await view(wallet.id)).overdraft], [-250, 250]);
    const enough = await walletWith(500);
    const covered = await write((ctx) => postRefund(ctx, { debitAccountId: enough.wallet.id, creditAccountId: liability.id, amount: 200 }));
    assert.equal(covered.overdrawnBy, 0, 'a refund the wallet can pay overdraws nothing');
    const untouched = await view(enough.wallet.id);
    assert.deepEqual([untouched.available, untouched.overdraft, untouched.overdrawnAt], [300, 0, null]);
  });

  it('is backed by the database: nothing may take a wallet below its overdraft, whatever writes the row', async () => {
    const { t, admin } = suite;
    const { wallet, liability } = await walletWith(50);
    const revenue = await write((ctx) => platformAccount(ctx, 'revenue', 'COIN'));
    assert.equal(await spend(wallet, revenue, 50), 'posted');
    await write((ctx) => postRefund(ctx, { debitAccountId: wallet.id, creditAccountId: liability.id, amount: 30 }));
    /** A check violation (SQLSTATE 23514), of one of these constraints (whichever the database tests first). */
    const refused =
      (...constraints: string[]) =>
      (error: unknown) => {
        const pg = sqlState(error);
        assert.equal(pg?.code, '23514', String(error));
        assert.ok(pg.constraint === undefined || constraints.includes(pg.constraint), `${pg.constraint} is one of ${constraints.join(', ')}`);
        return true;
      };
    await assert.rejects(
      t.app.kernel.db.execute(sql`UPDATE ledger_accounts SET posted = posted - 1 WHERE id = ${wallet.id}`),
      refused('ledger_accounts_available_within_overdraft'),
      'below -overdraft',
    );
    await assert.rejects(
      t.app.kernel.db.execute(sql`UPDATE ledger_accounts SET overdraft = -1 WHERE id = ${wallet.id}`),
      refused('ledger_accounts_overdraft_non_negative', 'ledger_accounts_available_within_overdraft'),
    );
    const other = await walletWith(10);
    await assert.rejects(
      t.app.kernel.db.execute(sql`UPDATE ledger_accounts SET posted = -1 WHERE id = ${other.wallet.id}`),
      refused('ledger_accounts_available_within_overdraft'),
      'no overdraft, no negative balance',
    );
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('checks each stored overdraft against the refunds, and a rebuild recomputes it', async () => {
    const { t, admin } = suite;
    const { wallet, liability } = await walletWith(40);
    const revenue = await write((ctx) => platformAccount(ctx, 'revenue', 'COIN'));
    assert.equal(await spend(wallet, revenue, 40), 'posted');
    await write((ctx) => postRefund(ctx, { debitAccountId: wallet.id, creditAccountId: liability.id, amount: 25 }));
    const clean = await walletWith(10);
    assert.deepEqual((await checkLedger(t.app.kernel.db)).overdrafts, []);

    // Both rows satisfy the database's checks, yet no refund explains them.
    await t.app.kernel.db.execute(sql`UPDATE ledger_accounts SET overdraft = 30 WHERE id = ${wallet.id}`);
    await t.app.kernel.db.execute(sql`UPDATE ledger_accounts SET overdraft = 5 WHERE id = ${clean.wallet.id}`);
    const check = await checkLedger(t.app.kernel.db);
    assert.deepEqual(check.overdrafts, [wallet.id, clean.wallet.id].sort());
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, false);

    await write((ctx) => rebuildProjection(ctx));
    assert.deepEqual([(await view(wallet.id)).overdraft, (await view(clean.wallet.id)).overdraft], [25, 0]);
    assert.deepEqual((await checkLedger(t.app.kernel.db)).overdrafts, []);
  });

  it('replays an answer stored before accounts had overdrafts', async () => {
    const { t, admin } = suite;
    const { personId } = await walletWith(10);
    const key = randomUUID();
    const adjust = () =>
      admin.request({
        method: 'POST',
        url: '/api/console/ledger/adjustments',
        payload: { ownerType: 'person', ownerId: personId, kind: 'wallet', currency: 'COIN', amount: 5, reason: 'an old answer' },
        headers: { 'idempotency-key': key },
      });
    const first = await adjust();
    assert.equal(first.statusCode, 201, first.body);
    await t.app.kernel.db.execute(
      sql`UPDATE idempotency_keys SET body = (body::jsonb #- '{account,overdraft}' #- '{account,overdrawnAt}')::json WHERE key = ${key}`,
    );
    const replayed = await adjust();
    assert.equal(replayed.statusCode, 201, replayed.body);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.json().account.available, 15);
    assert.deepEqual([replayed.json().account.overdraft, replayed.json().account.overdrawnAt], [0, null], 'sent with the defaults');
  });
});

/** The SQLSTATE and constraint of a database error, which drizzle may wrap. */
function sqlState(error: unknown): { code?: string; constraint?: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; constraint?: string; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return { code: candidate.code, constraint: candidate.constraint };
    current = candidate.cause;
  }
  return undefined;
}
