import { defineErrors } from '../../core/errors.ts';

export class StaffError extends defineErrors('staff', {
  unauthenticated: 'unauthenticated',
  rate_limited: 'rate_limited',
  weak_password: 'invalid',
}) {}
