import { Type } from '@sinclair/typebox';
import { Text } from '../../core/labels.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';

export const SettingView = Type.Object({
  key: Type.String(),
  module: Type.String(),
  label: Text,
  description: Text,
  public: Type.Boolean(),
  schema: Type.Record(Type.String(), Type.Unknown(), {
    description:
      "JSON Schema of the value; the console builds the setting's form from it ('x-label', 'x-key-label' and 'x-multiline' annotate it for the form)",
  }),
  default: Type.Unknown(),
  value: Type.Unknown(),
  isDefault: Type.Boolean(),
  updatedAt: Nullable(Timestamp),
  updatedBy: Nullable(Type.String()),
});
