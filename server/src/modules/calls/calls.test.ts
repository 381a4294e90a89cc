import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../core/db/sql.ts';
import assert from 'node:assert/strict';
import { coinBalance, createTestApp, fundWallet, newMember, signIn, waitFor, type Session, type TestApp } from '../../../test/helpers.ts';
import { DEMO_TARIFFS } from '../creators/tariffs/defaults.ts';
import { runDue } from './scheduler.ts';

describe('calls: lifecycle, per-second billing by the server clock, timeouts', () => {
  let t: TestApp;
  let admin: Session;
  /** A clock only `elapse` moves (the suite's TestClock follows real time, which a busy machine stretches). */
  let frozen = Date.now();

  before(async () => {
    // The scheduler's loop runs too, on the frozen clock: its passes and `elapse`'s take each due call once
    // (SKIP LOCKED), as several processes would.
    t = await createTestApp({ workers: true, now: () => new Date(frozen) });
    admin = await signIn(t.app);
    // The seed's roulette example prices direct calls here, so its table is checked through a real call.
    assert.equal((await admin.post('/api/console/creators/tariffs/direct', { ...DEMO_TARIFFS.roulette, agencyShareBp: 1000 })).statusCode, 201);
  });
  after(() => t.close());

  const coins = (ownerType: string, ownerId: string | null, kind: string) => coinBalance(admin, ownerType, ownerId, kind);
  const fund = (ownerId: string, amount: number) => fundWallet(admin, ownerId, amount);
  let agencyId = '';
  async function pair(name: string, funds: number) {
    if (!agencyId) agencyId = (await admin.post('/api/console/creators/agencies', { name: 'Call Agency' })).json().id;
    const streamer = await newMember(t, admin, `${name} Streamer`);
    assert.equal((await admin.post('/api/console/creators/streamers', { personId: streamer.id, agencyId })).statusCode, 201);
    const caller = await newMember(t, admin, `${name} Caller`);
    if (funds) assert.equal((await fund(caller.id, funds)).statusCode, 201);
    return { streamer, caller };
  }
  /** Moves the frozen clock on a second at a time and runs the scheduler as its loop would. */
  async function elapse(seconds: number) {
    for (let s = 0; s < seconds; s++) {
      frozen += 1000;
      await runDue(t.app.kernel);
    }
  }
  async function connect(name: string, funds: number) {
    const { streamer, caller } = await pair(name, funds);
    const made = await caller.call('POST', '/api/client/calls', { streamerId: streamer.id });
    assert.equal(made.statusCode, 201, made.body);
    const id = made.json().id as string;
    assert.equal((await streamer.call('POST', `/api/client/calls/${id}/accept`)).json().state, 'accepted');
    await caller.call('POST', `/api/client/calls/${id}/joined`);
    const up = await streamer.call('POST', `/api/client/calls/${id}/joined`);
    assert.equal(up.json().state, 'connected');
    return { id, streamer, caller };
  }
  /** Both apps keep beating (as `call.beat` over their sockets records): the heartbeat check has a test of its own. */
  const keepBeating = (id: string) =>
    t.app.kernel.db.execute(sql`UPDATE calls SET caller_beat_at = now() + interval '1 day', streamer_beat_at = now() + interval '1 day' WHERE id = ${id}`);

  it("bills the seed's table by the server clock: 121 s cost 189 and earned 90, each point once", async () => {
    const { id, streamer, caller } = await connect('Table', 1000);
    await keepBeating(id);
    await elapse(121);
    const hung = await caller.call('POST', `/api/client/calls/${id}/hangup`);
    assert.equal(hung.json().state, 'ended');
    assert.equal(hung.json().endReason, 'hangup_caller');
    assert.equal(hung.json().cost, 189);
    assert.equal(hung.json().earned, 90);
    assert.equal(await coins('person', caller.id, 'wallet'), 1000 - 189);
    assert.equal(await coins('person', streamer.id, 'earnings'), 90);
    assert.equal(await coins('organization', agencyId, 'earnings'), 18);
    const detail = (await admin.get(`/api/console/calls/${id}`)).json();
    assert.deepEqual(
      detail.points.map((p: { atSecond: number; caller: number; streamer: number }) => [p.atSecond, p.caller, p.streamer]),
      [
        [0, 9, 0],
        [20, 60, 30],
        [60, 60, 30],
        [120, 60, 30],
      ],
    );
    // Running the scheduler again (a retry, another process) bills nothing more.
    await runDue(t.app.kernel);
    assert.equal(await coins('person', caller.id, 'wallet'), 1000 - 189);
    // The pair's interaction record counts the call, and a message between them.
    const conversationId = (await caller.call('POST', '/api/client/chats', { kind: 'creators.direct', personId: streamer.id })).json().id as string;
    await caller.call('POST', `/api/client/chats/${conversationId}/messages`, { clientId: 'hello-1', text: 'Thanks for the call' });
    // The subscriber keeps the record after the commit: wait for it to have seen the message.
    const record = async () => (await admin.get(`/api/console/people/${caller.id}/interactions`)).json()[0];
    await waitFor(async () => (await record())?.messages === 1, 10_000);
    const pairRecord = await record();
    assert.deepEqual(
      { who: pairRecord.counterpart.id, calls: pairRecord.calls, seconds: pairRecord.callSeconds, coins: pairRecord.callCoins, messages: pairRecord.messages },
      { who: streamer.id, calls: 1, seconds: 121, coins: 189, messages: 1 },
    );
    // Profile views count each way, once per viewer within ten minutes.
    for (let i = 0; i < 2; i++) assert.equal((await caller.call('GET', `/api/client/creators/members/${streamer.id}`)).statusCode, 200);
    const viewed = await record();
    assert.deepEqual([viewed.viewsOfThem, viewed.viewsByThem], [1, 0]);
    // Ten minutes on (their last view moved back rather than the clock of everything else running here).
    await t.app.kernel.db.execute(
      sql`UPDATE creator_interactions SET last_view_by_a = last_view_by_a - interval '11 minutes', last_view_by_b = last_view_by_b - interval '11 minutes'`,
    );
    await caller.call('GET', `/api/client/creators/members/${streamer.id}`);
    const fromStreamer = (await admin.get(`/api/console/people/${streamer.id}/interactions`)).json()[0];
    assert.deepEqual([fromStreamer.counterpart.id, fromStreamer.viewsOfThem, fromStreamer.viewsByThem], [caller.id, 0, 2]);
  });

  it('ends at the point the wallet cannot cover, charging nothing more, with a warning ahead of it', async () => {
    const { id, caller } = await connect('Poor', 80);
    await keepBeating(id);
    // 69 paid by 20 s leaves 11, short of the 60 due at 1 min: the warning is due 30 s ahead of it.
    await elapse(29);
    const warned = async () =>
      (await queryRows<{ at: Date | null }>(t.app.kernel.db, sql`SELECT low_balance_warned_at AS at FROM calls WHERE id = ${id}`))[0]!.at;
    assert.equal(await warned(), null);
    await elapse(1);
    assert.notEqual(await warned(), null);
    await elapse(29);
    let call = (await admin.get(`/api/console/calls/${id}`)).json();
    assert.equal(call.state, 'connected');
    assert.equal(call.cost, 69);
    await elapse(1);
    call = (await admin.get(`/api/console/calls/${id}`)).json();
    assert.equal(call.state, 'ended');
    assert.equal(call.endReason, 'insufficient_funds');
    assert.equal(call.cost, 69);
    assert.equal(await coins('person', caller.id, 'wallet'), 11, 'the wallet never went below what it held');
  });

  it('refuses illegal steps with 409 and someone else’s call with 404', async () => {
    const { streamer, caller } = await pair('Rules', 100);
    const id = (await caller.call('POST', '/api/client/calls', { streamerId: streamer.id })).json().id as string;
    assert.equal((await caller.call('POST', `/api/client/calls/${id}/accept`)).statusCode, 403, 'the caller cannot answer');
    assert.equal((await caller.call('POST', '/api/client/calls', { streamerId: streamer.id })).statusCode, 409, 'busy');
    assert.equal((await streamer.call('POST', `/api/client/calls/${id}/decline`)).json().state, 'declined');
    const again = await streamer.call('POST', `/api/client/calls/${id}/accept`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'call_state');
    const stranger = await newMember(t, admin, 'Stranger');
    assert.equal((await stranger.call('GET', `/api/client/calls/${id}`)).statusCode, 404);
    const broke = await pair('Broke', 0);
    const refused = await broke.caller.call('POST', '/api/client/calls', { streamerId: broke.streamer.id });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'insufficient_funds');
  });

  it('a ringing call is missed after the ring timeout; lost heartbeats end a call; a block ends it at once', async () => {
    const ring = await pair('Ring', 100);
    const id = (await ring.caller.call('POST', '/api/client/calls', { streamerId: ring.streamer.id })).json().id as string;
    await elapse(29);
    assert.equal((await admin.get(`/api/console/calls/${id}`)).json().state, 'requested');
    await elapse(1);
    assert.equal((await admin.get(`/api/console/calls/${id}`)).json().state, 'missed');

    const lost = await connect('Lost', 500);
    await elapse(21);
    const ended = (await admin.get(`/api/console/calls/${lost.id}`)).json();
    assert.equal(ended.state, 'ended');
    assert.equal(ended.endReason, 'heartbeat_lost');

    const moderated = await connect('Moderated', 500);
    const stop = await admin.post(`/api/console/calls/${moderated.id}/end`);
    assert.equal(stop.json().endReason, 'moderator');
    // The pair's conversation holds the calls' records.
    const chats = (await moderated.caller.call('GET', '/api/client/chats')).json().items;
    assert.equal(chats[0].lastMessage.kind, 'call');
    assert.equal(chats[0].lastMessage.data.outcome, 'moderator');
  });
});

