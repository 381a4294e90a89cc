import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import { isUniqueViolation } from '../../../core/db/sql.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorStorePrices, creatorStoreProducts, STORES, type Store } from '../schema.ts';

export type Product = typeof creatorStoreProducts.$inferSelect;
export type Price = typeof creatorStorePrices.$inferSelect;
export type ProductWithPrices = Product & { prices: Price[] };
export type PriceInput = Pick<Price, 'store' | 'storeProductId' | 'price' | 'currency'>;
/** A pack has at most one price per store. */
export const MAX_PRICES = STORES.length;

export interface ProductInput {
  name: string;
  coins: number;
  active?: boolean;
  sort?: number;
  prices?: PriceInput[];
}

/** Packs in display order with their prices; for an app, only those on offer (and sold in its store). */
export async function listProducts(db: Executor, options: { onlyActive: boolean; store?: Store }): Promise<ProductWithPrices[]> {
  const products = await db
    .select()
    .from(creatorStoreProducts)
    .where(options.onlyActive ? eq(creatorStoreProducts.active, true) : undefined)
    .orderBy(asc(creatorStoreProducts.sort), asc(creatorStoreProducts.coins), asc(creatorStoreProducts.id));
  const prices = products.length
    ? await db
        .select()
        .from(creatorStorePrices)
        .where(
          inArray(
            creatorStorePrices.productId,
            products.map((p) => p.id),
          ),
        )
        .orderBy(asc(creatorStorePrices.store))
    : [];
  return products
    .map((product) => ({ ...product, prices: prices.filter((p) => p.productId === product.id && (!options.store || p.store === options.store)) }))
    .filter((product) => !options.store || product.prices.length > 0);
}

async function productWithPrices(db: Executor, id: string): Promise<ProductWithPrices> {
  const [product] = await db.select().from(creatorStoreProducts).where(eq(creatorStoreProducts.id, id));
  if (!product) throw CreatorsError.notFound('No such coin pack.');
  return { ...product, prices: await db.select().from(creatorStorePrices).where(eq(creatorStorePrices.productId, id)).orderBy(asc(creatorStorePrices.store)) };
}

/** A pack has at most one price per store, and a store's product id leads to one pack only. */
async function replacePrices(ctx: ServiceContext, productId: string, prices: PriceInput[]): Promise<void> {
  const stores = new Set<string>();
  for (const [i, price] of prices.entries()) {
    if (stores.has(price.store)) throw CreatorsError.invalid(`prices.${i}.store`, `appears twice; a pack has one price per store`);
    stores.add(price.store);
    const [taken] = await ctx.tx
      .select({ productId: creatorStorePrices.productId })
      .from(creatorStorePrices)
      .where(
        and(
          eq(creatorStorePrices.store, price.store),
          eq(creatorStorePrices.storeProductId, price.storeProductId),
          ne(creatorStorePrices.productId, productId),
        ),
      );
    if (taken)
      throw CreatorsError.conflict(`${price.storeProductId} is already another pack's product id in the ${price.store} store.`, `prices.${i}.storeProductId`);
  }
  await ctx.tx.delete(creatorStorePrices).where(eq(creatorStorePrices.productId, productId));
  if (prices.length === 0) return;
  try {
    await ctx.tx.insert(creatorStorePrices).values(prices.map((price) => ({ ...price, productId })));
  } catch (error) {
    // Another pack took the same store product id at the same moment.
    if (isUniqueViolation(error)) throw CreatorsError.conflict('A store product id given is already another pack’s.', 'prices');
    throw error;
  }
}

export async function createProduct(ctx: ServiceContext, input: ProductInput): Promise<ProductWithPrices> {
  const id = uuidv7();
  await ctx.tx
    .insert(creatorStoreProducts)
    .values({ id, name: input.name.trim(), coins: input.coins, active: input.active ?? true, sort: input.sort ?? 0, createdAt: ctx.now, updatedAt: ctx.now });
  await replacePrices(ctx, id, input.prices ?? []);
  await ctx.emit({ type: CreatorEvents.productSaved, payload: { productId: id, ...input } });
  return productWithPrices(ctx.tx, id);
}

/** Changes a pack; `prices`, when given, replaces all of its prices. */
export async function updateProduct(ctx: ServiceContext, id: string, patch: Partial<ProductInput>): Promise<ProductWithPrices> {
  const [current] = await ctx.tx.select().from(creatorStoreProducts).where(eq(creatorStoreProducts.id, id)).for('update');
  if (!current) throw CreatorsError.notFound('No such coin pack.');
  const { prices, ...fields } = patch;
  await ctx.tx
    .update(creatorStoreProducts)
    .set({ ...fields, ...(fields.name ? { name: fields.name.trim() } : {}), updatedAt: ctx.now })
    .where(eq(creatorStoreProducts.id, id));
  if (prices) await replacePrices(ctx, id, prices);
  await ctx.emit({ type: CreatorEvents.productSaved, payload: { productId: id, ...patch } });
  return productWithPrices(ctx.tx, id);
}
