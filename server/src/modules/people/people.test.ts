import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { staffWith, useTestApp, type Session } from '../../../test/helpers.ts';

const PEOPLE = '/api/console/people';
const ORGS = '/api/console/organizations';
const unique = () => randomBytes(4).toString('hex');
const telegramId = () => String(randomInt(100_000_000, 999_999_999));
const put = (session: Session, url: string, payload: object) => session.request({ method: 'PUT', url, payload });
const names = (response: LightMyRequestResponse) => response.json().items.map((p: { displayName: string }) => p.displayName);
const fieldOf = (response: LightMyRequestResponse) => response.json().errors?.[0]?.field;

/** Every string anywhere in a value, so a test can say "nothing personal is left in here". */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('people and organizations', () => {
  const ctx = useTestApp();

  async function person(body: Record<string, unknown>) {
    const response = await ctx.admin.post(PEOPLE, body);
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  async function organization(body: Record<string, unknown>) {
    const response = await ctx.admin.post(ORGS, body);
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  /** The event log about one subject, oldest first. */
  async function eventsAbout(subjectId: string) {
    const response = await ctx.admin.get(`/api/console/events?subjectId=${subjectId}&limit=200`);
    assert.equal(response.statusCode, 200, response.body);
    return (response.json().items as Array<{ type: string; payload: Record<string, unknown> }>).reverse();
  }

  it('creates a person with contacts, normalised tags, profiles and identities, and logs it', async () => {
    const tg = telegramId();
    const created = await person({
      displayName: '  Greta Lind  ',
      locale: 'sv',
      timeZone: 'Europe/Stockholm',
      contacts: [
        { kind: 'email', value: 'greta@lind.example' },
        { kind: 'phone', value: '+46700000001' },
      ],
      tags: ['VIP', ' vip ', 'Streamer'],
      publicProfile: { bio: 'Hej', city: 'Malmö' },
      privateProfile: { birthDate: '1990-01-02' },
      identities: [
        { provider: 'telegram', externalId: tg },
        { provider: 'Email', externalId: 'Greta.Lind@Example.COM' },
      ],
    });
    assert.equal(created.displayName, 'Greta Lind');
    assert.equal(created.status, 'active');
    assert.deepEqual(created.tags, ['streamer', 'vip'], 'lower-cased, trimmed, deduplicated');

    const read = (await ctx.admin.get(`${PEOPLE}/${created.id}`)).json();
    assert.equal(read.locale, 'sv');
    assert.equal(read.timeZone, 'Europe/Stockholm');
    assert.equal(read.contacts.length, 2);
    assert.deepEqual(read.publicProfile, { bio: 'Hej', city: 'Malmö' });
    assert.deepEqual(read.privateProfile, { birthDate: '1990-01-02' });
    assert.equal(read.block, null);
    assert.deepEqual(
      read.identities.map((i: { provider: string; externalId: string }) => [i.provider, i.externalId]),
      [
        ['email', 'greta.lind@example.com'],
        ['telegram', tg],
      ],
    );
    assert.deepEqual(read.organizations, []);

    const events = await eventsAbout(created.id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['people.person_created', 'people.identity_added', 'people.identity_added'],
    );
    assert.equal(events[0]!.payload.displayName, 'Greta Lind');
    assert.deepEqual(events[1]!.payload, { provider: 'telegram', externalId: tg });

    assert.equal((await ctx.admin.get(`${PEOPLE}/00000000-0000-7000-8000-000000000000`)).statusCode, 404);
  });

  it('keeps identities unique per provider; a refused create leaves nothing behind', async () => {
    const tg = telegramId();
    const first = await person({ displayName: 'Ident One', identities: [{ provider: 'telegram', externalId: tg }] });
    const second = await person({ displayName: 'Ident Two' });

    const taken = await ctx.admin.post(`${PEOPLE}/${second.id}/identities`, { provider: 'telegram', externalId: tg });
    assert.equal(taken.statusCode, 409);
    assert.equal(fieldOf(taken), 'body.externalId');
    const otherProvider = await ctx.admin.post(`${PEOPLE}/${second.id}/identities`, { provider: 'app', externalId: tg });
    assert.equal(otherProvider.statusCode, 201, 'the same id under another provider is a different identity');

    const email = `Case.${unique()}@Example.com`;
    assert.equal((await ctx.admin.post(`${PEOPLE}/${first.id}/identities`, { provider: 'email', externalId: email })).statusCode, 201);
    const sameEmail = await ctx.admin.post(`${PEOPLE}/${second.id}/identities`, { provider: 'email', externalId: email.toUpperCase() });
    assert.equal(sameEmail.statusCode, 409, 'email identities are case-insensitive');
    assert.equal(fieldOf(sameEmail), 'body.externalId');

    const fresh = telegramId();
    const name = `Rolled Back ${unique()}`;
    const refused = await ctx.admin.post(PEOPLE, {
      displayName: name,
      identities: [
        { provider: 'telegram', externalId: fresh },
        { provider: 'telegram', externalId: tg },
      ],
    });
    assert.equal(refused.statusCode, 409);
    assert.equal(fieldOf(refused), 'body.identities.1.externalId');
    assert.deepEqual(names(await ctx.admin.get(`${PEOPLE}?q=${encodeURIComponent(name)}`)), [], 'no person was created');
    assert.deepEqual(names(await ctx.admin.get(`${PEOPLE}?q=${fresh}`)), [], 'nor its first identity');
    const reuse = await ctx.admin.post(`${PEOPLE}/${second.id}/identities`, { provider: 'telegram', externalId: fresh });
    assert.equal(reuse.statusCode, 201, 'the rolled-back identity is free');

    const removed = await ctx.admin.delete(`${PEOPLE}/${second.id}/identities/${reuse.json().id}`);
    assert.equal(removed.statusCode, 204);
    assert.equal((await ctx.admin.delete(`${PEOPLE}/${second.id}/identities/${reuse.json().id}`)).statusCode, 404);
    const notTheirs = (await ctx.admin.get(`${PEOPLE}/${first.id}`)).json().identities[0].id;
    assert.equal((await ctx.admin.delete(`${PEOPLE}/${second.id}/identities/${notTheirs}`)).statusCode, 404, "another person's identity");
    const types = (await eventsAbout(second.id)).map((e) => e.type);
    assert.equal(types.at(-1), 'people.identity_removed');
  });

  it('finds people by name, contact, id, Telegram id and email identity; filters by status and tag', async () => {
    const tag = `find-${unique()}`;
    const tg = telegramId();
    const mail = `hidden.${unique()}@mail.example`;
    const ola = await person({
      displayName: `Ola Nordmann ${tag}`,
      tags: [tag],
      contacts: [{ kind: 'email', value: `ola.${tag}@post.example` }],
      identities: [
        { provider: 'telegram', externalId: tg },
        { provider: 'email', externalId: mail },
      ],
    });
    const kari = await person({ displayName: `Kari Nordmann ${tag}`, tags: [tag, 'Gold'] });
    const search = async (q: string) => names(await ctx.admin.get(`${PEOPLE}?q=${encodeURIComponent(q)}`));

    assert.deepEqual(await search(`NORDMANN ${tag}`), [kari.displayName, ola.displayName], 'part of a name, any case');
    assert.deepEqual(await search(`ola.${tag}@post`), [ola.displayName], 'part of a contact email');
    assert.deepEqual(await search(kari.id.toUpperCase()), [kari.displayName], 'the person id');
    assert.deepEqual(await search(tg), [ola.displayName], 'a Telegram id, exactly');
    assert.deepEqual(await search(tg.slice(0, -2)), [], 'but not a part of it');
    assert.deepEqual(await search(mail.toUpperCase()), [ola.displayName], 'an email identity in any case');

    await ctx.admin.post(`${PEOPLE}/${kari.id}/block`, { reason: 'spam' });
    const blocked = await ctx.admin.get(`${PEOPLE}?tag=${tag}&status=blocked`);
    assert.deepEqual(names(blocked), [kari.displayName]);
    assert.deepEqual(names(await ctx.admin.get(`${PEOPLE}?tag=${tag}&status=active`)), [ola.displayName]);
    assert.deepEqual(names(await ctx.admin.get(`${PEOPLE}?tag=${tag}`)), [kari.displayName, ola.displayName]);
    assert.deepEqual(names(await ctx.admin.get(`${PEOPLE}?tag=GOLD&q=${tag}`)), [kari.displayName], 'tags match lower-cased');
    assert.equal((await ctx.admin.get(`${PEOPLE}?status=gone`)).statusCode, 400);
  });

  it('pages through people alphabetically, each exactly once, with keyset cursors', async () => {
    const tag = `page-${unique()}`;
    const given = ['delta', 'Alpha', 'charlie', 'Bravo', 'echo', 'alpha', 'Foxtrot'].map((n) => `${n} ${tag}`);
    const ids = new Set<string>();
    for (const displayName of given) ids.add((await person({ displayName, tags: [tag] })).id);

    const seen: Array<{ id: string; displayName: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: LightMyRequestResponse = await ctx.admin.get(`${PEOPLE}?tag=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.statusCode, 200, page.body);
      assert.ok(page.json().items.length <= 2);
      seen.push(...page.json().items);
      cursor = page.json().nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 4);
    assert.deepEqual(new Set(seen.map((p) => p.id)), ids, 'everyone once');
    assert.equal(seen.length, given.length, 'nobody twice, even two people with the same lower-cased name');
    const lower = seen.map((p) => p.displayName.split(' ')[0]!.toLowerCase());
    assert.deepEqual(lower, ['alpha', 'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot']);

    const forged = Buffer.from(JSON.stringify(['a', 'not-a-uuid'])).toString('base64url');
    for (const bad of ['garbage', forged]) {
      const response = await ctx.admin.get(`${PEOPLE}?cursor=${bad}`);
      assert.equal(response.statusCode, 400, bad);
      assert.equal(fieldOf(response), 'query.cursor');
    }
  });

  it('edits a person and logs what changed; a no-op edit logs nothing; bad input is a 400 naming the field', async () => {
    const created = await person({
      displayName: 'Edit Me',
      locale: 'en',
      tags: ['a'],
      contacts: [{ kind: 'email', value: 'edit@me.example' }],
      publicProfile: { city: 'Oslo', bio: 'Hi' },
    });
    const url = `${PEOPLE}/${created.id}`;
    const edited = await ctx.admin.patch(url, { displayName: 'Edited', tags: ['B', 'a', 'b'], timeZone: 'Europe/Oslo' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().displayName, 'Edited');
    assert.deepEqual(edited.json().tags, ['a', 'b']);
    assert.equal(edited.json().timeZone, 'Europe/Oslo');
    assert.equal(edited.json().locale, 'en', 'untouched fields stay');

    const events = await eventsAbout(created.id);
    assert.equal(events.at(-1)!.type, 'people.person_updated');
    assert.deepEqual(events.at(-1)!.payload.changed, ['displayName', 'timeZone', 'tags']);
    assert.equal(events.at(-1)!.payload.displayName, 'Edited');

    const noop = await ctx.admin.patch(url, {
      displayName: 'Edited',
      locale: 'en',
      tags: ['b', 'A'],
      contacts: [{ kind: 'email', value: 'edit@me.example' }],
      publicProfile: { city: 'Oslo', bio: 'Hi' },
    });
    assert.equal(noop.statusCode, 200, noop.body);
    assert.equal((await eventsAbout(created.id)).length, events.length, 'a PATCH that changes nothing appends nothing');

    assert.equal((await ctx.admin.patch(url, { locale: null })).json().locale, null, 'null clears');

    const extra = await ctx.admin.patch(url, { nickname: 'x' });
    assert.equal(extra.statusCode, 400);
    assert.deepEqual(extra.json().errors, [{ field: 'body.nickname', message: 'is not allowed' }]);
    assert.equal((await ctx.admin.patch(url, {})).statusCode, 400, 'an empty PATCH');
    for (const [field, value] of [
      ['locale', 'English'],
      ['locale', 'en_US'],
      ['timeZone', 'Europe/Oslo; DROP'],
      ['timeZone', 'Mars/Olympus_Mons'],
    ] as const) {
      const bad = await ctx.admin.patch(url, { [field]: value });
      assert.equal(bad.statusCode, 400, `${field}=${value}: ${bad.body}`);
      assert.equal(fieldOf(bad), `body.${field}`);
    }
    const badCreate = await ctx.admin.post(PEOPLE, { displayName: 'Bad Zone', timeZone: 'Nowhere/Atlantis' });
    assert.equal(badCreate.statusCode, 400);
    assert.equal(fieldOf(badCreate), 'body.timeZone');
    assert.equal((await ctx.admin.patch(`${PEOPLE}/00000000-0000-7000-8000-000000000000`, { locale: 'en' })).statusCode, 404);
  });

  it('blocks with a reason from the managed list, and unblocks', async () => {
    const reasons = (await ctx.admin.get('/api/console/block-reasons')).json() as Array<{ key: string; active: boolean }>;
    for (const key of ['spam', 'abuse', 'fraud', 'other'])
      assert.ok(
        reasons.some((r) => r.key === key && r.active),
        key,
      );

    const target = await person({ displayName: 'Block Target' });
    const url = `${PEOPLE}/${target.id}`;
    for (const reason of ['no_such_reason', '']) {
      const bad = await ctx.admin.post(`${url}/block`, { reason });
      assert.equal(bad.statusCode, 400);
      assert.equal(fieldOf(bad), 'body.reason');
    }
    const key = `chargeback_${unique()}`;
    const saved = await put(ctx.admin, `/api/console/block-reasons/${key}`, { label: 'Chargeback' });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json(), { key, label: 'Chargeback', active: true });

    const blocked = await ctx.admin.post(`${url}/block`, { reason: key, note: 'Three chargebacks' });
    assert.equal(blocked.statusCode, 200, blocked.body);
    assert.equal(blocked.json().status, 'blocked');
    assert.deepEqual({ ...blocked.json().block, at: undefined }, { reason: key, note: 'Three chargebacks', at: undefined });
    assert.equal((await ctx.admin.post(`${url}/block`, { reason: 'spam' })).statusCode, 409, 'already blocked');

    const unblocked = await ctx.admin.post(`${url}/unblock`);
    assert.equal(unblocked.statusCode, 200);
    assert.equal(unblocked.json().status, 'active');
    assert.equal(unblocked.json().block, null);
    assert.equal((await ctx.admin.post(`${url}/unblock`)).statusCode, 409, 'not blocked');

    const retired = await put(ctx.admin, `/api/console/block-reasons/${key}`, { label: 'Chargeback', active: false });
    assert.equal(retired.json().active, false);
    const listed = (await ctx.admin.get('/api/console/block-reasons')).json();
    assert.deepEqual(
      listed.find((r: { key: string }) => r.key === key),
      { key, label: 'Chargeback', active: false },
    );
    const withRetired = await ctx.admin.post(`${url}/block`, { reason: key });
    assert.equal(withRetired.statusCode, 400, 'a retired reason can no longer be used');
    assert.equal(fieldOf(withRetired), 'body.reason');

    const types = (await eventsAbout(target.id)).map((e) => e.type);
    assert.deepEqual(types.slice(-2), ['people.person_blocked', 'people.person_unblocked']);
  });

  it('erases a person: personal data goes, the history stays but pseudonymised', async () => {
    const tg = telegramId();
    const mail = `erase.${unique()}@mail.example`;
    const name = `Eraseme ${unique()}`;
    const target = await person({
      displayName: name,
      locale: 'de',
      timeZone: 'Europe/Berlin',
      contacts: [{ kind: 'email', value: mail }],
      tags: ['vip'],
      publicProfile: { bio: 'public words' },
      privateProfile: { passport: 'X123' },
      identities: [
        { provider: 'telegram', externalId: tg },
        { provider: 'email', externalId: mail },
      ],
    });
    const url = `${PEOPLE}/${target.id}`;
    const org = await organization({ name: `Erase Org ${unique()}`, kind: 'agency' });
    assert.equal((await put(ctx.admin, `${ORGS}/${org.id}/members/${target.id}`, { role: 'owner' })).statusCode, 200);
    assert.equal((await ctx.admin.post(`${url}/notes`, { body: `Called ${name} about ${mail}` })).statusCode, 201);
    await ctx.admin.post(`${url}/block`, { reason: 'abuse', note: `${name} was rude` });

    for (const confirm of [undefined, 'erase', 'yes']) {
      const refused = await ctx.admin.post(`${url}/erase`, confirm === undefined ? {} : { confirm });
      assert.equal(refused.statusCode, 400, `confirm=${confirm}`);
    }
    const before = await eventsAbout(target.id);
    const erased = await ctx.admin.post(`${url}/erase`, { confirm: 'ERASE' });
    assert.equal(erased.statusCode, 200, erased.body);
    const after = (await ctx.admin.get(url)).json();
    assert.equal(after.status, 'deleted');
    assert.equal(after.displayName, 'Erased person');
    assert.deepEqual(
      [after.locale, after.timeZone, after.contacts, after.tags, after.publicProfile, after.privateProfile, after.identities, after.organizations, after.block],
      [null, null, [], [], {}, {}, [], [], null],
    );
    assert.deepEqual((await ctx.admin.get(`${url}/notes`)).json().items, []);
    assert.deepEqual((await ctx.admin.get(`${ORGS}/${org.id}`)).json().memberList, []);

    const events = await eventsAbout(target.id);
    assert.equal(events.length, before.length + 1, 'the history is kept');
    assert.deepEqual(
      events.slice(0, -1).map((e) => e.type),
      before.map((e) => e.type),
    );
    for (const event of events.slice(0, -1)) {
      const strings = stringsIn(event.payload);
      assert.ok(strings.length > 0 && strings.every((s) => s === '[erased]'), `${event.type}: ${JSON.stringify(event.payload)}`);
    }
    assert.equal(events.at(-1)!.type, 'people.person_erased');
    const everything = JSON.stringify((await ctx.admin.get('/api/console/events?limit=200')).json().items);
    for (const secret of [name, mail, tg]) assert.ok(!everything.includes(secret), `no event anywhere still holds ${secret}`);

    assert.equal((await ctx.admin.patch(url, { displayName: 'Back' })).statusCode, 409);
    assert.equal((await ctx.admin.post(`${url}/block`, { reason: 'spam' })).statusCode, 409);
    assert.equal((await ctx.admin.post(`${url}/unblock`)).statusCode, 409);
    assert.equal((await ctx.admin.post(`${url}/identities`, { provider: 'telegram', externalId: tg })).statusCode, 409);
    assert.equal((await ctx.admin.post(`${url}/notes`, { body: 'still here?' })).statusCode, 409);
    assert.equal((await ctx.admin.post(`${url}/erase`, { confirm: 'ERASE' })).statusCode, 409);
    assert.equal((await put(ctx.admin, `${ORGS}/${org.id}/members/${target.id}`, { role: 'member' })).statusCode, 409);
    for (const q of [tg, mail, name]) assert.deepEqual(names(await ctx.admin.get(`${PEOPLE}?q=${encodeURIComponent(q)}`)), [], q);
  });

  it('manages organizations: validated details, search, member counts, members and roles', async () => {
    const tag = `org-${unique()}`;
    const details = { legalName: 'Fjord Media AS', country: 'NO', banking: { iban: 'NO9386011117947', bic: 'DNBANOKKXXX' } };
    const fjord = await organization({ name: `Fjord ${tag}`, kind: 'Agency', details, tags: [tag] });
    assert.equal(fjord.kind, 'agency');
    assert.deepEqual(fjord.details, details);
    assert.equal(fjord.members, 0);
    const logged = (await eventsAbout(fjord.id)).length;
    assert.equal((await ctx.admin.patch(`${ORGS}/${fjord.id}`, { kind: 'AGENCY', details: { ...details } })).statusCode, 200);
    assert.equal((await eventsAbout(fjord.id)).length, logged, 'an edit that changes nothing logs nothing');
    const broker = await organization({ name: `Bergen ${tag}`, kind: 'broker', tags: [tag], status: 'suspended' });

    for (const [bad, field] of [
      [{ country: 'no' }, 'body.details.country'],
      [{ banking: { iban: 'not an iban' } }, 'body.details.banking.iban'],
      [{ banking: { bic: 'DNB' } }, 'body.details.banking.bic'],
      [{ vatNumber: '1' }, 'body.details.vatNumber'],
    ] as const) {
      const response = await ctx.admin.post(ORGS, { name: 'Invalid Org', kind: 'agency', details: bad });
      assert.equal(response.statusCode, 400, JSON.stringify(bad));
      assert.equal(fieldOf(response), field);
    }

    const a = await person({ displayName: 'Member Anna' });
    const b = await person({ displayName: 'Member Bo' });
    const members = `${ORGS}/${fjord.id}/members`;
    assert.equal((await put(ctx.admin, `${members}/${a.id}`, { role: 'owner' })).statusCode, 200);
    const withBo = await put(ctx.admin, `${members}/${b.id}`, { role: 'member' });
    assert.deepEqual(
      withBo.json().memberList.map((m: { displayName: string; role: string }) => [m.displayName, m.role]),
      [
        ['Member Anna', 'owner'],
        ['Member Bo', 'member'],
      ],
    );
    const promoted = await put(ctx.admin, `${members}/${b.id}`, { role: 'manager' });
    assert.equal(promoted.json().memberList[1].role, 'manager');
    assert.equal(promoted.json().members, 2);
    assert.deepEqual((await ctx.admin.get(`${PEOPLE}/${b.id}`)).json().organizations, [
      { organizationId: fjord.id, name: fjord.name, kind: 'agency', role: 'manager' },
    ]);
    assert.equal((await put(ctx.admin, `${members}/${b.id}`, { role: 'boss' })).statusCode, 400);

    const list = async (query: string) => (await ctx.admin.get(`${ORGS}?tag=${tag}&${query}`)).json().items;
    assert.deepEqual(
      (await list('')).map((o: { name: string; members: number }) => [o.name, o.members]),
      [
        [broker.name, 0],
        [fjord.name, 2],
      ],
    );
    assert.deepEqual(
      (await list('q=FJORD')).map((o: { id: string }) => o.id),
      [fjord.id],
    );
    assert.deepEqual(
      (await list('kind=broker')).map((o: { id: string }) => o.id),
      [broker.id],
    );
    assert.deepEqual(
      (await list('status=active')).map((o: { id: string }) => o.id),
      [fjord.id],
    );

    const removed = await ctx.admin.delete(`${members}/${a.id}`);
    assert.equal(removed.statusCode, 200);
    assert.deepEqual(
      removed.json().memberList.map((m: { personId: string }) => m.personId),
      [b.id],
    );
    assert.equal((await ctx.admin.delete(`${members}/${a.id}`)).statusCode, 404, 'no longer a member');

    const patched = await ctx.admin.patch(`${ORGS}/${broker.id}`, { status: 'active', details: { country: 'NO' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().status, 'active');
    assert.deepEqual(patched.json().details, { country: 'NO' });
    const badPatch = await ctx.admin.patch(`${ORGS}/${broker.id}`, { details: { banking: { iban: 'XX' } } });
    assert.equal(fieldOf(badPatch), 'body.details.banking.iban');
    assert.deepEqual(
      (await eventsAbout(broker.id)).map((e) => e.type),
      ['people.organization_created', 'people.organization_updated'],
    );

    const nobody = '00000000-0000-7000-8000-000000000000';
    assert.equal((await ctx.admin.get(`${ORGS}/${nobody}`)).statusCode, 404);
    assert.equal((await ctx.admin.patch(`${ORGS}/${nobody}`, { name: 'X' })).statusCode, 404);
    assert.equal((await put(ctx.admin, `${ORGS}/${nobody}/members/${a.id}`, { role: 'member' })).statusCode, 404);
    const ghost = await put(ctx.admin, `${members}/${nobody}`, { role: 'member' });
    assert.equal(ghost.statusCode, 400);
    assert.equal(fieldOf(ghost), 'params.personId');
  });

  it('keeps notes and a timeline for people and organizations', async () => {
    const subject = await person({ displayName: 'Noted Person' });
    const org = await organization({ name: `Noted Org ${unique()}`, kind: 'customer' });
    for (const [path, id] of [
      ['people', subject.id],
      ['organizations', org.id],
    ] as const) {
      const base = `/api/console/${path}/${id}`;
      for (const body of ['first note', 'second note', 'third note']) {
        const note = await ctx.admin.post(`${base}/notes`, { body });
        assert.equal(note.statusCode, 201, note.body);
        assert.equal(note.json().authorName, 'Administrator');
      }
      const notes = (await ctx.admin.get(`${base}/notes`)).json().items;
      assert.deepEqual(
        notes.map((n: { body: string }) => n.body),
        ['third note', 'second note', 'first note'],
        `${path}: newest first`,
      );
      assert.equal((await ctx.admin.post(`${base}/notes`, { body: '   ' })).statusCode, 400);

      const seen: Array<{ id: number; type: string; subjectId: string }> = [];
      let cursor: string | null = null;
      do {
        const page: LightMyRequestResponse = await ctx.admin.get(`${base}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.statusCode, 200, page.body);
        seen.push(...page.json().items);
        cursor = page.json().nextCursor;
      } while (cursor);
      assert.equal(seen.length, 4, `${path}: created and three notes`);
      assert.ok(seen.every((e) => e.subjectId === id));
      assert.deepEqual(
        seen.map((e) => e.id),
        [...seen.map((e) => e.id)].sort((x, y) => y - x),
        'newest first, once each',
      );
      assert.equal(seen[0]!.type, 'people.note_added');
      assert.equal(seen.at(-1)!.type, path === 'people' ? 'people.person_created' : 'people.organization_created');

      const unknown = `/api/console/${path}/00000000-0000-7000-8000-000000000000`;
      assert.equal((await ctx.admin.get(`${unknown}/timeline`)).statusCode, 404);
      assert.equal((await ctx.admin.get(`${unknown}/notes`)).statusCode, 404);
      assert.equal((await ctx.admin.post(`${unknown}/notes`, { body: 'x' })).statusCode, 404);
      assert.equal(fieldOf(await ctx.admin.get(`${base}/timeline?cursor=garbage`)), 'query.cursor');
    }
  });

  it('lets a people.read user look but not change anything', async () => {
    const target = await person({ displayName: `Readable ${unique()}` });
    const org = await organization({ name: `Readable Org ${unique()}`, kind: 'agency' });
    const { session } = await staffWith(ctx.admin, ['people.read']);
    const url = `${PEOPLE}/${target.id}`;
    for (const path of [PEOPLE, url, `${url}/timeline`, `${url}/notes`, ORGS, `${ORGS}/${org.id}`, '/api/console/block-reasons']) {
      assert.equal((await session.get(path)).statusCode, 200, path);
    }
    assert.equal((await session.patch(url, { displayName: 'Nope' })).statusCode, 403);
    assert.equal((await session.post(`${url}/block`, { reason: 'spam' })).statusCode, 403);
    assert.equal((await session.post(`${url}/erase`, { confirm: 'ERASE' })).statusCode, 403);
    assert.equal((await session.post(PEOPLE, { displayName: 'Nope' })).statusCode, 403);
    assert.equal((await session.post(`${url}/notes`, { body: 'Nope' })).statusCode, 403);
    assert.equal((await put(session, `${ORGS}/${org.id}/members/${target.id}`, { role: 'member' })).statusCode, 403);
    assert.equal((await put(session, '/api/console/block-reasons/nope', { label: 'Nope' })).statusCode, 403);
    const unchanged = (await ctx.admin.get(url)).json();
    assert.equal(unchanged.displayName, target.displayName);
    assert.equal(unchanged.status, 'active');
  });
});