describe('calls: a block ends the call (subscriber)', () => {
  let t: TestApp;
  let admin: Session;
  before(async () => {
    t = await createTestApp({ workers: true });
    admin = await signIn(t.app);
    await admin.post('/api/console/creators/tariffs/direct', DEMO_TARIFFS.direct);
  });
  after(() => t.close());

  it('ends the pair’s call when one blocks the other', async () => {
    const streamer = await newMember(t, admin, 'Blocking Streamer');
    await admin.post('/api/console/creators/streamers', { personId: streamer.id });
    const caller = await newMember(t, admin, 'Blocked Caller');
    await fundWallet(admin, caller.id, 500);
    const id = (await caller.call('POST', '/api/client/calls', { streamerId: streamer.id })).json().id as string;
    await streamer.call('POST', `/api/client/calls/${id}/accept`);
    const blocked = await streamer.call('PUT', `/api/client/creators/blocks/${caller.id}`, { reason: 'harassment' });
    assert.ok(blocked.statusCode < 300, blocked.body);
    await waitFor(async () => (await admin.get(`/api/console/calls/${id}`)).json().state === 'ended', 8000);
    assert.equal((await admin.get(`/api/console/calls/${id}`)).json().endReason, 'blocked');
  });

  it("leaves the ledger sound after all of it (the ledger's own check)", async () => {
    const check = (await admin.get('/api/console/ledger/check')).json();
    assert.equal(check.ok, true, JSON.stringify(check));
  });
});
