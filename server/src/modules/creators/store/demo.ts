import type { ServiceContext } from '../../../core/kernel.ts';
import { createProduct } from './products.ts';
import { creditPurchase, refundPurchase } from './purchases.ts';

const PACKS = [
  { name: 'Handful of coins', coins: 100, price: 99 },
  { name: 'Bag of coins', coins: 550, price: 499 },
  { name: 'Chest of coins', coins: 1200, price: 999 },
  { name: 'Vault of coins', coins: 6500, price: 4999 },
];

/**
 * Four coin packs sold in both stores, and sandbox purchases by the demo app users on iOS and Android,
 * credited through the same function the stores' verified purchases go through (no store needs to be
 * configured). Returns the buyers.
 */
export async function seedStoreDemo<T extends { id: string; platform: 'ios' | 'android' | 'web' }>(ctx: ServiceContext, users: T[]): Promise<T[]> {
  for (const [i, pack] of PACKS.entries()) {
    await createProduct(ctx, {
      name: pack.name,
      coins: pack.coins,
      sort: i + 1,
      prices: [
        { store: 'apple', storeProductId: `coins.${pack.coins}`, price: pack.price, currency: 'USD' },
        { store: 'google', storeProductId: `coins_${pack.coins}`, price: pack.price, currency: 'USD' },
      ],
    });
  }
  const buyers = users.filter((u) => u.platform !== 'web').slice(0, 8);
  for (const [i, buyer] of buyers.entries()) {
    const pack = PACKS[i % PACKS.length]!;
    const apple = buyer.platform === 'ios';
    await creditPurchase(
      ctx,
      buyer.id,
      {
        store: apple ? 'apple' : 'google',
        transactionId: apple ? `demo-${2000000000000000 + i}` : `demo-play-token-${i}`,
        orderId: apple ? null : `GPA.0000-0000-0000-${String(i).padStart(5, '0')}`,
        originalTransactionId: apple ? `demo-${2000000000000000 + i}` : null,
        storeProductId: apple ? `coins.${pack.coins}` : `coins_${pack.coins}`,
        quantity: 1,
        environment: 'sandbox',
        purchasedAt: new Date(ctx.now.getTime() - (buyers.length - i) * 3600_000),
      },
      'demo',
    );
  }
  return buyers;
}

/**
 * The App Store refunds the first iOS buyer's purchase, as a notification would; called once the demo's
 * gifts are sent, so coins already spent take that wallet below zero and it shows flagged.
 */
export async function refundDemoPurchase(ctx: ServiceContext, buyers: Array<{ id: string; platform: string }>): Promise<void> {
  const refunded = buyers.findIndex((b) => b.platform === 'ios');
  if (refunded >= 0) await refundPurchase(ctx, 'apple', `demo-${2000000000000000 + refunded}`, 'REFUND (demo)');
}
