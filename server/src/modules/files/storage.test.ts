import { DomainError } from '../../core/errors.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { createTestApp, signIn } from '../../../test/helpers.ts';
import { parseConfig } from '../../core/config.ts';
import { startFakeS3, type FakeS3 } from '../../../test/fake-s3.ts';
import { DiskStorage, type FileStorage } from './storage.ts';
import { S3Storage } from './s3-storage.ts';

/**
 * What every storage driver promises the files module. Runs on the disk driver, on the S3 driver against
 * a local S3-protocol server, and against a real S3-compatible service when TEST_S3_* names one.
 */
function storageContract(name: string, open: () => Promise<{ storage: FileStorage; close(): Promise<void> }>, skip?: string): void {
  describe(`storage contract: ${name}`, { skip }, () => {
    let storage: FileStorage;
    let close: () => Promise<void>;
    const key = (ext = 'bin') => `${randomUUID().slice(0, 2)}/${randomUUID()}/original.${ext}`;
    const read = async (k: string) => {
      const stream = await storage.get(k);
      return stream ? buffer(stream) : undefined;
    };

    before(async () => ({ storage, close } = await open()));
    after(() => close());

    it('gives back exactly the bytes it was given', async () => {
      const k = key();
      const bytes = randomBytes(300_000);
      await storage.put(k, bytes);
      assert.deepEqual(await read(k), bytes);
    });

    it('answers undefined for a key it does not hold', async () => {
      assert.equal(await storage.get(key()), undefined);
    });

    it('replaces an object put twice under one key', async () => {
      const k = key();
      await storage.put(k, Buffer.from('first'));
      await storage.put(k, Buffer.from('second'));
      assert.equal((await read(k))?.toString(), 'second');
    });

    it('deletes, and deleting what is not there is not an error', async () => {
      const k = key();
      await storage.put(k, Buffer.from('bye'));
      await storage.delete(k);
      assert.equal(await storage.get(k), undefined);
      await storage.delete(k);
    });

    it('keeps one whole object when the same key is written concurrently', async () => {
      const k = key();
      const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(50_000, i));
      await Promise.all(versions.map((bytes) => storage.put(k, bytes)));
      const stored = await read(k);
      assert.ok(stored && versions.some((bytes) => bytes.equals(stored)), 'one of the versions, never a mix');
    });

    it('refuses keys that could leave its space', async () => {
      for (const bad of ['../escape.jpg', '/etc/passwd.jpg', 'a/../../b.jpg', 'a//b.jpg', 'A/B.JPG', 'no-extension', 'a/b.jpg?x=1']) {
        await assert.rejects(storage.put(bad, Buffer.from('x')), /Invalid storage key/, bad);
        await assert.rejects(storage.get(bad), /Invalid storage key/, bad);
      }
    });
  });
}

storageContract('disk', async () => {
  const root = await mkdtemp(join(tmpdir(), 'switchboard-storage-'));
  return { storage: new DiskStorage(root), close: () => rm(root, { recursive: true, force: true }) };
});

storageContract('S3 (local S3-protocol server)', async () => {
  const s3 = await startFakeS3();
  return { storage: new S3Storage(s3Options(s3)), close: () => s3.close() };
});

const real = {
  endpoint: process.env.TEST_S3_ENDPOINT,
  bucket: process.env.TEST_S3_BUCKET,
  accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID,
  secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY,
};
storageContract(
  `S3 (${real.endpoint ?? 'TEST_S3_ENDPOINT'})`,
  async () => ({
    storage: new S3Storage({
      endpoint: real.endpoint,
      bucket: real.bucket!,
      accessKeyId: real.accessKeyId!,
      secretAccessKey: real.secretAccessKey!,
      region: process.env.TEST_S3_REGION ?? 'us-east-1',
      sessionToken: undefined,
      prefix: `switchboard-contract-${randomUUID()}/`,
      pathStyle: true,
    }),
    close: async () => undefined,
  }),
  real.endpoint && real.bucket && real.accessKeyId && real.secretAccessKey
    ? undefined
    : 'no S3-compatible server configured: set TEST_S3_ENDPOINT, TEST_S3_BUCKET, TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY (e.g. a local MinIO) to run the contract against it',
);

