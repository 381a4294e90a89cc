import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, fundWallet, listen, multipart, newMember, signIn, waitFor, type Session, type TestApp } from '../../../../test/helpers.ts';
import { connectClient, type SocketClient } from '../../../../test/ws-client.ts';
import { DEMO_TARIFFS } from '../../creators/tariffs/defaults.ts';
import { matchWaiting } from './service.ts';

type Member = Awaited<ReturnType<typeof newMember>>;

describe('calls: roulette matches online, unblocked, not lately matched pairs; prerecorded videos when nobody is free', () => {
  let t: TestApp;
  let admin: Session;
  let wsBase: string;
  const sockets: SocketClient[] = [];

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    wsBase = (await listen(t.app)).replace('http://', 'ws://');
    for (const kind of ['roulette', 'prerecorded'] as const)
      assert.equal((await admin.post(`/api/console/creators/tariffs/${kind}`, DEMO_TARIFFS[kind])).statusCode, 201);
    // Videos only where a test says so: the other tests see who waits.
    assert.equal((await admin.request({ method: 'PUT', url: '/api/console/settings/calls.roulette_prerecorded', payload: { value: false } })).statusCode, 200);
  });
  after(async () => {
    for (const s of sockets) s.socket.close();
    await t.close();
  });

  /** A member with the app open (a socket: online) and, for a user, coins. */
  async function online(name: string, role: 'user' | 'streamer'): Promise<Member & { socket: SocketClient }> {
    const member = await newMember(t, admin, name);
    if (role === 'streamer') assert.equal((await admin.post('/api/console/creators/streamers', { personId: member.id })).statusCode, 201);
    else assert.equal((await fundWallet(admin, member.id, 1000)).statusCode, 201);
    const socket = await connectClient(wsBase, member.token);
    sockets.push(socket);
    return { ...member, socket };
  }
  const enter = async (m: Member) => {
    const response = await m.call('POST', '/api/client/calls/roulette/enter');
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };
  const setting = (key: string, value: unknown) => admin.request({ method: 'PUT', url: `/api/console/settings/${key}`, payload: { value } });

  it('a waiting user is matched with the streamer who enters; the call is answered already and leaves a chat record', async () => {
    const user = await online('Roulette Ulla', 'user');
    const streamer = await online('Roulette Stan', 'streamer');
    assert.deepEqual(await enter(user), { state: 'waiting', call: null, video: null });
    assert.deepEqual((await admin.get('/api/console/calls/roulette')).json(), { waitingUsers: 1, streamers: 0, freeStreamers: 0 });
    assert.equal((await user.call('GET', '/api/client/calls/roulette')).json().inPool, true);
    const matched = await enter(streamer);
    assert.equal(matched.state, 'matched');
    assert.equal(matched.call.kind, 'roulette');
    assert.equal(matched.call.state, 'accepted', 'nobody rings in roulette');
    assert.deepEqual([matched.call.caller.id, matched.call.streamer.id], [user.id, streamer.id]);
    const pushed = await user.socket.next('call.state');
    assert.equal((pushed.call as { id: string }).id, matched.call.id);
    assert.equal((await user.call('GET', '/api/client/calls/roulette')).json().inPool, false, 'a matched user leaves the pool');
    assert.equal((await streamer.call('GET', '/api/client/calls/roulette')).json().inPool, true, 'the streamer stays for the next user');
    assert.deepEqual((await admin.get('/api/console/calls/roulette')).json(), { waitingUsers: 0, streamers: 1, freeStreamers: 0 });

    await user.call('POST', `/api/client/calls/${matched.call.id}/joined`);
    assert.equal((await streamer.call('POST', `/api/client/calls/${matched.call.id}/joined`)).json().state, 'connected');
    const ended = (await user.call('POST', `/api/client/calls/${matched.call.id}/hangup`)).json();
    assert.equal(ended.endReason, 'hangup_caller');
    assert.equal(ended.cost, 9, "the roulette tariff's connect");
    const messages = (await user.call('GET', `/api/client/chats/${ended.conversationId}/messages`)).json().items;
    assert.ok(
      messages.some((m: { kind: string; data: { callId: string } }) => m.kind === 'call' && m.data.callId === matched.call.id),
      'the roulette call is recorded in the pair’s conversation',
    );
    await streamer.call('POST', '/api/client/calls/roulette/leave');
  });

  it('never pairs people blocked either way, nor a pair matched within the rematch hours; next skips to someone else', async () => {
    const user = await online('Roulette Vera', 'user');
    const blocked = await online('Roulette Blocked', 'streamer');
    const first = await online('Roulette First', 'streamer');
    assert.equal((await blocked.call('PUT', `/api/client/creators/blocks/${user.id}`, { reason: 'harassment' })).statusCode, 204);
    assert.equal((await enter(blocked)).state, 'waiting');
    assert.equal((await enter(first)).state, 'waiting');
    const one = await enter(user);
    assert.equal(one.call.streamer.id, first.id, 'the blocked streamer waited longer but is never matched');

    const second = await online('Roulette Second', 'streamer');
    assert.equal((await enter(second)).state, 'waiting');
    const skipped = await user.call('POST', '/api/client/calls/roulette/next');
    assert.equal(skipped.statusCode, 200, skipped.body);
    assert.equal(skipped.json().call.streamer.id, second.id, 'next: someone else');
    assert.equal((await user.call('GET', `/api/client/calls/${one.call.id}`)).json().state, 'ended', 'next hung the first call up');

    // Both streamers are free again, but the user met both within the hours: nobody fits.
    await user.call('POST', `/api/client/calls/${skipped.json().call.id}/hangup`);
    assert.equal((await enter(user)).state, 'waiting');
    assert.equal(await matchWaiting(t.app.kernel), 0, 'the scheduler pass does not rematch them either');
    assert.equal((await setting('calls.roulette_rematch_hours', 0)).statusCode, 200);
    assert.equal(await matchWaiting(t.app.kernel), 1, 'with no pause, the next pass matches them again');
    const mine = (await user.call('GET', '/api/client/calls?limit=1')).json().items[0];
    assert.ok([first.id, second.id].includes(mine.streamer.id));
    assert.notEqual(mine.streamer.id, blocked.id);
    await user.call('POST', `/api/client/calls/${mine.id}/hangup`);
    assert.equal((await setting('calls.roulette_rematch_hours', 24)).statusCode, 200);
    for (const s of [blocked, first, second]) await s.call('POST', '/api/client/calls/roulette/leave');
  });

  it('matches one user per streamer when several enter at once', async () => {
    const streamer = await online('Roulette Busy', 'streamer');
    assert.equal((await enter(streamer)).state, 'waiting');
    const users = await Promise.all([1, 2, 3, 4].map((n) => online(`Roulette Crowd ${n}`, 'user')));
    const outcomes = await Promise.all(users.map((u) => enter(u)));
    assert.equal(outcomes.filter((o) => o.state === 'matched').length, 1, outcomes.map((o) => o.state).join());
    const matched = outcomes.find((o) => o.state === 'matched')!;
    const streamerCalls = (await streamer.call('GET', '/api/client/calls')).json().items.filter((c: { state: string }) => c.state === 'accepted');
    assert.equal(streamerCalls.length, 1);
    // The waiting ones are taken by the scheduler's pass once the streamer is free again.
    const matchedUser = users.find((u) => u.id === matched.call.caller.id)!;
    await matchedUser.call('POST', `/api/client/calls/${matched.call.id}/hangup`);
    assert.equal(await matchWaiting(t.app.kernel), 1);
    for (const u of users) await u.call('POST', '/api/client/calls/roulette/leave');
    await streamer.call('POST', '/api/client/calls/roulette/leave');
    for (const u of users) {
      const open = (await u.call('GET', '/api/client/calls')).json().items.find((c: { state: string }) => c.state === 'accepted');
      if (open) await u.call('POST', `/api/client/calls/${open.id}/hangup`);
    }
  });

  it('refuses a user who cannot pay the connect, and a member already in a call', async () => {
    const poor = await newMember(t, admin, 'Roulette Poor');
    const refused = await poor.call('POST', '/api/client/calls/roulette/enter');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'insufficient_funds');

    const streamer = await online('Roulette Taken', 'streamer');
    const user = await online('Roulette Twice', 'user');
    await enter(streamer);
    const call = (await enter(user)).call;
    const again = await user.call('POST', '/api/client/calls/roulette/enter');
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'busy');
    await user.call('POST', `/api/client/calls/${call.id}/hangup`);
    await streamer.call('POST', '/api/client/calls/roulette/leave');
  });

  it('shows an approved prerecorded video when no streamer is free, billed by the prerecorded tariff', async () => {
    assert.equal((await setting('calls.roulette_prerecorded', true)).statusCode, 200);
    const author = await online('Roulette Recorded', 'streamer');
    // A video's first bytes (an MP4 `ftyp` box): enough for the files module to take it as a video.
    const clip = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
    const uploaded = await author.call('POST', '/api/client/files?kind=video', multipart(clip, 'hello.mp4', 'video/mp4').payload, multipart(clip).headers);
    assert.equal(uploaded.statusCode, 201, uploaded.body);
    const fileId = uploaded.json().id as string;
    assert.equal((await author.call('POST', '/api/client/creators/videos', { fileId })).statusCode, 204);
    assert.equal((await author.call('GET', '/api/client/creators/videos')).json()[0].review, 'pending');

    const viewer = await online('Roulette Viewer', 'user');
    assert.equal((await enter(viewer)).state, 'waiting', 'a video waiting for review does not play');
    await viewer.call('POST', '/api/client/calls/roulette/leave');
    const approved = await admin.post(`/api/console/files/${fileId}/review`, { decision: 'approved' });
    assert.equal(approved.statusCode, 200, approved.body);

    const watched = await enter(viewer);
    assert.equal(watched.state, 'matched');
    assert.equal(watched.call.kind, 'prerecorded');
    assert.equal(watched.call.state, 'connected');
    assert.equal(watched.call.streamer.id, author.id);
    assert.equal(watched.call.cost, 5, "the prerecorded tariff's connect");
    assert.equal(watched.video.fileId, fileId);
    assert.ok(watched.video.urls.original);
    assert.equal((await viewer.call('GET', `/api/client/calls/${watched.call.id}/credentials`)).statusCode, 409, 'a video has no channel');
    assert.equal((await author.call('POST', `/api/client/calls/${watched.call.id}/hangup`)).statusCode, 404, 'the streamer is not in it');

    // The streamer is not in that call: live roulette still reaches them while the video plays.
    assert.equal((await enter(author)).state, 'waiting');
    const live = await online('Roulette Live', 'user');
    const liveCall = await enter(live);
    assert.equal(liveCall.call?.kind, 'roulette');
    assert.equal(liveCall.call.streamer.id, author.id);
    await live.call('POST', `/api/client/calls/${liveCall.call.id}/hangup`);
    await author.call('POST', '/api/client/calls/roulette/leave');
    const ended = (await viewer.call('POST', `/api/client/calls/${watched.call.id}/hangup`)).json();
    assert.equal(ended.conversationId, null, 'a video leaves no chat record');

    assert.equal((await author.call('DELETE', `/api/client/creators/videos/${fileId}`)).statusCode, 204);
    assert.equal((await admin.get(`/api/console/creators/people/${author.id}/videos`)).json().length, 0);
  });

  it('takes a member who goes offline out of the pool', async () => {
    const user = await online('Roulette Leaver', 'user');
    assert.equal((await enter(user)).state, 'waiting');
    user.socket.socket.close();
    await waitFor(async () => !(await user.call('GET', '/api/client/calls/roulette')).json().inPool);
    // One whose presence never said so (no socket at all here, as after a dead process) leaves at the next pass.
    const absent = await newMember(t, admin, 'Roulette Absent');
    assert.equal((await fundWallet(admin, absent.id, 100)).statusCode, 201);
    assert.equal((await enter(absent)).state, 'waiting');
    const streamer = await online('Roulette Sweeper', 'streamer');
    assert.equal((await enter(streamer)).state, 'waiting', 'an offline user is never matched');
    await matchWaiting(t.app.kernel);
    assert.equal((await absent.call('GET', '/api/client/calls/roulette')).json().inPool, false);
    await streamer.call('POST', '/api/client/calls/roulette/leave');
  });

  it("refuses another member's video, and a video from someone who is not a streamer", async () => {
    const streamer = await online('Roulette Picky', 'streamer');
    const other = await online('Roulette Other', 'user');
    const clip = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
    const file = (await other.call('POST', '/api/client/files?kind=video', multipart(clip, 'a.mp4', 'video/mp4').payload, multipart(clip).headers)).json();
    const notMine = await streamer.call('POST', '/api/client/creators/videos', { fileId: file.id });
    assert.equal(notMine.statusCode, 400);
    assert.equal(notMine.json().errors[0].field, 'body.fileId');
    assert.equal((await other.call('POST', '/api/client/creators/videos', { fileId: file.id })).statusCode, 403, 'only streamers');
  });

  it("leaves the ledger sound after all of it (the ledger's own check)", async () => {
    const check = (await admin.get('/api/console/ledger/check')).json();
    assert.equal(check.ok, true, JSON.stringify(check));
  });
});
