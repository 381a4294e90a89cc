import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { startFakePlay, type FakePlay, type PlayPurchase } from '../../../../test/fake-play.ts';
import { sql } from 'drizzle-orm';
import { storeJobs, syncGoogleVoidedPurchases } from './voided.ts';
import { createTestApp, newMember, signIn, type Session, type TestApp } from '../../../../test/helpers.ts';

const PACKAGE = 'com.example.switchboard';
type Member = Awaited<ReturnType<typeof newMember>> & { token: string };

/** A member with their app-account token, which the app passes to Play Billing's setObfuscatedAccountId. */
const memberOf = async (t: TestApp, admin: Session, name: string): Promise<Member> => {
  const m = await newMember(t, admin, name);
  return { ...m, token: (await m.call('GET', '/api/client/creators/store/account-token')).json().accountToken as string };
};

describe('creators store: Google Play purchases through the Play Developer API', () => {
  let play: FakePlay;
  let t: TestApp;
  let admin: Session;

  before(async () => {
    play = await startFakePlay();
    t = await createTestApp({
      env: { GOOGLE_PLAY_PACKAGE_NAME: PACKAGE, GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: play.serviceAccountKey, GOOGLE_PLAY_API_URL: play.url },
    });
    admin = await signIn(t.app);
    const created = await admin.post('/api/console/creators/store/products', {
      name: 'Pile',
      coins: 300,
      prices: [{ store: 'google', storeProductId: 'coins_pile', price: 299, currency: 'EUR' }],
    });
    assert.equal(created.statusCode, 201, created.body);
  });
  after(async () => {
    await t.close();
    await play.close();
  });

  /** A purchase Google knows, under a fresh token, bought from `by`'s account (bound to their account token). */
  const bought = (by: Member | null, purchase: Partial<PlayPurchase> = {}) => {
    const token = `tok.${randomBytes(16).toString('base64url')}`;
    play.purchases.set(token, {
      packageName: PACKAGE,
      productId: 'coins_pile',
      purchaseState: 0,
      orderId: `GPA.${randomBytes(4).toString('hex')}`,
      ...(by ? { obfuscatedExternalAccountId: by.token } : {}),
      ...purchase,
    });
    return token;
  };
  const member = (name: string) => memberOf(t, admin, name);
  const deliver = (m: Member, purchaseToken: string, extra: object = {}) =>
    m.call('POST', '/api/client/creators/store/google/purchases', { packageName: PACKAGE, productId: 'coins_pile', purchaseToken, ...extra });
  const available = async (personId: string) => (await admin.get(`/api/console/creators/store/people/${personId}/wallet`)).json().available as number;

  it('credits a purchased token once, acknowledges it to Google, and answers a redelivery with the same purchase', async () => {
    const kim = await member('Kim Android');
    const token = bought(kim);
    const first = await deliver(kim, token);
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual(
      [first.json().purchase.store, first.json().purchase.coins, first.json().purchase.orderId, first.json().balance],
      ['google', 300, play.purchases.get(token)!.orderId, 300],
    );
    assert.ok(play.requests.includes('POST /token'), 'the client signed in with the service account');
    assert.deepEqual(play.acknowledged, [token]);

    const again = await deliver(kim, token);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().purchase.id, first.json().purchase.id);
    assert.equal(play.acknowledged.length, 1, 'acknowledged once');
    assert.equal(await available(kim.id), 300);
  });

  it('credits five concurrent deliveries of one token once, and a quantity as that many packs', async () => {
    const lou = await member('Lou Concurrent');
    const token = bought(lou, { quantity: 3 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(lou, token)));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 200, 200, 200, 201], answers.map((a) => a.body).join('\n'));
    assert.equal(await available(lou.id), 900);
  });

  it('refuses, crediting nothing: pending, cancelled, another package, another product, an unknown or reused token, another account', async () => {
    const max = await member('Max Refused');
    const nia = await member('Nia Owner');
    const niaToken = nia.token;
    const reused = bought(nia);
    assert.equal((await deliver(nia, reused)).statusCode, 201);

    const cases: Array<
      [string, Promise<{ statusCode: number; json(): { errors?: Array<{ field: string }>; code?: string; detail: string } }>, number, string]
    > = [
      ['pending', deliver(max, bought(max, { purchaseState: 2 })), 409, 'body.purchaseToken'],
      ['cancelled', deliver(max, bought(max, { purchaseState: 1 })), 409, 'body.purchaseToken'],
      ['another package named', deliver(max, bought(max), { packageName: 'com.example.other' }), 400, 'body.packageName'],
      ['a token of another package', deliver(max, bought(max, { packageName: 'com.example.other' })), 400, 'body.purchaseToken'],
      ['a token of another product', deliver(max, bought(max, { productId: 'coins_other' })), 400, 'body.purchaseToken'],
      ['an unknown token', deliver(max, 'never-issued'), 400, 'body.purchaseToken'],
      // Bought from Nia's account: refused for that before it could be found credited to her.
      ['a token credited to someone else', deliver(max, reused), 403, 'body.purchaseToken'],
      ['bought with another account', deliver(max, bought(nia)), 403, 'body.purchaseToken'],
      ['not bound to any account', deliver(max, bought(null)), 400, 'body.purchaseToken'],
      ['a license tester’s test purchase', deliver(max, bought(max, { purchaseType: 0 })), 400, 'body.purchaseToken'],
      ['a rewarded product', deliver(max, bought(max, { purchaseType: 2 })), 400, 'body.purchaseToken'],
      ['no packs', deliver(max, bought(max, { quantity: 0 })), 400, 'body.purchaseToken'],
      ['fewer than no packs', deliver(max, bought(max, { quantity: -3 })), 400, 'body.purchaseToken'],
      ['more packs than one purchase buys', deliver(max, bought(max, { quantity: 101 })), 400, 'body.purchaseToken'],
      ['a quantity beyond any integer column', deliver(max, bought(max, { quantity: 2 ** 40 })), 400, 'body.purchaseToken'],
    ];
    for (const [what, answer, status, field] of cases) {
      const response = await answer;
      assert.equal(response.statusCode, status, `${what}: ${JSON.stringify(response.json())}`);
      assert.equal(response.json().errors?.[0]?.field, field, what);
    }
    const pending = await deliver(max, bought(max, { purchaseState: 2 }));
    assert.equal(pending.json().code, 'purchase_pending');
    const unbound = await deliver(max, bought(null));
    assert.match(unbound.json().detail, /obfuscatedExternalAccountId/);
    const test = await deliver(max, bought(max, { purchaseType: 0 }));
    assert.equal(test.json().code, 'test_purchase');
    assert.match(test.json().detail, /GOOGLE_PLAY_ALLOW_TEST_PURCHASES/);
    assert.match((await deliver(max, bought(max, { quantity: 0 }))).json().detail, /quantity of 0/);
    assert.equal(await available(max.id), 0);
    assert.equal(await available(nia.id), 300);

    const bound = bought(nia, { obfuscatedExternalAccountId: niaToken.toUpperCase() });
    assert.equal((await deliver(nia, bound)).statusCode, 201, 'bound to the right account');
  });

  it('credits a promo-code purchase as a production one; falls back to now for a purchase time it cannot read', async () => {
    const pia = await member('Pia Promo');
    const promo = await deliver(pia, bought(pia, { purchaseType: 1, purchaseTimeMillis: 'not-a-time' }));
    assert.equal(promo.statusCode, 201, promo.body);
    assert.equal(promo.json().purchase.environment, 'production');
    assert.ok(Math.abs(Date.parse(promo.json().purchase.purchasedAt) - Date.now()) < 60_000);
    const huge = await deliver(pia, bought(pia, { purchaseTimeMillis: '9'.repeat(30) }));
    assert.equal(huge.statusCode, 201, huge.body);
  });

  it('refuses a purchase that would credit more coins than one purchase may, naming the token', async () => {
    const big = await admin.post('/api/console/creators/store/products', {
      name: 'Mountain',
      coins: 10_000_000,
      prices: [{ store: 'google', storeProductId: 'coins_mountain', price: 99999, currency: 'EUR' }],
    });
    assert.equal(big.statusCode, 201, big.body);
    // The console allows ten million a pack; a pack raised beyond that in the database must still not overflow `coins`.
    await t.app.kernel.db.execute(sql`UPDATE creator_store_products SET coins = 100000000 WHERE id = ${big.json().id}`);
    const ray = await member('Ray Whale');
    const response = await deliver(ray, bought(ray, { productId: 'coins_mountain', quantity: 50 }), { productId: 'coins_mountain' });
    assert.equal(response.statusCode, 409, response.body);
    assert.deepEqual([response.json().code, response.json().errors[0].field], ['purchase_too_large', 'body.purchaseToken']);
    assert.equal(await available(ray.id), 0);
  });

  it('takes back purchases Google voided, read from voidedpurchases.list, once each; remembers voids of tokens never delivered', async () => {
    const vic = await member('Vic Voided');
    const [kept, refunded, never] = [bought(vic), bought(vic), bought(vic)];
    assert.equal((await deliver(vic, kept)).statusCode, 201);
    const credited = await deliver(vic, refunded);
    assert.equal(credited.statusCode, 201);
    assert.equal(await available(vic.id), 600);
    const now = Date.now();
    play.voided.push(
      { purchaseToken: refunded, orderId: play.purchases.get(refunded)!.orderId, voidedTimeMillis: String(now - 1000), voidedReason: 1, voidedSource: 0 },
      { purchaseToken: never, voidedTimeMillis: String(now - 500), voidedReason: 0, voidedSource: 1 },
      { purchaseToken: 'tok.too-old', voidedTimeMillis: String(now - 40 * 24 * 3600_000) },
    );

    const job = storeJobs.find((j) => j.name === 'creators.google_voided_purchases');
    assert.ok(job?.cron, 'a scheduled job');
    const first = await syncGoogleVoidedPurchases(t.app.kernel);
    assert.deepEqual(
      first.map((r) => [r.purchaseToken, r.outcome]),
      [
        [refunded, 'refunded'],
        [never, 'unknown_transaction'],
      ],
    );
    assert.ok(
      play.requests.some((r) => r.startsWith('GET voidedpurchases startTime=')),
      'asked Google',
    );
    assert.equal(await available(vic.id), 300);
    assert.deepEqual(await syncGoogleVoidedPurchases(t.app.kernel), [], 'each void once');
    await job!.handle({}, t.app.kernel);
    assert.equal(await available(vic.id), 300, 'taken back once');

    const purchase = (await admin.get(`/api/console/creators/store/purchases?personId=${vic.id}&status=refunded`)).json().items;
    assert.deepEqual(
      purchase.map((p: { id: string; refundReason: string }) => [p.id, p.refundReason]),
      [[credited.json().purchase.id, 'voided by Google Play (reason 1, source 0)']],
    );
    const late = await deliver(vic, never);
    assert.deepEqual([late.statusCode, late.json().code], [409, 'purchase_refunded']);
    const again = await deliver(vic, refunded);
    assert.deepEqual([again.statusCode, again.json().purchase.status], [200, 'refunded']);
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('tells the app’s mistakes from Google’s by the error reason', async () => {
    const sam = await member('Sam Reasons');
    const failing = (code: number, reason: string) => {
      const token = bought(sam);
      play.failures.set(token, { code, reason, message: `${reason} (test)` });
      return deliver(sam, token);
    };
    assert.equal((await failing(400, 'invalid')).statusCode, 400);
    assert.equal((await failing(404, 'purchaseTokenNotFound')).statusCode, 400);
    const unknownApp = await failing(404, 'applicationNotFound');
    assert.equal(unknownApp.statusCode, 503, unknownApp.body);
    assert.equal(unknownApp.json().code, 'store_unavailable');
    assert.equal((await failing(403, 'permissionDenied')).statusCode, 503);
    assert.equal((await failing(500, 'backendError')).statusCode, 503);
    assert.equal(await available(sam.id), 0);
  });
});

