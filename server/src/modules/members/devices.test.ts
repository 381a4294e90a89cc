import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../../../test/helpers.ts';

describe('member devices', () => {
  const ctx = useTestApp();

  async function member(name: string): Promise<{ id: string; token: string }> {
    const person = (await ctx.admin.post('/api/console/people', { displayName: name })).json();
    const token = (await ctx.admin.post(`/api/console/people/${person.id}/member-token`)).json().token as string;
    return { id: person.id, token };
  }
  const presenceOf = async (id: string) => (await ctx.admin.get(`/api/console/people/${id}/presence`)).json();

  it('registers devices with push tokens; a token moves with the install', async () => {
    const a = await member('Device Dana');
    const b = await member('Device Dmitri');
    const put = (token: string, deviceId: string, body: object) =>
      ctx.t.app.inject({ method: 'PUT', url: `/api/client/devices/${deviceId}`, headers: { authorization: `Bearer ${token}` }, payload: body });
    const phone = '01900000-0000-7000-8000-00000000d001';
    const tablet = '01900000-0000-7000-8000-00000000d002';
    assert.equal((await put(a.token, phone, { platform: 'ios', pushToken: 'apns-1', appVersion: '2.4.0', name: 'iPhone' })).statusCode, 200);
    assert.equal((await put(b.token, tablet, { platform: 'android', pushToken: 'apns-1' })).statusCode, 200);
    const aDevices = (await presenceOf(a.id)).devices;
    assert.equal(aDevices.length, 1);
    assert.equal(aDevices[0].pushToken, null, 'the token moved to the other install');
    assert.equal((await presenceOf(b.id)).devices[0].pushToken, 'apns-1');
    assert.equal((await put(a.token, phone, { platform: 'ios', appVersion: 'latest' })).statusCode, 400);
    const removed = await ctx.t.app.inject({ method: 'DELETE', url: `/api/client/devices/${tablet}`, headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(removed.statusCode, 404, "one member cannot remove another's device");

    const deviceEvents = async (personId: string) =>
      (await ctx.admin.get(`/api/console/events?subjectType=person&subjectId=${personId}`))
        .json()
        .items.filter((e: { type: string }) => e.type.startsWith('members.device_'));
    assert.equal((await put(a.token, phone, { platform: 'ios', appVersion: '2.4.0', name: 'iPhone' })).statusCode, 200, 'an app start without a change');
    let events = await deviceEvents(a.id);
    assert.deepEqual(
      events.map((e: { type: string; payload: { first: boolean; pushToken: boolean } }) => [e.type, e.payload.first, e.payload.pushToken]),
      [['members.device_registered', true, true]],
      'one event for the new install; a repeat of the same registration appends none',
    );
    assert.deepEqual([events[0].actorType, events[0].actorId], ['member', a.id]);
    assert.equal((await put(a.token, phone, { platform: 'ios', appVersion: '2.5.0' })).statusCode, 200);
    assert.equal(
      (await ctx.t.app.inject({ method: 'DELETE', url: `/api/client/devices/${phone}`, headers: { authorization: `Bearer ${a.token}` } })).statusCode,
      204,
    );
    events = await deviceEvents(a.id);
    assert.deepEqual(
      events.map((e: { type: string; payload: { appVersion?: string } }) => [e.type, e.payload.appVersion ?? null]),
      [
        ['members.device_forgotten', null],
        ['members.device_registered', '2.5.0'],
        ['members.device_registered', '2.4.0'],
      ],
    );
  });
});
