import { FormatRegistry, Type, type TSchema } from '@sinclair/typebox';

// TypeBox's own checker (event payloads) knows no formats until told; Fastify's Ajv has its own.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value));

/** TypeBox blocks every module's routes, views and event payloads share. */
export const Id = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Id });
export const Timestamp = Type.String({ format: 'date-time' });

/** A value or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** What caused something (a purchase, a gift, a call), as a record's type and id. */
export const Reference = Type.Object({ type: Type.String(), id: Type.String() });
