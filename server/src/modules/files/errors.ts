import { defineErrors } from '../../core/errors.ts';

export class FilesError extends defineErrors('files', {
  too_large: 'too_large',
  unsupported_type: 'unsupported_type',
  storage_unavailable: 'unavailable',
}) {}
