import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createTestApp, multipart, signIn, type Session, type TestApp } from '../../../test/helpers.ts';
import { fileService } from './index.ts';
import type { DiskStorage } from './storage.ts';
import { ffmpegAvailable } from './poster.ts';

function countFiles(dir: string): number {
  try {
    return readdirSync(dir).reduce((n, name) => {
      const path = join(dir, name);
      return n + (statSync(path).isDirectory() ? countFiles(path) : 1);
    }, 0);
  } catch {
    return 0;
  }
}

describe('files and photos', () => {
  let t: TestApp;
  let admin: Session;
  let personId: string;
  let storageRoot: string;

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    personId = (await admin.post('/api/console/people', { displayName: 'Photo Phil' })).json().id;
    storageRoot = (fileService(t.app.kernel).storage as DiskStorage).root;
  });
  after(() => t.close());

  const upload = (bytes: Buffer, kind = 'photo', filename?: string, contentType?: string) =>
    admin.request({ method: 'POST', url: `/api/console/people/${personId}/files?kind=${kind}`, ...multipart(bytes, filename, contentType) });

  it('re-encodes a photo into variants, applies the EXIF orientation and drops the metadata', async () => {
    // 400×200 pixels, stored rotated: orientation 6 means "turn 90° clockwise to view".
    const jpeg = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#c33' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD0: { Artist: 'Secret GPS person' } } })
      .toBuffer();
    const response = await upload(jpeg, 'photo', '../../etc/passwd.jpg');
    assert.equal(response.statusCode, 201, response.body);
    const file = response.json();
    assert.deepEqual(Object.keys(file.urls).sort(), ['medium', 'original', 'thumbnail']);
    assert.equal(file.width, 200, 'orientation applied');
    assert.equal(file.height, 400);
    assert.equal(file.review, 'pending', 'photos wait for moderation');
    assert.equal(file.name, 'passwd.jpg', 'a name is only a name');

    const original = await t.app.inject({ method: 'GET', url: file.urls.original });
    assert.equal(original.statusCode, 200);
    assert.equal(original.headers['x-content-type-options'], 'nosniff');
    assert.match(String(original.headers['content-disposition']), /^inline; filename="[0-9a-f-]+-original\.jpg"$/);
    assert.match(String(original.headers['content-security-policy']), /sandbox/);
    const metadata = await sharp(original.rawPayload).metadata();
    assert.equal(metadata.exif, undefined, 'no EXIF kept');
    assert.equal(metadata.orientation, undefined);
    assert.equal(metadata.width, 200);

    const thumbnail = await sharp((await t.app.inject({ method: 'GET', url: file.urls.thumbnail })).rawPayload).metadata();
    assert.ok(thumbnail.height! <= 320);
  });

  it('serves files only through valid, unexpired signed links', async () => {
    const png = await sharp({ create: { width: 50, height: 50, channels: 4, background: '#0f0' } })
      .png()
      .toBuffer();
    const file = (await upload(png, 'photo', 'a.png', 'image/png')).json();
    const url = new URL(file.urls.original, 'http://x');
    // The first character: it carries six whole bits (a last one may be only padding bits, and "AA" may be what it was).
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', `${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`);
    assert.equal((await t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` })).statusCode, 403);
    const otherVariant = file.urls.original.replace('/original?', '/thumbnail?');
    assert.equal((await t.app.inject({ method: 'GET', url: otherVariant })).statusCode, 403, 'a signature covers one variant');
    t.clock.advance(2 * 3600 * 1000);
    try {
      assert.equal((await t.app.inject({ method: 'GET', url: file.urls.original })).statusCode, 403, 'expired');
    } finally {
      t.clock.advance(-2 * 3600 * 1000);
    }
  });

  it('refuses truncated, oversized, mislabelled and active files, storing nothing', async () => {
    const before = countFiles(storageRoot);
    const listed = async () => (await admin.get(`/api/console/people/${personId}/files?limit=200`)).json().items.length;
    const countBefore = await listed();
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#00f' } })
      .jpeg()
      .toBuffer();
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9, palette: true })
      .toBuffer();

    const cases: Array<[string, Buffer, string, string, string, number]> = [
      ['truncated JPEG', jpeg.subarray(0, 150), 'photo', 'x.jpg', 'image/jpeg', 400],
      ['empty file', Buffer.alloc(0), 'photo', 'x.jpg', 'image/jpeg', 400],
      ['too large for a photo', Buffer.concat([jpeg, Buffer.alloc(16 * 1024 * 1024)]), 'photo', 'x.jpg', 'image/jpeg', 413],
      ['pixel bomb', bomb, 'photo', 'x.png', 'image/png', 413],
      ['pixel bomb as a document', bomb, 'document', 'scan.png', 'image/png', 413],
      ['text named .jpg', Buffer.from('hello, I am not a picture at all, just some text'), 'photo', 'x.jpg', 'image/jpeg', 415],
      ['SVG with a script', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'photo', 'x.svg', 'image/svg+xml', 415],
      ['HTML page', Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'), 'document', 'x.pdf', 'application/pdf', 415],
      ['a video as a photo', Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), 'photo', 'x.jpg', 'image/jpeg', 415],
    ];
    for (const [name, bytes, kind, filename, type, status] of cases) {
      const response = await upload(bytes, kind, filename, type);
      assert.equal(response.statusCode, status, `${name}: ${response.body.slice(0, 200)}`);
    }
    const wrongField = await admin.request({
      method: 'POST',
      url: `/api/console/people/${personId}/files?kind=photo`,
      ...multipart(jpeg, 'x.jpg', 'image/jpeg', 'picture'),
    });
    assert.equal(wrongField.statusCode, 400);
    assert.equal((await admin.request({ method: 'POST', url: `/api/console/people/${personId}/files?kind=photo`, payload: { file: 'x' } })).statusCode, 415);
    assert.equal((await upload(jpeg, 'poster')).statusCode, 400, 'unknown kind');

    assert.equal(countFiles(storageRoot), before, 'nothing stored for a refused upload');
    assert.equal(await listed(), countBefore);
  });

  it('takes a mislabelled but real image for what its bytes say, and strips what follows the image', async () => {
    const png = await sharp({ create: { width: 30, height: 30, channels: 3, background: '#fa0' } })
      .png()
      .toBuffer();
    const polyglot = Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]);
    const response = await upload(polyglot, 'photo', 'innocent.jpg', 'image/jpeg');
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().mime, 'image/png');
    const stored = await t.app.inject({ method: 'GET', url: response.json().urls.original });
    assert.equal(stored.headers['content-type'], 'image/png');
    assert.ok(!stored.rawPayload.includes('<script>'), 're-encoded: the trailing HTML is gone');
  });

  it('keeps a scanned document as sent, serves it only as a download and previews it through re-encoded variants', async () => {
    const scan = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#eee' } })
      .png()
      .toBuffer();
    const response = await upload(scan, 'document', 'passport.png', 'image/png');
    assert.equal(response.statusCode, 201, response.body);
    const file = response.json();
    assert.deepEqual(Object.keys(file.urls).sort(), ['medium', 'original', 'thumbnail']);
    const original = await t.app.inject({ method: 'GET', url: file.urls.original });
    assert.match(String(original.headers['content-disposition']), /^attachment;/, 'the bytes as sent are a download');
    assert.ok(original.rawPayload.equals(scan), 'kept exactly as sent');
    for (const variant of ['thumbnail', 'medium']) {
      const preview = await t.app.inject({ method: 'GET', url: file.urls[variant] });
      assert.equal(preview.headers['content-type'], 'image/jpeg');
      assert.match(String(preview.headers['content-disposition']), /^inline;/);
      const { width } = await sharp(preview.rawPayload).metadata();
      assert.ok(width! <= 1280, `${variant} is bounded: ${width}`);
    }
  });

  it('keeps documents private and serves them as downloads; deleting removes the bytes', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const response = await upload(pdf, 'document', 'contract.pdf', 'application/pdf');
    assert.equal(response.statusCode, 201, response.body);
    const file = response.json();
    assert.equal(file.visibility, 'private');
    assert.equal(file.review, 'not_required');
    const served = await t.app.inject({ method: 'GET', url: file.urls.original });
    assert.match(String(served.headers['content-disposition']), /^attachment;/);
    const before = countFiles(storageRoot);
    assert.equal((await admin.delete(`/api/console/files/${file.id}`)).statusCode, 204);
    // The bytes go after the commit, in the background: wait for them (a loaded machine takes a while).
    for (let waited = 0; countFiles(storageRoot) !== before - 1 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(countFiles(storageRoot), before - 1);
    assert.equal((await t.app.inject({ method: 'GET', url: file.urls.original })).statusCode, 404);
  });

  it('lets members upload to their own files; others see only approved public ones', async () => {
    const token = (await admin.post(`/api/console/people/${personId}/member-token`)).json().token;
    const otherId = (await admin.post('/api/console/people', { displayName: 'Viewer Vic' })).json().id;
    const otherToken = (await admin.post(`/api/console/people/${otherId}/member-token`)).json().token;
    const jpeg = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#123' } })
      .jpeg()
      .toBuffer();
    const mine = await t.app.inject({
      method: 'POST',
      url: '/api/client/files?kind=photo',
      headers: { authorization: `Bearer ${token}`, ...multipart(jpeg).headers },
      payload: multipart(jpeg).payload,
    });
    assert.equal(mine.statusCode, 201, mine.body);
    assert.equal(mine.json().review, 'pending');

    const own = (await t.app.inject({ method: 'GET', url: '/api/client/files', headers: { authorization: `Bearer ${token}` } })).json().items;
    assert.ok(
      own.some((f: { id: string }) => f.id === mine.json().id),
      'the owner sees their pending photo',
    );
    const seen = (await t.app.inject({ method: 'GET', url: `/api/client/people/${personId}/files`, headers: { authorization: `Bearer ${otherToken}` } })).json()
      .items;
    assert.ok(!seen.some((f: { id: string }) => f.id === mine.json().id), 'others do not, until it is approved');

    const theirs = await t.app.inject({ method: 'DELETE', url: `/api/client/files/${mine.json().id}`, headers: { authorization: `Bearer ${otherToken}` } });
    assert.equal(theirs.statusCode, 404, "one member cannot delete another's file");
  });

  it(
    'gives a video a poster and a thumbnail from its first frame, and stores an unreadable one as it is',
    { skip: ffmpegAvailable() ? undefined : 'ffmpeg is not on PATH: videos are stored without a poster (apt-get install ffmpeg to run this)' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'switchboard-video-'));
      try {
        const path = join(dir, 'clip.mp4');
        execFileSync('ffmpeg', [
          '-loglevel',
          'error',
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=640x360:rate=10',
          '-t',
          '1',
          '-pix_fmt',
          'yuv420p',
          '-movflags',
          '+faststart',
          path,
        ]);
        const clip = readFileSync(path);
        const response = await upload(clip, 'video', 'clip.mp4', 'video/mp4');
        assert.equal(response.statusCode, 201, response.body);
        const file = response.json();
        assert.equal(file.review, 'pending');
        assert.deepEqual(Object.keys(file.urls).sort(), ['original', 'poster', 'thumbnail']);
        const original = await t.app.inject({ method: 'GET', url: file.urls.original });
        assert.ok(original.rawPayload.equals(clip), 'the video is kept as sent');
        const poster = await t.app.inject({ method: 'GET', url: file.urls.poster });
        assert.equal(poster.headers['content-type'], 'image/jpeg');
        const frame = await sharp(poster.rawPayload).metadata();
        assert.deepEqual([frame.width, frame.height], [640, 360]);
        assert.ok((await sharp((await t.app.inject({ method: 'GET', url: file.urls.thumbnail })).rawPayload).metadata()).width! <= 320);

        const truncated = await upload(clip.subarray(0, 2000), 'video', 'cut.mp4', 'video/mp4');
        assert.equal(truncated.statusCode, 201, truncated.body);
        assert.deepEqual(Object.keys(truncated.json().urls), ['original']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
