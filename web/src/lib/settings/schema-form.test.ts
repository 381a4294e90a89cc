import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadJson, controlPaths, fieldOf, fromDraft, inLocale, newRow, toDraft, valueText, type Field } from './schema-form';

// The JSON Schemas below are what TypeBox makes of the server's declarations (server/src/modules/*/index.ts).
const ios = { en: 'iOS', ru: 'iOS' };
const version = (label: object) => ({
  anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+){0,2}$' }, { type: 'null' }],
  description: 'a version such as 2.3 or 2.3.1, or null',
  'x-label': label,
});
const minAppVersions = {
  type: 'object',
  additionalProperties: false,
  required: ['ios', 'android'],
  properties: { ios: version(ios), android: version({ en: 'Android', ru: 'Android' }) },
};
const automatic = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled', 'minimum'],
  properties: {
    enabled: { type: 'boolean', 'x-label': { en: 'Request payouts automatically', ru: 'Запрашивать выплаты автоматически' } },
    minimum: {
      type: 'object',
      patternProperties: { '^[A-Z]{3,8}$': { type: 'integer', minimum: 1 } },
      'x-key-label': { en: 'Currency', ru: 'Валюта' },
    },
  },
};
const rules = { type: 'string', maxLength: 20000, 'x-multiline': true };
const flags = { type: 'object', patternProperties: { '^[a-z0-9_.]+$': { type: 'boolean' } } };
const mode = {
  anyOf: [
    { const: 'off', type: 'string', 'x-label': { en: 'Off', ru: 'Выкл.' } },
    { const: 'strict', type: 'string' },
    { const: 3, type: 'number' },
  ],
};

