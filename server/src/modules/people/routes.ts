import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EventItems, EventPage, EventSchema, visibilityFor } from '../../core/events/views.ts';
import { principalOf, staffActorOf } from '../../core/http/guard.ts';
import { problems } from '../../core/http/openapi.ts';
import { Page, PageQuery } from '../../core/http/pagination.ts';
import { Body } from '../../core/http/schemas.ts';
import type { Kernel } from '../../core/kernel.ts';
import { decodeCursor } from '../../core/paging.ts';
import { Id, IdParams, Nullable } from '../../core/schemas.ts';
import { listBlockReasons, saveBlockReason } from './block-reasons.ts';
import { erasePerson } from './erasure.ts';
import { addIdentity, removeIdentity } from './identities.ts';
import { addNote, listNotes } from './notes.ts';
import { createOrganization, listOrganizations, organizationDetail, removeMember, setMember, updateOrganization } from './organizations.ts';
import { blockPerson, createPerson, listPeople, personDetail, unblockPerson, updatePerson } from './people.ts';
import { timeline, timelineChildren } from './timeline.ts';
import {
  BlockReasonView,
  Contact,
  IdentityView,
  MemberRole,
  NoteView,
  OrganizationDetail,
  OrganizationStatus,
  OrganizationSummary,
  PersonDetail,
  PersonStatus,
  PersonSummary,
  Profile,
  TimelineEvent,
  timelineChildrenView,
  timelinePage,
} from './views.ts';

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 });
const Locale = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 });
const TimeZone = Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', maxLength: 64 });
const Identity = Type.Object(
  {
    provider: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-zA-Z0-9_.-]+$', description: 'e.g. app, firebase, telegram, email' }),
    externalId: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
const OrganizationDetails = Type.Object(
  {
    legalName: Type.Optional(Type.String({ maxLength: 300 })),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    phone: Type.Optional(Type.String({ maxLength: 50 })),
    banking: Type.Optional(
      Type.Object(
        {
          accountName: Type.Optional(Type.String({ maxLength: 200 })),
          iban: Type.Optional(Type.String({ pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' })),
          bic: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{8}([A-Z0-9]{3})?$' })),
          bankName: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
/** The fields of a person that may be set at creation and changed later. */
const PersonOptional = {
  locale: Type.Optional(Nullable(Locale)),
  timeZone: Type.Optional(Nullable(TimeZone)),
  contacts: Type.Optional(Type.Array(Contact, { maxItems: 20 })),
  tags: Type.Optional(Tags),
  publicProfile: Type.Optional(Profile),
  privateProfile: Type.Optional(Profile),
};
const OrganizationKind = Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_ -]+$', description: 'e.g. agency, broker, customer' });
const OrganizationOptional = {
  status: Type.Optional(OrganizationStatus),
  details: Type.Optional(OrganizationDetails),
  tags: Type.Optional(Tags),
};
const TimelineEventParams = Type.Object({ id: Id, eventId: Type.Integer({ minimum: 1 }) });

export function peopleRoutes(kernel: Kernel) {
  return async (base: FastifyInstance) => {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    // ------------------------------------------------------------ people

    app.get(
      '/console/people',
      {
        config: { permission: 'people.read' },
        schema: {
          tags: ['people'],
          summary: 'List people (alphabetical, keyset-paginated)',
          querystring: Type.Object({
            q: Type.Optional(
              Type.String({ maxLength: 200, description: 'Part of a name or contact, a person id, or an identity (Telegram id, email, app uid) exactly' }),
            ),
            status: Type.Optional(PersonStatus),
            tag: Type.Optional(Type.String({ maxLength: 50 })),
            ...PageQuery,
          }),
          response: { 200: Page(PersonSummary), ...problems(400) },
        },
      },
      async (request) => listPeople(kernel.db, request.query),
    );

    app.post(
      '/console/people',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['people'],
          summary: 'Create a person',
          body: Body({ displayName: Name, ...PersonOptional, identities: Type.Optional(Type.Array(Identity, { maxItems: 20 })) }),
          response: { 201: PersonDetail, ...problems(400, 409) },
        },
      },
      async (request, reply) => {
        const person = await kernel.write(staffActorOf(request), (ctx) => createPerson(ctx, request.body));
        return reply.code(201).send(await personDetail(kernel.db, person.id));
      },
    );

    app.get(
      '/console/people/:id',
      {
        config: { permission: 'people.read', recordParam: 'id' },
        schema: {
          tags: ['people'],
          summary: 'One person, with identities and organizations',
          params: IdParams,
          response: { 200: PersonDetail, ...problems(404) },
        },
      },
      async (request) => personDetail(kernel.db, request.params.id),
    );

    app.patch(
      '/console/people/:id',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['people'],
          summary: "Change a person's profile, contacts, tags, locale or time zone",
          params: IdParams,
          body: Body({ displayName: Type.Optional(Name), ...PersonOptional }, { minProperties: 1 }),
          response: { 200: PersonDetail, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => updatePerson(ctx, request.params.id, request.body));
        return personDetail(kernel.db, request.params.id);
      },
    );

    app.post(
      '/console/people/:id/identities',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['people'],
          summary: 'Attach an identity (provider, external id); unique per provider',
          params: IdParams,
          body: Body(Identity.properties),
          response: { 201: IdentityView, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const identity = await kernel.write(staffActorOf(request), (ctx) => addIdentity(ctx, request.params.id, request.body));
        return reply.code(201).send(identity);
      },
    );

    app.delete(
      '/console/people/:id/identities/:identityId',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['people'],
          summary: 'Detach an identity',
          params: Type.Object({ id: Id, identityId: Id }),
          response: { 204: Type.Null(), ...problems(404, 409) },
        },
      },
      async (request, reply) => {
        await kernel.write(staffActorOf(request), (ctx) => removeIdentity(ctx, request.params.id, request.params.identityId));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/console/people/:id/block',
      {
        config: { permission: 'people.block' },
        schema: {
          tags: ['people'],
          summary: 'Block a person, with a reason from the managed list and free text',
          params: IdParams,
          body: Body({ reason: Type.String({ minLength: 1, maxLength: 50 }), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
          response: { 200: PersonDetail, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => blockPerson(ctx, request.params.id, request.body));
        return personDetail(kernel.db, request.params.id);
      },
    );

    app.post(
      '/console/people/:id/unblock',
      {
        config: { permission: 'people.block' },
        schema: { tags: ['people'], summary: 'Let a blocked person back in', params: IdParams, response: { 200: PersonDetail, ...problems(404, 409) } },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => unblockPerson(ctx, request.params.id));
        return personDetail(kernel.db, request.params.id);
      },
    );

    app.post(
      '/console/people/:id/erase',
      {
        config: { permission: 'people.erase' },
        schema: {
          tags: ['people'],
          summary: 'Erase a person on request (GDPR): personal data and identities go, history stays pseudonymised',
          params: IdParams,
          body: Body({ confirm: Type.Literal('ERASE', { description: 'The word ERASE, so it is never done by accident' }) }),
          response: { 200: PersonDetail, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => erasePerson(ctx, request.params.id));
        return personDetail(kernel.db, request.params.id);
      },
    );

    // ------------------------------------------------------------ block reasons

    app.get(
      '/console/block-reasons',
      {
        config: { permission: 'people.read' },
        schema: { tags: ['people'], summary: 'The managed list of block reasons', response: { 200: Type.Array(BlockReasonView) } },
      },
      async () => listBlockReasons(kernel.db),
    );

    app.put(
      '/console/block-reasons/:key',
      {
        config: { permission: 'people.block' },
        schema: {
          tags: ['people'],
          summary: 'Add a block reason or change its label; `active: false` retires it',
          params: Type.Object({ key: Type.String({ pattern: '^[a-z0-9_]{1,50}$' }) }),
          body: Body({ label: Name, active: Type.Optional(Type.Boolean()) }),
          response: { 200: BlockReasonView, ...problems(400) },
        },
      },
      async (request) => kernel.write(staffActorOf(request), (ctx) => saveBlockReason(ctx, { key: request.params.key, ...request.body })),
    );

    // ------------------------------------------------------------ organizations

    app.get(
      '/console/organizations',
      {
        config: { permission: 'people.read' },
        schema: {
          tags: ['organizations'],
          summary: 'List organizations (alphabetical, keyset-paginated)',
          querystring: Type.Object({
            q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the name, or the id' })),
            status: Type.Optional(OrganizationStatus),
            kind: Type.Optional(Type.String({ maxLength: 50 })),
            tag: Type.Optional(Type.String({ maxLength: 50 })),
            ...PageQuery,
          }),
          response: { 200: Page(OrganizationSummary), ...problems(400) },
        },
      },
      async (request) => listOrganizations(kernel.db, request.query),
    );

    app.post(
      '/console/organizations',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['organizations'],
          summary: 'Create an organization',
          body: Body({ name: Name, kind: OrganizationKind, ...OrganizationOptional }),
          response: { 201: OrganizationDetail, ...problems(400) },
        },
      },
      async (request, reply) => {
        const organization = await kernel.write(staffActorOf(request), (ctx) => createOrganization(ctx, request.body));
        return reply.code(201).send(await organizationDetail(kernel.db, organization.id));
      },
    );

    app.get(
      '/console/organizations/:id',
      {
        config: { permission: 'people.read', recordParam: 'id' },
        schema: {
          tags: ['organizations'],
          summary: 'One organization with its members',
          params: IdParams,
          response: { 200: OrganizationDetail, ...problems(404) },
        },
      },
      async (request) => organizationDetail(kernel.db, request.params.id),
    );

    app.patch(
      '/console/organizations/:id',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['organizations'],
          summary: "Change an organization's name, kind, status, details or tags",
          params: IdParams,
          body: Body({ name: Type.Optional(Name), kind: Type.Optional(OrganizationKind), ...OrganizationOptional }, { minProperties: 1 }),
          response: { 200: OrganizationDetail, ...problems(400, 404) },
        },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => updateOrganization(ctx, request.params.id, request.body));
        return organizationDetail(kernel.db, request.params.id);
      },
    );

    app.put(
      '/console/organizations/:id/members/:personId',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['organizations'],
          summary: 'Add a person to an organization, or change their role in it',
          params: Type.Object({ id: Id, personId: Id }),
          body: Body({ role: MemberRole }),
          response: { 200: OrganizationDetail, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => setMember(ctx, request.params.id, request.params.personId, request.body.role));
        return organizationDetail(kernel.db, request.params.id);
      },
    );

    app.delete(
      '/console/organizations/:id/members/:personId',
      {
        config: { permission: 'people.manage' },
        schema: {
          tags: ['organizations'],
          summary: 'Remove a person from an organization',
          params: Type.Object({ id: Id, personId: Id }),
          response: { 200: OrganizationDetail, ...problems(404) },
        },
      },
      async (request) => {
        await kernel.write(staffActorOf(request), (ctx) => removeMember(ctx, request.params.id, request.params.personId));
        return organizationDetail(kernel.db, request.params.id);
      },
    );

    // ------------------------------------------------------------ notes and timelines, for both

    for (const [path, subject, tag] of [
      ['people', 'person', 'people'],
      ['organizations', 'organization', 'organizations'],
    ] as const) {
      app.get(
        `/console/${path}/:id/timeline`,
        {
          config: { permission: 'people.read', recordParam: 'id' },
          schema: {
            tags: [tag],
            summary: `Everything that happened to this ${subject}: its event-log entries, newest first`,
            params: IdParams,
            querystring: Type.Object(PageQuery),
            response: { 200: EventPage(TimelineEvent), ...problems(400, 404) },
          },
        },
        async (request) => {
          const before = decodeCursor<[number]>(request.query.cursor, ['id']);
          const principal = principalOf(request);
          const rows = await timeline(kernel.db, visibilityFor(kernel, principal), subject, request.params.id, before?.[0], request.query.limit);
          return timelinePage({ db: kernel.db, catalogue: kernel.catalogue, principal, now: kernel.now() }, rows, request.query.limit);
        },
      );

      app.get(
        `/console/${path}/:id/timeline/:eventId/children`,
        {
          config: { permission: 'people.read', recordParam: 'id' },
          schema: {
            tags: [tag],
            summary: `The events one entry of this ${subject}'s timeline consists of, oldest first (at most 500)`,
            params: TimelineEventParams,
            response: { 200: EventItems(EventSchema), ...problems(400, 404) },
          },
        },
        async (request) => {
          const principal = principalOf(request);
          const rows = await timelineChildren(kernel.db, visibilityFor(kernel, principal), subject, request.params.id, request.params.eventId);
          return timelineChildrenView({ db: kernel.db, catalogue: kernel.catalogue, principal, now: kernel.now() }, rows);
        },
      );

      app.get(
        `/console/${path}/:id/notes`,
        {
          config: { permission: 'people.read', recordParam: 'id' },
          schema: {
            tags: [tag],
            summary: `Staff notes on this ${subject}, newest first`,
            params: IdParams,
            querystring: Type.Object(PageQuery),
            response: { 200: Page(NoteView), ...problems(400, 404) },
          },
        },
        async (request) => listNotes(kernel.db, subject, request.params.id, request.query.cursor, request.query.limit),
      );

      app.post(
        `/console/${path}/:id/notes`,
        {
          config: { permission: 'people.manage' },
          schema: {
            tags: [tag],
            summary: `Write a staff note on this ${subject}`,
            params: IdParams,
            body: Body({ body: Type.String({ minLength: 1, maxLength: 10_000, pattern: '\\S' }) }),
            response: { 201: NoteView, ...problems(400, 404, 409) },
          },
        },
        async (request, reply) => {
          const principal = principalOf(request);
          const note = await kernel.write(staffActorOf(request), (ctx) =>
            addNote(ctx, subject, request.params.id, { id: principal.staffId, name: principal.name }, request.body.body),
          );
          return reply.code(201).send(note);
        },
      );
    }
  };
}
