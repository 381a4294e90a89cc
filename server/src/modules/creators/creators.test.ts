import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { coinBalance, createTestApp, fundWallet, multipart, newMember, signIn, useTestApp, type Session, type TestApp } from '../../../test/helpers.ts';

describe('creators: agencies, streamers, app users', () => {
  let t: TestApp;
  let admin: Session;
  let starlight: string;
  let nova: string;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    starlight = (await admin.post('/api/console/creators/agencies', { name: 'Starlight Agency', details: { country: 'CY' } })).json().id;
    nova = (await admin.post('/api/console/creators/agencies', { name: 'Nova Talent' })).json().id;
  });
  after(() => t.close());

  const person = async (displayName: string, extra: object = {}) => (await admin.post('/api/console/people', { displayName, ...extra })).json().id as string;
  const credit = (ownerType: string, ownerId: string, kind: string, amount: number) =>
    admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType, ownerId, kind, currency: 'COIN', amount, reason: 'test earnings' },
      headers: { 'idempotency-key': randomUUID() },
    });
  const timelineTypes = async (id: string) => (await admin.get(`/api/console/people/${id}/timeline`)).json().items.map((e: { type: string }) => e.type);

  it('makes a person a streamer of one agency at a time, keeping the history of agencies', async () => {
    const stella = await person('Stella Stream');
    const made = await admin.post('/api/console/creators/streamers', { personId: stella, agencyId: starlight });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json().agencyId, starlight);
    assert.equal((await admin.post('/api/console/creators/streamers', { personId: stella })).statusCode, 409, 'already a streamer');

    const moved = await admin.request({ method: 'PUT', url: `/api/console/creators/streamers/${stella}/agency`, payload: { agencyId: nova } });
    assert.equal(moved.statusCode, 200, moved.body);
    const history = (await admin.get(`/api/console/creators/streamers/${stella}/agencies`)).json();
    assert.deepEqual(
      history.map((h: { agencyName: string; leftAt: string | null }) => [h.agencyName, h.leftAt === null]),
      [
        ['Nova Talent', true],
        ['Starlight Agency', false],
      ],
    );
    const left = await admin.request({ method: 'PUT', url: `/api/console/creators/streamers/${stella}/agency`, payload: { agencyId: null } });
    assert.equal(left.json().agencyId, null);
    assert.ok((await admin.get(`/api/console/creators/streamers/${stella}/agencies`)).json().every((h: { leftAt: string | null }) => h.leftAt !== null));
    const types = await timelineTypes(stella);
    assert.ok(types.includes('creators.streamer_registered') && types.includes('creators.streamer_agency_changed'));
  });

  it('refuses an agency that is not one, naming the field', async () => {
    const broker = (await admin.post('/api/console/organizations', { name: 'Harbor Brokers', kind: 'broker' })).json().id;
    const sam = await person('Sam');
    const refused = await admin.post('/api/console/creators/streamers', { personId: sam, agencyId: broker });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().errors[0].field, 'body.agencyId');
    assert.equal((await admin.post('/api/console/creators/streamers', { personId: randomUUID() })).statusCode, 404);
  });

  it('lists streamers by agency and status with presence and earnings, and agencies with their counts and earnings', async () => {
    const ids = [];
    for (const name of ['Alba', 'Bea', 'Cleo']) {
      const id = await person(`${name} Starlight`);
      await admin.post('/api/console/creators/streamers', { personId: id, agencyId: starlight });
      ids.push(id);
    }
    assert.equal((await credit('person', ids[0]!, 'earnings', 1500)).statusCode, 201);
    assert.equal((await credit('organization', starlight, 'earnings', 700)).statusCode, 201);
    const suspended = await admin.post(`/api/console/creators/streamers/${ids[2]}/suspend`, { reason: 'Nudity reported by users' });
    assert.equal(suspended.json().status, 'suspended');
    assert.equal((await admin.post(`/api/console/creators/streamers/${ids[2]}/suspend`, { reason: 'again' })).statusCode, 409);

    const list = (await admin.get(`/api/console/creators/streamers?agencyId=${starlight}&limit=50`)).json().items;
    assert.deepEqual(
      list.map((s: { displayName: string }) => s.displayName),
      ['Alba Starlight', 'Bea Starlight', 'Cleo Starlight'],
    );
    assert.deepEqual([list[0].agencyName, list[0].earnings, list[0].online, list[0].lastSeenAt], ['Starlight Agency', 1500, false, null]);
    const active = (await admin.get(`/api/console/creators/streamers?agencyId=${starlight}&status=suspended`)).json().items;
    assert.deepEqual(
      active.map((s: { id: string }) => s.id),
      [ids[2]],
    );
    const found = (await admin.get(`/api/console/creators/streamers?q=bea`)).json().items;
    assert.deepEqual(
      found.map((s: { id: string }) => s.id),
      [ids[1]],
    );
    assert.equal((await admin.post(`/api/console/creators/streamers/${ids[2]}/reinstate`)).json().status, 'active');

    const agencies = (await admin.get('/api/console/creators/agencies')).json().items;
    const star = agencies.find((a: { id: string }) => a.id === starlight);
    assert.deepEqual([star.streamers, star.earnings], [3, 700]);
    const byId = (await admin.get(`/api/console/creators/agencies?q=${nova}`)).json().items;
    assert.deepEqual(
      byId.map((a: { name: string }) => a.name),
      ['Nova Talent'],
      'found by exact id',
    );
  });

  it('signs a member up as an app user once, appending user.signed_up once; the users list finds them by email', async () => {
    const uma = await person('Uma User', { contacts: [{ kind: 'email', value: 'uma@example.org' }] });
    const token = (await admin.post(`/api/console/people/${uma}/member-token`)).json().token;
    const signUp = () =>
      t.app.inject({ method: 'POST', url: '/api/client/creators/sign-up', headers: { authorization: `Bearer ${token}` }, payload: { platform: 'ios' } });
    const first = await signUp();
    assert.equal(first.statusCode, 201, first.body);
    const again = await signUp();
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().signedUpAt, first.json().signedUpAt);
    assert.equal((await timelineTypes(uma)).filter((type: string) => type === 'user.signed_up').length, 1);

    assert.equal((await credit('person', uma, 'wallet', 300)).statusCode, 201);
    const users = (await admin.get('/api/console/creators/users?q=uma@example.org')).json().items;
    assert.deepEqual(
      users.map((u: { id: string; platform: string; coins: number }) => [u.id, u.platform, u.coins]),
      [[uma, 'ios', 300]],
    );
    const streamerOnly = (await admin.get('/api/console/creators/users?q=Alba')).json().items;
    assert.equal(streamerOnly.length, 0, 'streamers who never signed up as users are not app users');
  });
});