describe('setting forms from their schemas', () => {
  it('map numbers with their bounds, booleans, literals, long and nullable text to their controls', () => {
    assert.deepEqual(fieldOf({ type: 'integer', minimum: 1, maximum: 100 }), {
      kind: 'number',
      label: undefined,
      integer: true,
      min: 1,
      max: 100,
      nullable: false,
    });
    assert.deepEqual(fieldOf({ type: 'number', exclusiveMinimum: 0 }), {
      kind: 'number',
      label: undefined,
      integer: false,
      min: 0,
      max: undefined,
      nullable: false,
    });
    assert.deepEqual(fieldOf({ type: 'boolean' }), { kind: 'boolean', label: undefined });
    assert.deepEqual(fieldOf(rules), { kind: 'text', label: undefined, multiline: true, maxLength: 20000, nullable: false });
    assert.deepEqual(fieldOf(mode), {
      kind: 'select',
      label: undefined,
      nullable: false,
      options: [
        { value: 'off', label: { en: 'Off', ru: 'Выкл.' } },
        { value: 'strict', label: undefined },
        { value: 3, label: undefined },
      ],
    });
    assert.equal((fieldOf({ enum: ['a', 'b', null] }) as Extract<Field, { kind: 'select' }>).nullable, true);
    assert.deepEqual(fieldOf(version(ios)), { kind: 'text', label: ios, multiline: false, maxLength: undefined, nullable: true });
  });

  it('map an object of per-platform versions to a group of inputs, and a record to rows of key and value', () => {
    const group = fieldOf(minAppVersions);
    assert.equal(group.kind, 'group');
    assert.deepEqual(
      (group as Extract<Field, { kind: 'group' }>).fields.map(({ key, field }) => [key, field.kind, inLocale(field.label, 'ru')]),
      [
        ['ios', 'text', 'iOS'],
        ['android', 'text', 'Android'],
      ],
    );
    const rule = fieldOf(automatic) as Extract<Field, { kind: 'group' }>;
    assert.deepEqual(
      rule.fields.map(({ field }) => field.kind),
      ['boolean', 'map'],
    );
    const minimum = rule.fields[1]!.field as Extract<Field, { kind: 'map' }>;
    assert.equal(minimum.keyPattern, '^[A-Z]{3,8}$');
    assert.equal(inLocale(minimum.keyLabel, 'ru'), 'Валюта');
    assert.deepEqual(minimum.value, { kind: 'number', label: undefined, integer: true, min: 1, max: undefined, nullable: false });
    assert.equal(fieldOf(flags).kind, 'map');
  });

  it('fall back to JSON only for what no control fits', () => {
    for (const schema of [
      { type: 'array', items: { type: 'string' } },
      { type: 'object', properties: { a: { type: 'string' } } }, // an optional property
      { type: 'object', properties: { a: { type: 'array' } }, required: ['a'] },
      { type: 'object', patternProperties: { '^a': { type: 'object', properties: {} } } },
      { anyOf: [{ type: 'string' }, { type: 'number' }] },
      { type: 'object' },
      {},
      null,
    ]) {
      assert.equal(fieldOf(schema).kind, 'json', JSON.stringify(schema));
    }
  });

  it('turn a value into the controls’ drafts and back, unchanged', () => {
    const cases: [unknown, unknown][] = [
      [minAppVersions, { ios: '2.3', android: null }],
      [automatic, { enabled: true, minimum: { COIN: 10000, USD: 500 } }],
      [rules, 'Be kind.\nNo nudity.'],
      [flags, { new_feed: true, beta: false }],
      [mode, 3],
      [{ type: 'array' }, [1, 2]],
    ];
    for (const [schema, value] of cases) {
      const field = fieldOf(schema);
      assert.deepEqual(fromDraft(field, toDraft(field, value)), value, JSON.stringify(value));
    }
  });

  it('read empty nullable text as null, a row without a key as no row, and refuse JSON that does not parse', () => {
    const group = fieldOf(minAppVersions);
    assert.deepEqual(fromDraft(group, { ios: '  ', android: '5.1' }), { ios: null, android: '5.1' });
    const map = fieldOf(flags) as Extract<Field, { kind: 'map' }>;
    assert.deepEqual(fromDraft(map, [{ key: ' beta ', value: true }, newRow(map)]), { beta: true });
    assert.deepEqual(newRow(map), { key: '', value: false });
    assert.throws(() => fromDraft(fieldOf({ type: 'array' }), '[1,'), BadJson);
    assert.equal(fromDraft(fieldOf(mode), ''), null);
  });

  it('name each control by the field a server problem names', () => {
    const field = fieldOf(automatic);
    assert.deepEqual(controlPaths(field, toDraft(field, { enabled: false, minimum: { COIN: 1 } })), [
      'body.value',
      'body.value.enabled',
      'body.value.minimum',
      'body.value.minimum.COIN',
    ]);
    assert.deepEqual(controlPaths(fieldOf(rules), ''), ['body.value']);
  });

  it('shows a declared text in the console’s language, English when that one is missing', () => {
    assert.equal(inLocale({ en: 'Store links', ru: 'Ссылки на магазины' }, 'ru'), 'Ссылки на магазины');
    assert.equal(inLocale({ en: 'Store links' }, 'ru'), 'Store links');
    assert.equal(inLocale(undefined, 'ru'), undefined);
  });

  it('reads a value back in words, by the labels of its controls', () => {
    const words = { yes: 'Yes', no: 'No', none: 'none' };
    assert.equal(valueText(fieldOf(minAppVersions), { ios: '2.3', android: null }, 'en', words), 'iOS: 2.3 · Android: none');
    assert.equal(
      valueText(fieldOf(automatic), { enabled: true, minimum: { USD: 1000, EUR: 50 } }, 'en', words),
      'Request payouts automatically: Yes · minimum: USD: 1,000, EUR: 50',
    );
    assert.equal(valueText(fieldOf(automatic), { enabled: false, minimum: {} }, 'ru', words), 'Запрашивать выплаты автоматически: No · minimum: none');
    assert.equal(valueText(fieldOf(mode), 'off', 'ru', words), 'Выкл.');
    assert.equal(valueText(fieldOf(mode), 'strict', 'en', words), 'strict');
    assert.equal(valueText(fieldOf(rules), '', 'en', words), 'none');
    assert.equal(valueText(fieldOf({}), { any: [1] }, 'en', words), '{"any":[1]}');
  });
});
