import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Notification, Provider } from '@parse/node-apn';
import type { FastifyBaseLogger } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ConfigError, parseConfig, type ApnsOptions, type FcmOptions, type OneSignalOptions, type PushOptions } from '../../../core/config.ts';
import { startFakeApns, type FakeApns } from '../../../../test/fake-apns.ts';
import { startFakeFcm, type FakeFcm } from '../../../../test/fake-fcm.ts';
import { startFakeOneSignal, type FakeOneSignal } from '../../../../test/fake-onesignal.ts';
import { ApnsProvider } from './apns.ts';
import { FcmProvider } from './fcm.ts';
import { idempotencyKey, OneSignalProvider } from './onesignal.ts';
import { createPushProviders, PushConfigurationError } from './providers.ts';
import type { PushDevice, PushMessage } from './types.ts';

/** A logger that keeps what was logged at warn and above. */
function recordingLog(): FastifyBaseLogger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (object: unknown, message?: string) => void lines.push({ level, message: message ?? String(object) });
  const log = {
    lines,
    level: 'warn',
    info: () => {},
    debug: () => {},
    trace: () => {},
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    silent: () => {},
  };
  return Object.assign(log, { child: () => log }) as unknown as FastifyBaseLogger & { lines: typeof lines };
}

let counter = 0;
/** A notification as the notifications module hands it over; a UUID id unless told otherwise. */
function message(overrides: Partial<PushMessage> = {}): PushMessage {
  counter += 1;
  return {
    id: `0190a3c2-7b1e-7c3d-8e4f-${String(counter).padStart(12, '0')}`,
    kind: 'gift.received',
    title: 'A gift',
    body: 'Anna sent you a rose',
    data: { link: 'switchboard://gifts/1', count: '3' },
    voip: false,
    ttlSeconds: 3600,
    ...overrides,
  };
}

const device = (platform: PushDevice['platform'], token: string): PushDevice => ({ id: `device-${platform}`, platform, token });

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const fcmOptions = (fake: FakeFcm, overrides: Partial<FcmOptions> = {}): FcmOptions => {
  const key = JSON.parse(fake.serviceAccountKey) as { client_email: string; private_key: string };
  return { projectId: fake.projectId, serviceAccount: { clientEmail: key.client_email, privateKey: key.private_key }, apiUrl: fake.url, ...overrides };
};
const apnsOptions = (fake: FakeApns, overrides: Partial<ApnsOptions> = {}): ApnsOptions => ({
  key: fake.key,
  keyId: fake.keyId,
  teamId: fake.teamId,
  topic: fake.bundleId,
  environment: 'sandbox',
  address: { host: fake.host, port: fake.port },
  ca: [fake.ca],
  ...overrides,
});
const oneSignalOptions = (fake: FakeOneSignal, overrides: Partial<OneSignalOptions> = {}): OneSignalOptions => ({
  appId: fake.appId,
  apiKey: fake.apiKey,
  apiUrl: fake.url,
  ...overrides,
});

