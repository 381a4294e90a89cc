import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { systemActor } from '../../../core/actor.ts';
import { memberOf, staffActorOf } from '../../../core/http/guard.ts';
import { problems } from '../../../core/http/openapi.ts';
import { Page, PageQuery } from '../../../core/http/pagination.ts';
import { Body } from '../../../core/http/schemas.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Id, IdParams } from '../../../core/schemas.ts';
import { getPerson } from '../../people/people.ts';
import { CreatorsError } from '../errors.ts';
import { appleStore } from './apple.ts';
import { googlePlay } from './google.ts';
import { createProduct, listProducts, MAX_PRICES, updateProduct } from './products.ts';
import { accountTokenOf, assertOwnAccountToken, availableCoins, creditPurchase, handleNotification, listPurchases, type Purchase } from './purchases.ts';
import {
  AccountToken,
  Delivered,
  NotificationHandled,
  ProductView,
  productView,
  PurchaseListItem,
  purchaseListItem,
  purchasePage,
  StoreName,
  WalletSummary,
  walletSummary,
} from './views.ts';

const StoreProductId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$',
  description: "The product id in the store (App Store Connect's product ID, Play Console's product id).",
});
const Signed = (description: string) =>
  Type.String({ minLength: 1, maxLength: 65536, pattern: '^[A-Za-z0-9_=-]+\\.[A-Za-z0-9_=-]+\\.[A-Za-z0-9_=-]+$', description });

const PriceBody = Type.Object(
  {
    store: StoreName,
    storeProductId: StoreProductId,
    price: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Minor units of the currency (499 is 4.99), for display.' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217: USD, EUR…' }),
  },
  { additionalProperties: false },
);
const ProductBody = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  coins: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Coins one purchase of the pack credits.' }),
  active: Type.Optional(Type.Boolean({ description: 'Off offer: the apps stop listing it; late purchases of it are still credited.' })),
  sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  prices: Type.Optional(Type.Array(PriceBody, { maxItems: MAX_PRICES, description: 'One per store; given on a change, it replaces them all.' })),
};
const notConfigured = (what: string, variable: string) =>
  new CreatorsError('store_not_configured', `${what} purchases are not set up on this server (${variable}).`);
const deliveredDescription =
  'Idempotent by the store’s own transaction id: 201 when this call credited the coins, 200 (with `Idempotent-Replayed: true`) with the same purchase when it had been credited to me before — however often it is delivered, it credits once. No Idempotency-Key is needed.';