describe('creators: favorites, blocklist and penalty rules', () => {
  const ctx = useTestApp();

  /** A member signed up as an app user, or made a streamer. */
  async function member(displayName: string, role: 'user' | 'streamer' = 'user') {
    const created = await newMember(ctx.t, ctx.admin, displayName);
    if (role === 'user') await created.call('POST', '/api/client/creators/sign-up', {});
    else await ctx.admin.post('/api/console/creators/streamers', { personId: created.id });
    return created;
  }

  it('keeps favorites and followers both ways, with counts', async () => {
    const ann = await member('Ann Fan');
    const star = await member('Star One', 'streamer');
    assert.equal((await ann.call('PUT', `/api/client/creators/favorites/${star.id}`)).statusCode, 204);
    assert.equal((await ann.call('PUT', `/api/client/creators/favorites/${star.id}`)).statusCode, 204, 'adding twice is harmless');
    assert.equal((await ann.call('PUT', `/api/client/creators/favorites/${ann.id}`)).statusCode, 400, 'not oneself');
    const mine = (await ann.call('GET', '/api/client/creators/favorites')).json().items;
    assert.deepEqual(
      mine.map((f: { displayName: string }) => f.displayName),
      ['Star One'],
    );
    const followers = (await star.call('GET', '/api/client/creators/favorites?direction=followers')).json().items;
    assert.deepEqual(
      followers.map((f: { personId: string }) => f.personId),
      [ann.id],
    );
    assert.deepEqual((await star.call('GET', '/api/client/creators/favorites/counts')).json(), { favorites: 0, followers: 1 });
    assert.equal((await ann.call('DELETE', `/api/client/creators/favorites/${star.id}`)).statusCode, 204);
    assert.equal((await ann.call('DELETE', `/api/client/creators/favorites/${star.id}`)).statusCode, 404);
  });

  it('makes a blocked person disappear both ways at once, and staff see both directions with reasons', async () => {
    const bo = await member('Bo Blocker');
    const star = await member('Star Two', 'streamer');
    await bo.call('PUT', `/api/client/creators/favorites/${star.id}`);
    await star.call('PUT', `/api/client/creators/favorites/${bo.id}`);
    const blocked = await bo.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'harassment', note: 'rude in chat' });
    assert.equal(blocked.statusCode, 204, blocked.body);
    assert.equal((await bo.call('GET', '/api/client/creators/favorites')).json().items.length, 0);
    assert.equal((await star.call('GET', '/api/client/creators/favorites?direction=followers')).json().items.length, 0);
    assert.equal((await star.call('PUT', `/api/client/creators/favorites/${bo.id}`)).statusCode, 404, 'the blocker is not there for the blocked');
    assert.equal((await bo.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'insults' })).statusCode, 400, 'reasons come from the list');

    const byStaff = (await ctx.admin.get(`/api/console/creators/people/${star.id}/blocks?direction=blocked_by`)).json().items;
    assert.deepEqual(
      byStaff.map((b: { personId: string; reason: string; note: string }) => [b.personId, b.reason, b.note]),
      [[bo.id, 'harassment', 'rude in chat']],
    );
    assert.deepEqual(
      (await bo.call('GET', '/api/client/creators/blocks')).json().items.map((b: { personId: string }) => b.personId),
      [star.id],
    );
    assert.equal((await bo.call('DELETE', `/api/client/creators/blocks/${star.id}`)).statusCode, 204);
    assert.equal((await star.call('PUT', `/api/client/creators/favorites/${bo.id}`)).statusCode, 204, 'visible again');
  });

  it('suspends a streamer blocked for nudity by N distinct users within D days, exactly once, and raises a moderation item', async () => {
    const rule = await ctx.admin.post('/api/console/creators/penalty-rules', {
      reason: 'nudity',
      targetRole: 'streamer',
      blockerRole: 'user',
      threshold: 3,
      windowDays: 7,
      action: 'suspend_streamer',
    });
    assert.equal(rule.statusCode, 201, rule.body);
    const star = await member('Star Three', 'streamer');
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await member(`Viewer ${i}`));
    const otherStar = await member('Star Rival', 'streamer');
    await otherStar.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'nudity' });
    await users[0]!.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'nudity' });
    await users[0]!.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'nudity' });
    await users[1]!.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'spam' });
    const status = async () => (await ctx.admin.get(`/api/console/creators/streamers?q=${encodeURIComponent('Star Three')}`)).json().items[0].status;
    assert.equal(await status(), 'active', 'a streamer blocking, the same user twice and another reason do not count');

    await Promise.all(users.slice(1).map((u) => u.call('PUT', `/api/client/creators/blocks/${star.id}`, { reason: 'nudity' })));
    assert.equal(await status(), 'suspended');
    const applied = (await ctx.admin.get(`/api/console/people/${star.id}/timeline`))
      .json()
      .items.filter((e: { type: string }) => e.type === 'creators.penalty_applied');
    assert.equal(applied.length, 1, 'the rule fired exactly once');
    const kinds = (await ctx.admin.get('/api/console/moderation/kinds')).json();
    assert.equal(kinds.find((k: { kind: string }) => k.kind === 'penalty').pending, 1);

    // A moderator lifts it: the streamer is reinstated, and the rule may fire again later.
    const claimed = (await ctx.admin.post('/api/console/moderation/penalty/claim', { limit: 5 })).json();
    assert.equal(claimed[0].preview.blockers, 3, 'it fired as the third distinct user blocked');
    const decided = await ctx.admin.post(`/api/console/moderation/items/${claimed[0].id}/decision`, {
      decision: 'rejected',
      reason: 'Photos were within the rules',
    });
    assert.equal(decided.statusCode, 200, decided.body);
    assert.equal(await status(), 'active');
  });

  it('blocks a user blocked for harassment by N streamers, with the configured block reason', async () => {
    await ctx.admin.post('/api/console/creators/penalty-rules', {
      reason: 'harassment',
      targetRole: 'user',
      blockerRole: 'streamer',
      threshold: 2,
      windowDays: 30,
      action: 'block_person',
      blockReason: 'abuse',
    });
    const troll = await member('Troll User');
    const a = await member('Star A', 'streamer');
    const b = await member('Star B', 'streamer');
    await a.call('PUT', `/api/client/creators/blocks/${troll.id}`, { reason: 'harassment' });
    await b.call('PUT', `/api/client/creators/blocks/${troll.id}`, { reason: 'harassment' });
    const person = (await ctx.admin.get(`/api/console/people/${troll.id}`)).json();
    assert.equal(person.status, 'blocked');
    assert.equal(person.block.reason, 'abuse');
    assert.equal((await troll.call('GET', '/api/client/creators/blocks')).statusCode, 403, 'a blocked person is refused on their next request');
  });

  it('refuses a rule that cannot work, naming the field', async () => {
    const suspendUser = await ctx.admin.post('/api/console/creators/penalty-rules', {
      reason: 'spam',
      targetRole: 'user',
      blockerRole: 'anyone',
      threshold: 2,
      windowDays: 1,
      action: 'suspend_streamer',
    });
    assert.equal(suspendUser.statusCode, 400);
    assert.equal(suspendUser.json().errors[0].field, 'body.action');
    const noReason = await ctx.admin.post('/api/console/creators/penalty-rules', {
      reason: 'spam',
      targetRole: 'user',
      blockerRole: 'anyone',
      threshold: 2,
      windowDays: 1,
      action: 'block_person',
    });
    assert.equal(noReason.json().errors[0].field, 'body.blockReason');
  });
});

