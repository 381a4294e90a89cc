import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, call } from './api/client';
import { fieldError, formError, roleItems } from './forms';

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