describe('FCM (HTTP v1) against a local FCM', () => {
  let fake: FakeFcm;
  let fcm: FcmProvider;
  const log = recordingLog();
  before(async () => {
    fake = await startFakeFcm();
    fcm = new FcmProvider(fcmOptions(fake), log);
  });
  after(async () => {
    await fcm.close();
    await fake.close();
  });

  it('sends a notification per platform with one OAuth2 access token, the message id as tag, collapse id and Topic', async () => {
    const [android, ios, web] = [fake.registrationToken(), fake.registrationToken(), fake.registrationToken()];
    const sends = [message(), message(), message()];
    const outcomes = await Promise.all([
      fcm.send(device('android', android), sends[0]!),
      fcm.send(device('ios', ios), sends[1]!),
      fcm.send(device('web', web), sends[2]!),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['sent', 'sent', 'sent'],
    );
    const last = await fcm.send(device('android', android), message());
    assert.equal(last.status, 'sent');
    assert.match(last.status === 'sent' ? (last.providerId ?? '') : '', /^projects\/switchboard-test\/messages\//);
    assert.equal(fake.tokensIssued.length, 1, 'four sends, three of them at once, share one access token');

    const byToken = (token: string) => fake.sent.find((s) => s.message.token === token)!.message;
    const a = byToken(android);
    assert.deepEqual(a.notification, { title: 'A gift', body: 'Anna sent you a rose' });
    assert.deepEqual(a.data, { link: 'switchboard://gifts/1', count: '3' });
    assert.equal(a.android.collapse_key, undefined, 'no collapse_key: FCM keeps only four per device');
    assert.deepEqual(a.android, { ttl: '3600s', notification: { tag: sends[0]!.id } });
    assert.equal(a.apns, undefined);
    const i = byToken(ios);
    assert.equal(i.apns.headers['apns-collapse-id'], sends[1]!.id);
    assert.equal(i.apns.headers['apns-push-type'], 'alert');
    assert.ok(Math.abs(Number(i.apns.headers['apns-expiration']) - (Date.now() / 1000 + 3600)) < 5);
    const w = byToken(web);
    assert.deepEqual(w.webpush, { headers: { TTL: '3600', Topic: sends[2]!.id.replace(/-/g, '') }, notification: { tag: sends[2]!.id } });
  });

  it('sends a call (voip) as a data-only message at high priority', async () => {
    const token = fake.registrationToken();
    const call = message({ voip: true, ttlSeconds: 30, data: { call: 'c1' } });
    assert.equal((await fcm.send(device('android', token), call)).status, 'sent');
    const iosToken = fake.registrationToken();
    assert.equal((await fcm.send(device('ios', iosToken), call)).status, 'sent');
    const android = fake.sent.find((s) => s.message.token === token)!.message;
    assert.equal(android.notification, undefined);
    assert.deepEqual(android.android, { ttl: '30s', priority: 'HIGH' });
    assert.deepEqual(android.data, { call: 'c1' });
    const ios = fake.sent.find((s) => s.message.token === iosToken)!.message;
    assert.equal(ios.apns.headers['apns-push-type'], 'background');
    assert.equal(ios.apns.headers['apns-priority'], '5');
    assert.deepEqual(ios.apns.payload, { aps: { 'content-available': 1 } });
  });

  it('answers invalid_token for an UNREGISTERED token and for one that is no FCM registration token', async () => {
    const gone = fake.registrationToken();
    fake.unregistered.add(gone);
    const unregistered = await fcm.send(device('android', gone), message());
    assert.equal(unregistered.status, 'invalid_token');
    assert.match(unregistered.status === 'invalid_token' ? unregistered.reason : '', /404 UNREGISTERED/);
    const malformed = await fcm.send(device('android', 'not-a-token'), message());
    assert.equal(malformed.status, 'invalid_token');
  });

  it('answers retry for 503, 429 and 500, honouring Retry-After (seconds or a date)', async () => {
    const token = fake.registrationToken();
    const when = new Date(Date.now() + 30_000).toUTCString();
    fake.next.push(
      { status: 503, headers: { 'retry-after': '7' } },
      {
        status: 429,
        body: {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: 'quota',
            details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'QUOTA_EXCEEDED' }],
          },
        },
        headers: { 'retry-after': when },
      },
      { status: 500 },
    );
    assert.deepEqual(await fcm.send(device('android', token), message()), {
      status: 'retry',
      reason: 'FCM 503 UNAVAILABLE: The service is currently unavailable.',
      retryAfterMs: 7000,
    });
    const quota = await fcm.send(device('android', token), message());
    assert.equal(quota.status, 'retry');
    assert.match(quota.status === 'retry' ? quota.reason : '', /QUOTA_EXCEEDED/);
    assert.ok(quota.status === 'retry' && quota.retryAfterMs! > 25_000 && quota.retryAfterMs! <= 30_000, JSON.stringify(quota));
    const internal = await fcm.send(device('android', token), message());
    assert.equal(internal.status, 'retry');
    assert.equal(internal.status === 'retry' ? internal.retryAfterMs : 0, undefined);
  });

  it('answers rejected for a payload FCM refuses and for a project the service account may not send to', async () => {
    const token = fake.registrationToken();
    const big = await fcm.send(device('android', token), message({ data: { blob: 'x'.repeat(5000) } }));
    assert.equal(big.status, 'rejected');
    assert.match(big.status === 'rejected' ? big.reason : '', /too big/);
    const other = new FcmProvider(fcmOptions(fake, { projectId: 'someone-else' }), log);
    const denied = await other.send(device('android', token), message());
    assert.equal(denied.status, 'rejected');
    assert.match(denied.status === 'rejected' ? denied.reason : '', /403 PERMISSION_DENIED/);
    assert.ok(log.lines.some((line) => line.level === 'error' && /FCM_PROJECT_ID/.test(line.message)));
  });

  it('answers rejected when Google refuses the service account, and fetches a new token after a 401', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const impostor = new FcmProvider(
      fcmOptions(fake, { serviceAccount: { clientEmail: fcmOptions(fake).serviceAccount.clientEmail, privateKey: stranger } }),
      log,
    );
    const refused = await impostor.send(device('android', fake.registrationToken()), message());
    assert.equal(refused.status, 'rejected');
    assert.match(refused.status === 'rejected' ? refused.reason : '', /invalid_grant/);

    const issued = fake.tokensIssued.length;
    fake.next.push({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } } });
    assert.equal((await fcm.send(device('android', fake.registrationToken()), message())).status, 'retry');
    assert.equal((await fcm.send(device('android', fake.registrationToken()), message())).status, 'sent');
    assert.equal(fake.tokensIssued.length, issued + 1);
  });

  it('answers retry when the connection drops or nothing listens', async () => {
    fake.next.push('reset');
    const reset = await fcm.send(device('android', fake.registrationToken()), message());
    assert.equal(reset.status, 'retry');
    const nowhere = new FcmProvider(fcmOptions(fake, { apiUrl: `http://127.0.0.1:${await closedPort()}` }), log);
    const unreachable = await nowhere.send(device('android', fake.registrationToken()), message());
    assert.equal(unreachable.status, 'retry');
    assert.match(unreachable.status === 'retry' ? unreachable.reason : '', /ECONNREFUSED/);
  });
});

