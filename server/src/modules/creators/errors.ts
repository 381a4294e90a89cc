import { defineErrors } from '../../core/errors.ts';

export class CreatorsError extends defineErrors('creators', {
  already_suspended: 'conflict',
  not_suspended: 'conflict',
  purchase_of_another_account: 'forbidden',
  purchase_refunded: 'conflict',
  purchase_claimed: 'conflict',
  purchase_too_large: 'conflict',
  purchase_pending: 'conflict',
  purchase_cancelled: 'conflict',
  purchase_type_refused: 'invalid',
  test_purchase: 'invalid',
  store_not_configured: 'unavailable',
  store_unavailable: 'unavailable',
}) {}