describe('creators: gifts', () => {
  let t: TestApp;
  let admin: Session;
  let agency: string;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    agency = (await admin.post('/api/console/creators/agencies', { name: 'Gift Agency' })).json().id;
  });
  after(() => t.close());

  const member = (displayName: string) => newMember(t, admin, displayName);
  const coins = (ownerType: string, ownerId: string | null, kind: string) => coinBalance(admin, ownerType, ownerId, kind);
  const fund = (ownerId: string, amount: number) => fundWallet(admin, ownerId, amount);

  it('keeps a catalog whose shares cannot exceed the price', async () => {
    const refused = await admin.post('/api/console/creators/gifts', { name: 'Too generous', price: 10, streamerShareBp: 8000, agencyShareBp: 3000 });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().errors[0].field, 'body.agencyShareBp');
  });

  it('shows each gift with its picture, which must be a catalog image', async () => {
    const png = await sharp({ create: { width: 128, height: 128, channels: 4, background: '#e33' } })
      .png()
      .toBuffer();
    const image = await admin.request({ method: 'POST', url: '/api/console/platform/files?kind=catalog', ...multipart(png, 'rose.png', 'image/png') });
    assert.equal(image.statusCode, 201, image.body);
    const gift = await admin.post('/api/console/creators/gifts', {
      name: 'Pictured Rose',
      price: 5,
      streamerShareBp: 5000,
      agencyShareBp: 0,
      imageFileId: image.json().id,
    });
    assert.equal(gift.statusCode, 201, gift.body);
    assert.equal((await t.app.inject({ method: 'GET', url: gift.json().imageUrl })).statusCode, 200, 'the picture is served');
    const fan = await member('Picture Fan');
    const offered = (await fan.call('GET', '/api/client/creators/gifts')).json().find((g: { id: string }) => g.id === gift.json().id);
    assert.ok(offered.imageUrl, 'the app gets the picture too');

    const selfie = await fan.call(
      'POST',
      '/api/client/files?kind=catalog',
      multipart(png, 'x.png', 'image/png').payload,
      multipart(png, 'x.png', 'image/png').headers,
    );
    assert.equal(selfie.statusCode, 400, 'members cannot upload catalog images');
    assert.equal(selfie.json().errors[0].field, 'query.kind');
    const photo = await fan.call(
      'POST',
      '/api/client/files?kind=photo',
      multipart(png, 'me.png', 'image/png').payload,
      multipart(png, 'me.png', 'image/png').headers,
    );
    const wrong = await admin.request({ method: 'PATCH', url: `/api/console/creators/gifts/${gift.json().id}`, payload: { imageFileId: photo.json().id } });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().errors[0].field, 'body.imageFileId');
    const cleared = await admin.request({ method: 'PATCH', url: `/api/console/creators/gifts/${gift.json().id}`, payload: { imageFileId: null } });
    assert.equal(cleared.json().imageUrl, null);
  });

  it('splits a gift exactly into streamer, agency and platform shares in one batch, once per key', async () => {
    const rose = (await admin.post('/api/console/creators/gifts', { name: 'Rose', price: 99, streamerShareBp: 5000, agencyShareBp: 2000 })).json();
    const star = await member('Gifted Star');
    await admin.post('/api/console/creators/streamers', { personId: star.id, agencyId: agency });
    const fan = await member('Generous Fan');
    assert.equal((await fund(fan.id, 250)).statusCode, 201);
    const revenueBefore = await coins('platform', null, 'revenue');

    const key = randomUUID();
    const send = () => fan.call('POST', '/api/client/creators/gifts/send', { giftId: rose.id, receiverId: star.id }, { 'idempotency-key': key });
    const sent = await send();
    assert.equal(sent.statusCode, 201, sent.body);
    const split = sent.json();
    assert.deepEqual([split.streamerAmount, split.agencyAmount, split.platformAmount], [49, 19, 31]);
    assert.equal(split.streamerAmount + split.agencyAmount + split.platformAmount, 99, 'the parts sum exactly to the price');
    const replay = await send();
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.body, sent.body);

    assert.equal(await coins('person', fan.id, 'wallet'), 151, 'charged once');
    assert.equal(await coins('person', star.id, 'earnings'), 49);
    assert.equal(await coins('organization', agency, 'earnings'), 19);
    assert.equal((await coins('platform', null, 'revenue')) - revenueBefore, 31);

    const received = (await star.call('GET', '/api/client/creators/gifts/history')).json().items;
    assert.deepEqual(
      received.map((g: { giftName: string; senderName: string }) => [g.giftName, g.senderName]),
      [['Rose', 'Generous Fan']],
    );
    const timeline = (await admin.get(`/api/console/people/${star.id}/timeline`)).json().items.map((e: { type: string }) => e.type);
    assert.ok(timeline.includes('creators.gift_burst'), 'the gift is inside a burst on the streamer’s timeline');
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('refuses a gift without enough coins (nothing moves), to a suspended or blocked streamer, or to a streamer without agency pays the platform', async () => {
    const diamond = (await admin.post('/api/console/creators/gifts', { name: 'Diamond', price: 1000, streamerShareBp: 6000, agencyShareBp: 1000 })).json();
    const solo = await member('Solo Star');
    await admin.post('/api/console/creators/streamers', { personId: solo.id });
    const poor = await member('Poor Fan');
    assert.equal((await fund(poor.id, 999)).statusCode, 201);
    const short = await poor.call('POST', '/api/client/creators/gifts/send', { giftId: diamond.id, receiverId: solo.id }, { 'idempotency-key': randomUUID() });
    assert.equal(short.statusCode, 409);
    assert.equal(short.json().code, 'insufficient_funds');
    assert.equal(await coins('person', poor.id, 'wallet'), 999);
    assert.equal((await poor.call('GET', '/api/client/creators/gifts/history?direction=sent')).json().items.length, 0);

    assert.equal((await fund(poor.id, 1)).statusCode, 201);
    const sent = await poor.call('POST', '/api/client/creators/gifts/send', { giftId: diamond.id, receiverId: solo.id }, { 'idempotency-key': randomUUID() });
    assert.deepEqual(
      [sent.json().streamerAmount, sent.json().agencyAmount, sent.json().platformAmount],
      [600, 0, 400],
      'no agency: its share is the platform’s',
    );

    await solo.call('PUT', `/api/client/creators/blocks/${poor.id}`, { reason: 'spam' });
    assert.equal((await fund(poor.id, 1000)).statusCode, 201);
    const blocked = await poor.call(
      'POST',
      '/api/client/creators/gifts/send',
      { giftId: diamond.id, receiverId: solo.id },
      { 'idempotency-key': randomUUID() },
    );
    assert.equal(blocked.statusCode, 404, 'a streamer who blocked you is not there');
    const missing = await poor.call(
      'POST',
      '/api/client/creators/gifts/send',
      { giftId: randomUUID(), receiverId: solo.id },
      { 'idempotency-key': randomUUID() },
    );
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errors[0].field, 'body.giftId');
  });

  it('charges exactly what concurrent gifts can pay for', async () => {
    const heart = (await admin.post('/api/console/creators/gifts', { name: 'Heart', price: 100, streamerShareBp: 5000, agencyShareBp: 0 })).json();
    const star = await member('Busy Star');
    await admin.post('/api/console/creators/streamers', { personId: star.id });
    const fan = await member('Eager Fan');
    await fund(fan.id, 350);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        fan.call('POST', '/api/client/creators/gifts/send', { giftId: heart.id, receiverId: star.id }, { 'idempotency-key': randomUUID() }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 201, 201, 409, 409, 409]);
    assert.equal(await coins('person', fan.id, 'wallet'), 50);
    assert.equal(await coins('person', star.id, 'earnings'), 150);
  });
});

