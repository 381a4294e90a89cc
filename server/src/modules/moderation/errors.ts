import { defineErrors } from '../../core/errors.ts';

export class ModerationError extends defineErrors('moderation', {
  already_decided: 'conflict',
}) {}
