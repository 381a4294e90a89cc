import { defineErrors } from '../../core/errors.ts';

export class NotificationsError extends defineErrors('notifications', {
  /** The kind is not declared by an enabled module, or not for this audience. */
  unknown_kind: 'invalid',
  /** The kind may not be muted (calls). */
  not_mutable: 'conflict',
}) {}
