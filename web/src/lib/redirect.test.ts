import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeNext } from './redirect';

const ORIGIN = 'https://console.example.com';

describe('safeNext', () => {
  it('keeps a page of this console with its query and hash', () => {
    assert.equal(safeNext('/staff?selected=1#x', ORIGIN), '/staff?selected=1#x');
    assert.equal(safeNext(null, ORIGIN), '/');
  });

  it('never leaves the console', () => {
    for (const next of [
      '//evil.com',
      '/\\evil.com',
      '/\t/evil.com',
      'https://evil.com/staff',
      'javascript:alert(1)',
      '\\\\evil.com',
      'http://console.example.com/x',
      '/.//evil.com',
      '/..//evil.com',
      '/%2e//evil.com',
      '/.\\/evil.com',
      '/./\\evil.com',
    ]) {
      assert.equal(safeNext(next, ORIGIN), '/', next);
    }
  });

  it('refuses what the server refuses: the API, the docs and overlong paths', () => {
    for (const next of ['/api', '/api/console/session', '/docs', '/docs/json', `/${'a'.repeat(2001)}`]) {
      assert.equal(safeNext(next, ORIGIN), '/', next);
    }
    assert.equal(safeNext('/apiary', ORIGIN), '/apiary');
  });

  it('does not loop back to sign-in', () => {
    assert.equal(safeNext('/sign-in?next=/staff', ORIGIN), '/');
  });
});
