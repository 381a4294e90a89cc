/**
 * A setting's form, built from the JSON Schema the server declares for its value (`GET /api/console/settings`):
 * `fieldOf(schema)` says which control edits each part of the value, `toDraft` turns a value into what the
 * controls bind to, and `fromDraft` turns that back into the value to save. Annotations the server adds to
 * the schema: `x-label` (`{ en, ru }`: the name of a property or a literal), `x-key-label` (the keys of a
 * record) and `x-multiline` (a string edited as a text area). A schema none of the controls fit is edited as
 * JSON.
 */

/** A text in every console language, as the server declares it. */
export type Text = Record<string, string>;

type Scalar = string | number | boolean;

export type Field =
  | { kind: 'number'; label?: Text; integer: boolean; min?: number; max?: number; nullable: boolean }
  | { kind: 'boolean'; label?: Text }
  | { kind: 'select'; label?: Text; options: { value: Scalar; label?: Text }[]; nullable: boolean }
  | { kind: 'text'; label?: Text; multiline: boolean; maxLength?: number; nullable: boolean }
  | { kind: 'group'; label?: Text; fields: { key: string; field: Field }[] }
  | { kind: 'map'; label?: Text; keyLabel?: Text; keyPattern?: string; value: Field }
  | { kind: 'json'; label?: Text };

/** One row of a record's editor: the key and its value's draft. */
export interface MapRow {
  key: string;
  value: Draft;
}
export type Draft = string | number | boolean | null | Draft[] | MapRow[] | { [key: string]: Draft };

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is Text => isSchema(value) && Object.values(value).every((v) => typeof v === 'string') && typeof value.en === 'string';
const labelOf = (schema: Schema): Text | undefined => (isText(schema['x-label']) ? schema['x-label'] : undefined);
const isNull = (schema: Schema) => schema.type === 'null' || schema.const === null;
const isLiteral = (schema: Schema) => ['string', 'number', 'boolean'].includes(typeof schema.const);
const SCALARS = new Set<Field['kind']>(['number', 'boolean', 'select', 'text']);

/** The control that edits a value of this schema. */
export function fieldOf(schema: unknown): Field {
  if (!isSchema(schema)) return { kind: 'json' };
  const label = labelOf(schema);
  const json: Field = { kind: 'json', label };
  const variants = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isSchema) : undefined;

  if (variants) {
    if (variants.length !== (schema.anyOf as unknown[]).length || variants.length === 0) return json;
    const nullable = variants.some(isNull);
    const rest = variants.filter((v) => !isNull(v));
    if (rest.length > 0 && rest.every(isLiteral)) {
      return { kind: 'select', label, nullable, options: rest.map((v) => ({ value: v.const as Scalar, label: labelOf(v) })) };
    }
    if (nullable && rest.length === 1) {
      const inner = fieldOf(rest[0]);
      if (inner.kind === 'number' || inner.kind === 'text' || inner.kind === 'select') return { ...inner, label: label ?? inner.label, nullable: true };
    }
    return json;
  }
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as unknown[];
    if (values.length === 0 || !values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) return json;
    return {
      kind: 'select',
      label,
      nullable: values.includes(null),
      options: values.filter((v): v is Scalar => v !== null).map((value) => ({ value })),
    };
  }
  if (isLiteral(schema)) return { kind: 'select', label, nullable: false, options: [{ value: schema.const as Scalar, label }] };

  switch (schema.type) {
    case 'integer':
    case 'number': {
      const bound = (inclusive: unknown, exclusive: unknown, step: number) =>
        typeof inclusive === 'number' ? inclusive : typeof exclusive === 'number' ? exclusive + step : undefined;
      const integer = schema.type === 'integer';
      return {
        kind: 'number',
        label,
        integer,
        min: bound(schema.minimum, schema.exclusiveMinimum, integer ? 1 : 0),
        max: bound(schema.maximum, schema.exclusiveMaximum, integer ? -1 : 0),
        nullable: false,
      };
    }
    case 'boolean':
      return { kind: 'boolean', label };
    case 'string':
      return {
        kind: 'text',
        label,
        multiline: schema['x-multiline'] === true,
        maxLength: typeof schema.maxLength === 'number' ? schema.maxLength : undefined,
        nullable: false,
      };
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : undefined;
      const patterns = isSchema(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
      if (properties && patterns.length === 0) {
        const required = new Set(Array.isArray(schema.required) ? schema.required : []);
        const fields = Object.entries(properties).map(([key, property]) => ({ key, field: fieldOf(property) }));
        // An optional property or one the form cannot edit: the whole value is edited as JSON.
        if (fields.length === 0 || fields.some(({ key, field }) => !required.has(key) || field.kind === 'json')) return json;
        return { kind: 'group', label, fields };
      }
      if (!properties && patterns.length === 1) {
        const [pattern, valueSchema] = patterns[0]!;
        const value = fieldOf(valueSchema);
        if (!SCALARS.has(value.kind)) return json;
        const keyLabel = isText(schema['x-key-label']) ? schema['x-key-label'] : undefined;
        return { kind: 'map', label, keyLabel, keyPattern: pattern === '^(.*)$' ? undefined : pattern, value };
      }
      return json;
    }
  }
  return json;
}

