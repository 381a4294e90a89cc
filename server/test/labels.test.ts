import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TObject } from '@sinclair/typebox';
import { Catalogue } from '../src/core/module.ts';
import { LOCALES, TONES } from '../src/core/labels.ts';
import type { RefResolverDef } from '../src/core/events/refs.ts';
import { enabledModules } from '../src/modules/index.ts';
import { staffWith, useTestApp } from './helpers.ts';

/**
 * Human labels everywhere: every event type of every module has a title and a summary in every console
 * language, whose placeholders name what the event carries; every code set has a text per language; the
 * console gets them all from one route; and a page of events names its actors, subjects and records with
 * one lookup per kind of record, only for what the viewer may see.
 */
const catalogue = new Catalogue(enabledModules(undefined));
const PLACEHOLDER = /\{([^{}]+)\}/g;
const FORMATS = new Set(['money', 'bp']);

/** What is wrong with one event type's labels, one line per problem. */
function eventLabelProblems(type: string): string[] {
  const def = catalogue.eventTypes.get(type)!;
  const problems: string[] = [];
  const fields = new Set(Object.keys((def.payload as TObject | undefined)?.properties ?? {}));
  for (const [what, text] of [
    ['title', def.title],
    ['summary', def.summary],
  ] as const) {
    if (!text) {
      problems.push(`${type}: no ${what}`);
      continue;
    }
    for (const locale of LOCALES) if (!text[locale]?.trim()) problems.push(`${type}: ${what} has no ${locale} text`);
  }
  if (!def.summary) return problems;
  const sets = LOCALES.map((locale) => [...def.summary![locale].matchAll(PLACEHOLDER)].map((m) => m[1]!).sort());
  if (sets.some((set) => set.join() !== sets[0]!.join())) problems.push(`${type}: the languages' summaries have different placeholders`);
  for (const placeholder of sets[0]!) {
    const [path, format] = placeholder.split(':') as [string, string | undefined];
    if (path === 'actor' || path === 'subject') {
      if (format) problems.push(`${type}: {${placeholder}} takes no format`);
      continue;
    }
    const field = /^payload\.(\w+)$/.exec(path)?.[1];
    if (!field || !fields.has(field)) problems.push(`${type}: {${placeholder}} names no payload field`);
    if (format && !FORMATS.has(format) && !catalogue.codeSets.has(format)) problems.push(`${type}: {${placeholder}} names no format nor code set`);
  }
  for (const [field, refType] of Object.entries(def.refs ?? {})) {
    if (!fields.has(field)) problems.push(`${type}: ref ${field} is not a payload field`);
    if (!catalogue.refResolvers.has(refType)) problems.push(`${type}: ref ${field} names ${refType}, which no module resolves`);
  }
  return problems;
}

describe('labels beside their definitions', () => {
  it('every event type of every module has a title and a summary in EN and RU, naming only what the event carries', () => {
    assert.ok(catalogue.eventTypes.size > 70, 'the walk found the event types');
    const problems = [...catalogue.eventTypes.keys()].flatMap(eventLabelProblems);
    assert.deepEqual(problems, []);
  });

  it('every code has a text in EN and RU and a tone of the documented palette; every module has a name', () => {
    const problems: string[] = [];
    for (const [set, codes] of catalogue.codeSets) {
      for (const [code, label] of codes) {
        for (const locale of LOCALES) if (!label[locale]?.trim()) problems.push(`${set}.${code}: no ${locale} text`);
        if (label.tone && !(TONES as readonly string[]).includes(label.tone)) problems.push(`${set}.${code}: tone ${label.tone}`);
      }
    }
    for (const module of catalogue.modules) if (!catalogue.codeSets.get('module')?.has(module.name)) problems.push(`module ${module.name} has no label`);
    for (const kind of catalogue.moderationKinds.keys())
      if (!catalogue.codeSets.get('moderation_kind')?.has(kind)) problems.push(`moderation kind ${kind} has no label`);
    assert.deepEqual(problems, []);
    // The codes the console used to keep in its own catalogue, now declared by the modules.
    for (const set of [
      'person_status',
      'organization_status',
      'payout_state',
      'hold_state',
      'transfer_kind',
      'account_kind',
      'status',
      'role',
      'kind',
      'review',
    ])
      assert.ok(catalogue.codeSets.has(set), set);
    assert.equal(catalogue.codeSets.get('transfer_kind')!.get('call_charge')!.en, 'Call charge');
    assert.equal(catalogue.codeSets.get('person_status')!.get('blocked')!.tone, 'red');
  });

  it('refuses a code declared twice, and a ref type resolved by two modules', () => {
    const codes = { set: 'x', codes: { a: { en: 'A', ru: 'А' } } } as never;
    assert.throws(
      () =>
        new Catalogue([
          { name: 'one', codes: [codes] },
          { name: 'two', codes: [codes] },
        ]),
      /Code x\.a is declared by both one and two/,
    );
    const ref: RefResolverDef = { type: 'thing', label: { en: 'Thing', ru: 'Вещь' }, resolve: async () => [] };
    assert.throws(
      () =>
        new Catalogue([
          { name: 'one', refs: [ref] },
          { name: 'two', refs: [ref] },
        ]),
      /Ref type thing is resolved by both one and two/,
    );
  });
});

