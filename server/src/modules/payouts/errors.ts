import { defineErrors } from '../../core/errors.ts';

export class PayoutsError extends defineErrors('payouts', {
  illegal_transition: 'conflict',
  hold_resolved: 'conflict',
}) {}