describe('APNs (HTTP/2, provider token) against a local APNs', () => {
  let fake: FakeApns;
  let apns: ApnsProvider;
  const log = recordingLog();
  before(async () => {
    fake = await startFakeApns();
    apns = new ApnsProvider(apnsOptions(fake), log);
  });
  after(async () => {
    await apns.close();
    await fake.close();
  });

  it('sends an alert over TLS with an ES256 provider token, the bundle id as topic and the message id as apns-id and collapse id', async () => {
    const token = fake.deviceToken();
    const sent = message();
    assert.deepEqual(await apns.send(device('ios', token), sent), { status: 'sent', providerId: sent.id });
    assert.equal((await apns.send(device('ios', token), message())).status, 'sent');
    const [first] = fake.sent.slice(-2);
    assert.equal(first!.headers[':path'], `/3/device/${token}`);
    assert.equal(first!.headers['apns-topic'], 'com.example.switchboard');
    assert.equal(first!.headers['apns-push-type'], 'alert');
    assert.equal(first!.headers['apns-priority'], '10');
    assert.equal(first!.headers['apns-id'], sent.id);
    assert.equal(first!.headers['apns-collapse-id'], sent.id);
    assert.ok(Math.abs(Number(first!.headers['apns-expiration']) - (Date.now() / 1000 + 3600)) < 5);
    assert.deepEqual(first!.payload, {
      aps: { alert: { title: 'A gift', body: 'Anna sent you a rose' }, sound: 'default' },
      link: 'switchboard://gifts/1',
      count: '3',
    });
    const jwt = first!.headers.authorization!.replace(/^bearer /, '');
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'JWT', kid: fake.keyId });
    assert.equal(decodeJwt(jwt).iss, fake.teamId);
    assert.equal(fake.providerTokens.length, 1, 'one provider token for both pushes');
  });

  it('sends a call as a voip push to <topic>.voip, priority 10, the data as payload', async () => {
    const token = fake.deviceToken();
    assert.equal((await apns.send(device('ios', token), message({ voip: true, data: { call: 'c1' }, ttlSeconds: 30 }))).status, 'sent');
    const voip = fake.sent.at(-1)!;
    assert.equal(voip.headers['apns-topic'], 'com.example.switchboard.voip');
    assert.equal(voip.headers['apns-push-type'], 'voip');
    assert.equal(voip.headers['apns-priority'], '10');
    assert.deepEqual(voip.payload, { call: 'c1' });
  });

  it('answers invalid_token for 410 Unregistered and 400 BadDeviceToken', async () => {
    const gone = fake.deviceToken();
    fake.unregistered.add(gone);
    assert.deepEqual(await apns.send(device('ios', gone), message()), { status: 'invalid_token', reason: 'APNs 410: Unregistered' });
    assert.deepEqual(await apns.send(device('ios', 'abc123'), message()), { status: 'invalid_token', reason: 'APNs 400: BadDeviceToken' });
  });

  it('answers retry for 429, 503, 500 and an expired provider token, sending nothing again itself', async () => {
    const token = fake.deviceToken();
    const before = fake.requests.length;
    fake.failNext.push(
      { status: 429, reason: 'TooManyRequests' },
      { status: 503, reason: 'ServiceUnavailable' },
      { status: 500, reason: 'InternalServerError' },
      { status: 403, reason: 'ExpiredProviderToken' },
    );
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await apns.send(device('ios', token), message()));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['retry', 'retry', 'retry', 'retry'],
    );
    assert.equal(fake.requests.length - before, 4, 'the library does not resend on its own');
    assert.equal((await apns.send(device('ios', token), message())).status, 'sent');
  });

  it('answers rejected for a payload too large, a provider token signed with another key and a wrong topic', async () => {
    const token = fake.deviceToken();
    const large = await apns.send(device('ios', token), message({ data: { blob: 'x'.repeat(5000) } }));
    assert.deepEqual(large, { status: 'rejected', reason: 'APNs 413: PayloadTooLarge' });
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const impostor = new ApnsProvider(apnsOptions(fake, { key: otherKey }), log);
    try {
      assert.deepEqual(await impostor.send(device('ios', token), message()), { status: 'rejected', reason: 'APNs 403: InvalidProviderToken' });
      assert.ok(log.lines.some((line) => line.level === 'error' && /APNS_KEY/.test(line.message)));
    } finally {
      await impostor.close();
    }
    const otherApp = new ApnsProvider(apnsOptions(fake, { topic: 'com.example.other' }), log);
    try {
      assert.deepEqual(await otherApp.send(device('ios', token), message()), { status: 'rejected', reason: 'APNs 400: TopicDisallowed' });
    } finally {
      await otherApp.close();
    }
    assert.equal((await apns.send(device('android', token), message())).status, 'rejected');
  });

  it('answers retry when nothing listens or the server is not trusted', async () => {
    const nowhere = new ApnsProvider(apnsOptions(fake, { address: { host: '127.0.0.1', port: await closedPort() } }), log, { requestTimeoutMs: 300 });
    try {
      const outcome = await nowhere.send(device('ios', fake.deviceToken()), message());
      assert.equal(outcome.status, 'retry');
      assert.match(outcome.status === 'retry' ? outcome.reason : '', /ECONNREFUSED/);
    } finally {
      await nowhere.close();
    }
    const untrusted = new ApnsProvider(apnsOptions(fake, { ca: undefined }), log, { requestTimeoutMs: 300 });
    try {
      const outcome = await untrusted.send(device('ios', fake.deviceToken()), message());
      assert.equal(outcome.status, 'retry');
      assert.match(outcome.status === 'retry' ? outcome.reason : '', /certificate/i);
    } finally {
      await untrusted.close();
    }
  });

  it('the fake refuses a voip push to the app topic and an alert to the voip topic, as APNs does', async () => {
    const client = new Provider({
      token: { key: fake.key, keyId: fake.keyId, teamId: fake.teamId },
      address: fake.host,
      port: fake.port,
      ca: [fake.ca],
      connectionRetryLimit: 0,
    });
    try {
      const voip = new Notification({ topic: fake.bundleId, pushType: 'voip', payload: { call: 'c1' } });
      const alert = new Notification({ topic: `${fake.bundleId}.voip`, pushType: 'alert', alert: { title: 'T', body: 'B' } });
      const [first, second] = [await client.send(voip, fake.deviceToken()), await client.send(alert, fake.deviceToken())];
      assert.equal(first.failed[0]?.response?.reason, 'DeviceTokenNotForTopic');
      assert.equal(second.failed[0]?.response?.reason, 'DeviceTokenNotForTopic');
    } finally {
      await new Promise<void>((resolve) => void client.shutdown(() => resolve()));
    }
  });
});

