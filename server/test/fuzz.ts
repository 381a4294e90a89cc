/**
 * Requests derived from the OpenAPI document: valid values drawn from each route's own schemas, then
 * broken one place at a time (missing, null, wrong type, boundary numbers, overlong and odd strings,
 * unknown fields, empty and non-object bodies). Used by route-fuzz.test.ts.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
};

export interface Operation {
  method: string;
  /** OpenAPI path, `{param}` style. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; required: boolean; schema: JsonSchema }>;
  body: JsonSchema | undefined;
  multipart: boolean;
}

export interface FuzzCase {
  what: string;
  url: string;
  body?: unknown;
  /** A body sent as it is (not JSON-encoded): broken JSON. */
  rawBody?: string;
}

/** Every operation of the document, its `$ref`s resolved. */
export function operations(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, JsonSchema> };
}): Operation[] {
  const components = doc.components?.schemas ?? {};
  const resolve = (schema: JsonSchema | undefined, depth = 0): JsonSchema | undefined => {
    if (!schema || depth > 20) return schema;
    if (schema.$ref) return resolve(components[schema.$ref.split('/').pop()!], depth + 1);
    const out: JsonSchema = { ...schema };
    if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, resolve(v, depth + 1)!]));
    if (out.items) out.items = resolve(out.items, depth + 1);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (out[key]) out[key] = out[key]!.map((s) => resolve(s, depth + 1)!);
    return out;
  };
  const result: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>;
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      result.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required === true, schema: resolve(p.schema) ?? {} })),
        body: resolve(content?.['application/json']?.schema),
        multipart: content?.['multipart/form-data'] !== undefined || (op.consumes as string[] | undefined)?.includes('multipart/form-data') === true,
      });
    }
  }
  return result;
}

const typeOf = (schema: JsonSchema): string | undefined => {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  return undefined;
};

/** Strings that have broken parsers, queries and layouts before. */
export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202e\u0041',
  '𝕏😀',
  "' OR 1=1 --",
  '%',
  '_',
  '\\',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '1e999',
  '-0',
  'NaN',
  'null',
  '2024-02-30T25:61:61Z',
  '0000-00-00',
];

/** Numbers at and beyond every boundary, and the ones JSON and bigint columns disagree about. */
function boundaryNumbers(schema: JsonSchema): unknown[] {
  const values: unknown[] = [0, -1, 1, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308, -1e308];
  for (const bound of [schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum]) {
    if (typeof bound === 'number') values.push(bound - 1, bound, bound + 1);
  }
  return values;
}

/** Values that break this schema (or sit on its edges), for one place of a request. */
export function brokenValues(schema: JsonSchema): unknown[] {
  const type = typeOf(schema);
  const values: unknown[] = [null, {}, [], true, 'x', 12345, -1];
  if (type === 'string' || schema.enum || schema.anyOf) {
    const max = schema.maxLength ?? 200;
    values.push('a'.repeat(max + 1), 'ж'.repeat(Math.min(max + 1, 5000)), 'a'.repeat(100_000), ...ODD_STRINGS);
    if (schema.format === 'uuid')
      values.push(randomUUID().toUpperCase(), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', `${randomUUID()}x`);
    if (schema.format === 'date-time') values.push('2024-01-01T00:00:00', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '2016-12-31T23:59:60Z');
  }
  if (type === 'integer' || type === 'number') values.push(...boundaryNumbers(schema), '1', 'NaN');
  if (type === 'array')
    values.push(
      [null],
      [{}],
      Array.from({ length: (schema.maxItems ?? 50) + 1 }, () => 'x'),
      'a,b',
    );
  if (type === 'object') values.push({ unexpected: 1 }, [{}], 'object');
  return values;
}

/** Valid values drawn from the schema; `pool` supplies ids that exist for uuid fields. */
export function valid(schema: JsonSchema | undefined, pool: string[], depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.length) return fc.oneof(...branches.map((b) => valid(b, pool, depth + 1)));
  if (schema.allOf?.length) return valid(Object.assign({}, ...schema.allOf) as JsonSchema, pool, depth + 1);
  switch (typeOf(schema)) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Math.max(min + 1000, 1000));
      return fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }), fc.constantFrom(min, max));
    }
    case 'string':
      return validString(schema, pool);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(valid(schema.items, pool, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, inner] of Object.entries(properties)) record[key] = valid(inner, pool, depth + 1);
      if (Object.keys(record).length === 0) return fc.constant({});
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean());
  }
}

