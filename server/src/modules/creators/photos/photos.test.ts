import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { multipart, newMember, useTestApp } from '../../../../test/helpers.ts';

const photo = (colour: string) =>
  sharp({ create: { width: 300, height: 400, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();

describe('creators: photo galleries, the streamer feed and gift bursts', () => {
  const ctx = useTestApp();
  const member = (name: string) => newMember(ctx.t, ctx.admin, name);
  const upload = async (m: Awaited<ReturnType<typeof member>>, colour: string) => {
    const body = multipart(await photo(colour));
    const response = await m.call('POST', '/api/client/files?kind=photo', body.payload, body.headers);
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string; review: string };
  };
  const review = (fileId: string, decision: 'approved' | 'rejected', reason?: string) =>
    ctx.admin.post(`/api/console/files/${fileId}/review`, { decision, ...(reason ? { reason } : {}) });
  const ids = (page: { items: Array<{ id: string }> }) => page.items.map((i) => i.id);

  it('keeps new photos to their owner until approved, and lets only approved ones be cover or profile photo', async () => {
    const anna = await member('Anna Gallery');
    const viewer = await member('Curious Viewer');
    const first = await upload(anna, '#a33');
    const second = await upload(anna, '#3a3');
    assert.equal(first.review, 'pending');

    const mine = (await anna.call('GET', '/api/client/creators/gallery')).json();
    assert.deepEqual(ids(mine), [second.id, first.id], 'the owner sees every photo, newest first');
    assert.deepEqual(ids((await viewer.call('GET', `/api/client/creators/members/${anna.id}/photos`)).json()), [], 'others see nothing yet');

    const early = await anna.call('PUT', '/api/client/creators/gallery/cover', { fileId: first.id });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().errors[0].field, 'body.fileId');

    assert.equal((await review(first.id, 'approved')).json().review, 'approved');
    const rejected = await review(second.id, 'rejected', 'not a photo of the member');
    assert.equal(rejected.json().review, 'rejected');
    assert.equal((await review(second.id, 'approved')).statusCode, 409, 'decided once');
    assert.equal((await review(first.id, 'rejected')).statusCode, 409);

    assert.deepEqual(ids((await viewer.call('GET', `/api/client/creators/members/${anna.id}/photos`)).json()), [first.id], 'only the approved photo');
    assert.equal((await anna.call('PUT', '/api/client/creators/gallery/cover', { fileId: second.id })).statusCode, 409, 'a rejected photo cannot be the cover');
    assert.equal((await anna.call('PUT', '/api/client/creators/gallery/cover', { fileId: first.id })).statusCode, 204);
    assert.equal((await anna.call('PUT', '/api/client/creators/gallery/profile', { fileId: first.id })).statusCode, 204);

    const profile = (await viewer.call('GET', `/api/client/creators/members/${anna.id}`)).json();
    assert.match(profile.coverUrl, new RegExp(`/files/${first.id}/medium\\?`));
    assert.match(profile.profilePhotoUrl, new RegExp(`/files/${first.id}/medium\\?`));
    assert.equal((await ctx.t.app.inject({ method: 'GET', url: profile.coverUrl })).statusCode, 200, 'the link serves the photo');
    const types = (await ctx.admin.get(`/api/console/people/${anna.id}/timeline`)).json().items.map((e: { type: string }) => e.type);
    assert.ok(types.includes('creators.photo_chosen'));

    // Deleting the photo takes it off the profile at once.
    assert.equal((await anna.call('DELETE', `/api/client/files/${first.id}`)).statusCode, 204);
    const after = (await viewer.call('GET', `/api/client/creators/members/${anna.id}`)).json();
    assert.deepEqual([after.coverUrl, after.profilePhotoUrl], [null, null]);
    assert.equal((await anna.call('GET', '/api/client/creators/gallery')).json().coverFileId, null);
  });

  it("refuses someone else's photo or no photo at all, naming the field", async () => {
    const owner = await member('Photo Owner');
    const thief = await member('Photo Thief');
    const file = await upload(owner, '#33a');
    await review(file.id, 'approved');
    const stolen = await thief.call('PUT', '/api/client/creators/gallery/profile', { fileId: file.id });
    assert.equal(stolen.statusCode, 400);
    assert.equal(stolen.json().errors[0].field, 'body.fileId');
    const bad = await thief.call('PUT', '/api/client/creators/gallery/sideways', { fileId: file.id });
    assert.equal(bad.statusCode, 400);
    assert.equal((await thief.call('PUT', '/api/client/creators/gallery/profile', { fileId: null })).statusCode, 204, 'clearing is always allowed');
  });

  it('lets a moderator add, approve, choose and remove photos from the console', async () => {
    const { admin } = ctx;
    const person = await member('Console Curated');
    const body = multipart(await photo('#888'));
    const added = await admin.request({ method: 'POST', url: `/api/console/people/${person.id}/files?kind=photo`, ...body });
    assert.equal(added.statusCode, 201, added.body);
    const fileId = added.json().id;
    assert.equal((await admin.request({ method: 'PUT', url: `/api/console/creators/people/${person.id}/photos/cover`, payload: { fileId } })).statusCode, 409);
    await review(fileId, 'approved');
    assert.equal((await admin.request({ method: 'PUT', url: `/api/console/creators/people/${person.id}/photos/cover`, payload: { fileId } })).statusCode, 204);
    const gallery = (await admin.get(`/api/console/creators/people/${person.id}/photos`)).json();
    assert.equal(gallery.coverFileId, fileId);
    assert.equal(gallery.items[0].review, 'approved');
    assert.equal((await admin.request({ method: 'DELETE', url: `/api/console/files/${fileId}` })).statusCode, 204);
    assert.equal((await admin.get(`/api/console/creators/people/${person.id}/photos`)).json().coverFileId, null);
  });

  it('leaves a blocked streamer out of the feed, both ways, on the next load', async () => {
    const { admin } = ctx;
    const fan = await member('Feed Fan');
    const stars = [await member('Feed Star One'), await member('Feed Star Two')];
    for (const star of stars) await admin.post('/api/console/creators/streamers', { personId: star.id });
    const feed = async () => ids((await fan.call('GET', '/api/client/creators/feed?limit=100')).json());
    assert.ok((await feed()).includes(stars[0]!.id) && (await feed()).includes(stars[1]!.id));

    assert.equal((await fan.call('PUT', `/api/client/creators/blocks/${stars[0]!.id}`, { reason: 'spam' })).statusCode, 204);
    assert.ok(!(await feed()).includes(stars[0]!.id), 'gone from the blocker’s feed');
    assert.equal((await fan.call('GET', `/api/client/creators/members/${stars[0]!.id}`)).statusCode, 404);
    assert.equal((await stars[0]!.call('GET', `/api/client/creators/members/${fan.id}`)).statusCode, 404, 'and the blocker is gone for them');

    assert.equal((await stars[1]!.call('PUT', `/api/client/creators/blocks/${fan.id}`, { reason: 'harassment' })).statusCode, 204);
    assert.ok(!(await feed()).includes(stars[1]!.id), 'a streamer who blocked me is gone too');
    assert.equal((await fan.call('DELETE', `/api/client/creators/blocks/${stars[0]!.id}`)).statusCode, 204);
    assert.ok((await feed()).includes(stars[0]!.id), 'back after unblocking');
  });

  it('pages the feed by rating without repeating anyone', async () => {
    const { admin } = ctx;
    const fan = await member('Paging Fan');
    for (let i = 0; i < 5; i += 1) await admin.post('/api/console/creators/streamers', { personId: (await member(`Paged Star ${i}`)).id });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = (
        await fan.call('GET', `/api/client/creators/feed?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(seen.length >= 5);
    assert.equal((await fan.call('GET', '/api/client/creators/feed?cursor=forged')).statusCode, 400);
  });

  it('groups quick gifts into one burst on the streamer’s timeline, which opens to its gifts', async () => {
    const { admin, t } = ctx;
    const star = await member('Burst Star');
    await admin.post('/api/console/creators/streamers', { personId: star.id });
    const fan = await member('Burst Fan');
    await admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: fan.id, kind: 'wallet', currency: 'COIN', amount: 1000, reason: 'bought coins' },
      headers: { 'idempotency-key': randomUUID() },
    });
    const gift = (await admin.post('/api/console/creators/gifts', { name: 'Burst Rose', price: 10, streamerShareBp: 5000, agencyShareBp: 0 })).json();
    const send = () => fan.call('POST', '/api/client/creators/gifts/send', { giftId: gift.id, receiverId: star.id }, { 'idempotency-key': randomUUID() });
    assert.equal((await send()).statusCode, 201);
    t.clock.advance(30_000);
    assert.equal((await send()).statusCode, 201);
    t.clock.advance(61_000);
    assert.equal((await send()).statusCode, 201, 'more than a minute later: a new burst');

    const timeline = (await admin.get(`/api/console/people/${star.id}/timeline`)).json().items as Array<{ id: number; type: string; children: number }>;
    const bursts = timeline.filter((e) => e.type === 'creators.gift_burst');
    assert.deepEqual(
      bursts.map((b) => b.children),
      [1, 2],
      'newest first: the later burst has one gift, the first two',
    );
    assert.ok(!timeline.some((e) => e.type === 'creators.gift_sent'), 'gifts are inside their burst, not beside it');

    const children = (await admin.get(`/api/console/people/${star.id}/timeline/${bursts[1]!.id}/children`)).json().items;
    assert.deepEqual(
      children.map((e: { type: string; parentId: number }) => [e.type, e.parentId]),
      [
        ['creators.gift_sent', bursts[1]!.id],
        ['creators.gift_sent', bursts[1]!.id],
      ],
    );
    assert.equal((await admin.get(`/api/console/people/${fan.id}/timeline/${bursts[1]!.id}/children`)).statusCode, 404, 'not an entry of the fan’s timeline');
    assert.equal((await admin.get(`/api/console/people/${star.id}/timeline/0/children`)).statusCode, 400);
  });
});
