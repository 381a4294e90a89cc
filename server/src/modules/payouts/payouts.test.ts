import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, signIn, staffWith, type Session, type TestApp } from '../../../test/helpers.ts';
import { runAutomaticRule } from './index.ts';

describe('payout applications', () => {
  let t: TestApp;
  let admin: Session;
  let requester: Session;
  let approver: Session;
  let payer: Session;
  let agency: string;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    requester = (await staffWith(admin, ['payouts.read', 'payouts.request', 'payouts.approve'], 'requester')).session;
    approver = (await staffWith(admin, ['payouts.read', 'payouts.approve'], 'approver')).session;
    payer = (await staffWith(admin, ['payouts.read', 'payouts.mark_paid'], 'payer')).session;
    agency = (await admin.post('/api/console/organizations', { name: 'Starlight Agency', kind: 'agency' })).json().id;
  });
  after(() => t.close());

  const keyed = (session: Session, url: string, payload: object, key: string = randomUUID()) =>
    session.request({ method: 'POST', url, payload, headers: { 'idempotency-key': key } });

  /** A streamer with `amount` COIN of earnings (credited by adjustment). */
  async function streamerWith(amount: number, name = `Streamer ${randomUUID().slice(0, 6)}`) {
    const id = (await admin.post('/api/console/people', { displayName: name })).json().id as string;
    const credited = await keyed(admin, '/api/console/ledger/adjustments', {
      ownerType: 'person',
      ownerId: id,
      kind: 'earnings',
      currency: 'COIN',
      amount,
      reason: 'earned in calls',
    });
    assert.equal(credited.statusCode, 201, credited.body);
    return { id, accountId: credited.json().account.id as string };
  }
  const balances = async (accountId: string) => {
    const a = (await admin.get(`/api/console/ledger/accounts/${accountId}`)).json();
    return { posted: a.posted, held: a.held, available: a.available };
  };
  const request = (ownerId: string, extra: object = {}, session = requester) =>
    keyed(session, '/api/console/payouts', { ownerType: 'person', ownerId, currency: 'COIN', ...extra });

  it('walks requested → approved → paid: the hold, the four eyes, the fee to revenue and the net to settlement', async () => {
    const rule = await admin.request({ method: 'PUT', url: '/api/console/payouts/fee-rules', payload: { currency: 'COIN', percentBp: 250, fixed: 10 } });
    assert.equal(rule.statusCode, 200, rule.body);
    const streamer = await streamerWith(1000);

    const quote = (await admin.get(`/api/console/payouts/quote?ownerType=person&ownerId=${streamer.id}&currency=COIN&amount=800`)).json();
    assert.deepEqual([quote.amount, quote.fee, quote.net, quote.rule.source], [800, 30, 770, 'default'], 'the fee is shown before anyone commits');

    const requested = await request(streamer.id, { amount: 800, note: 'March earnings' });
    assert.equal(requested.statusCode, 201, requested.body);
    const application = requested.json();
    assert.deepEqual([application.state, application.amount, application.fee, application.net, application.origin], ['requested', 800, 30, 770, 'manual']);
    assert.deepEqual(await balances(streamer.accountId), { posted: 1000, held: 800, available: 200 });

    const ownApproval = await requester.post(`/api/console/payouts/${application.id}/approve`);
    assert.equal(ownApproval.statusCode, 403, 'who requested may not approve');
    assert.match(ownApproval.json().detail, /another staff user/);

    const early = await keyed(payer, `/api/console/payouts/${application.id}/pay`, { paymentReference: 'SEPA-1' });
    assert.equal(early.statusCode, 409, 'not approved yet');

    const approved = await approver.post(`/api/console/payouts/${application.id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().state, 'approved');
    assert.match(approved.json().approvedBy, /^staff:/);
    assert.equal((await approver.post(`/api/console/payouts/${application.id}/approve`)).statusCode, 409, 'approving twice');

    const paid = await keyed(payer, `/api/console/payouts/${application.id}/pay`, { paymentReference: 'SEPA-2026-0042' });
    assert.equal(paid.statusCode, 200, paid.body);
    assert.equal(paid.json().state, 'paid');
    assert.equal(paid.json().paymentReference, 'SEPA-2026-0042');
    assert.deepEqual(await balances(streamer.accountId), { posted: 200, held: 0, available: 200 });

    const lines = (await admin.get(`/api/console/ledger/accounts/${streamer.accountId}/statement`)).json().items;
    assert.deepEqual(
      lines.slice(0, 2).map((l: { kind: string; amount: number; counterparty: string }) => [l.kind, l.amount, l.counterparty]),
      [
        ['payout_fee', -30, 'platform revenue'],
        ['payout', -770, 'platform settlement'],
      ],
    );
    assert.equal((await keyed(payer, `/api/console/payouts/${application.id}/pay`, { paymentReference: 'again' })).statusCode, 409, 'paid once');
    assert.equal((await admin.post(`/api/console/payouts/${application.id}/reject`, { reason: 'too late' })).statusCode, 409, 'a paid one cannot be rejected');
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);

    const types = (await admin.get(`/api/console/people/${streamer.id}/timeline`)).json().items.map((e: { type: string }) => e.type);
    for (const type of ['payouts.requested', 'payouts.approved', 'payouts.paid']) assert.ok(types.includes(type), `${type} on the timeline`);
  });

  it('pays once when payment is marked concurrently, and approves once when approved concurrently', async () => {
    const streamer = await streamerWith(500);
    const application = (await request(streamer.id, { amount: 400 })).json();
    const approvals = await Promise.all([approver, admin, approver].map((s) => s.post(`/api/console/payouts/${application.id}/approve`)));
    assert.deepEqual(approvals.map((a) => a.statusCode).sort(), [200, 409, 409]);
    const payments = await Promise.all(
      ['A', 'B', 'C', 'D'].map((ref) => keyed(payer, `/api/console/payouts/${application.id}/pay`, { paymentReference: ref })),
    );
    assert.deepEqual(payments.map((p) => p.statusCode).sort(), [200, 409, 409, 409]);
    const lines = (await admin.get(`/api/console/ledger/accounts/${streamer.accountId}/statement?kind=payout`)).json().items;
    assert.equal(lines.length, 1, 'one payout transfer');
  });

  it('rejects with a reason (the hold is voided) and lets a request be cancelled before approval only', async () => {
    const streamer = await streamerWith(300);
    const first = (await request(streamer.id, { amount: 100 })).json();
    const noReason = await approver.post(`/api/console/payouts/${first.id}/reject`, { reason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.json().detail, /body\.reason/);
    const rejected = await approver.post(`/api/console/payouts/${first.id}/reject`, { reason: 'KYC documents missing' });
    assert.equal(rejected.json().state, 'rejected');
    assert.equal(rejected.json().rejectionReason, 'KYC documents missing');
    assert.deepEqual(await balances(streamer.accountId), { posted: 300, held: 0, available: 300 });
    assert.equal((await keyed(payer, `/api/console/payouts/${first.id}/pay`, { paymentReference: 'X' })).statusCode, 409, 'paying a rejected one');

    const second = (await request(streamer.id, { amount: 100 })).json();
    assert.equal((await requester.post(`/api/console/payouts/${second.id}/cancel`)).json().state, 'cancelled');
    assert.deepEqual(await balances(streamer.accountId), { posted: 300, held: 0, available: 300 });
    const third = (await request(streamer.id, { amount: 100 })).json();
    await approver.post(`/api/console/payouts/${third.id}/approve`);
    assert.equal((await requester.post(`/api/console/payouts/${third.id}/cancel`)).statusCode, 409, 'an approved one is rejected, not cancelled');
  });

  it('refuses a payout over the available balance, or one the fee would eat, holding nothing', async () => {
    const streamer = await streamerWith(100);
    const over = await request(streamer.id, { amount: 101 });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().code, 'insufficient_funds');
    const eaten = await request(streamer.id, { amount: 10 });
    assert.equal(eaten.statusCode, 400, 'a 10 COIN fixed fee leaves nothing of 10');
    assert.match(eaten.json().detail, /fee/);
    assert.deepEqual(await balances(streamer.accountId), { posted: 100, held: 0, available: 100 });
    const none = (await admin.post('/api/console/people', { displayName: 'Never earned' })).json().id;
    assert.equal((await request(none)).statusCode, 400);
    assert.equal((await request(randomUUID())).statusCode, 404);
  });

  it("applies an agency's fee rule to its members, and the member's own rule before it", async () => {
    const streamer = await streamerWith(1000);
    await admin.request({ method: 'PUT', url: `/api/console/organizations/${agency}/members/${streamer.id}`, payload: { role: 'member' } });
    await admin.request({
      method: 'PUT',
      url: '/api/console/payouts/fee-rules',
      payload: { ownerType: 'organization', ownerId: agency, currency: 'COIN', percentBp: 1000, fixed: 0 },
    });
    const viaAgency = (await admin.get(`/api/console/payouts/quote?ownerType=person&ownerId=${streamer.id}&currency=COIN&amount=500`)).json();
    assert.deepEqual([viaAgency.fee, viaAgency.rule.source, viaAgency.rule.organizationId], [50, 'organization', agency]);
    await admin.request({
      method: 'PUT',
      url: '/api/console/payouts/fee-rules',
      payload: { ownerType: 'person', ownerId: streamer.id, currency: 'COIN', percentBp: 0, fixed: 5 },
    });
    const own = (await admin.get(`/api/console/payouts/quote?ownerType=person&ownerId=${streamer.id}&currency=COIN&amount=500`)).json();
    assert.deepEqual([own.fee, own.rule.source], [5, 'owner']);
    const half = await admin.request({
      method: 'PUT',
      url: '/api/console/payouts/fee-rules',
      payload: { ownerId: streamer.id, currency: 'COIN', percentBp: 0, fixed: 5 },
    });
    assert.equal(half.statusCode, 400);
    const rules = (await admin.get('/api/console/payouts/fee-rules')).json();
    assert.ok(rules.some((r: { ownerName: string | null }) => r.ownerName === 'Starlight Agency'));
  });

  it("keeps a payout's hold to its application: the generic hold routes refuse it", async () => {
    const streamer = await streamerWith(200);
    const application = (await request(streamer.id, { amount: 100 })).json();
    const posted = await keyed(admin, `/api/console/ledger/holds/${application.holdId}/post`, {});
    assert.equal(posted.statusCode, 409);
    assert.equal(posted.json().code, 'hold_managed');
    assert.equal((await keyed(admin, `/api/console/ledger/holds/${application.holdId}/void`, {})).statusCode, 409);
    assert.equal((await approver.post(`/api/console/payouts/${application.id}/approve`)).statusCode, 200);
  });

  it('pays while other postings touch settlement and revenue at the same time, without a deadlock reaching anyone', async () => {
    const liability = (await admin.post('/api/console/ledger/accounts', { ownerType: 'platform', kind: 'liability', currency: 'COIN' })).json();
    const revenue = (await admin.post('/api/console/ledger/accounts', { ownerType: 'platform', kind: 'revenue', currency: 'COIN' })).json();
    const settlement = (await admin.post('/api/console/ledger/accounts', { ownerType: 'platform', kind: 'settlement', currency: 'COIN' })).json();
    const applications = [];
    for (let i = 0; i < 8; i++) {
      const application = (await request((await streamerWith(500)).id, { amount: 400 })).json();
      await approver.post(`/api/console/payouts/${application.id}/approve`);
      applications.push(application);
    }
    const answers = await Promise.all([
      ...applications.map((a) => keyed(payer, `/api/console/payouts/${a.id}/pay`, { paymentReference: `R-${a.id}` })),
      ...applications.map(() =>
        keyed(admin, '/api/console/ledger/batches', {
          transfers: [
            { debitAccountId: liability.id, creditAccountId: revenue.id, amount: 1, kind: 'adjustment' },
            { debitAccountId: liability.id, creditAccountId: settlement.id, amount: 1, kind: 'adjustment' },
          ],
        }),
      ),
    ]);
    assert.deepEqual(
      answers.map((a) => a.statusCode).filter((s) => s >= 300),
      [],
      answers.map((a) => a.body).join('\n'),
    );
  });

  it('refuses a forged list cursor with a 400', async () => {
    const forged = Buffer.from(JSON.stringify(['not a date', randomUUID()])).toString('base64url');
    assert.equal((await admin.get(`/api/console/payouts?cursor=${forged}`)).statusCode, 400);
  });

  it('approves in bulk, each application on its own', async () => {
    const a = (await request((await streamerWith(100)).id, { amount: 50 })).json();
    const b = (await request((await streamerWith(100)).id, { amount: 50 })).json();
    await approver.post(`/api/console/payouts/${b.id}/approve`);
    const bulk = await approver.post('/api/console/payouts/approve', { ids: [a.id, b.id, randomUUID()] });
    assert.equal(bulk.statusCode, 200);
    assert.deepEqual(
      bulk.json().results.map((r: { ok: boolean; status: number }) => [r.ok, r.status]),
      [
        [true, 200],
        [false, 409],
        [false, 404],
      ],
    );
    const listed = (await admin.get('/api/console/payouts?state=approved')).json().items.map((x: { id: string }) => x.id);
    assert.ok(listed.includes(a.id) && listed.includes(b.id));
  });

  it('creates applications automatically by the rule in settings, once per account, for balances at the minimum', async () => {
    const rich = await streamerWith(20_000);
    const poor = await streamerWith(9_999);
    await runAutomaticRule(t.app.kernel);
    const mine = async (id: string) => (await admin.get(`/api/console/payouts?ownerType=person&ownerId=${id}`)).json().items;
    assert.equal((await mine(rich.id)).length, 0, 'off by default');

    const saved = await admin.request({
      method: 'PUT',
      url: '/api/console/settings/payouts.automatic',
      payload: { value: { enabled: true, minimum: { COIN: 10_000 } } },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    await runAutomaticRule(t.app.kernel);
    await runAutomaticRule(t.app.kernel);
    const made = await mine(rich.id);
    assert.equal(made.length, 1, 'one open application per account, however often the job runs');
    assert.deepEqual([made[0].origin, made[0].amount, made[0].requestedByType], ['automatic', 20_000, 'system']);
    assert.equal((await mine(poor.id)).length, 0, 'below the minimum');
    assert.equal((await admin.post(`/api/console/payouts/${made[0].id}/approve`)).statusCode, 200, 'any staff user may approve what the system requested');
  });
});
