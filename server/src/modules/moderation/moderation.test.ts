import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { staffWith, useTestApp, type Session } from '../../../test/helpers.ts';

function multipart(bytes: Buffer) {
  const boundary = '----moderation-test';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('moderation queues', () => {
  const ctx = useTestApp();
  let ann: Session;
  let ben: Session;
  let jpeg: Buffer;

  before(async () => {
    ann = (await staffWith(ctx.admin, ['moderation.review', 'people.read'], 'ann')).session;
    ben = (await staffWith(ctx.admin, ['moderation.review', 'people.read'], 'ben')).session;
    jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#a52' } })
      .jpeg()
      .toBuffer();
  });

  /** A person with a member token and `n` freshly uploaded photos, each waiting for review. */
  async function personWithPhotos(name: string, n: number) {
    const person = (await ctx.admin.post('/api/console/people', { displayName: name })).json();
    const token = (await ctx.admin.post(`/api/console/people/${person.id}/member-token`)).json().token as string;
    const fileIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const body = multipart(jpeg);
      const upload = await ctx.t.app.inject({
        method: 'POST',
        url: '/api/client/files?kind=photo',
        headers: { authorization: `Bearer ${token}`, ...body.headers },
        payload: body.payload,
      });
      assert.equal(upload.statusCode, 201, upload.body);
      fileIds.push(upload.json().id);
    }
    return { id: person.id as string, token, fileIds };
  }

  const claim = (session: Session, limit = 20) => session.post('/api/console/moderation/photo/claim', { limit });
  const decideItem = (session: Session, id: string, decision: string, reason?: string) =>
    session.post(`/api/console/moderation/items/${id}/decision`, { decision, ...(reason ? { reason } : {}) });
  /** Empties the photo queue, whoever holds the items, so each test starts from nothing pending. */
  const drain = async () => {
    for (const session of [ann, ben, ctx.admin]) {
      for (;;) {
        const items = (await claim(session, 50)).json() as Array<{ id: string }>;
        if (items.length === 0) break;
        await session.post('/api/console/moderation/decisions', { ids: items.map((i) => i.id), decision: 'approved' });
      }
    }
  };

  it('queues uploaded photos; a claim shows the photo and its owner, and two moderators never share an item', async () => {
    await drain();
    const { id, fileIds } = await personWithPhotos('Queued Quinn', 3);
    const kinds = (await ann.get('/api/console/moderation/kinds')).json();
    assert.equal(kinds.find((k: { kind: string }) => k.kind === 'photo').pending, 3);

    const [annItems, benItems] = await Promise.all([claim(ann, 2), claim(ben, 2)]);
    const a = annItems.json() as Array<{ id: string; recordId: string; preview: { file: { urls: Record<string, string> }; owner: { displayName: string } } }>;
    const b = benItems.json() as Array<{ id: string }>;
    assert.equal(a.length + b.length, 3);
    assert.deepEqual(new Set([...a, ...b].map((i) => i.id)).size, 3, 'no item given to both');
    const first = a[0] ?? (b[0] as unknown as (typeof a)[number]);
    assert.ok(fileIds.includes(first.recordId));
    assert.equal(first.preview.owner.displayName, 'Queued Quinn');
    assert.ok(first.preview.file.urls.medium);

    // Asking again gives each their own items back, and nothing of the other's.
    const again = (await claim(ann)).json() as Array<{ id: string }>;
    assert.deepEqual(again.map((i) => i.id).sort(), a.map((i) => i.id).sort());
    assert.equal((await decideItem(ann, b[0]!.id, 'approved')).statusCode, 409, "another moderator's live claim");

    // A lapsed claim goes back to the queue.
    ctx.t.clock.advance(3 * 60_000);
    try {
      const taken = (await claim(ann)).json() as Array<{ id: string }>;
      assert.equal(taken.length, 3);
    } finally {
      ctx.t.clock.advance(-3 * 60_000);
    }
    assert.ok(id);
  });

  it('approving makes the photo visible to other members; rejecting needs a reason and hides it', async () => {
    await drain();
    const owner = await personWithPhotos('Visible Vera', 2);
    const viewer = await personWithPhotos('Viewer Viktor', 0);
    const items = (await claim(ann)).json() as Array<{ id: string; recordId: string }>;
    const [approve, reject] = owner.fileIds.map((fileId) => items.find((i) => i.recordId === fileId)!);

    assert.equal((await decideItem(ann, approve!.id, 'approved')).statusCode, 200);
    const noReason = await decideItem(ann, reject!.id, 'rejected');
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().errors[0].field, 'body.reason');
    assert.equal((await decideItem(ann, reject!.id, 'rejected', 'Not a photo of a person')).statusCode, 200);
    assert.equal((await decideItem(ann, reject!.id, 'approved')).statusCode, 409, 'decided once');

    const visible = (
      await ctx.t.app.inject({ method: 'GET', url: `/api/client/people/${owner.id}/files`, headers: { authorization: `Bearer ${viewer.token}` } })
    ).json().items;
    assert.deepEqual(
      visible.map((f: { id: string }) => f.id),
      [approve!.recordId],
    );
    const own = (await ctx.t.app.inject({ method: 'GET', url: '/api/client/files', headers: { authorization: `Bearer ${owner.token}` } })).json().items;
    assert.equal(own.find((f: { id: string }) => f.id === reject!.recordId).review, 'rejected');

    const timeline = (await ctx.admin.get(`/api/console/people/${owner.id}/timeline`)).json().items.map((e: { type: string }) => e.type);
    assert.ok(timeline.includes('moderation.decided') && timeline.includes('files.reviewed'), timeline.join());
  });

  it('decides an item once even when two decisions race', async () => {
    await drain();
    await personWithPhotos('Racing Rita', 1);
    const [item] = (await claim(ann)).json() as Array<{ id: string }>;
    const results = await Promise.all([decideItem(ann, item!.id, 'approved'), decideItem(ann, item!.id, 'approved'), decideItem(ann, item!.id, 'approved')]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409, 409]);
  });

  it('decides in bulk, reporting each item', async () => {
    await drain();
    await personWithPhotos('Bulk Boris', 3);
    const items = (await claim(ann)).json() as Array<{ id: string }>;
    await decideItem(ann, items[0]!.id, 'approved');
    const bulk = await ann.post('/api/console/moderation/decisions', { ids: items.map((i) => i.id), decision: 'rejected', reason: 'Blurry' });
    assert.equal(bulk.statusCode, 200);
    assert.deepEqual(
      bulk.json().map((r: { ok: boolean }) => r.ok),
      [false, true, true],
    );
    assert.equal((await ann.get('/api/console/moderation/kinds')).json().find((k: { kind: string }) => k.kind === 'photo').pending, 0);
  });
});
