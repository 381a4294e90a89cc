import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { memberOf, staffActorOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Body } from '../../core/http/schemas.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { HttpProblem } from '../../core/http/problem.ts';
import { Id, IdParams } from '../../core/schemas.ts';
import { FILE_KINDS } from './kinds.ts';
import { PLATFORM_OWNER, type FileService } from './service.ts';
import { FilesError } from './errors.ts';
import { FileView } from './views.ts';

const Kind = Type.Union(Object.keys(FILE_KINDS).map((k) => Type.Literal(k)));
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

const memberActorOf = (request: FastifyRequest) => ({ type: 'member' as const, id: memberOf(request).personId });

/** In a scope of their own: the multipart plugin hooks every request of the scope it is registered in. */
export async function fileRoutes(base: FastifyInstance, service: FileService): Promise<void> {
  await base.register((scope) => uploadingRoutes(scope, service));
}

async function uploadingRoutes(base: FastifyInstance, service: FileService): Promise<void> {
  await base.register(multipart, { limits: { fileSize: Math.max(...Object.values(FILE_KINDS).map((k) => k.maxBytes)), files: 1, parts: 1 } });
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/console/people/:id/files',
    {
      config: { permission: 'files.manage' },
      schema: {
        tags: ['files'],
        summary: "Upload a file to a person's files",
        params: IdParams,
        ...UploadSchema,
        response: { 201: FileView, ...problems(400, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const owner = await service.personOwner(request.params.id);
      const kind = service.kind(request.query.kind);
      const { bytes, name } = await readUpload(request, kind.maxBytes);
      const file = await service.upload(staffActorOf(request), owner, kind.name, bytes, name);
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
    async (request) => service.listPersonFiles(staffActorOf(request), request.params.id, request.query),
  );

  app.delete(
    '/console/files/:id',
    {
      config: { permission: 'files.manage' },
      schema: { tags: ['files'], summary: 'Delete a file and its stored variants', params: IdParams, response: { 204: Type.Null(), ...problems(404) } },
    },
    async (request, reply) => {
      await service.delete(staffActorOf(request), request.params.id);
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
      return reply.code(201).send(service.view(await service.upload(staffActorOf(request), PLATFORM_OWNER, kind.name, bytes, name)));
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
    async (request) => service.view(await service.review(staffActorOf(request), request.params.id, request.body.decision, request.body.reason ?? null)),
  );

  app.post(
    '/client/files',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Upload to my own files (photos wait for moderation before others see them)',
        ...UploadSchema,
        response: { 201: FileView, ...problems(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const actor = memberActorOf(request);
      const kind = service.kind(request.query.kind);
      const { bytes, name } = await readUpload(request, kind.maxBytes);
      const file = await service.upload(actor, { type: 'person', id: actor.id }, kind.name, bytes, name);
      return reply.code(201).send(service.view(file));
    },
  );

  app.get(
    '/client/files',
    {
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'My files, whatever their review state',
        querystring: Type.Object({ kind: Type.Optional(Kind), ...PageQuery }),
        response: { 200: Page(FileView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = memberActorOf(request);
      return service.listPersonFiles(actor, actor.id, request.query);
    },
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
    async (request) => service.listPersonFiles(memberActorOf(request), request.params.id, request.query),
  );

  app.delete(
    '/client/files/:id',
    {
      config: { member: true },
      schema: { tags: ['client'], summary: 'Delete one of my files', params: IdParams, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
    },
    async (request, reply) => {
      await service.delete(memberActorOf(request), request.params.id);
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
        description:
          'Only through the links the API hands out (`urls`), which expire. Served with `nosniff`, a sandboxing CSP and a Content-Disposition; only videos and the images we re-encoded show inline (a document’s original is always a download; preview it through its `thumbnail` and `medium`).',
        params: Type.Object({ id: Id, variant: Type.String({ pattern: '^[a-z]{1,20}$' }) }),
        querystring: Type.Object({ expires: Type.Integer(), sig: Type.String({ maxLength: 100 }) }),
      },
    },
    async (request, reply) => {
      const { id, variant } = request.params;
      const { file, stored, stream } = await service.openVariant(id, variant, request.query.expires, request.query.sig);
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
