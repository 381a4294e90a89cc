import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnPath } from './redirect.ts';

describe('safeReturnPath', () => {
  it('keeps a page of the console with its query and fragment', () => {
    assert.equal(safeReturnPath('/staff?selected=1#top'), '/staff?selected=1#top');
    assert.equal(safeReturnPath('/people/019/timeline'), '/people/019/timeline');
  });

  it('sends everything else home', () => {
    for (const value of [
      undefined,
      null,
      '',
      'staff',
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      '/.//evil.com',
      '/..//evil.com',
      '/%2e//evil.com',
      '/.\\/evil.com',
      '/./\\evil.com',
      '/\tevil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/api/console/session',
      '/api',
      '/sign-in?next=/x',
      '/docs',
      `/${'a'.repeat(2001)}`,
    ]) {
      assert.equal(safeReturnPath(value), '/', String(value));
    }
  });
});
