import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { memberOf, principalOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Body, Nullable } from '../../core/http/schemas.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { HttpProblem } from '../../core/http/problem.ts';
import { decide, pendingItemFor } from '../moderation/service.ts';
import { perKernel, type Kernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { getPerson } from '../people/service.ts';
import { FILE_KINDS } from './kinds.ts';
import { FileEvents, fileEventTypes } from './events.ts';
import { FileService, PLATFORM_OWNER } from './service.ts';
import { DiskStorage } from './storage.ts';
import { S3Storage } from './s3-storage.ts';
import { files } from './schema.ts';
import { eq } from 'drizzle-orm';
import { rm } from 'node:fs/promises';
import { FilesError } from './errors.ts';

export const fileService = perKernel(
  (kernel) => new FileService(kernel, kernel.config.s3 ? new S3Storage(kernel.config.s3) : DiskStorage.forDataDir(kernel.config.dataDir)),
);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Kind = Type.Union(Object.keys(FILE_KINDS).map((k) => Type.Literal(k)));
export const FileView = Type.Object(
  {
    id: Type.String(),
    ownerType: Type.String(),
    ownerId: Type.String(),
    kind: Type.String(),
    mime: Type.String(),
    size: Type.Integer(),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    name: Type.String(),
    visibility: Type.String(),
    review: Type.String(),
    urls: Type.Record(Type.String(), Type.String(), { description: 'Signed links to each variant (thumbnail, medium, original), valid for an hour' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'File' },
);
const UploadSchema = {
  consumes: ['multipart/form-data'],
  querystring: Type.Object({ kind: Kind }),
  description: `multipart/form-data with one part named \`file\`. Kinds: ${Object.values(FILE_KINDS)
    .map((k) => `${k.name} (${k.types.join(', ')}; up to ${Math.round(k.maxBytes / 1024 / 1024)} MB; ${k.maxPerOwner} per owner)`)
    .join('; ')}. The type is read from the bytes; images are re-encoded without metadata.`,
};
/** Types a browser may show inline; anything else is served as a download. */
const INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'video/mp4', 'video/webm', 'video/quicktime']);

/** Images show inline only as we encoded them: a document's original image bytes are a download. */
function servedInline(kind: string, variant: string, mime: string): boolean {
  if (!INLINE.has(mime)) return false;
  return !(mime.startsWith('image/') && variant === 'original' && !FILE_KINDS[kind]?.images);
}

/** Reads the one `file` part of a multipart upload, within the kind's size limit. */
async function readUpload(request: FastifyRequest, maxBytes: number): Promise<{ bytes: Buffer; name: string | undefined }> {
  if (!request.isMultipart()) throw new HttpProblem(415, 'Unsupported Media Type', 'Upload as multipart/form-data with a part named file.');
  const part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1 } });
  if (!part || part.fieldname !== 'file') throw FilesError.invalid('file', 'is required: one part named file');
  const bytes = await part.toBuffer();
  return { bytes, name: part.filename };
}

