import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { jwtVerify } from 'jose';
import { createTestApp, fundWallet, newMember, signIn, type Session, type TestApp } from '../../../test/helpers.ts';
import { DEMO_TARIFFS } from '../creators/tariffs/defaults.ts';

const AGORA = { appId: randomBytes(16).toString('hex'), certificate: randomBytes(16).toString('hex') };
const TWILIO = { sid: `AC${randomBytes(16).toString('hex')}`, key: `SK${randomBytes(16).toString('hex')}`, secret: randomBytes(24).toString('hex') };

/**
 * Agora's AccessToken2 as documented: "007", then base64 of a zlib-deflated buffer: the signature (uint16
 * length + bytes), the App ID (length-prefixed string), issue time, expiry and salt (uint32, little-endian),
 * then the services.
 */
function decodeAgora(token: string) {
  assert.equal(token.slice(0, 3), '007');
  const bytes = inflateSync(Buffer.from(token.slice(3), 'base64'));
  let at = 0;
  const u16 = () => bytes.readUInt16LE((at += 2) - 2);
  const u32 = () => bytes.readUInt32LE((at += 4) - 4);
  const text = () => {
    const length = u16();
    return bytes.subarray(at, (at += length)).toString('utf8');
  };
  text(); // the signature
  const appId = text();
  const issuedAt = u32();
  const expire = u32();
  return { appId, issuedAt, expire, rest: bytes.subarray(at).toString('latin1') };
}

describe('calls: video providers, credentials and failover', () => {
  let t: TestApp;
  let admin: Session;

  before(async () => {
    t = await createTestApp({
      workers: true,
      env: {
        AGORA_APP_ID: AGORA.appId,
        AGORA_APP_CERTIFICATE: AGORA.certificate,
        TWILIO_ACCOUNT_SID: TWILIO.sid,
        TWILIO_API_KEY: TWILIO.key,
        TWILIO_API_SECRET: TWILIO.secret,
      },
    });
    admin = await signIn(t.app);
    await admin.post('/api/console/creators/tariffs/direct', DEMO_TARIFFS.direct);
    const rule = await admin.request({
      method: 'PUT',
      url: '/api/console/settings/calls.failover',
      payload: { value: { failures: 2, windowMinutes: 5, coolDownMinutes: 10 } },
    });
    assert.equal(rule.statusCode, 200, rule.body);
  });
  after(() => t.close());

  async function answered(name: string) {
    const streamer = await newMember(t, admin, `${name} Streamer`);
    await admin.post('/api/console/creators/streamers', { personId: streamer.id });
    const caller = await newMember(t, admin, `${name} Caller`);
    await fundWallet(admin, caller.id, 500);
    const id = (await caller.call('POST', '/api/client/calls', { streamerId: streamer.id })).json().id as string;
    assert.equal((await streamer.call('POST', `/api/client/calls/${id}/accept`)).statusCode, 200);
    return { id, streamer, caller };
  }

  it('issues Agora RTC tokens of the documented format for the call’s channel, lasting the longest call', async () => {
    const { id, caller } = await answered('Agora');
    const credentials = (await caller.call('GET', `/api/client/calls/${id}/credentials`)).json();
    assert.equal(credentials.provider, 'agora');
    assert.equal(credentials.appId, AGORA.appId);
    assert.equal(credentials.channel, `call-${id}`);
    assert.equal(credentials.identity, caller.id);
    const token = decodeAgora(credentials.token);
    assert.equal(token.appId, AGORA.appId);
    assert.ok(token.expire >= 6 * 3600, `lasts the longest call (${token.expire} s)`);
    assert.ok(token.rest.includes(`call-${id}`) && token.rest.includes(caller.id), 'the RTC service names the channel and the account');
    const stranger = await newMember(t, admin, 'Stranger');
    assert.equal((await stranger.call('GET', `/api/client/calls/${id}/credentials`)).statusCode, 404);
  });

  it('moves a call to Twilio with a VideoGrant for the same room when Agora fails, and opens Agora’s circuit', async () => {
    const first = await answered('Failover');
    const moved = await first.caller.call('POST', `/api/client/calls/${first.id}/provider-failure`, { provider: 'agora' });
    assert.equal(moved.statusCode, 200, moved.body);
    const credentials = (await first.streamer.call('GET', `/api/client/calls/${first.id}/credentials`)).json();
    assert.equal(credentials.provider, 'twilio');
    const { payload, protectedHeader } = await jwtVerify(credentials.token, new TextEncoder().encode(TWILIO.secret), { algorithms: ['HS256'] });
    assert.equal(protectedHeader.cty, 'twilio-fpa;v=1');
    assert.equal(payload.iss, TWILIO.key);
    assert.equal(payload.sub, TWILIO.sid);
    assert.deepEqual((payload.grants as { identity: string; video: { room: string } }).video, { room: `call-${first.id}` });
    assert.equal((payload.grants as { identity: string }).identity, first.streamer.id);
    // A second failure within the window opens Agora's circuit: the next call starts on Twilio.
    const second = await answered('Second Failure');
    await second.caller.call('POST', `/api/client/calls/${second.id}/provider-failure`, { provider: 'agora' });
    const states = (await admin.get('/api/console/calls/providers')).json();
    assert.deepEqual(
      states.map((s: { name: string; open: boolean; recentFailures: number }) => [s.name, s.open, s.recentFailures]),
      [
        ['agora', true, 2],
        ['twilio', false, 0],
      ],
    );
    const third = await answered('After Circuit');
    assert.equal((await third.caller.call('GET', `/api/client/calls/${third.id}/credentials`)).json().provider, 'twilio');
    // Staff may force a provider whatever its health.
    await admin.request({ method: 'PUT', url: '/api/console/settings/calls.forced_provider', payload: { value: 'agora' } });
    const forced = await answered('Forced');
    assert.equal((await forced.caller.call('GET', `/api/client/calls/${forced.id}/credentials`)).json().provider, 'agora');
    await admin.request({ method: 'PUT', url: '/api/console/settings/calls.forced_provider', payload: { value: null } });
    // Twilio failing too leaves nothing: the call ends with provider_failure.
    const ended = await first.caller.call('POST', `/api/client/calls/${first.id}/provider-failure`, { provider: 'twilio' });
    assert.equal(ended.json().state, 'ended');
    assert.equal(ended.json().endReason, 'provider_failure');
  });
});