describe('creators: the streamer portal', () => {
  const ctx = useTestApp();

  const member = (displayName: string) => newMember(ctx.t, ctx.admin, displayName);

  it('shows a streamer their agency, earnings and the rules; refuses members who do not stream', async () => {
    const agency = (await ctx.admin.post('/api/console/creators/agencies', { name: 'Portal Agency' })).json().id;
    const star = await member('Portal Star');
    await ctx.admin.post('/api/console/creators/streamers', { personId: star.id, agencyId: agency });
    await ctx.admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: star.id, kind: 'earnings', currency: 'COIN', amount: 500, reason: 'calls' },
      headers: { 'idempotency-key': randomUUID() },
    });
    const rules = await ctx.admin.request({ method: 'PUT', url: '/api/console/settings/creators.streamer_rules', payload: { value: 'Be kind. No nudity.' } });
    assert.equal(rules.statusCode, 200, rules.body);
    const portal = (await star.call('GET', '/api/client/creators/portal')).json();
    assert.deepEqual([portal.agency.name, portal.earnings.available, portal.rules, portal.status], ['Portal Agency', 500, 'Be kind. No nudity.', 'active']);
    const viewer = await member('Just Viewing');
    assert.equal((await viewer.call('GET', '/api/client/creators/portal')).statusCode, 403);
  });

  it('lets a streamer ask for a payout within their available earnings, see it, and withdraw it; staff approve it', async () => {
    const star = await member('Paid Star');
    await ctx.admin.post('/api/console/creators/streamers', { personId: star.id });
    await ctx.admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: star.id, kind: 'earnings', currency: 'COIN', amount: 500, reason: 'calls' },
      headers: { 'idempotency-key': randomUUID() },
    });
    const ask = (amount: number) => star.call('POST', '/api/client/creators/payouts', { amount }, { 'idempotency-key': randomUUID() });
    const first = await ask(300);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().state, 'requested');
    assert.equal((await ask(300)).statusCode, 409, 'only 200 is still available');
    assert.equal((await star.call('GET', '/api/client/creators/portal')).json().earnings.available, 200);

    const second = (await ask(200)).json();
    const withdrawn = await star.call('POST', `/api/client/creators/payouts/${second.id}/cancel`);
    assert.equal(withdrawn.json().state, 'cancelled');
    const other = await member('Other Star');
    await ctx.admin.post('/api/console/creators/streamers', { personId: other.id });
    assert.equal(
      (await other.call('POST', `/api/client/creators/payouts/${first.json().id}/cancel`)).statusCode,
      404,
      "someone else's application is not found",
    );

    const approved = await ctx.admin.post(`/api/console/payouts/${first.json().id}/approve`);
    assert.equal(approved.statusCode, 200, 'staff approve what a streamer asked for');
    const mine = (await star.call('GET', '/api/client/creators/payouts')).json().items;
    assert.deepEqual(
      mine.map((a: { state: string }) => a.state),
      ['cancelled', 'approved'],
    );
  });
});
