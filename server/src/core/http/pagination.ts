import { Type, type TSchema } from '@sinclair/typebox';
import { invalidField } from './problem.ts';

/** Query parameters of every keyset-paginated list. */
export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'The `nextCursor` of the previous page.' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end.' }),
  });

/** Cursors are opaque to clients: the sort key of the last row, as base64url JSON. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What each position of a cursor must hold; anything else is a 400, never a failed SQL cast. */
const CURSOR_PARTS = {
  string: (v: unknown) => typeof v === 'string' && v.length <= 500,
  uuid: (v: unknown) => typeof v === 'string' && UUID.test(v),
  id: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  integer: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v),
  date: (v: unknown) => typeof v === 'string' && v.length <= 40 && !Number.isNaN(new Date(v).getTime()),
};

export function decodeCursor<T extends unknown[]>(cursor: string | undefined, shape: Array<keyof typeof CURSOR_PARTS>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => CURSOR_PARTS[shape[i]!](v))) return key as T;
  } catch {
    // fall through to the 400 below
  }
  throw invalidField('query.cursor', 'is not a cursor this list issued');
}

/** A `date-time` the schema accepted but JavaScript cannot represent (e.g. a leap second) is a 400 too. */
export function parseDate(field: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidField(field, 'is not a representable date-time');
  return date;
}

/** Fetch `limit + 1` rows; this trims the extra one and derives the next cursor from the last kept row. */
export function toPage<Row, Item>(rows: Row[], limit: number, key: (row: Row) => unknown[], map: (row: Row) => Item) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
