import { defineErrors } from '../../core/errors.ts';

export class MembersError extends defineErrors('members', {
  unauthenticated: 'unauthenticated',
}) {}
