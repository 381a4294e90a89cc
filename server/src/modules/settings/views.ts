import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../../core/schemas.ts';

export const SettingView = Type.Object({
  key: Type.String(),
  module: Type.String(),
  description: Type.String(),
  public: Type.Boolean(),
  schema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the value' }),
  default: Type.Unknown(),
  value: Type.Unknown(),
  isDefault: Type.Boolean(),
  updatedAt: Nullable(Timestamp),
  updatedBy: Nullable(Type.String()),
});
