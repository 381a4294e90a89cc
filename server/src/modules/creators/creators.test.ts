import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, signIn, type Session, type TestApp } from '../../../test/helpers.ts';

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
    assert.deepEqual(history.map((h: { agencyName: string; leftAt: string | null }) => [h.agencyName, h.leftAt === null]), [
      ['Nova Talent', true],
      ['Starlight Agency', false],
    ]);
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
    assert.deepEqual(list.map((s: { displayName: string }) => s.displayName), ['Alba Starlight', 'Bea Starlight', 'Cleo Starlight']);
    assert.deepEqual([list[0].agencyName, list[0].earnings, list[0].online, list[0].lastSeenAt], ['Starlight Agency', 1500, false, null]);
    const active = (await admin.get(`/api/console/creators/streamers?agencyId=${starlight}&status=suspended`)).json().items;
    assert.deepEqual(active.map((s: { id: string }) => s.id), [ids[2]]);
    const found = (await admin.get(`/api/console/creators/streamers?q=bea`)).json().items;
    assert.deepEqual(found.map((s: { id: string }) => s.id), [ids[1]]);
    assert.equal((await admin.post(`/api/console/creators/streamers/${ids[2]}/reinstate`)).json().status, 'active');

    const agencies = (await admin.get('/api/console/creators/agencies')).json().items;
    const star = agencies.find((a: { id: string }) => a.id === starlight);
    assert.deepEqual([star.streamers, star.earnings], [3, 700]);
    const byId = (await admin.get(`/api/console/creators/agencies?q=${nova}`)).json().items;
    assert.deepEqual(byId.map((a: { name: string }) => a.name), ['Nova Talent'], 'found by exact id');
  });

  it('signs a member up as an app user once, appending user.signed_up once; the users list finds them by email', async () => {
    const uma = await person('Uma User', { contacts: [{ kind: 'email', value: 'uma@example.org' }] });
    const token = (await admin.post(`/api/console/people/${uma}/member-token`)).json().token;
    const signUp = () => t.app.inject({ method: 'POST', url: '/api/client/creators/sign-up', headers: { authorization: `Bearer ${token}` }, payload: { platform: 'ios' } });
    const first = await signUp();
    assert.equal(first.statusCode, 201, first.body);
    const again = await signUp();
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().signedUpAt, first.json().signedUpAt);
    assert.equal((await timelineTypes(uma)).filter((type: string) => type === 'user.signed_up').length, 1);

    assert.equal((await credit('person', uma, 'wallet', 300)).statusCode, 201);
    const users = (await admin.get('/api/console/creators/users?q=uma@example.org')).json().items;
    assert.deepEqual(users.map((u: { id: string; platform: string; coins: number }) => [u.id, u.platform, u.coins]), [[uma, 'ios', 300]]);
    const streamerOnly = (await admin.get('/api/console/creators/users?q=Alba')).json().items;
    assert.equal(streamerOnly.length, 0, 'streamers who never signed up as users are not app users');
  });
});
