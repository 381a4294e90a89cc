import { defineErrors } from '../../core/errors.ts';

export class SettingsError extends defineErrors('settings', {
  outdated_client: 'outdated_client',
}) {}
