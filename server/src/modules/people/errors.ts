import { defineErrors } from '../../core/errors.ts';

export class PeopleError extends defineErrors('people', {
  identity_taken: 'conflict',
}) {}