describe('creators store: Google Play license testers allowed', () => {
  let play: FakePlay;
  let t: TestApp;
  let admin: Session;

  before(async () => {
    play = await startFakePlay();
    t = await createTestApp({
      env: {
        GOOGLE_PLAY_PACKAGE_NAME: PACKAGE,
        GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: play.serviceAccountKey,
        GOOGLE_PLAY_API_URL: play.url,
        GOOGLE_PLAY_ALLOW_TEST_PURCHASES: 'true',
      },
    });
    admin = await signIn(t.app);
    assert.equal(
      (
        await admin.post('/api/console/creators/store/products', {
          name: 'Pile',
          coins: 300,
          prices: [{ store: 'google', storeProductId: 'coins_pile', price: 299, currency: 'EUR' }],
        })
      ).statusCode,
      201,
    );
  });
  after(async () => {
    await t.close();
    await play.close();
  });

  it('credits a test purchase as sandbox when GOOGLE_PLAY_ALLOW_TEST_PURCHASES is on', async () => {
    const tess = await memberOf(t, admin, 'Tess Tester');
    play.purchases.set('tok.test', {
      packageName: PACKAGE,
      productId: 'coins_pile',
      purchaseState: 0,
      purchaseType: 0,
      obfuscatedExternalAccountId: tess.token,
    });
    const response = await tess.call('POST', '/api/client/creators/store/google/purchases', {
      packageName: PACKAGE,
      productId: 'coins_pile',
      purchaseToken: 'tok.test',
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual([response.json().purchase.environment, response.json().balance], ['sandbox', 300]);
  });
});

describe('creators store: Google Play refusing our credentials', () => {
  let play: FakePlay;
  let t: TestApp;
  let admin: Session;

  before(async () => {
    play = await startFakePlay();
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = JSON.stringify({ ...JSON.parse(play.serviceAccountKey), private_key: wrongKey });
    t = await createTestApp({ env: { GOOGLE_PLAY_PACKAGE_NAME: PACKAGE, GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: key, GOOGLE_PLAY_API_URL: play.url } });
    admin = await signIn(t.app);
  });
  after(async () => {
    await t.close();
    await play.close();
  });

  it('answers 503, not a refusal of the member’s purchase', async () => {
    const oli = await memberOf(t, admin, 'Oli Unlucky');
    const token = `tok.${randomBytes(8).toString('hex')}`;
    play.purchases.set(token, { packageName: PACKAGE, productId: 'coins_pile', purchaseState: 0, obfuscatedExternalAccountId: oli.token });
    const response = await oli.call('POST', '/api/client/creators/store/google/purchases', {
      packageName: PACKAGE,
      productId: 'coins_pile',
      purchaseToken: token,
    });
    assert.equal(response.statusCode, 503, response.body);
    assert.match(response.json().detail, /credentials/);
  });
});