function s3Options(s3: FakeS3, overrides: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}) {
  return {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    sessionToken: undefined,
    prefix: '',
    pathStyle: true,
    ...overrides,
  };
}

describe('S3 storage driver', () => {
  let s3: FakeS3;
  before(async () => (s3 = await startFakeS3()));
  after(() => s3.close());

  it('keeps keys under the configured prefix', async () => {
    const storage = new S3Storage(s3Options(s3, { prefix: 'tenant-a/' }));
    await storage.put('ab/x/original.jpg', Buffer.from('x'));
    assert.ok(s3.objects.has('tenant-a/ab/x/original.jpg'));
  });

  it('fails loudly, as a 503 and not as missing data, when the service refuses its signature', async () => {
    const storage = new S3Storage(s3Options(s3, { secretAccessKey: 'not-the-secret' }));
    const unavailable = (error: unknown) => {
      assert.ok(error instanceof DomainError);
      assert.equal(error.kind, 'unavailable');
      assert.match(String((error.cause as Error).message), /SignatureDoesNotMatch/);
      return true;
    };
    await assert.rejects(storage.put('ab/y/original.jpg', Buffer.from('x')), unavailable);
    await assert.rejects(storage.get('ab/y/original.jpg'), unavailable);
    assert.equal(s3.objects.has('ab/y/original.jpg'), false);
  });

  it('answers an outage with a 503 problem; the upload stores nothing and the API says so', async () => {
    const t = await createTestApp({
      env: { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
    });
    try {
      const admin = await signIn(t.app);
      const personId = (await admin.post('/api/console/people', { displayName: 'Bucket Bob' })).json().id;
      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#36c' } })
        .png()
        .toBuffer();
      const boundary = 'b0undary';
      const upload = () =>
        admin.request({
          method: 'POST',
          url: `/api/console/people/${personId}/files?kind=photo`,
          payload: Buffer.concat([
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
            png,
            Buffer.from(`\r\n--${boundary}--\r\n`),
          ]),
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        });

      const stored = await upload();
      assert.equal(stored.statusCode, 201, stored.body);
      const file = stored.json();
      assert.ok(
        [...s3.objects.keys()].some((k) => k.includes(file.id)),
        'the bytes went to the bucket',
      );
      const served = await t.app.inject({ method: 'GET', url: file.urls.original });
      assert.equal(served.statusCode, 200);
      assert.equal((await sharp(served.rawPayload).metadata()).width, 40);

      const before = s3.objects.size;
      s3.failWhen = (method, key) => method === 'PUT' && key.endsWith('/original.png');
      const halfway = await upload();
      assert.equal(halfway.statusCode, 503);
      assert.match(halfway.json().detail, /storage/i);
      assert.equal(s3.objects.size, before, 'the variants stored before the failure are deleted again');

      s3.failWhen = () => true;
      assert.equal((await upload()).statusCode, 503);
      assert.equal((await t.app.inject({ method: 'GET', url: file.urls.original })).statusCode, 503);
      s3.failWhen = undefined;
      assert.equal((await admin.get(`/api/console/people/${personId}/files`)).json().items.length, 1, 'no record of a refused upload');

      assert.equal((await admin.delete(`/api/console/files/${file.id}`)).statusCode, 204);
      await waitFor(() => ![...s3.objects.keys()].some((k) => k.includes(file.id)));
    } finally {
      s3.failWhen = undefined;
      await t.close();
    }
  });

  it('is chosen only with credentials: S3_BUCKET alone is a configuration error naming the missing variables', async () => {
    assert.throws(() => parseConfig({ S3_BUCKET: 'some-bucket' }), /S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: are required/);
    assert.throws(() => parseConfig({ S3_BUCKET: 'Bad_Bucket', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' }), /S3_BUCKET/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition());
}

// The disk driver's temporary files never outlive a put.
describe('disk storage driver', () => {
  it('leaves no temporary files behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'switchboard-storage-'));
    try {
      const storage = new DiskStorage(root);
      await Promise.all(Array.from({ length: 5 }, (_, i) => storage.put('ab/c/original.jpg', Buffer.alloc(1000, i))));
      assert.deepEqual(await readdir(join(root, 'ab/c')), ['original.jpg']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