describe('OneSignal (REST) against a local OneSignal', () => {
  let fake: FakeOneSignal;
  let oneSignal: OneSignalProvider;
  const log = recordingLog();
  const subscription = () => crypto.randomUUID();
  before(async () => {
    fake = await startFakeOneSignal();
    oneSignal = new OneSignalProvider(oneSignalOptions(fake), log);
  });
  after(async () => {
    await oneSignal.close();
    await fake.close();
  });

  it('creates a message with Key auth, the message id as idempotency key and collapse id; a resend is not sent twice', async () => {
    const token = subscription();
    const once = message();
    const first = await oneSignal.send(device('android', token), once);
    const again = await oneSignal.send(device('android', token), once);
    assert.equal(first.status, 'sent');
    assert.deepEqual(again, first, 'the same idempotency key answers the first message');
    assert.equal(fake.sent.filter((s) => s.body.idempotency_key === once.id).length, 1);
    const body = fake.sent.at(-1)!.body;
    assert.deepEqual(body, {
      app_id: fake.appId,
      include_subscription_ids: [token],
      idempotency_key: once.id,
      ttl: 3600,
      data: { link: 'switchboard://gifts/1', count: '3' },
      headings: { en: 'A gift' },
      contents: { en: 'Anna sent you a rose' },
      collapse_id: once.id,
    });
    assert.equal((await oneSignal.send(device('web', subscription()), message())).status, 'sent');
    assert.equal(fake.sent.at(-1)!.body.web_push_topic, fake.sent.at(-1)!.body.idempotency_key);
  });

  it('turns an id that is no UUID into the same UUID each time', async () => {
    const key = idempotencyKey('notification-42');
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(idempotencyKey('notification-42'), key);
    assert.notEqual(idempotencyKey('notification-43'), key);
    const token = subscription();
    await oneSignal.send(device('ios', token), message({ id: 'notification-42' }));
    await oneSignal.send(device('ios', token), message({ id: 'notification-42' }));
    assert.equal(fake.sent.filter((s) => s.body.idempotency_key === key).length, 1);
  });

  it('sends a call (voip) as a data-only message at priority 10', async () => {
    assert.equal((await oneSignal.send(device('ios', subscription()), message({ voip: true, data: { call: 'c1' } }))).status, 'sent');
    const body = fake.sent.at(-1)!.body;
    assert.equal(body.content_available, true);
    assert.equal(body.priority, 10);
    assert.equal(body.contents, undefined);
    assert.deepEqual(body.data, { call: 'c1' });
  });

  it('answers invalid_token for an unknown, an unsubscribed and a malformed subscription id', async () => {
    const unknown = subscription();
    fake.invalid.add(unknown);
    const unsubscribed = subscription();
    fake.unsubscribed.add(unsubscribed);
    assert.equal((await oneSignal.send(device('android', unknown), message())).status, 'invalid_token');
    assert.equal((await oneSignal.send(device('android', unsubscribed), message())).status, 'invalid_token');
    const malformed = await oneSignal.send(device('android', 'fcm-token-not-a-subscription'), message());
    assert.equal(malformed.status, 'invalid_token');
    assert.match(malformed.status === 'invalid_token' ? malformed.reason : '', /not a valid UUID/);
  });

  it('answers retry for 429 (with Retry-After) and 5xx', async () => {
    fake.next.push({ status: 429, body: { errors: ['API rate limit exceeded.'] }, headers: { 'retry-after': '12' } }, { status: 503 });
    assert.deepEqual(await oneSignal.send(device('android', subscription()), message()), {
      status: 'retry',
      reason: 'OneSignal 429: API rate limit exceeded.',
      retryAfterMs: 12_000,
    });
    const unavailable = await oneSignal.send(device('android', subscription()), message());
    assert.equal(unavailable.status, 'retry');
    assert.equal(unavailable.status === 'retry' ? unavailable.retryAfterMs : 0, undefined);
  });

  it('answers rejected for a wrong API key and a payload OneSignal refuses', async () => {
    const wrongKey = new OneSignalProvider(oneSignalOptions(fake, { apiKey: 'os_v2_app_wrong' }), log);
    const denied = await wrongKey.send(device('android', subscription()), message());
    assert.equal(denied.status, 'rejected');
    assert.match(denied.status === 'rejected' ? denied.reason : '', /^OneSignal 403/);
    assert.ok(log.lines.some((line) => line.level === 'error' && /ONESIGNAL_API_KEY/.test(line.message)));
    const big = await oneSignal.send(device('android', subscription()), message({ data: { blob: 'x'.repeat(5000) } }));
    assert.equal(big.status, 'rejected');
  });

  it('answers retry when the connection drops or nothing listens', async () => {
    fake.next.push('reset');
    assert.equal((await oneSignal.send(device('android', subscription()), message())).status, 'retry');
    const nowhere = new OneSignalProvider(oneSignalOptions(fake, { apiUrl: `http://127.0.0.1:${await closedPort()}` }), log);
    const outcome = await nowhere.send(device('android', subscription()), message());
    assert.equal(outcome.status, 'retry');
    assert.match(outcome.status === 'retry' ? outcome.reason : '', /ECONNREFUSED/);
  });
});

