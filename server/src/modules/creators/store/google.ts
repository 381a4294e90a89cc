import { androidpublisher, auth, type androidpublisher_v3 } from '@googleapis/androidpublisher';
import type { FastifyBaseLogger } from 'fastify';
import type { GooglePlayOptions } from '../../../core/config.ts';
import { perKernel } from '../../../core/kernel.ts';
import type { VerifiedPurchase } from './purchases.ts';
import { CreatorsError } from '../errors.ts';

const SCOPE = 'https://www.googleapis.com/auth/androidpublisher';
/** Where google-auth-library exchanges the service account's signed JWT for an access token. */
const TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** A Play purchase as the Play Developer API reports it, ready to be credited. */
export interface GooglePurchase extends VerifiedPurchase {
  store: 'google';
  /** Play's obfuscated account id, when the app set it (to the member's app-account token). */
  accountToken: string | undefined;
  acknowledged: boolean;
}

/** How far back voidedpurchases.list reaches. */
export const VOIDED_WINDOW_MS = 30 * 24 * 3600_000;

/** A purchase Google voided, as voidedpurchases.list reports it. */
export interface VoidedPurchase {
  purchaseToken: string;
  orderId: string | null;
  voidedAt: Date | null;
  /** Kept as the refund's reason: Google's voidedReason and voidedSource codes. */
  reason: string;
  voidedReason: number | null;
}

const codes = (v: androidpublisher_v3.Schema$VoidedPurchase) =>
  [v.voidedReason != null ? `reason ${v.voidedReason}` : '', v.voidedSource != null ? `source ${v.voidedSource}` : ''].filter(Boolean).join(', ');

/** purchaseState of purchases.products: 0 purchased, 1 cancelled, 2 pending (not paid yet). */
const PURCHASED = 0;
const PENDING = 2;
/** purchaseType: absent for a paid purchase. */
const TEST = 0;
const PROMO = 1;
const REWARDED = 2;
/** Reasons Google gives when the token is not a purchase of that product in our package: the app sent something wrong. */
const NOT_OUR_PURCHASE = (reason: string) => reason === 'purchaseTokenNotFound' || reason.startsWith('purchaseTokenDoesNotMatch') || reason === 'invalid';

/**
 * Google Play purchases, verified through the official Play Developer API client with the configured
 * service account: `purchases.products.get` says whether a purchase token is a paid purchase of our
 * package and product, `purchases.products.acknowledge` tells Google we delivered it (Google refunds
 * purchases left unacknowledged for three days).
 */
export class GooglePlay {
  private readonly api: androidpublisher_v3.Androidpublisher;

  constructor(
    private readonly options: GooglePlayOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    const client = new auth.JWT({ email: options.serviceAccount.clientEmail, key: options.serviceAccount.privateKey, scopes: [SCOPE] });
    const apiUrl = options.apiUrl;
    if (apiUrl) {
      // The token endpoint is fixed inside google-auth-library; the API's root is an option below.
      client.transporter.interceptors.request.add({
        resolved: async (request) => {
          if (request.url.href === TOKEN_URL) request.url = new URL(`${apiUrl}/token`);
          return request;
        },
      });
    }
    this.api = androidpublisher({ version: 'v3', auth: client, timeout: 15_000, ...(apiUrl ? { rootUrl: `${apiUrl}/` } : {}) });
  }

  get packageName(): string {
    return this.options.packageName;
  }

  /**
   * The purchase behind a token the app sent, if it is a paid purchase of `productId` in our package;
   * pending and cancelled purchases are refused (409) and credit nothing.
   */
  async purchase(productId: string, purchaseToken: string): Promise<GooglePurchase> {
    let data: androidpublisher_v3.Schema$ProductPurchase;
    try {
      ({ data } = await this.api.purchases.products.get({ packageName: this.options.packageName, productId, token: purchaseToken }));
    } catch (error) {
      throw this.refusal(error, productId);
    }
    if (data.purchaseState === PENDING) {
      throw new CreatorsError('purchase_pending', 'The purchase is pending: Google Play has not been paid yet. Send it again once it completes.', {
        fields: [{ field: 'purchaseToken', message: 'is a pending purchase' }],
      });
    }
    if (data.purchaseState !== PURCHASED) {
      throw new CreatorsError('purchase_cancelled', 'The purchase was cancelled.', {
        fields: [{ field: 'purchaseToken', message: 'is a cancelled purchase' }],
      });
    }
    const environment = this.purchaseKind(data.purchaseType);
    const purchasedAt = new Date(Number(data.purchaseTimeMillis ?? Number.NaN));
    return {
      store: 'google',
      transactionId: purchaseToken,
      orderId: data.orderId ?? null,
      storeProductId: productId,
      // Absent for a single pack; creditPurchase refuses anything outside 1..100.
      quantity: data.quantity ?? 1,
      environment,
      // An absent or unreadable time is not the member's fault: creditPurchase falls back to now.
      purchasedAt,
      accountToken: data.obfuscatedExternalAccountId ?? undefined,
      acknowledged: data.acknowledgementState === 1,
    };
  }

