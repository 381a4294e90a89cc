import {
  Environment,
  NotificationTypeV2,
  SignedDataVerifier,
  Type,
  VerificationException,
  VerificationStatus,
  type JWSTransactionDecodedPayload,
} from '@apple/app-store-server-library';
import type { AppleStoreOptions } from '../../../core/config.ts';
import { perKernel } from '../../../core/kernel.ts';
import type { StoreNotification, VerifiedPurchase } from './purchases.ts';
import { CreatorsError } from '../errors.ts';

/** A StoreKit 2 transaction whose signature and certificate chain checked out. */
export interface AppleTransaction extends VerifiedPurchase {
  store: 'apple';
  appAccountToken: string | undefined;
}

/** Notification types that change a purchase: REFUND and REVOKE take its coins back, REFUND_REVERSED gives them back. */
const ACTIONS: Partial<Record<string, StoreNotification['action']>> = {
  [NotificationTypeV2.REFUND]: 'refund',
  [NotificationTypeV2.REVOKE]: 'refund',
  [NotificationTypeV2.REFUND_REVERSED]: 'reverse_refund',
};

/**
 * Verifies what the App Store signs — StoreKit 2 transactions sent by the apps and App Store Server
 * Notifications V2 — with Apple's own library: the `x5c` chain must lead to a configured root, the leaf
 * and intermediate must carry Apple's marker extensions, the JWS signature must verify with the leaf's
 * key, and the bundle id and environment must be ours. Anything else is refused, naming `field`.
 */
export class AppleStore {
  private readonly verifier: SignedDataVerifier;

  constructor(private readonly options: AppleStoreOptions) {
    this.verifier = new SignedDataVerifier(
      options.rootCertificates,
      options.onlineChecks,
      options.environment === 'Production' ? Environment.PRODUCTION : Environment.SANDBOX,
      options.bundleId,
      options.appAppleId,
    );
  }

  /** A consumable's signed transaction, as the app received it from StoreKit (`Transaction.jwsRepresentation`). */
  async transaction(signed: string, field: string): Promise<AppleTransaction> {
    const decoded = await this.verify(() => this.verifier.verifyAndDecodeTransaction(signed), field);
    if (decoded.type !== Type.CONSUMABLE) throw CreatorsError.invalid(field, `is a ${decoded.type ?? 'typeless'} purchase; coin packs are consumables`);
    return this.toTransaction(decoded, field);
  }

  /** A notification's payload and, for a refund or revocation, the transaction it takes back. */
  async notification(signedPayload: string, field: string): Promise<StoreNotification> {
    const payload = await this.verify(() => this.verifier.verifyAndDecodeNotification(signedPayload), field);
    if (!payload.notificationUUID || !payload.notificationType) throw CreatorsError.invalid(field, 'lacks a notificationUUID or notificationType');
    const action = ACTIONS[payload.notificationType] ?? null;
    const signedTransaction = payload.data?.signedTransactionInfo;
    const transaction = action && signedTransaction ? await this.verify(() => this.verifier.verifyAndDecodeTransaction(signedTransaction), field) : undefined;
    return {
      store: 'apple',
      id: payload.notificationUUID,
      type: payload.notificationType,
      subtype: payload.subtype ?? null,
      transactionId: transaction?.transactionId ?? null,
      signedAt: payload.signedDate ? new Date(payload.signedDate) : null,
      action: transaction ? action : null,
      reason: transaction
        ? `${payload.notificationType}${transaction.revocationReason !== undefined ? ` (revocation reason ${transaction.revocationReason})` : ''}`
        : null,
    };
  }

  private toTransaction(decoded: JWSTransactionDecodedPayload, field: string): AppleTransaction {
    if (!decoded.transactionId || !decoded.productId) throw CreatorsError.invalid(field, 'lacks a transactionId or productId');
    // creditPurchase refuses a quantity outside 1..100, for both stores.
    const quantity = decoded.quantity ?? 1;
    return {
      store: 'apple',
      transactionId: decoded.transactionId,
      orderId: null,
      originalTransactionId: decoded.originalTransactionId ?? null,
      storeProductId: decoded.productId,
      quantity,
      environment: decoded.environment === Environment.SANDBOX ? 'sandbox' : 'production',
      purchasedAt: new Date(decoded.purchaseDate ?? decoded.signedDate ?? Date.now()),
      appAccountToken: decoded.appAccountToken,
      revokedAt: decoded.revocationDate ? new Date(decoded.revocationDate) : null,
      revocationReason: decoded.revocationDate
        ? `revoked in the transaction${decoded.revocationReason !== undefined ? ` (revocation reason ${decoded.revocationReason})` : ''}`
        : null,
    };
  }

  /** Runs one of the library's checks and turns its refusals into answers that say what was wrong. */
  private async verify<T>(check: () => Promise<T>, field: string): Promise<T> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof VerificationException)) throw error;
      switch (error.status) {
        case VerificationStatus.INVALID_APP_IDENTIFIER:
          throw CreatorsError.invalid(field, `is for another app (this server accepts bundle id ${this.options.bundleId})`);
        case VerificationStatus.INVALID_ENVIRONMENT:
          throw CreatorsError.invalid(field, `is from another App Store environment (this server accepts ${this.options.environment})`);
        case VerificationStatus.RETRYABLE_VERIFICATION_FAILURE:
          throw new CreatorsError('store_unavailable', 'Apple’s certificate status service did not answer; try again shortly.');
        case VerificationStatus.FAILURE:
          throw CreatorsError.invalid(field, 'is not App Store signed data');
        default:
          throw CreatorsError.invalid(field, 'does not verify: its signature or certificate chain does not lead to the configured Apple root');
      }
    }
  }
}

/** The verifier of this server's configuration, or undefined when Apple purchases are not set up. */
export const appleStore = perKernel((kernel) => (kernel.config.apple ? new AppleStore(kernel.config.apple) : undefined));
