import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { APP_APPLE_ID, appleAuthority, BUNDLE_ID, claimsOf, type AppleAuthority } from '../../../../test/fake-apple.ts';
import { createTestApp, newMember, signIn, useTestApp, type Session, type TestApp } from '../../../../test/helpers.ts';
import { ConfigError, parseConfig } from '../../../core/config.ts';
import { queryRows } from '../../../core/db/sql.ts';

type Member = Awaited<ReturnType<typeof newMember>>;

describe('creators store: App Store purchases and notifications', () => {
  let t: TestApp;
  let admin: Session;
  let apple: AppleAuthority;
  let stranger: AppleAuthority;

  before(async () => {
    apple = await appleAuthority();
    stranger = await appleAuthority('Some Other Root CA');
    t = await createTestApp({ env: { APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: apple.rootPath } });
    admin = await signIn(t.app);
    const pack = (name: string, coins: number, id: string, price: number, sort: number) =>
      admin.post('/api/console/creators/store/products', {
        name,
        coins,
        sort,
        prices: [
          { store: 'apple', storeProductId: id, price, currency: 'USD' },
          { store: 'google', storeProductId: id, price, currency: 'USD' },
        ],
      });
    assert.equal((await pack('Handful', 100, 'coins.small', 99, 1)).statusCode, 201);
    assert.equal((await pack('Chest', 1200, 'coins.large', 999, 2)).statusCode, 201);
  });
  after(() => t.close());

  const member = async (name: string) => {
    const m = await newMember(t, admin, name);
    const token = (await m.call('GET', '/api/client/creators/store/account-token')).json().accountToken as string;
    return { ...m, token };
  };
  const deliver = (m: Member, signedTransaction: string) => m.call('POST', '/api/client/creators/store/apple/transactions', { signedTransaction });
  const coins = async (personId: string) => (await admin.get(`/api/console/creators/store/people/${personId}/wallet`)).json();
  const notify = (signedPayload: string) => t.app.inject({ method: 'POST', url: '/api/webhooks/apple/notifications', payload: { signedPayload } });
  const purchaseCredits = async () =>
    (await queryRows<{ n: number }>(t.app.kernel.db, sql`SELECT count(*)::int AS n FROM ledger_transfers WHERE kind = 'purchase'`))[0]!.n;

  it('gives each member one stable app-account token', async () => {
    const ann = await member('Ann Token');
    const again = (await ann.call('GET', '/api/client/creators/store/account-token')).json().accountToken;
    assert.equal(again, ann.token);
    assert.match(ann.token, /^[0-9a-f-]{36}$/);
    assert.notEqual((await member('Ben Token')).token, ann.token);
  });

  it('credits a verified transaction once: the coins, the purchase, the event; a redelivery answers the same purchase', async () => {
    const cleo = await member('Cleo Buyer');
    const jws = await apple.transaction({ appAccountToken: cleo.token, productId: 'coins.large' });
    const first = await deliver(cleo, jws);
    assert.equal(first.statusCode, 201, first.body);
    const { purchase, balance } = first.json();
    assert.deepEqual(
      [purchase.store, purchase.productName, purchase.coins, purchase.environment, purchase.status, balance],
      ['apple', 'Chest', 1200, 'sandbox', 'credited', 1200],
    );
    assert.equal(purchase.transactionId, claimsOf(jws).transactionId);
    assert.deepEqual([purchase.originalTransactionId, purchase.orderId], [claimsOf(jws).originalTransactionId, null], 'Apple signs no order id');

    const again = await deliver(cleo, jws);
    assert.equal(again.statusCode, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    assert.equal((await coins(cleo.id)).available, 1200);

    const listed = (await admin.get(`/api/console/creators/store/purchases?personId=${cleo.id}`)).json().items;
    assert.deepEqual(
      listed.map((p: { id: string; personName: string }) => [p.id, p.personName]),
      [[purchase.id, 'Cleo Buyer']],
    );
    const mine = (await cleo.call('GET', '/api/client/creators/store/purchases')).json().items;
    assert.deepEqual(
      mine.map((p: { id: string }) => p.id),
      [purchase.id],
    );
    const events = (await admin.get(`/api/console/events?type=creators.purchase_credited&subjectId=${cleo.id}`)).json().items;
    assert.equal(events.length, 1);
    assert.deepEqual([events[0].payload.coins, events[0].payload.store], [1200, 'apple']);
  });

  it('credits five concurrent deliveries of one transaction once', async () => {
    const dora = await member('Dora Concurrent');
    const jws = await apple.transaction({ appAccountToken: dora.token, productId: 'coins.small', quantity: 2 });
    const before = await purchaseCredits();
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(dora, jws)));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 200, 200, 200, 201], answers.map((a) => a.body).join('\n'));
    assert.equal(new Set(answers.map((a) => a.json().purchase.id)).size, 1);
    assert.equal(await purchaseCredits(), before + 1);
    assert.equal((await coins(dora.id)).available, 200, 'two packs of 100, once');
  });

  it('refuses, crediting nothing, what does not verify or is not this member’s', async () => {
    const eve = await member('Eve Refused');
    const other = await member('Otto Other');
    const cases: Array<[string, Promise<string>, number, RegExp]> = [
      ['a chain to another root', stranger.transaction({ appAccountToken: eve.token }), 400, /does not verify/],
      ['another app', apple.transaction({ appAccountToken: eve.token, bundleId: 'com.example.other' }), 400, /another app/],
      ['another environment', apple.transaction({ appAccountToken: eve.token, environment: 'Production' }), 400, /another App Store environment/],
      ['another member’s account token', apple.transaction({ appAccountToken: other.token }), 403, /another account/],
      ['no account token', apple.transaction({}), 400, /no app account token/],
      ['a product no pack sells', apple.transaction({ appAccountToken: eve.token, productId: 'coins.unknown' }), 400, /no coin pack sells/],
      ['a subscription', apple.transaction({ appAccountToken: eve.token, type: 'Auto-Renewable Subscription' }), 400, /consumables/],
      ['a revoked transaction', apple.transaction({ appAccountToken: eve.token, revocationDate: Date.now(), revocationReason: 0 }), 409, /refunded or revoked/],
    ];
    for (const [what, signed, status, detail] of cases) {
      const response = await deliver(eve, await signed);
      assert.equal(response.statusCode, status, `${what}: ${response.body}`);
      assert.equal(response.json().errors[0].field, 'body.signedTransaction', what);
      assert.match(response.json().detail, detail, what);
    }
    const genuine = await apple.transaction({ appAccountToken: eve.token, productId: 'coins.large' });
    const [header, , signature] = genuine.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claimsOf(genuine), quantity: 50 })).toString('base64url')}.${signature}`;
    const tampered = await deliver(eve, forged);
    assert.equal(tampered.statusCode, 400, 'a tampered payload');
    assert.match(tampered.json().detail, /does not verify/);
    assert.equal((await deliver(eve, 'not-a.jws-at.all')).statusCode, 400);
    assert.equal((await deliver(eve, 'garbage')).json().errors[0].field, 'body.signedTransaction', 'the schema names the field');
    const wallet = await coins(eve.id);
    assert.deepEqual([wallet.available, wallet.purchases], [0, 0]);
  });

  it('takes a refunded purchase back: the wallet goes below zero by what was spent, flagged; each notification counts once', async () => {
    const finn = await member('Finn Refund');
    const jws = await apple.transaction({ appAccountToken: finn.token, productId: 'coins.large' });
    const { purchase } = (await deliver(finn, jws)).json();
    const spent = await admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: finn.id, kind: 'wallet', currency: 'COIN', amount: -1000, reason: 'spent on calls' },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(spent.statusCode, 201, spent.body);

    const refund = await apple.notification('REFUND', await apple.transaction({ ...claimsOf(jws), revocationDate: Date.now(), revocationReason: 1 }));
    const first = await notify(refund);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { outcome: 'refunded', duplicate: false });
    const wallet = await coins(finn.id);
    assert.deepEqual([wallet.available, wallet.overdraft, wallet.refunded], [-1000, 1000, 1]);
    assert.ok(wallet.overdrawnAt, 'the wallet is flagged');
    const account = (await admin.get(`/api/console/ledger/accounts/${wallet.accountId}`)).json();
    assert.deepEqual([account.overdraft, account.available], [1000, -1000], 'the flag shows on the ledger account too');
    const refunded = (await admin.get(`/api/console/creators/store/purchases?personId=${finn.id}`)).json().items[0];
    assert.deepEqual([refunded.id, refunded.status, refunded.refundOverdraft], [purchase.id, 'refunded', 1000]);
    assert.match(refunded.refundReason, /REFUND/);

    const redelivered = await notify(refund);
    assert.deepEqual(redelivered.json(), { outcome: 'refunded', duplicate: true });
    const revoked = await notify(await apple.notification('REVOKE', await apple.transaction(claimsOf(jws))));
    assert.deepEqual(revoked.json(), { outcome: 'already_refunded', duplicate: false });
    assert.equal((await coins(finn.id)).available, -1000, 'taken back once');
    assert.equal((await deliver(finn, jws)).json().purchase.status, 'refunded', 'a late redelivery credits nothing');
    assert.equal((await coins(finn.id)).available, -1000);

    const gift = await admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: finn.id, kind: 'wallet', currency: 'COIN', amount: -1, reason: 'one more' },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(gift.statusCode, 409, 'nothing else may take it lower');
    const events = (await admin.get(`/api/console/events?type=creators.purchase_refunded&subjectId=${finn.id}`)).json().items;
    assert.deepEqual(
      events.map((e: { payload: { overdrawnBy: number } }) => e.payload.overdrawnBy),
      [1000],
    );
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('remembers a refund of a transaction it never saw, and refuses that transaction later', async () => {
    const gus = await member('Gus Late');
    const jws = await apple.transaction({ appAccountToken: gus.token });
    assert.deepEqual((await notify(await apple.notification('REFUND', jws))).json(), { outcome: 'unknown_transaction', duplicate: false });
    const late = await deliver(gus, jws);
    assert.equal(late.statusCode, 409);
    assert.equal(late.json().code, 'purchase_refunded');
    assert.equal((await coins(gus.id)).available, 0);
  });

  it('takes back a credited purchase delivered again revoked, under its lock, answering the refunded purchase', async () => {
    const kai = await member('Kai Revoked');
    const jws = await apple.transaction({ appAccountToken: kai.token, productId: 'coins.large' });
    const { purchase } = (await deliver(kai, jws)).json();
    const revoked = await deliver(kai, await apple.transaction({ ...claimsOf(jws), revocationDate: Date.now(), revocationReason: 0 }));
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.headers['idempotent-replayed'], 'true');
    assert.deepEqual([revoked.json().purchase.id, revoked.json().purchase.status, revoked.json().balance], [purchase.id, 'refunded', 0]);
    assert.match(revoked.json().purchase.refundReason, /revoked in the transaction/);
    const again = await deliver(kai, await apple.transaction({ ...claimsOf(jws), revocationDate: Date.now(), revocationReason: 0 }));
    assert.deepEqual([again.statusCode, again.json().balance], [200, 0], 'taken back once');
    const events = (await admin.get(`/api/console/events?type=creators.purchase_refunded&subjectId=${kai.id}`)).json().items;
    assert.equal(events.length, 1);
    assert.deepEqual((await notify(await apple.notification('REFUND', jws))).json(), { outcome: 'already_refunded', duplicate: false });
  });

  it('credits the coins again when Apple reverses a refund, and clears a remembered refund of an unseen transaction', async () => {
    const lia = await member('Lia Reversed');
    const jws = await apple.transaction({ appAccountToken: lia.token, productId: 'coins.large' });
    const { purchase } = (await deliver(lia, jws)).json();
    assert.equal((await notify(await apple.notification('REFUND', jws))).json().outcome, 'refunded');
    assert.equal((await coins(lia.id)).available, 0);

    const reversal = await apple.notification('REFUND_REVERSED', jws);
    assert.deepEqual((await notify(reversal)).json(), { outcome: 'refund_reversed', duplicate: false });
    assert.deepEqual((await notify(reversal)).json(), { outcome: 'refund_reversed', duplicate: true });
    assert.deepEqual(
      (await notify(await apple.notification('REFUND_REVERSED', jws))).json(),
      { outcome: 'not_refunded', duplicate: false },
      'a second reversal gives nothing',
    );
    const wallet = await coins(lia.id);
    assert.deepEqual([wallet.available, wallet.refunded], [1200, 0]);
    const listed = (await admin.get(`/api/console/creators/store/purchases?personId=${lia.id}`)).json().items[0];
    assert.deepEqual([listed.id, listed.status, listed.refundedAt], [purchase.id, 'credited', null]);
    const reversed = (await admin.get(`/api/console/events?type=creators.purchase_refund_reversed&subjectId=${lia.id}`)).json().items;
    assert.deepEqual(
      reversed.map((e: { payload: { coins: number } }) => e.payload.coins),
      [1200],
    );
    assert.equal((await notify(await apple.notification('REFUND', jws))).json().outcome, 'refunded', 'it may be refunded again');
    assert.equal((await coins(lia.id)).available, 0);

    const late = await apple.transaction({ appAccountToken: lia.token });
    assert.equal((await notify(await apple.notification('REFUND', late))).json().outcome, 'unknown_transaction');
    assert.equal((await deliver(lia, late)).statusCode, 409);
    assert.equal((await notify(await apple.notification('REFUND_REVERSED', late))).json().outcome, 'refund_reversed');
    const delivered = await deliver(lia, late);
    assert.equal(delivered.statusCode, 201, delivered.body);
    assert.equal(delivered.json().balance, 100);
    assert.equal((await admin.get('/api/console/ledger/check')).json().ok, true);
  });

  it('appends an event for every notification recorded without moving coins', async () => {
    const mo = await member('Mo Recorded');
    const jws = await apple.transaction({ appAccountToken: mo.token });
    await deliver(mo, jws);
    const before = (await admin.get('/api/console/events?type=creators.store_notification_recorded&limit=200')).json().items.length;
    assert.equal((await notify(await apple.notification('CONSUMPTION_REQUEST', jws))).json().outcome, 'ignored');
    assert.equal(
      (await notify(await apple.notification('REFUND', await apple.transaction({ appAccountToken: mo.token })))).json().outcome,
      'unknown_transaction',
    );
    const after = (await admin.get('/api/console/events?type=creators.store_notification_recorded&limit=200')).json().items;
    assert.equal(after.length, before + 2);
    assert.deepEqual(
      after
        .slice(0, 2)
        .map((e: { payload: { outcome: string } }) => e.payload.outcome)
        .sort(),
      ['ignored', 'unknown_transaction'],
    );
  });

  it('refuses a quantity outside 1..100, naming the transaction', async () => {
    const ned = await member('Ned Quantity');
    for (const quantity of [0, 101]) {
      const response = await deliver(ned, await apple.transaction({ appAccountToken: ned.token, quantity }));
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().errors[0].field, 'body.signedTransaction');
    }
  });

  it('records and ignores other notification types, and refuses notifications that do not verify', async () => {
    const hal = await member('Hal Other');
    const consumption = await notify(await apple.notification('CONSUMPTION_REQUEST', await apple.transaction({ appAccountToken: hal.token })));
    assert.deepEqual(consumption.json(), { outcome: 'ignored', duplicate: false });
    const test = await notify(await apple.notification('TEST', '', { data: { appAppleId: APP_APPLE_ID, bundleId: BUNDLE_ID, environment: 'Sandbox' } }));
    assert.equal(test.statusCode, 200, test.body);
    const forged = await notify(await stranger.notification('REFUND', await stranger.transaction({ appAccountToken: hal.token })));
    assert.equal(forged.statusCode, 400);
    assert.equal(forged.json().errors[0].field, 'body.signedPayload');
    const otherApp = await notify(
      await apple.notification('REFUND', await apple.transaction(), { data: { bundleId: 'com.example.other', environment: 'Sandbox' } }),
    );
    assert.equal(otherApp.statusCode, 400);
    assert.match(otherApp.json().detail, /another app/);
  });
});

describe('creators store: without store configuration', () => {
  const ctx = useTestApp();

  it('answers 503 naming what to configure, for Apple, its notifications and Google', async () => {
    const { t, admin } = ctx;
    const ivy = await newMember(t, admin, 'Ivy Unconfigured');
    const apple = await ivy.call('POST', '/api/client/creators/store/apple/transactions', { signedTransaction: 'a.b.c' });
    assert.equal(apple.statusCode, 503);
    assert.equal(apple.json().code, 'store_not_configured');
    assert.match(apple.json().detail, /APPLE_BUNDLE_ID/);
    const webhook = await t.app.inject({ method: 'POST', url: '/api/webhooks/apple/notifications', payload: { signedPayload: 'a.b.c' } });
    assert.equal(webhook.statusCode, 503);
    const google = await ivy.call('POST', '/api/client/creators/store/google/purchases', {
      packageName: 'com.example.app',
      productId: 'coins.small',
      purchaseToken: 'token',
    });
    assert.equal(google.statusCode, 503);
    assert.match(google.json().detail, /GOOGLE_PLAY_PACKAGE_NAME/);
  });

  it('manages the catalog: packs with one price per store, a store product id leading to one pack, creators.store to change it', async () => {
    const { t, admin } = ctx;
    const created = await admin.post('/api/console/creators/store/products', {
      name: 'Bag',
      coins: 500,
      prices: [
        { store: 'apple', storeProductId: 'coins.bag', price: 499, currency: 'USD' },
        { store: 'google', storeProductId: 'coins_bag', price: 449, currency: 'EUR' },
      ],
    });
    assert.equal(created.statusCode, 201, created.body);
    const bag = created.json();
    assert.deepEqual(
      bag.prices.map((p: { store: string; price: number }) => [p.store, p.price]),
      [
        ['apple', 499],
        ['google', 449],
      ],
    );

    const taken = await admin.post('/api/console/creators/store/products', {
      name: 'Copy',
      coins: 1,
      prices: [{ store: 'apple', storeProductId: 'coins.bag', price: 1, currency: 'USD' }],
    });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().errors[0].field, 'body.prices.0.storeProductId');
    const twice = await admin.patch(`/api/console/creators/store/products/${bag.id}`, {
      prices: [
        { store: 'apple', storeProductId: 'a', price: 1, currency: 'USD' },
        { store: 'apple', storeProductId: 'b', price: 1, currency: 'USD' },
      ],
    });
    assert.equal(twice.statusCode, 400);
    assert.equal(twice.json().errors[0].field, 'body.prices.1.store');
    for (const [body, field] of [
      [{ name: 'Zero', coins: 0 }, 'body.coins'],
      [{ name: 'Bad', coins: 5, prices: [{ store: 'nokia', storeProductId: 'x', price: 1, currency: 'USD' }] }, 'body.prices.0.store'],
      [{ name: 'Bad', coins: 5, prices: [{ store: 'apple', storeProductId: 'x', price: 1, currency: 'usd' }] }, 'body.prices.0.currency'],
      [{ name: 'Bad', coins: 5, colour: 'gold' }, 'body.colour'],
    ] as const) {
      const refused = await admin.post('/api/console/creators/store/products', body);
      assert.equal(refused.statusCode, 400, JSON.stringify(body));
      assert.ok(
        refused.json().errors.some((e: { field: string }) => e.field === field),
        `${field}: ${refused.body}`,
      );
    }

    const off = await admin.patch(`/api/console/creators/store/products/${bag.id}`, {
      active: false,
      prices: [{ store: 'google', storeProductId: 'coins_bag', price: 449, currency: 'EUR' }],
    });
    assert.equal(off.statusCode, 200, off.body);
    assert.deepEqual([off.json().active, off.json().prices.length], [false, 1]);
    assert.equal((await admin.patch(`/api/console/creators/store/products/${randomUUID()}`, { active: true })).statusCode, 404);

    const jay = await newMember(t, admin, 'Jay Shopper');
    const second = await admin.post('/api/console/creators/store/products', {
      name: 'Sack',
      coins: 50,
      prices: [{ store: 'apple', storeProductId: 'coins.sack', price: 99, currency: 'USD' }],
    });
    assert.equal(second.statusCode, 201);
    const onOffer = (await jay.call('GET', '/api/client/creators/store/products?store=apple')).json();
    assert.deepEqual(
      onOffer.map((p: { name: string }) => p.name),
      ['Sack'],
      'only packs on offer, sold in that store',
    );
    assert.deepEqual((await jay.call('GET', '/api/client/creators/store/products?store=google')).json(), []);
    assert.equal((await jay.call('GET', '/api/client/creators/store/products?store=nokia')).statusCode, 400);
  });
});

describe('creators store: configuration', () => {
  it('refuses at start a store set up halfway, naming the variable', async () => {
    const apple = await appleAuthority();
    const refused = (env: Record<string, string>, variable: string) =>
      assert.throws(
        () => parseConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message.includes(variable),
        variable,
      );
    refused({ APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox' }, 'APPLE_ROOT_CERTIFICATES');
    refused({ APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ROOT_CERTIFICATES: apple.rootPath }, 'APPLE_APP_APPLE_ID');
    refused({ APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: '/nonexistent/root.cer' }, 'APPLE_ROOT_CERTIFICATES');
    refused({ APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Xcode', APPLE_ROOT_CERTIFICATES: apple.rootPath }, 'APPLE_ENVIRONMENT');
    refused({ GOOGLE_PLAY_PACKAGE_NAME: 'com.example.app' }, 'GOOGLE_PLAY_SERVICE_ACCOUNT_KEY');
    refused({ GOOGLE_PLAY_PACKAGE_NAME: 'com.example.app', GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: '{"client_email": "x@y"}' }, 'GOOGLE_PLAY_SERVICE_ACCOUNT_KEY');
    const production = parseConfig({ APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_APP_APPLE_ID: String(APP_APPLE_ID), APPLE_ROOT_CERTIFICATES: apple.rootPath });
    assert.deepEqual([production.apple?.environment, production.apple?.rootCertificates.length, production.apple?.onlineChecks], ['Production', 1, false]);
    const online = parseConfig({ APPLE_BUNDLE_ID: BUNDLE_ID, APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: apple.rootPath, APPLE_ONLINE_CHECKS: '1' });
    assert.equal(online.apple?.onlineChecks, true);

    // The other half without the variable that turns the store on.
    refused({ APPLE_ENVIRONMENT: 'Sandbox', APPLE_ROOT_CERTIFICATES: apple.rootPath }, 'APPLE_BUNDLE_ID');
    refused({ APPLE_APP_APPLE_ID: String(APP_APPLE_ID) }, 'APPLE_BUNDLE_ID');
    refused({ GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: '{}' }, 'GOOGLE_PLAY_PACKAGE_NAME');
    refused({ GOOGLE_PLAY_API_URL: 'https://play.example.com' }, 'GOOGLE_PLAY_PACKAGE_NAME');
    refused({ GOOGLE_PLAY_ALLOW_TEST_PURCHASES: 'true' }, 'GOOGLE_PLAY_PACKAGE_NAME');
  });

  it('takes GOOGLE_PLAY_API_URL over https, or http only on this machine', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const key = JSON.stringify({
      client_email: 'sa@example.iam.gserviceaccount.com',
      private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const play = (url: string) =>
      parseConfig({ GOOGLE_PLAY_PACKAGE_NAME: 'com.example.app', GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: key, GOOGLE_PLAY_API_URL: url }).googlePlay;
    for (const url of [
      'http://play.example.com',
      'http://10.0.0.1:8080',
      'https://exa mple.com',
      'http://localhost.example.com',
      'https://user:secret@play.example.com',
      'https://play.example.com/?x=1',
    ]) {
      assert.throws(
        () => play(url),
        (error: unknown) => error instanceof ConfigError && error.message.includes('GOOGLE_PLAY_API_URL'),
        url,
      );
    }
    assert.equal(play('https://proxy.example.com/play/')?.apiUrl, 'https://proxy.example.com/play');
    assert.equal(play('http://127.0.0.1:4010')?.apiUrl, 'http://127.0.0.1:4010');
    assert.equal(play('http://[::1]:4010')?.apiUrl, 'http://[::1]:4010');
    assert.equal(play('http://localhost:4010/')?.apiUrl, 'http://localhost:4010');
    assert.equal(play('https://proxy.example.com')?.allowTestPurchases, false);
  });
});
