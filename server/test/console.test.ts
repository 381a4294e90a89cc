import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { createTestApp, type TestApp } from './helpers.ts';

const INDEX = '<!doctype html><title>Switchboard</title><div id="app"></div>';
const SCRIPT = 'console.log("console")';

describe('serving the built console', () => {
  let dir: string;
  let t: TestApp;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-console-'));
    mkdirSync(join(dir, '_app', 'immutable'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'index.html.br'), brotliCompressSync(INDEX));
    writeFileSync(join(dir, '_app', 'immutable', 'start.abc123.js'), SCRIPT);
    t = await createTestApp({ env: { CONSOLE_DIR: dir } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, and the Brotli file to browsers that accept it', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.body, INDEX);
    assert.equal(plain.headers['cache-control'], 'no-cache');
    const br = await t.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html', 'accept-encoding': 'br, gzip' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'accept-encoding');
    assert.deepEqual(br.rawPayload, brotliCompressSync(INDEX));
  });

  it('caches hashed assets for good', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/_app/immutable/start.abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, SCRIPT);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(res.headers['content-type']), /javascript/);
  });

  it('answers client-side routes with index.html, but never API paths or missing assets', async () => {
    const route = await t.app.inject({ method: 'GET', url: '/staff?selected=1', headers: { accept: 'text/html,*/*' } });
    assert.equal(route.statusCode, 200);
    assert.equal(route.body, INDEX);
    assert.equal(route.headers['cache-control'], 'no-cache');

    const api = await t.app.inject({ method: 'GET', url: '/api/console/nothing', headers: { accept: 'text/html' } });
    assert.equal(api.statusCode, 404);
    assert.match(String(api.headers['content-type']), /problem\+json/);

    const asset = await t.app.inject({ method: 'GET', url: '/_app/immutable/gone.js', headers: { accept: 'text/html' } });
    assert.equal(asset.statusCode, 404);

    const fetchCall = await t.app.inject({ method: 'GET', url: '/staff', headers: { accept: 'application/json' } });
    assert.equal(fetchCall.statusCode, 404);

    // Console pages are only read: a POST there is told to use GET.
    const post = await t.app.inject({ method: 'POST', url: '/staff', headers: { accept: 'text/html' } });
    assert.equal(post.statusCode, 405);
    assert.match(String(post.headers.allow), /GET/);
  });
});

describe('without a console build', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('says how to build it and where the API is', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /npm start/);
    assert.match(res.body, /href="\/docs"/);
  });
});