describe('push configuration and the provider of each platform', () => {
  let fcm: FakeFcm;
  let apns: FakeApns;
  let oneSignal: FakeOneSignal;
  let files: string;
  const log = recordingLog();
  before(async () => {
    [fcm, apns, oneSignal] = await Promise.all([startFakeFcm(), startFakeApns(), startFakeOneSignal()]);
    files = await mkdtemp(join(tmpdir(), 'push-config-'));
  });
  after(async () => {
    await Promise.all([fcm.close(), apns.close(), oneSignal.close()]);
  });

  const fcmEnv = () => ({ FCM_SERVICE_ACCOUNT_KEY: fcm.serviceAccountKey, FCM_API_URL: fcm.url });
  const apnsEnv = () => ({
    APNS_KEY: apns.key,
    APNS_KEY_ID: apns.keyId,
    APNS_TEAM_ID: apns.teamId,
    APNS_TOPIC: apns.bundleId,
    APNS_ENVIRONMENT: 'sandbox',
    APNS_ADDRESS: apns.address,
    APNS_CA: apns.ca,
  });
  const oneSignalEnv = () => ({ ONESIGNAL_APP_ID: oneSignal.appId, ONESIGNAL_API_KEY: oneSignal.apiKey, ONESIGNAL_API_URL: oneSignal.url });
  const push = (env: Record<string, string>): PushOptions => parseConfig(env).push;
  const choose = (options: PushOptions) => {
    const providers = createPushProviders(options, log);
    const described = providers.describe();
    void providers.close();
    return described;
  };

  it('reads each provider from the environment, keys inline or as files, and sends through all three', async () => {
    const keyFile = join(files, 'service-account.json');
    const p8 = join(files, 'AuthKey.p8');
    const ca = join(files, 'ca.pem');
    await Promise.all([writeFile(keyFile, fcm.serviceAccountKey), writeFile(p8, apns.key), writeFile(ca, apns.ca)]);
    const options = push({
      ...fcmEnv(),
      FCM_SERVICE_ACCOUNT_KEY: keyFile,
      ...apnsEnv(),
      APNS_KEY: p8,
      APNS_CA: ca,
      ...oneSignalEnv(),
      PUSH_PROVIDER_WEB: 'onesignal',
    });
    assert.equal(options.fcm?.projectId, 'switchboard-test');
    assert.equal(options.fcm?.apiUrl, fcm.url);
    assert.deepEqual(options.apns?.address, { host: '127.0.0.1', port: apns.port });
    assert.equal(options.apns?.environment, 'sandbox');
    assert.equal(options.apns?.ca?.length, 1);
    assert.equal(push({ ...fcmEnv(), FCM_PROJECT_ID: 'other-project' }).fcm?.projectId, 'other-project');
    assert.equal(push({ ...apnsEnv(), APNS_ENVIRONMENT: '' }).apns?.environment, 'production');
    assert.equal(push({ ...apnsEnv(), APNS_KEY: apns.key.trim().replace(/\n/g, '\\n') }).apns?.key, apns.key.trim(), 'a one-line PEM with \\n escapes');
    assert.equal(push({ ONESIGNAL_APP_ID: oneSignal.appId, ONESIGNAL_API_KEY: 'k' }).oneSignal?.apiUrl, 'https://api.onesignal.com');

    const providers = createPushProviders(options, log);
    try {
      assert.deepEqual(providers.describe(), { ios: 'apns', android: 'fcm', web: 'onesignal', voip: 'apns' });
      assert.equal((await providers.providerFor('ios', false)!.send(device('ios', apns.deviceToken()), message())).status, 'sent');
      assert.equal((await providers.providerFor('android', false)!.send(device('android', fcm.registrationToken()), message())).status, 'sent');
      assert.equal((await providers.providerFor('web', false)!.send(device('web', crypto.randomUUID()), message())).status, 'sent');
    } finally {
      await providers.close();
    }
  });

  it('defaults: iOS to APNs, else FCM, else OneSignal; Android and web to FCM, else OneSignal; none to no provider', () => {
    assert.deepEqual(choose(push({ ...fcmEnv(), ...apnsEnv(), ...oneSignalEnv() })), { ios: 'apns', android: 'fcm', web: 'fcm', voip: 'apns' });
    assert.deepEqual(choose(push({ ...fcmEnv(), ...oneSignalEnv() })), { ios: 'fcm', android: 'fcm', web: 'fcm', voip: 'fcm' });
    assert.deepEqual(choose(push(oneSignalEnv())), { ios: 'onesignal', android: 'onesignal', web: 'onesignal', voip: 'onesignal' });
    assert.deepEqual(choose(push(apnsEnv())), { ios: 'apns', android: null, web: null, voip: 'apns' });
    const none = createPushProviders(push({}), log);
    assert.deepEqual(none.describe(), { ios: null, android: null, web: null, voip: null });
    assert.equal(none.providerFor('ios', true), undefined);
    assert.equal(none.providerFor('android', false), undefined);
  });

  it('sends iOS calls through APNs whenever it is configured, whatever PUSH_PROVIDER_IOS says; elsewhere through the platform provider', async () => {
    const providers = createPushProviders(
      push({ ...fcmEnv(), ...apnsEnv(), ...oneSignalEnv(), PUSH_PROVIDER_IOS: 'onesignal', PUSH_PROVIDER_ANDROID: 'onesignal' }),
      log,
    );
    try {
      assert.deepEqual(providers.describe(), { ios: 'onesignal', android: 'onesignal', web: 'fcm', voip: 'apns' });
      assert.equal(providers.providerFor('ios', false)?.name, 'onesignal');
      assert.equal(providers.providerFor('ios', true)?.name, 'apns');
      assert.equal(providers.providerFor('android', true)?.name, 'onesignal');
      assert.equal(providers.providerFor('web', true)?.name, 'fcm');
      assert.equal(providers.providerFor('ios', true), providers.providerFor('ios', true), 'one instance per provider');
    } finally {
      await providers.close();
    }
    const withoutApns = createPushProviders(push({ ...fcmEnv(), PUSH_PROVIDER_IOS: 'fcm' }), log);
    assert.equal(withoutApns.providerFor('ios', true)?.name, 'fcm');
    await withoutApns.close();
  });

  it('stops at start-up on a PUSH_PROVIDER_* naming an unconfigured provider, or a provider half set up', () => {
    assert.throws(
      () => parseConfig({ ...fcmEnv(), PUSH_PROVIDER_ANDROID: 'onesignal' }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PUSH_PROVIDER_ANDROID: names onesignal, which is not configured \(set ONESIGNAL_APP_ID and ONESIGNAL_API_KEY\)/);
        return true;
      },
    );
    assert.throws(() => parseConfig({ PUSH_PROVIDER_IOS: 'apns' }), /PUSH_PROVIDER_IOS: names apns, which is not configured/);
    assert.throws(() => parseConfig({ PUSH_PROVIDER_WEB: 'apns' }), /PUSH_PROVIDER_WEB/);
    const options = { ...push(fcmEnv()), platforms: { ios: 'apns' as const, android: undefined, web: undefined } };
    assert.throws(
      () => createPushProviders(options, log),
      (error: Error) => {
        assert.ok(error instanceof PushConfigurationError);
        assert.match(error.message, /PUSH_PROVIDER_IOS names apns, which is not configured \(set APNS_KEY/);
        return true;
      },
    );

    assert.throws(() => parseConfig({ APNS_KEY_ID: apns.keyId }), /APNS_KEY: is required with APNS_KEY_ID/);
    assert.throws(() => parseConfig({ ...apnsEnv(), APNS_TOPIC: '' }), /APNS_TOPIC: is required with APNS_KEY/);
    assert.throws(() => parseConfig({ ...apnsEnv(), APNS_TOPIC: `${apns.bundleId}.voip` }), /APNS_TOPIC: is the app’s bundle id, without \.voip/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => parseConfig({ ...apnsEnv(), APNS_KEY: rsa }), /APNS_KEY: must be an EC P-256 key/);
    assert.throws(() => parseConfig({ ...apnsEnv(), APNS_CA: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), /APNS_CA/);
    assert.throws(() => parseConfig({ ...apnsEnv(), APNS_ADDRESS: 'localhost' }), /APNS_ADDRESS/);
    assert.throws(() => parseConfig({ FCM_API_URL: fcm.url }), /FCM_SERVICE_ACCOUNT_KEY: is required with FCM_API_URL/);
    assert.throws(() => parseConfig({ ...fcmEnv(), FCM_API_URL: 'http://fcm.example.com' }), /FCM_API_URL: must be https/);
    assert.throws(() => parseConfig({ FCM_SERVICE_ACCOUNT_KEY: '{"client_email": "a@b"}' }), /FCM_SERVICE_ACCOUNT_KEY: needs client_email and private_key/);
    assert.throws(() => parseConfig({ FCM_SERVICE_ACCOUNT_KEY: join(files, 'missing.json') }), /FCM_SERVICE_ACCOUNT_KEY: cannot read/);
    assert.throws(() => parseConfig({ ONESIGNAL_APP_ID: oneSignal.appId }), /ONESIGNAL_API_KEY: is required with ONESIGNAL_APP_ID/);
    assert.throws(() => parseConfig({ ONESIGNAL_API_KEY: 'k' }), /ONESIGNAL_APP_ID: is required with ONESIGNAL_API_KEY/);
    assert.throws(() => parseConfig({ ONESIGNAL_APP_ID: 'not-a-uuid', ONESIGNAL_API_KEY: 'k' }), /ONESIGNAL_APP_ID/);
  });
});