async function routes(base: FastifyInstance, kernel: Kernel): Promise<void> {
  await base.register(multipart, { limits: { fileSize: Math.max(...Object.values(FILE_KINDS).map((k) => k.maxBytes)), files: 1, parts: 1 } });
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const service = fileService(kernel);
  const staff = (request: FastifyRequest) => ({ type: 'staff' as const, id: principalOf(request).staffId });

  app.post(
    '/console/people/:id/files',
    {
      config: { permission: 'files.manage' },
      schema: { tags: ['files'], summary: "Upload a file to a person's files", params: IdParams, ...UploadSchema, response: { 201: FileView, ...problems(400, 404, 409, 413, 415) } },
    },
    async (request, reply) => {
      await getPerson(kernel.db, request.params.id);
      const kind = service.kind(request.query.kind);
      const { bytes, name } = await readUpload(request, kind.maxBytes);
      const file = await service.upload(staff(request), { type: 'person', id: request.params.id }, kind.name, bytes, name);
      return reply.code(201).send(service.view(file));
    },
  );

  app.get(
    '/console/people/:id/files',
    {
      config: { permission: 'people.read', recordParam: 'id' },
      schema: {
        tags: ['files'],
        summary: "A person's files, newest first, with signed links",
        params: IdParams,
        querystring: Type.Object({ kind: Type.Optional(Kind), ...PageQuery }),
        response: { 200: Page(FileView), ...problems(400, 404) },
      },
    },
    async (request) => {
      await getPerson(kernel.db, request.params.id);
      return service.list({ type: 'person', id: request.params.id }, request.query);
    },
  );

  app.delete(
    '/console/files/:id',
    {
      config: { permission: 'files.manage' },
      schema: { tags: ['files'], summary: 'Delete a file and its stored variants', params: IdParams, response: { 204: Type.Null(), ...problems(404) } },
    },
    async (request, reply) => {
      await service.delete(staff(request), await service.get(request.params.id));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/console/platform/files',
    {
      config: { permission: 'files.manage' },
      schema: {
        tags: ['files'],
        summary: "Upload one of the installation's own files (kind catalog: a gift's picture), to be referred to by id",
        ...UploadSchema,
        response: { 201: FileView, ...problems(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const kind = service.kind(request.query.kind);
      const { bytes, name } = await readUpload(request, kind.maxBytes);
      return reply.code(201).send(service.view(await service.upload(staff(request), PLATFORM_OWNER, kind.name, bytes, name)));
    },
  );

  app.post(
    '/console/files/:id/review',
    {
      config: { permission: 'moderation.review' },
      schema: {
        tags: ['files'],
        summary: "Approve or reject a file waiting for review, from its owner's page (the same decision as in the moderation queue)",
        params: IdParams,
        body: Body({
          decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
          reason: Type.Optional(Type.String({ maxLength: 500, description: 'Required to reject' })),
        }),
        response: { 200: FileView, ...problems(400, 404, 409) },
      },
    },
    async (request) => {
      const file = await service.get(request.params.id);
      const { staffId } = principalOf(request);
      const item = await pendingItemFor(kernel.db, file.kind, 'file', file.id);
      if (!item) throw FilesError.conflict(`This file is not waiting for review (it is ${file.review}).`);
      await kernel.write({ type: 'staff', id: staffId }, (ctx) => decide(ctx, staffId, item.id, request.body.decision, request.body.reason ?? null));
      return service.view(await service.get(file.id));
    },
  );

  app.post(
    '/client/files',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: 'Upload to my own files (photos wait for moderation before others see them)', ...UploadSchema, response: { 201: FileView, ...problems(400, 401, 403, 409, 413, 415) } },
    },
    async (request, reply) => {
      const { personId } = memberOf(request);
      const kind = service.kind(request.query.kind);
      const { bytes, name } = await readUpload(request, kind.maxBytes);
      const file = await service.upload({ type: 'member', id: personId }, { type: 'person', id: personId }, kind.name, bytes, name);
      return reply.code(201).send(service.view(file));
    },
  );

  app.get(
    '/client/files',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: 'My files, whatever their review state', querystring: Type.Object({ kind: Type.Optional(Kind), ...PageQuery }), response: { 200: Page(FileView), ...problems(400, 401, 403) } },
    },
    async (request) => service.list({ type: 'person', id: memberOf(request).personId }, request.query),
  );

  app.get(
    '/client/people/:id/files',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: "Someone's public files that moderators approved",
        params: IdParams,
        querystring: Type.Object({ kind: Type.Optional(Kind), ...PageQuery }),
        response: { 200: Page(FileView), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const person = await getPerson(kernel.db, request.params.id);
      if (person.status !== 'active' && person.id !== memberOf(request).personId) throw FilesError.notFound('No such person.');
      return service.list({ type: 'person', id: person.id }, { ...request.query, onlyVisibleToOthers: person.id !== memberOf(request).personId });
    },
  );

  app.delete(
    '/client/files/:id',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: 'Delete one of my files', params: IdParams, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
    },
    async (request, reply) => {
      const file = await service.get(request.params.id);
      const { personId } = memberOf(request);
      if (file.ownerType !== 'person' || file.ownerId !== personId) throw FilesError.notFound('No such file.');
      await service.delete({ type: 'member', id: personId }, file);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/files/:id/:variant',
    {
      config: { public: true },
      schema: {
        tags: ['files'],
        summary: 'A file variant, by signed link',
        description: 'Only through the links the API hands out (`urls`), which expire. Served with `nosniff`, a sandboxing CSP and a Content-Disposition; only videos and the images we re-encoded show inline (a document’s original is always a download; preview it through its `thumbnail` and `medium`).',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), variant: Type.String({ pattern: '^[a-z]{1,20}$' }) }),
        querystring: Type.Object({ expires: Type.Integer(), sig: Type.String({ maxLength: 100 }) }),
      },
    },
    async (request, reply) => {
      const { id, variant } = request.params;
      if (!service.verify(id, variant, request.query.expires, request.query.sig)) throw FilesError.forbidden('This link is invalid or has expired.');
      const file = await service.get(id);
      const stored = file.variants[variant];
      if (!stored) throw FilesError.notFound('No such variant.');
      const stream = await service.storage.get(stored.key);
      if (!stream) throw FilesError.notFound('The file is gone.');
      const ext = stored.key.split('.').pop();
      reply
        .header('content-type', stored.mime)
        .header('content-length', stored.size)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .header('content-disposition', `${servedInline(file.kind, variant, stored.mime) ? 'inline' : 'attachment'}; filename="${file.id}-${variant}.${ext}"`);
      return reply.send(stream);
    },
  );
}

/** Files and photos: uploads checked by their bytes, images re-encoded into variants, signed links. */
export const filesModule = defineModule({
  name: 'files',
  requires: ['people'],
  permissions: [{ key: 'files.manage', description: "Upload and delete files on people's behalf." }],
  // Moderators curate members' photos (add, remove) besides deciding on them.
  roleGrants: { moderator: ['files.manage'] },
  moderationKinds: ['photo', 'video'].map((kind) => ({
    kind,
    description: kind === 'photo' ? 'Photos people upload: approved ones become visible to other members.' : 'Videos people upload.',
    // The file's review state follows the decision at once: a rejected photo is hidden in the same transaction.
    async onDecision(ctx, item, decision, reason) {
      const [file] = await ctx.tx.update(files).set({ review: decision }).where(eq(files.id, item.recordId)).returning();
      if (!file) return;
      await ctx.emit({
        type: FileEvents.reviewed,
        subject: { type: file.ownerType, id: file.ownerId },
        payload: { fileId: file.id, kind: file.kind, decision, reason },
      });
    },
    async present(kernel, item) {
      const service = fileService(kernel);
      const file = await service.get(item.recordId);
      const owner = file.ownerType === 'person' ? await getPerson(kernel.db, file.ownerId).catch(() => undefined) : undefined;
      return { file: service.view(file), owner: owner ? { id: owner.id, displayName: owner.displayName, status: owner.status } : null };
    },
  })),
  events: fileEventTypes,
  routes,
  async bootstrap(kernel) {
    const service = fileService(kernel);
    await service.start();
    // An in-memory installation's files are as throwaway as its database.
    if (kernel.config.dataDir === 'memory://' && service.storage instanceof DiskStorage) {
      const root = service.storage.root;
      kernel.openStreams.add({ close: () => void rm(root, { recursive: true, force: true }) });
    }
  },
});
