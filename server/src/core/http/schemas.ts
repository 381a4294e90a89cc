import { Type, type ObjectOptions, type TProperties, type TSchema } from '@sinclair/typebox';

/** A request body: unknown fields are refused (400 naming them), never silently dropped. */
export const Body = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/** A value or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

