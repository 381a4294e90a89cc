import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, call } from './api/client';
import { fieldError, formError, isDirty, roleItems, sameValue } from './forms';

const problem = (status: number, body: object) => Promise.resolve({ error: body, response: new Response(JSON.stringify(body), { status }) });

describe('API errors in forms', () => {
  it('turns a problem+json answer into an ApiError that names the field', async () => {
    const error = await call(
      problem(400, {
        title: 'Bad Request',
        status: 400,
        detail: 'body.email: must be an email',
        errors: [{ field: 'body.email', message: 'must be an email' }],
      }),
    ).catch((e) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 400);
    assert.equal(fieldError(error, 'email'), 'must be an email');
    assert.equal(fieldError(error, 'name'), undefined);
    assert.equal(formError(error), '', 'a field error is shown on the field, not under the form');
  });

  it('shows a refusal without fields under the form, with the server message', async () => {
    const error = await call(problem(409, { title: 'Conflict', status: 409, detail: 'Someone must keep staff.manage_roles.' })).catch((e) => e);
    assert.equal(formError(error), 'Someone must keep staff.manage_roles.');
  });

  it('reports a network failure as status 0', async () => {
    const error = await call(Promise.reject(new TypeError('fetch failed'))).catch((e) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 0);
  });

  it('returns the data of a successful call', async () => {
    assert.deepEqual(await call(Promise.resolve({ data: { ok: true }, response: new Response('{}', { status: 200 }) })), { ok: true });
  });
});

describe('roleItems', () => {
  it('disables roles holding permissions the editor lacks', () => {
    const items = roleItems(
      [
        { id: 'a', name: 'Support', permissions: ['events.read'] },
        { id: 'b', name: 'Administrator', permissions: ['events.read', 'staff.manage_roles'] },
      ],
      ['events.read', 'staff.manage_users'],
      'not yours',
    );
    assert.deepEqual(items, [
      { id: 'a', text: 'Support', disabled: false },
      { id: 'b', text: 'Administrator (not yours)', disabled: true },
    ]);
  });
});

describe('dirty forms', () => {
  it('are clean while every field holds its saved value, whatever the key order', () => {
    const saved = { name: 'Vera', roles: ['a', 'b'], details: { country: 'CY', email: undefined } };
    assert.equal(isDirty(saved, { details: { country: 'CY' }, roles: ['a', 'b'], name: 'Vera' }), false);
    assert.equal(isDirty(new Set(['x', 'y']), new Set(['y', 'x'])), false);
    assert.equal(isDirty(Number.NaN, Number.NaN), false);
    assert.equal(isDirty(null, null), false);
  });

  it('are dirty once a field differs: a letter, an item, an order, a new key, a type', () => {
    const saved = { name: 'Vera', roles: ['a', 'b'], on: false, limit: 10, rules: 'one\ntwo' };
    assert.equal(isDirty(saved, { ...saved, name: 'Vera ' }), true);
    assert.equal(isDirty(saved, { ...saved, roles: ['a'] }), true);
    assert.equal(isDirty(saved, { ...saved, roles: ['b', 'a'] }), true);
    assert.equal(isDirty(saved, { ...saved, on: true }), true);
    assert.equal(isDirty(saved, { ...saved, limit: 11 }), true);
    assert.equal(isDirty(saved, { ...saved, limit: '10' }), true);
    assert.equal(isDirty(saved, { ...saved, rules: 'one\ntwo\n' }), true);
    assert.equal(isDirty(saved, { ...saved, extra: 1 }), true);
    assert.equal(isDirty(new Set(['x']), new Set(['x', 'y'])), true);
    assert.equal(isDirty(null, {}), true);
    assert.equal(isDirty([], {}), true);
    assert.equal(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
  });
});
