import { Type, type ObjectOptions, type TProperties } from '@sinclair/typebox';

/** A request body: unknown fields are refused (400 naming them), never silently dropped. */
export const Body = <T extends TProperties>(properties: T, options: ObjectOptions = {}) => Type.Object(properties, { additionalProperties: false, ...options });

export { Id, IdParams, Nullable, Timestamp } from '../schemas.ts';
