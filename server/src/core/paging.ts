import { CoreError, type FieldSource } from './errors.ts';

/** Cursors are opaque to clients: the sort key of the last row, as base64url JSON. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What each position of a cursor must hold; anything else is refused, never a failed SQL cast. */
const CURSOR_PARTS = {
  string: (v: unknown) => typeof v === 'string' && v.length <= 500,
  uuid: (v: unknown) => typeof v === 'string' && UUID.test(v),
  id: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  integer: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v),
  // Years PostgreSQL and every cursor's column can hold: JavaScript reaches far past them (±271821).
  date: (v: unknown) =>
    typeof v === 'string' && v.length <= 40 && !Number.isNaN(new Date(v).getTime()) && Math.abs(new Date(v).getUTCFullYear() - 5000) <= 5000,
};

export type CursorPart = keyof typeof CURSOR_PARTS;

/** The cursor arrives as the `cursor` query parameter of every list. */
export function decodeCursor<T extends unknown[]>(cursor: string | undefined, shape: CursorPart[]): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => CURSOR_PARTS[shape[i]!](v))) return key as T;
  } catch {
    // fall through to the refusal below
  }
  throw CoreError.invalid('cursor', 'is not a cursor this list issued', 'query');
}

/** A `date-time` the schema accepted but JavaScript cannot represent (e.g. a leap second) is refused too. */
export function parseDate(field: string, value: string, source: FieldSource = 'body'): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw CoreError.invalid(field, 'is not a representable date-time', source);
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
