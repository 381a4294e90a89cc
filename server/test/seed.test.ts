import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AlreadySeeded, parseSize, seedCreators } from '../scripts/seed-data.ts';
import { useTestApp } from './helpers.ts';

const SIZE = { users: 40, streamers: 40, agencies: 3 };

describe('seed: the large data set of the creators module', () => {
  const ctx = useTestApp();
  const all = async (path: string) => (await ctx.admin.get(`${path}${path.includes('?') ? '&' : '?'}limit=200`)).json().items;

  it('parses its size from flags and refuses anything but whole numbers', () => {
    assert.deepEqual(parseSize(['--users', '5', '--agencies', '0'], SIZE), { users: 5, streamers: 40, agencies: 0 });
    assert.throws(() => parseSize(['--users', '-1'], SIZE), /--users takes a whole number/);
    assert.throws(() => parseSize(['--users'], SIZE), /--users takes a whole number/);
    assert.throws(() => parseSize(['--people', '5'], SIZE), /Unknown option "--people"/);
  });

  it('seeds users, streamers and agencies that the lists and detail pages show as if the services had made them', async () => {
    const { admin, t } = ctx;
    await seedCreators(t.database, SIZE);

    const users = await all('/api/console/creators/users');
    assert.equal(users.length, SIZE.users);
    assert.ok(
      users.every(
        (u: { platform: string; signedUpAt: string; coins: number }) => ['ios', 'android', 'web'].includes(u.platform) && u.signedUpAt && u.coins === 0,
      ),
    );
    const agencies = await all('/api/console/creators/agencies');
    assert.equal(agencies.length, SIZE.agencies);
    const streamers = await all('/api/console/creators/streamers');
    assert.equal(streamers.length, SIZE.streamers);
    const inAgencies = streamers.filter((s: { agencyName: string | null }) => s.agencyName !== null);
    assert.ok(inAgencies.length > 0 && inAgencies.length < SIZE.streamers, 'most streamers have an agency, a few none');
    assert.equal(
      agencies.reduce((sum: number, a: { streamers: number }) => sum + a.streamers, 0),
      inAgencies.length,
    );
    assert.ok(streamers.some((s: { status: string; suspendedReason: string | null }) => s.status === 'suspended' && s.suspendedReason));

    // A user as a first sign-in from the app and the sign-up make one: the person, their identity, found by both.
    const user = users[7];
    const detail = (await admin.get(`/api/console/people/${user.id}`)).json();
    assert.equal(detail.displayName, user.displayName);
    assert.deepEqual(
      detail.identities.map((i: { provider: string }) => i.provider),
      ['firebase'],
    );
    const byIdentity = (await admin.get(`/api/console/creators/users?q=${detail.identities[0].externalId}`)).json().items;
    assert.deepEqual(
      byIdentity.map((u: { id: string }) => u.id),
      [user.id],
    );
    const byName = (await admin.get(`/api/console/creators/users?q=${encodeURIComponent(user.displayName.split(' ')[1].slice(0, 4))}&limit=200`)).json().items;
    assert.ok(byName.some((u: { id: string }) => u.id === user.id));
    const timeline = (await admin.get(`/api/console/people/${user.id}/timeline`)).json().items;
    assert.deepEqual(timeline.map((e: { type: string }) => e.type).reverse(), ['people.person_created', 'people.identity_added', 'user.signed_up']);

    // The same person made through the API gets the same search text and the same first event.
    const twin = await admin.post('/api/console/people', { displayName: detail.displayName, contacts: detail.contacts });
    assert.equal(twin.statusCode, 201, twin.body);
    const searchText = await t.database.executeSql<{ id: string; search_text: string }>('SELECT id, search_text FROM people WHERE id IN ($1, $2)', [
      user.id,
      twin.json().id,
    ]);
    assert.equal(searchText.rows.length, 2);
    assert.equal(searchText.rows[0]!.search_text, searchText.rows[1]!.search_text);
    const created = (id: string) =>
      admin.get(`/api/console/events?subjectType=person&subjectId=${id}&type=people.person_created`).then((r) => r.json().items[0].payload);
    assert.deepEqual(await created(user.id), await created(twin.json().id));

    // A streamer's agency, on their Creator tab and in their history: the open stretch is the current agency.
    const streamer = inAgencies[0];
    const profile = (await admin.get(`/api/console/creators/people/${streamer.id}`)).json();
    assert.equal(profile.streamer.agencyName, streamer.agencyName);
    for (const { id, agencyId } of inAgencies) {
      const history = (await admin.get(`/api/console/creators/streamers/${id}/agencies`)).json();
      assert.equal(history[0].agencyId, agencyId);
      assert.equal(history[0].leftAt, null);
      assert.ok(history.slice(1).every((h: { leftAt: string | null }) => h.leftAt !== null));
    }
    const histories = await t.database.executeSql<{ n: number }>('SELECT count(*)::int AS n FROM creator_streamer_agencies WHERE left_at IS NOT NULL');
    assert.ok(histories.rows[0]!.n > 0, 'some streamers changed agency');

    await assert.rejects(seedCreators(t.database, SIZE), AlreadySeeded);
  });
});