describe('labels and names in the API', () => {
  const ctx = useTestApp();

  it('GET /api/console/labels answers the codes and event labels, and 304 to its ETag', async () => {
    const res = await ctx.admin.get('/api/console/labels');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.codes.person_status.blocked, { en: 'Blocked', ru: 'Заблокирован', tone: 'red' });
    assert.equal(body.events['creators.gift_sent'].title.en, 'Gift sent');
    assert.equal(body.events['creators.gift_sent'].refs.giftId, 'gift');
    const again = await ctx.admin.request({ method: 'GET', url: '/api/console/labels', headers: { 'if-none-match': res.headers.etag as string } });
    assert.equal(again.statusCode, 304);
  });

  it('names the actors, subjects and payload records of a page of 50 events with one lookup per kind', async () => {
    const { t, admin } = ctx;
    const people: Array<{ id: string; name: string }> = [];
    for (let i = 0; i < 25; i++) {
      const name = `Named Person ${i}`;
      people.push({ id: (await admin.post('/api/console/people', { displayName: name })).json().id, name });
    }
    const org = (await admin.post('/api/console/organizations', { name: 'Named Agency', kind: 'agency' })).json();
    for (const person of people)
      assert.equal(
        (await admin.request({ method: 'PUT', url: `/api/console/organizations/${org.id}/members/${person.id}`, payload: { role: 'member' } })).statusCode,
        200,
      );

    const calls: Array<{ type: string; ids: number }> = [];
    for (const [type, resolver] of t.app.kernel.catalogue.refResolvers) {
      const resolve = resolver.resolve;
      resolver.resolve = (db, ids, viewer, now) => {
        calls.push({ type, ids: ids.length });
        return resolve(db, ids, viewer, now);
      };
    }
    const page = await admin.get('/api/console/events?limit=50');
    assert.equal(page.statusCode, 200);
    const { items, refs } = page.json() as {
      items: Array<{ type: string; actorId: string }>;
      refs: Record<string, { type: string; name: string; href?: string }>;
    };
    assert.equal(items.length, 50);
    const perType = new Map<string, number>();
    for (const call of calls) perType.set(call.type, (perType.get(call.type) ?? 0) + 1);
    assert.ok(
      [...perType.values()].every((n) => n === 1),
      `one lookup per ref type: ${JSON.stringify(calls)}`,
    );
    assert.ok(calls.find((c) => c.type === 'person')!.ids >= 25, 'all people of the page in one call');
    for (const person of people) assert.deepEqual(refs[person.id], { type: 'person', name: person.name, href: `/people/${person.id}` });
    assert.equal(refs[org.id]!.name, 'Named Agency');
    const me = (await admin.get('/api/console/me')).json();
    assert.equal(refs[me.id]!.name, me.name, 'the staff actor by name');
    assert.equal(refs[me.id]!.type, 'staff_user');

    // The same on a timeline, and on its nested events.
    const timeline = (await admin.get(`/api/console/organizations/${org.id}/timeline?limit=50`)).json();
    assert.equal(timeline.refs[people[0]!.id].name, 'Named Person 0');
    assert.equal(timeline.refs[me.id].name, me.name);
  });

  it('tells no name of a record the viewer may not see: hidden events are not looked at, people need people.read', async () => {
    const { admin } = ctx;
    const person = (await admin.post('/api/console/people', { displayName: 'Secret Person' })).json();
    // Sees staff events (and their subjects: staff users) but neither people's events nor their names.
    const { session } = await staffWith(admin, ['events.read', 'staff.manage_users']);
    const page = (await session.get('/api/console/events?limit=200')).json();
    assert.ok(page.items.length > 0);
    assert.ok(
      page.items.every((e: { type: string }) => e.type.startsWith('staff.')),
      'only staff events are visible',
    );
    assert.equal(page.refs[person.id], undefined);
    assert.ok(!JSON.stringify(page.refs).includes('Secret Person'));
    assert.ok(Object.values(page.refs).some((r) => (r as { type: string }).type === 'staff_user'));

    // Sees the ledger's events about the person, but not the person's name: their account is named by its owner's type, kind and currency.
    const adjusted = await admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: person.id, kind: 'wallet', currency: 'COIN', amount: 5, reason: 'test' },
      headers: { 'idempotency-key': randomUUID() },
    });
    assert.equal(adjusted.statusCode, 201, adjusted.body);
    const { session: finance } = await staffWith(admin, ['events.read', 'ledger.read']);
    const ledger = (await finance.get('/api/console/events?limit=200')).json();
    const transfer = ledger.items.find((e: { type: string }) => e.type === 'ledger.transfer_posted');
    assert.ok(transfer, 'the ledger event is visible');
    assert.equal(ledger.refs[person.id], undefined, 'no person name without people.read');
    const account = ledger.refs[transfer.payload.creditAccountId];
    assert.deepEqual(account, { type: 'ledger_account', name: 'Person · Wallet · COIN', href: `/ledger/accounts/${transfer.payload.creditAccountId}` });
    assert.ok(!JSON.stringify(ledger.refs).includes('Secret Person'), 'the account ref carries no person name');

    // With people.read (or a grant on that person) the account is named by its owner.
    const { session: both } = await staffWith(admin, ['events.read', 'ledger.read', 'people.read']);
    const named = (await both.get('/api/console/events?limit=200')).json();
    assert.equal(named.refs[transfer.payload.creditAccountId].name, 'Secret Person · Wallet · COIN');
  });
});
