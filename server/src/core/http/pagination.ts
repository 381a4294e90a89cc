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

export function decodeCursor<T extends unknown[]>(cursor: string | undefined, shape: Array<'string' | 'number'>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key as T;
  } catch {
    // fall through to the 400 below
  }
  throw invalidField('query.cursor', 'is not a cursor this list issued');
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