function validString(schema: JsonSchema, pool: string[]): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, 200);
  switch (schema.format) {
    case 'uuid':
      return pool.length
        ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.uuid({ version: 7 }) })
        : fc.uuid({ version: 7 });
    case 'date-time':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= max);
    case 'uri':
      return fc.constantFrom('https://example.com/', 'https://example.com/a?b=c');
  }
  const fallback = fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) });
  if (!schema.pattern) return fc.oneof(fallback, fc.string({ minLength: min, maxLength: Math.max(max, min) }));
  let pattern: RegExp;
  try {
    pattern = new RegExp(schema.pattern);
  } catch {
    return fallback;
  }
  return fc.stringMatching(pattern).map((s) => (s.length >= min && s.length <= max ? s : s.slice(0, max).padEnd(min, 'a')));
}

/** A value as it appears in a query string. */
export const queryText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

export interface CaseOptions {
  /** Existing ids for a path parameter of this operation. */
  pathPool(param: string): string[];
  /** Existing ids for uuid fields. */
  idPool: string[];
  count: number;
  seed: number;
}

/** The requests to send one operation: targeted ones first, then random ones, `count` in all. */
export function cases(op: Operation, options: CaseOptions): FuzzCase[] {
  const { idPool } = options;
  const params = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => [
        p,
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...options.pathPool(p), randomUUID()) },
          { weight: 1, arbitrary: fc.constantFrom('not-an-id', '0', '-1', '%00', 'a'.repeat(300), '99999999999999999999') },
        ),
      ]),
    ),
  );
  const query = fc.record(Object.fromEntries(op.query.map((q) => [q.name, valid(q.schema, idPool).map(queryText)])), {
    requiredKeys: op.query.filter((q) => q.required).map((q) => q.name),
  });
  const body = op.body ? valid(op.body, idPool) : fc.constant(undefined);
  const build = (what: string, p: Record<string, string>, q: Record<string, string | string[]>, b: unknown, rawBody?: string): FuzzCase => {
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(p[name] ?? ''));
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
    const qs = search.toString();
    return { what, url: qs ? `${path}?${qs}` : path, ...(b !== undefined ? { body: b } : {}), ...(rawBody !== undefined ? { rawBody } : {}) };
  };

  const validCase = fc.tuple(params, query, body).map(([p, q, b]) => build('valid', p, q as Record<string, string>, b));
  const mutations: Array<fc.Arbitrary<FuzzCase>> = [];
  for (const q of op.query) {
    mutations.push(
      fc
        .tuple(params, query, body, fc.constantFrom(...brokenValues(q.schema).map(queryText), ['1', '2'] as unknown as string))
        .map(([p, qs, b, broken]) => build(`query.${q.name} = ${String(broken).slice(0, 40)}`, p, { ...(qs as Record<string, string>), [q.name]: broken }, b)),
    );
  }
  const properties = op.body?.properties ?? {};
  for (const [key, schema] of Object.entries(properties)) {
    mutations.push(
      fc
        .tuple(params, query, body, fc.constantFrom(...brokenValues(schema)))
        .map(([p, q, b, broken]) =>
          build(`body.${key} = ${JSON.stringify(broken)?.slice(0, 40)}`, p, q as Record<string, string>, { ...(b as object), [key]: broken }),
        ),
    );
    mutations.push(
      fc.tuple(params, query, body).map(([p, q, b]) => {
        const { [key]: _dropped, ...rest } = (b ?? {}) as Record<string, unknown>;
        return build(`body without ${key}`, p, q as Record<string, string>, rest);
      }),
    );
  }
  if (op.body) {
    mutations.push(
      fc
        .tuple(params, query, fc.constantFrom<unknown>({}, [], null, 'text', 0, { unknownField: true }, [{}]))
        .map(([p, q, b]) => build(`body = ${JSON.stringify(b)}`, p, q as Record<string, string>, b)),
      fc
        .tuple(params, query, body)
        .map(([p, q, b]) => build('body with an unknown field', p, q as Record<string, string>, { ...(b as object), zzUnknown: 'x' })),
      fc.tuple(params, query).map(([p, q]) => build('broken JSON', p, q as Record<string, string>, undefined, '{"a":')),
    );
  }
  const random = mutations.length ? fc.oneof({ weight: 1, arbitrary: validCase }, { weight: 3, arbitrary: fc.oneof(...mutations) }) : validCase;

  // Targeted: the empty body (the reported 500) on the first existing record, then samples.
  const firstParams = Object.fromEntries(op.pathParams.map((p) => [p, options.pathPool(p)[0] ?? randomUUID()]));
  const targeted: FuzzCase[] = op.body
    ? [build('empty body on an existing record', firstParams, {}, {})]
    : [build('no query on an existing record', firstParams, {}, undefined)];
  return [...targeted, ...fc.sample(random, { numRuns: Math.max(0, options.count - targeted.length), seed: options.seed })];
}
