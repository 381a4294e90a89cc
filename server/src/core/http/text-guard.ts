import type { FastifyInstance } from 'fastify';
import { invalidField } from './problem.ts';

/** The path to the first string (or key) holding a NUL character, if any. */
function nulAt(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulAt(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // eslint-disable-next-line no-control-regex -- NUL is what this guard looks for
      if (key.includes('\u0000')) return [...path, key.replace(/\u0000/g, '\\0')];
      const found = nulAt(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold a NUL character: a request carrying one is refused at the door, naming the
 * field, instead of failing in the database as a 500 (or, in a group commit, failing the whole group).
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request.
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      const path = nulAt(value);
      if (path) return done(invalidField([part, ...path].join('.'), 'must not contain NUL characters'));
    }
    done();
  });
}
