import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { uuidIn } from '../../core/db/sql.ts';
import type { Executor } from '../../core/db/client.ts';
import { uuidv7 } from 'uuidv7';
import { systemActor } from '../../core/actor.ts';
import type { Actor } from '../../core/actor.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';

import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { FILE_KINDS, type FileKind } from './kinds.ts';
import { FileEvents } from './events.ts';
import { processUpload } from './process.ts';
import { decide, openReview, pendingItemFor } from '../moderation/service.ts';
import { getPerson } from '../people/people.ts';
import { fileSecrets, files, type StoredVariant } from './schema.ts';
import { signFileUrl, verifyFileSignature } from './signing.ts';
import type { FileStorage } from './storage.ts';
import { FilesError } from './errors.ts';

export type StoredFile = typeof files.$inferSelect;
export type ReviewDecision = 'approved' | 'rejected';
export interface Owner {
  /** `platform` files belong to the installation itself (catalog images), with the nil UUID as id. */
  type: 'person' | 'organization' | 'platform';
  id: string;
}

/** The owner of the installation's own files (catalog images). */
export const PLATFORM_OWNER: Owner = { type: 'platform', id: '00000000-0000-0000-0000-000000000000' };

/** Signed links last this long; a page that stays open asks again. */
const URL_SECONDS = 3600;

/** A display name only: no directories, no control characters, never used as a path. */
function cleanName(name: string | undefined, ext: string): string {
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    // eslint-disable-next-line no-control-regex -- control characters are what this strips
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return base || `file.${ext}`;
}

export class FileService {
  private secret = '';

  constructor(
    private readonly kernel: Kernel,
    readonly storage: FileStorage,
  ) {}