  /**
   * purchaseType of purchases.products: absent for a purchase paid for; 0 a license tester's test purchase
   * (nobody paid: credited, as `sandbox`, only when GOOGLE_PLAY_ALLOW_TEST_PURCHASES is on); 1 a promo code
   * we issued in the Play Console (a grant we chose to make: credited); 2 a rewarded product (a watched ad,
   * which no coin pack is sold for: refused).
   */
  private purchaseKind(purchaseType: number | null | undefined): 'production' | 'sandbox' {
    if (purchaseType === undefined || purchaseType === null || purchaseType === PROMO) return 'production';
    if (purchaseType === TEST) {
      if (this.options.allowTestPurchases) return 'sandbox';
      throw new CreatorsError(
        'test_purchase',
        'This is a license tester’s test purchase (purchaseType 0): nobody paid for it, and this server does not credit test purchases (GOOGLE_PLAY_ALLOW_TEST_PURCHASES).',
        {
          fields: [{ field: 'purchaseToken', message: 'is a license tester’s test purchase (purchaseType 0), not credited on this server' }],
        },
      );
    }
    const what =
      purchaseType === REWARDED
        ? 'a rewarded product (purchaseType 2: watching an ad), which coin packs are not'
        : `of an unknown purchaseType ${purchaseType}`;
    throw new CreatorsError('purchase_type_refused', `The purchase is ${what}; it is not credited.`, {
      fields: [{ field: 'purchaseToken', message: `is ${what}` }],
    });
  }

  /**
   * Purchases Google voided (refunded, charged back, cancelled) that it saw voided since `since` (at most 30
   * days back: Google keeps no more), every page of `purchases.voidedpurchases.list`, in-app products only.
   * A failure is thrown: the job that calls this runs again.
   */
  async voidedPurchases(since: Date, now: Date): Promise<VoidedPurchase[]> {
    const earliest = now.getTime() - VOIDED_WINDOW_MS + 60_000;
    const startTime = String(Math.max(since.getTime(), earliest));
    const voided: VoidedPurchase[] = [];
    let token: string | undefined;
    do {
      const { data } = await this.api.purchases.voidedpurchases.list({
        packageName: this.options.packageName,
        startTime,
        maxResults: 1000,
        type: 0,
        ...(token ? { token } : {}),
      });
      for (const v of data.voidedPurchases ?? []) {
        if (!v.purchaseToken) continue;
        const voidedAt = new Date(Number(v.voidedTimeMillis ?? Number.NaN));
        voided.push({
          purchaseToken: v.purchaseToken,
          orderId: v.orderId ?? null,
          voidedAt: Number.isFinite(voidedAt.getTime()) ? voidedAt : null,
          reason: `voided by Google Play${codes(v) ? ` (${codes(v)})` : ''}`,
          voidedReason: v.voidedReason ?? null,
        });
      }
      token = data.tokenPagination?.nextPageToken ?? undefined;
    } while (token);
    return voided;
  }

  /**
   * Acknowledges a credited purchase. The coins are already the member's, so a failure here is logged
   * rather than answered: the app delivers the purchase again (and consumes it, which acknowledges it too).
   */
  async acknowledge(productId: string, purchaseToken: string): Promise<void> {
    try {
      await this.api.purchases.products.acknowledge({ packageName: this.options.packageName, productId, token: purchaseToken, requestBody: {} });
    } catch (error) {
      this.log.warn({ err: error, productId }, 'acknowledging a Google Play purchase failed');
    }
  }

  /**
   * Google's error reason says whose fault it is: a token Google does not know, or one of another package
   * or product (`purchaseTokenNotFound`, `purchaseTokenDoesNotMatch…`, `invalid`) is the app's, a 400
   * naming the token; anything else (our package unknown to Google, our service account refused, Google
   * down) is Google's or ours, a 503 — never a refusal of the member's purchase.
   */
  private refusal(error: unknown, productId: string): CreatorsError {
    const failed = error as { status?: number; response?: { status?: number; data?: unknown }; errors?: Array<{ reason?: string }> };
    const status = failed.status ?? failed.response?.status;
    const data = failed.response?.data as { error?: { errors?: Array<{ reason?: string }> } | string } | undefined;
    const reasons = [...(failed.errors ?? []), ...(typeof data?.error === 'object' ? (data.error.errors ?? []) : [])]
      .map((e) => e.reason ?? '')
      .filter(Boolean);
    if (reasons.some(NOT_OUR_PURCHASE)) {
      const detail = error instanceof Error ? error.message : 'refused';
      return CreatorsError.invalid('purchaseToken', `is not a purchase of ${productId} in ${this.options.packageName} (Google Play: ${detail})`);
    }
    this.log.error({ err: error, status, reasons }, 'the Play Developer API failed');
    const credentials = status === 401 || status === 403 || typeof data?.error === 'string' || (status !== undefined && status >= 400 && status < 500);
    return new CreatorsError(
      'store_unavailable',
      credentials ? 'Google Play refused this server’s credentials or does not know its app.' : 'Google Play did not answer; try again shortly.',
      { cause: error },
    );
  }
}

/** The Play client of this server's configuration, or undefined when Google purchases are not set up. */
export const googlePlay = perKernel((kernel) => (kernel.config.googlePlay ? new GooglePlay(kernel.config.googlePlay, kernel.log) : undefined));
