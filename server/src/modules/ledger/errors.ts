import { defineErrors } from '../../core/errors.ts';

export class LedgerError extends defineErrors('ledger', {
  insufficient_funds: 'conflict',
  balance_out_of_range: 'conflict',
  hold_resolved: 'conflict',
  hold_expired: 'conflict',
  hold_managed: 'conflict',
}) {}