  async start(): Promise<void> {
    await this.kernel.write(systemActor('bootstrap'), async (ctx) => {
      await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('file-secret'))`);
      const [row] = await ctx.tx.select().from(fileSecrets).where(eq(fileSecrets.id, 1));
      if (!row) await ctx.tx.insert(fileSecrets).values({ id: 1, secret: randomBytes(32).toString('base64url') });
    });
    const [row] = await this.kernel.db.select().from(fileSecrets).where(eq(fileSecrets.id, 1));
    this.secret = row!.secret;
  }

  kind(name: string): FileKind {
    const kind = FILE_KINDS[name];
    if (!kind) throw FilesError.invalid('kind', `must be one of: ${Object.keys(FILE_KINDS).join(', ')}`, 'query');
    return kind;
  }

  /** A person's files as an upload target, once the person is known to exist. */
  async personOwner(personId: string): Promise<Owner> {
    await getPerson(this.kernel.db, personId);
    return { type: 'person', id: personId };
  }

  /**
   * Checks and converts the bytes first (outside any transaction: it is the slow part), stores the
   * variants, then records the file; if storing or recording fails, whatever was stored goes again.
   */
  async upload(actor: Actor, owner: Owner, kindName: string, bytes: Buffer, name: string | undefined): Promise<StoredFile> {
    if (actor.type === 'member' && (owner.type !== 'person' || owner.id !== actor.id)) throw FilesError.forbidden('A member uploads to their own files only.');
    const kind = this.kind(kindName);
    if (!kind.owners.includes(owner.type)) throw FilesError.invalid('kind', `is not a kind of ${owner.type} file`, 'query');
    await this.assertRoom(owner, kind);
    const processed = await processUpload(bytes, kind);
    const id = uuidv7();
    const variants: Record<string, StoredVariant> = {};
    const forget = () => Promise.all(Object.values(variants).map((v) => this.storage.delete(v.key).catch(() => undefined)));
    try {
      for (const [variant, data] of Object.entries(processed.variants)) {
        const key = `${id.slice(0, 2)}/${id}/${variant}.${data.ext}`;
        variants[variant] = { key, mime: data.mime, size: data.bytes.length, width: data.width, height: data.height };
        await this.storage.put(key, data.bytes);
      }
    } catch (error) {
      await forget();
      throw error;
    }
    try {
      return await this.kernel.write(actor, async (ctx) => {
        // Counted again under a lock: two uploads at once must not both take the last place.
        await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`files:${owner.id}:${kind.name}`}))`);
        await this.assertRoom(owner, kind, ctx.tx);
        const [row] = await ctx.tx
          .insert(files)
          .values({
            id,
            ownerType: owner.type,
            ownerId: owner.id,
            kind: kind.name,
            mime: processed.mime,
            size: processed.size,
            width: processed.width ?? null,
            height: processed.height ?? null,
            name: cleanName(name, processed.ext),
            sha256: processed.sha256,
            visibility: kind.name === 'document' || kind.name === 'chat' ? 'private' : 'public',
            review: kind.reviewed ? 'pending' : 'not_required',
            variants,
            uploadedByType: actor.type,
            uploadedById: actor.id,
            createdAt: ctx.now,
          })
          .returning();
        if (row!.review === 'pending') {
          await openReview(ctx, {
            kind: kind.name,
            recordType: 'file',
            recordId: id,
            subject: { type: owner.type, id: owner.id },
            details: { mime: processed.mime, width: processed.width ?? null, height: processed.height ?? null, uploadedBy: actor.type },
          });
        }
        await ctx.emit({
          type: FileEvents.uploaded,
          subject: { type: owner.type, id: owner.id },
          payload: { fileId: id, kind: kind.name, mime: processed.mime, size: processed.size, review: row!.review },
        });
        return row!;
      });
    } catch (error) {
      await forget();
      throw error;
    }
  }

  private async assertRoom(owner: Owner, kind: FileKind, db = this.kernel.db): Promise<void> {
    const [row] = await db
      .select({ n: count() })
      .from(files)
      .where(and(eq(files.ownerType, owner.type), eq(files.ownerId, owner.id), eq(files.kind, kind.name)));
    if (Number(row?.n ?? 0) >= kind.maxPerOwner)
      throw FilesError.conflict(`At most ${kind.maxPerOwner} files of kind ${kind.name} per owner; delete one first.`);
  }

  async get(id: string): Promise<StoredFile> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id) ? await this.kernel.db.select().from(files).where(eq(files.id, id)) : [];
    if (!row) throw FilesError.notFound('No such file.');
    return row;
  }

  /** The files with these ids that exist (any owner, any state), for modules that refer to files by id. */
  async findMany(ids: string[], db: Executor = this.kernel.db): Promise<StoredFile[]> {
    return ids.length ? db.select().from(files).where(uuidIn(files.id, ids)) : [];
  }

  async list(owner: Owner, options: { kind?: string; onlyVisibleToOthers?: boolean; cursor?: string; limit: number }) {
    const before = decodeCursor<[string]>(options.cursor, ['uuid']);
    const rows = await this.kernel.db
      .select()
      .from(files)
      .where(
        and(
          eq(files.ownerType, owner.type),
          eq(files.ownerId, owner.id),
          options.kind ? eq(files.kind, options.kind) : undefined,
          options.onlyVisibleToOthers ? and(eq(files.visibility, 'public'), inArray(files.review, ['approved', 'not_required'])) : undefined,
          before ? lt(files.id, before[0]) : undefined,
        ),
      )
      .orderBy(desc(files.id))
      .limit(options.limit + 1);
    return toPage(
      rows,
      options.limit,
      (f) => [f.id],
      (f) => this.view(f),
    );
  }

  /**
   * A person's files as this actor may see them: staff and the system all of them, a member all of their
   * own, and of someone else only the public, approved ones of an active person (anyone else is unknown).
   */
  async listPersonFiles(actor: Actor, personId: string, options: { kind?: string; cursor?: string; limit: number }) {
    const person = await getPerson(this.kernel.db, personId);
    const othersFiles = actor.type === 'member' && person.id !== actor.id;
    if (othersFiles && person.status !== 'active') throw FilesError.notFound('No such person.');
    return this.list({ type: 'person', id: person.id }, { ...options, onlyVisibleToOthers: othersFiles });
  }

  /** Staff and the system may delete any file, a member only one of their own (someone else's is unknown to them). */
  async delete(actor: Actor, fileId: string): Promise<void> {
    const file = await this.get(fileId);
    if (actor.type === 'member' && (file.ownerType !== 'person' || file.ownerId !== actor.id)) throw FilesError.notFound('No such file.');
    await this.kernel.write(actor, async (ctx) => {
      const removed = await ctx.tx.delete(files).where(eq(files.id, file.id)).returning();
      if (removed.length === 0) throw FilesError.notFound('No such file.');
      await ctx.emit({ type: FileEvents.deleted, subject: { type: file.ownerType, id: file.ownerId }, payload: { fileId: file.id, kind: file.kind } });
      ctx.afterCommit(() => {
        for (const variant of Object.values(file.variants)) void this.storage.delete(variant.key).catch(() => undefined);
      });
    });
  }

  /** A staff user decides a file waiting for review from its owner's page: the same decision as in the moderation queue. */
  async review(actor: Actor, fileId: string, decision: ReviewDecision, reason: string | null): Promise<StoredFile> {
    if (actor.type !== 'staff') throw FilesError.forbidden('Only a staff user reviews files.');
    const file = await this.get(fileId);
    const item = await pendingItemFor(this.kernel.db, file.kind, 'file', file.id);
    if (!item) throw FilesError.conflict(`This file is not waiting for review (it is ${file.review}).`);
    await this.kernel.write(actor, (ctx) => decide(ctx, actor.id, item.id, decision, reason));
    return this.get(file.id);
  }

  /** A variant's bytes behind a signed link, with what it was stored as. */
  async openVariant(fileId: string, variant: string, expires: number, sig: string) {
    if (!this.verify(fileId, variant, expires, sig)) throw FilesError.forbidden('This link is invalid or has expired.');
    const file = await this.get(fileId);
    const stored = file.variants[variant];
    if (!stored) throw FilesError.notFound('No such variant.');
    const stream = await this.storage.get(stored.key);
    if (!stream) throw FilesError.notFound('The file is gone.');
    return { file, stored, stream };
  }

  /** A file as the API shows it, with signed links to each variant. */
  view(file: StoredFile) {
    const expires = Math.floor(this.kernel.now().getTime() / 1000) + URL_SECONDS;
    return {
      id: file.id,
      ownerType: file.ownerType,
      ownerId: file.ownerId,
      kind: file.kind,
      mime: file.mime,
      size: file.size,
      width: file.width,
      height: file.height,
      name: file.name,
      visibility: file.visibility,
      review: file.review,
      urls: Object.fromEntries(Object.keys(file.variants).map((variant) => [variant, signFileUrl(this.secret, file.id, variant, expires)])),
      createdAt: file.createdAt.toISOString(),
    };
  }

  verify(fileId: string, variant: string, expires: number, sig: string): boolean {
    return verifyFileSignature(this.secret, fileId, variant, expires, sig, Math.floor(this.kernel.now().getTime() / 1000));
  }
}

/** A moderator's decision applies to the file at once, in the decision's transaction: a rejected photo is hidden with it. */
export async function applyReviewDecision(ctx: ServiceContext, fileId: string, decision: ReviewDecision, reason: string | null): Promise<void> {
  const [file] = await ctx.tx.update(files).set({ review: decision }).where(eq(files.id, fileId)).returning();
  if (!file) return;
  await ctx.emit({
    type: FileEvents.reviewed,
    subject: { type: file.ownerType, id: file.ownerId },
    payload: { fileId: file.id, kind: file.kind, decision, reason },
  });
}