export function storeRoutes(kernel: Kernel) {
  return async (base: FastifyInstance): Promise<void> => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const me = (request: FastifyRequest) => memberOf(request).personId;

    // ------------------------------------------------------------------ console: the catalog and purchases

    app.get(
      '/console/creators/store/products',
      {
        config: { permission: 'creators.read' },
        schema: { tags: ['creators'], summary: 'Coin packs with their prices per store, on offer or not', response: { 200: Type.Array(ProductView) } },
      },
      async () => (await listProducts(kernel.db, { onlyActive: false })).map(productView),
    );
    app.post(
      '/console/creators/store/products',
      {
        config: { permission: 'creators.store' },
        schema: { tags: ['creators'], summary: 'Add a coin pack', body: Body(ProductBody), response: { 201: ProductView, ...problems(400, 409) } },
      },
      async (request, reply) => reply.code(201).send(productView(await kernel.write(staffActorOf(request), (ctx) => createProduct(ctx, request.body)))),
    );
    app.patch(
      '/console/creators/store/products/:id',
      {
        config: { permission: 'creators.store' },
        schema: {
          tags: ['creators'],
          summary: 'Change a coin pack (coins, name, prices per store) or take it off offer',
          params: IdParams,
          body: Type.Partial(Body(ProductBody)),
          response: { 200: ProductView, ...problems(400, 404, 409) },
        },
      },
      async (request) => productView(await kernel.write(staffActorOf(request), (ctx) => updateProduct(ctx, request.params.id, request.body))),
    );
    app.get(
      '/console/creators/store/purchases',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: 'Store purchases, newest first: of one person, one store, credited or refunded',
          querystring: Type.Object({
            personId: Type.Optional(Id),
            store: Type.Optional(StoreName),
            status: Type.Optional(Type.Union([Type.Literal('credited'), Type.Literal('refunded')])),
            ...PageQuery,
          }),
          response: { 200: Page(PurchaseListItem), ...problems(400) },
        },
      },
      async (request) => purchasePage(kernel.db, await listPurchases(kernel.db, request.query)),
    );
    app.get(
      '/console/creators/store/people/:id/wallet',
      {
        config: { permission: 'creators.read' },
        schema: {
          tags: ['creators'],
          summary: "A person's coin wallet beside their purchases: balance, the overdraft a refund left, purchase totals",
          params: IdParams,
          response: { 200: WalletSummary, ...problems(404) },
        },
      },
      async (request) => {
        await getPerson(kernel.db, request.params.id);
        return walletSummary(kernel.db, request.params.id);
      },
    );

    // ------------------------------------------------------------------ client apps

    const delivered = async (reply: FastifyReply, personId: string, result: { purchase: Purchase; credited: boolean }) => {
      if (!result.credited) reply.header('idempotent-replayed', 'true');
      return reply
        .code(result.credited ? 201 : 200)
        .send({ purchase: await purchaseListItem(kernel.db, result.purchase), balance: await availableCoins(kernel.db, personId) });
    };

    app.get(
      '/client/creators/store/products',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Coin packs on offer, with their product id and price in my store',
          querystring: Type.Object({ store: Type.Optional(StoreName) }),
          response: { 200: Type.Array(ProductView), ...problems(400, 401) },
        },
      },
      async (request) => (await listProducts(kernel.db, { onlyActive: true, store: request.query.store })).map(productView),
    );
    app.get(
      '/client/creators/store/account-token',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My app-account token: pass it with every purchase (StoreKit `appAccountToken`, Play `setObfuscatedAccountId`)',
          description:
            'A UUID that stays the same for me. The store signs it into the purchase, so a purchase made from my account can only be credited to me.',
          response: { 200: AccountToken, ...problems(401) },
        },
      },
      async (request) => ({ accountToken: await accountTokenOf(kernel.db, me(request), kernel.now()) }),
    );
    app.post(
      '/client/creators/store/apple/transactions',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Deliver an App Store purchase: a StoreKit 2 signed transaction, verified, credits its coins once',
          description: `${deliveredDescription} Refused with nothing credited: a signature or certificate chain that does not lead to Apple's root, another app's bundle id or another environment (400), a transaction bought with another account's app-account token (403), one credited to someone else or refunded (409).`,
          body: Body({ signedTransaction: Signed('`Transaction.jwsRepresentation`, as StoreKit gave it.') }),
          response: { 200: Delivered, 201: Delivered, ...problems(400, 401, 403, 409, 503) },
        },
      },
      async (request, reply) => {
        const apple = appleStore(kernel);
        if (!apple) throw notConfigured('App Store', 'APPLE_BUNDLE_ID');
        const field = 'signedTransaction';
        const transaction = await apple.transaction(request.body.signedTransaction, field);
        const personId = me(request);
        const result = await kernel.write({ type: 'member', id: personId }, async (ctx) => {
          await assertOwnAccountToken(ctx.tx, personId, transaction.appAccountToken, field, 'appAccountToken');
          return creditPurchase(ctx, personId, transaction, field);
        });
        return delivered(reply, personId, result);
      },
    );
    app.post(
      '/client/creators/store/google/purchases',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'Deliver a Google Play purchase: its token, verified with the Play Developer API, credits its coins once',
          description: `${deliveredDescription} Refused with nothing credited: another package (400), a token Google does not know for this product (400), a purchase without an obfuscated account id (400: the app must pass my account token to setObfuscatedAccountId), a license tester's test purchase unless the server allows them, a rewarded product (400), a pending or cancelled purchase (409), one whose obfuscated account id is another account's token (403), a token already credited to someone else (409). Acknowledged to Google once credited.`,
          body: Body({
            packageName: Type.String({ minLength: 1, maxLength: 200 }),
            productId: StoreProductId,
            purchaseToken: Type.String({ minLength: 1, maxLength: 2048, pattern: '^[\\x21-\\x7e]+$' }),
          }),
          response: { 200: Delivered, 201: Delivered, ...problems(400, 401, 403, 409, 503) },
        },
      },
      async (request, reply) => {
        const play = googlePlay(kernel);
        if (!play) throw notConfigured('Google Play', 'GOOGLE_PLAY_PACKAGE_NAME');
        const { packageName, productId, purchaseToken } = request.body;
        if (packageName !== play.packageName) throw CreatorsError.invalid('packageName', `is not this app (${play.packageName})`);
        const purchase = await play.purchase(productId, purchaseToken);
        const personId = me(request);
        const result = await kernel.write({ type: 'member', id: personId }, async (ctx) => {
          // Bound to this member's account (Play's obfuscatedExternalAccountId), or anyone holding the token could claim it.
          await assertOwnAccountToken(ctx.tx, personId, purchase.accountToken, 'purchaseToken', 'obfuscatedExternalAccountId');
          return creditPurchase(ctx, personId, purchase, 'purchaseToken');
        });
        if (!purchase.acknowledged) await play.acknowledge(productId, purchaseToken);
        return delivered(reply, personId, result);
      },
    );
    app.get(
      '/client/creators/store/purchases',
      {
        config: { member: true },
        schema: {
          tags: ['client'],
          summary: 'My store purchases, newest first',
          querystring: Type.Object({ ...PageQuery }),
          response: { 200: Page(PurchaseListItem), ...problems(400, 401) },
        },
      },
      async (request) =>
        purchasePage(kernel.db, await listPurchases(kernel.db, { personId: me(request), cursor: request.query.cursor, limit: request.query.limit })),
    );

    // ------------------------------------------------------------------ App Store Server Notifications V2

    app.post(
      '/webhooks/apple/notifications',
      {
        config: { public: true },
        schema: {
          tags: ['webhooks'],
          summary: 'App Store Server Notifications V2 (set this URL in App Store Connect)',
          description:
            'Public: the signed payload is the credential. It is verified like a transaction (chain to the configured Apple root, bundle id, environment). REFUND and REVOKE take the purchase’s coins back (the wallet may go below zero by what was spent, and is flagged); REFUND_REVERSED credits them again; other types are recorded and ignored. Each notificationUUID is handled once; a redelivery answers 200 again.',
          body: Body({ signedPayload: Signed('The notification, as Apple sends it.') }),
          response: { 200: NotificationHandled, ...problems(400, 503) },
        },
      },
      async (request) => {
        const apple = appleStore(kernel);
        if (!apple) throw notConfigured('App Store', 'APPLE_BUNDLE_ID');
        const notification = await apple.notification(request.body.signedPayload, 'signedPayload');
        return kernel.write(systemActor('apple-notifications'), (ctx) => handleNotification(ctx, notification));
      },
    );
  };
}