/** What the controls of a field bind to, for a value. */
export function toDraft(field: Field, value: unknown): Draft {
  switch (field.kind) {
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return value === true;
    case 'select': {
      // The select binds to the option's index (options may be numbers or booleans); '' is "none".
      const index = field.options.findIndex((o) => o.value === value);
      return index >= 0 ? String(index) : '';
    }
    case 'text':
      return typeof value === 'string' ? value : '';
    case 'group': {
      const object = isSchema(value) ? value : {};
      return Object.fromEntries(field.fields.map(({ key, field: child }) => [key, toDraft(child, object[key])]));
    }
    case 'map':
      return Object.entries(isSchema(value) ? value : {}).map(([key, v]) => ({ key, value: toDraft(field.value, v) }));
    case 'json':
      return JSON.stringify(value ?? null, null, 2);
  }
}

/** The JSON of a JSON field's draft does not parse. */
export class BadJson extends Error {}

/** The value a draft stands for (what is saved); throws `BadJson` when a JSON field does not parse. */
export function fromDraft(field: Field, draft: Draft): unknown {
  switch (field.kind) {
    case 'number':
      return typeof draft === 'number' && Number.isFinite(draft) ? draft : null;
    case 'boolean':
      return draft === true;
    case 'select': {
      const option = typeof draft === 'string' && draft !== '' ? field.options[Number(draft)] : undefined;
      return option ? option.value : null;
    }
    case 'text': {
      const text = typeof draft === 'string' ? draft : '';
      return field.nullable && !text.trim() ? null : text;
    }
    case 'group': {
      const object = isSchema(draft) ? (draft as Record<string, Draft>) : {};
      return Object.fromEntries(field.fields.map(({ key, field: child }) => [key, fromDraft(child, object[key] ?? null)]));
    }
    case 'map': {
      const rows = Array.isArray(draft) ? (draft as MapRow[]) : [];
      // A row left without a key is not part of the value yet.
      return Object.fromEntries(rows.filter((row) => row.key.trim()).map((row) => [row.key.trim(), fromDraft(field.value, row.value)]));
    }
    case 'json':
      try {
        return JSON.parse(typeof draft === 'string' ? draft : '');
      } catch {
        throw new BadJson();
      }
  }
}

/** A new row of a record's editor. */
export const newRow = (field: Extract<Field, { kind: 'map' }>): MapRow => ({ key: '', value: toDraft(field.value, undefined) });

/** The problem fields (`body.value.minimum.COIN`) the controls of a draft show their messages under. */
export function controlPaths(field: Field, draft: Draft, path = 'body.value'): string[] {
  switch (field.kind) {
    case 'group': {
      const object = isSchema(draft) ? (draft as Record<string, Draft>) : {};
      return [path, ...field.fields.flatMap(({ key, field: child }) => controlPaths(child, object[key] ?? null, `${path}.${key}`))];
    }
    case 'map':
      return [path, ...(Array.isArray(draft) ? (draft as MapRow[]) : []).map((row) => `${path}.${row.key.trim()}`)];
    default:
      return [path];
  }
}

/** A declared text in the console's language (English when it has none in that language). */
export const inLocale = (text: Text | undefined, locale: string): string | undefined => (text ? (text[locale] ?? text.en) : undefined);

/** The words a value's text needs that the schema does not carry. */
export interface ValueWords {
  yes: string;
  no: string;
  none: string;
}

/** A value as a person reads it, by the control's own labels: `iOS: 2.3 · Android: none`, `Yes`, `1 000`. */
export function valueText(field: Field, value: unknown, locale: string, words: ValueWords): string {
  if (value === null || value === undefined) return words.none;
  switch (field.kind) {
    case 'number':
      return typeof value === 'number' ? value.toLocaleString(locale) : String(value);
    case 'boolean':
      return value ? words.yes : words.no;
    case 'select':
      return inLocale(field.options.find((option) => option.value === value)?.label, locale) ?? String(value);
    case 'text':
      return String(value) || words.none;
    case 'group': {
      if (!isSchema(value)) return JSON.stringify(value);
      return field.fields.map(({ key, field: inner }) => `${inLocale(inner.label, locale) ?? key}: ${valueText(inner, value[key], locale, words)}`).join(' · ');
    }
    case 'map': {
      if (!isSchema(value)) return JSON.stringify(value);
      const entries = Object.entries(value);
      return entries.length ? entries.map(([key, inner]) => `${key}: ${valueText(field.value, inner, locale, words)}`).join(', ') : words.none;
    }
    default:
      return JSON.stringify(value);
  }
}
