import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import { defineCodes } from '../../../core/labels.ts';
import { Id, Nullable, Timestamp } from '../../../core/schemas.ts';
import { accountsByOwner, available } from '../../ledger/accounts.ts';
import { subjectNames } from '../../people/people.ts';
import { COIN } from '../coins.ts';
import { STORES } from '../schema.ts';
import type { ProductWithPrices } from './products.ts';
import { findPurchaseWithProduct, purchaseTotals, type Purchase } from './purchases.ts';

export const StoreName = Type.Union(STORES.map((s) => Type.Literal(s)));
export const Stores = defineCodes('store', {
  apple: { en: 'App Store', ru: 'App Store' },
  google: { en: 'Google Play', ru: 'Google Play' },
} satisfies Record<(typeof STORES)[number], unknown>);
export const PurchaseStatuses = defineCodes('purchase_status', {
  credited: { en: 'Credited', ru: 'Зачислена', tone: 'green' },
  refunded: { en: 'Refunded', ru: 'Возвращена', tone: 'gray' },
});

export const ProductView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    coins: Type.Integer(),
    active: Type.Boolean(),
    sort: Type.Integer(),
    prices: Type.Array(Type.Object({ store: StoreName, storeProductId: Type.String(), price: Type.Integer(), currency: Type.String() })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'CreatorStoreProduct' },
);
export const PurchaseView = Type.Object(
  {
    id: Type.String(),
    personId: Type.String(),
    store: StoreName,
    transactionId: Type.String({ description: "Apple's transactionId; Google's purchase token." }),
    orderId: Nullable(Type.String({ description: "Google's order id (GPA.…); null for Apple, which signs no order id." })),
    originalTransactionId: Nullable(Type.String({ description: "Apple's originalTransactionId; null for Google." })),
    productId: Type.String(),
    productName: Type.String(),
    storeProductId: Type.String(),
    quantity: Type.Integer(),
    coins: Type.Integer(),
    environment: Type.Union([Type.Literal('production'), Type.Literal('sandbox')]),
    status: PurchaseStatuses.schema,
    purchasedAt: Timestamp,
    creditedAt: Timestamp,
    refundedAt: Nullable(Timestamp),
    refundReason: Nullable(Type.String()),
    refundOverdraft: Nullable(Type.Integer({ description: 'Coins the wallet lacked when the refund took the purchase back: how far below zero it went.' })),
  },
  { $id: 'CreatorStorePurchase' },
);
export const PurchaseListItem = Type.Object({ ...PurchaseView.properties, personName: Nullable(Type.String()) });
export const Delivered = Type.Object({ purchase: PurchaseView, balance: Type.Integer({ description: 'My available coins now.' }) });
export const WalletSummary = Type.Object({
  accountId: Nullable(Type.String()),
  posted: Type.Integer(),
  held: Type.Integer(),
  available: Type.Integer(),
  overdraft: Type.Integer({ description: 'How far below zero refunds of spent coins left the wallet.' }),
  overdrawnAt: Nullable(Timestamp),
  purchases: Type.Integer(),
  coinsBought: Type.Integer(),
  refunded: Type.Integer(),
});
export const AccountToken = Type.Object({ accountToken: Id });
export const NotificationHandled = Type.Object({ outcome: Type.String(), duplicate: Type.Boolean() });

const iso = (d: Date | null) => d?.toISOString() ?? null;
export const purchaseView = (p: Purchase, productName: string) => ({
  id: p.id,
  personId: p.personId,
  store: p.store,
  transactionId: p.transactionId,
  orderId: p.orderId,
  originalTransactionId: p.originalTransactionId,
  productId: p.productId,
  productName,
  storeProductId: p.storeProductId,
  quantity: p.quantity,
  coins: p.coins,
  environment: p.environment,
  status: p.status,
  purchasedAt: p.purchasedAt.toISOString(),
  creditedAt: p.creditedAt.toISOString(),
  refundedAt: iso(p.refundedAt),
  refundReason: p.refundReason,
  refundOverdraft: p.refundOverdraft,
});

export const productView = (p: ProductWithPrices) => ({
  id: p.id,
  name: p.name,
  coins: p.coins,
  active: p.active,
  sort: p.sort,
  prices: p.prices.map((price) => ({ store: price.store, storeProductId: price.storeProductId, price: price.price, currency: price.currency })),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

async function withPersonNames(db: Executor, rows: Array<{ purchase: Purchase; productName: string }>) {
  const names = await subjectNames(
    db,
    rows.map((r) => ({ type: 'person' as const, id: r.purchase.personId })),
  );
  return rows.map((r) => ({ ...purchaseView(r.purchase, r.productName), personName: names.get(r.purchase.personId) ?? null }));
}

/** Purchases with the pack's and the person's names. */
export async function purchasePage(db: Executor, page: { items: Array<{ purchase: Purchase; productName: string }>; nextCursor: string | null }) {
  return { items: await withPersonNames(db, page.items), nextCursor: page.nextCursor };
}

/** One purchase as the lists show it. */
export async function purchaseListItem(db: Executor, purchase: Purchase) {
  const found = await findPurchaseWithProduct(db, purchase.id);
  return found ? (await withPersonNames(db, [found]))[0]! : { ...purchaseView(purchase, ''), personName: null };
}

/** A person's coin wallet as staff see it beside their purchases: balance, overdraft flag, totals. */
export async function walletSummary(db: Executor, personId: string) {
  const wallet = (await accountsByOwner(db, 'person', [personId], 'wallet', COIN)).get(personId);
  return {
    accountId: wallet?.id ?? null,
    posted: wallet?.posted ?? 0,
    held: wallet?.held ?? 0,
    available: wallet ? available(wallet) : 0,
    overdraft: wallet?.overdraft ?? 0,
    overdrawnAt: wallet?.overdrawnAt?.toISOString() ?? null,
    ...(await purchaseTotals(db, personId)),
  };
}
