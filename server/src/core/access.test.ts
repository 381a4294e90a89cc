import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp, newMember, staffWith } from '../../test/helpers.ts';
import { AccessError, requireAccess } from './access.ts';
import type { Actor } from './actor.ts';
import { DomainError } from './errors.ts';
import { systemActor } from './actor.ts';
import { adjustBalance } from '../modules/ledger/transfers.ts';
import { erasePerson } from '../modules/people/erasure.ts';

const refused = (code: string) => (error: unknown) => error instanceof DomainError && error.code === code;

// The HTTP guard's rule, for callers that are not HTTP requests: a bot acting as a staff user, a job, a subscriber.
describe('requireAccess', () => {
  const ctx = useTestApp();
  const check = (actor: Actor, permission: string, ids?: string[]) => ctx.t.app.kernel.write(actor, (c) => requireAccess(c, permission, ids));

  it('lets a role permission through for every id, and a per-record grant only for its record', async () => {
    const { user } = await staffWith(ctx.admin, ['people.read']);
    const actor: Actor = { type: 'staff', id: user.id };
    assert.deepEqual(await check(actor, 'people.read', ['a', 'b']), ['a', 'b']);
    await assert.rejects(check(actor, 'people.erase', ['a', 'b']), refused('forbidden'));
    await assert.rejects(check(actor, 'people.erase'), refused('forbidden'));

    const grant = await ctx.admin.post(`/api/console/staff/${user.id}/grants`, { permission: 'people.erase', recordId: 'b' });
    assert.equal(grant.statusCode, 201, grant.body);
    assert.deepEqual(await check(actor, 'people.erase', ['a', 'b', 'c']), ['b']);
    // A grant is power over one record, never the permission as such.
    await assert.rejects(check(actor, 'people.erase'), refused('forbidden'));

    const expiring = await ctx.admin.post(`/api/console/staff/${user.id}/grants`, {
      permission: 'people.erase',
      recordId: 'b',
      expiresAt: new Date(ctx.t.clock.now().getTime() + 60_000).toISOString(),
    });
    assert.equal(expiring.statusCode, 201, expiring.body);
    ctx.t.clock.advance(61_000);
    await assert.rejects(check(actor, 'people.erase', ['b']), refused('forbidden'));
  });

  it('trusts the system, refuses members and disabled or unknown staff users', async () => {
    assert.deepEqual(await check(systemActor('job'), 'ledger.adjust', ['x']), ['x']);
    await assert.rejects(check({ type: 'member', id: 'someone' }, 'people.read'), refused('forbidden'));
    await assert.rejects(check({ type: 'staff', id: '00000000-0000-7000-8000-000000000000' }, 'people.read'), refused('unknown_actor'));
    const { user } = await staffWith(ctx.admin, ['people.read']);
    const disabled = await ctx.admin.patch(`/api/console/staff/${user.id}`, { status: 'disabled' });
    assert.equal(disabled.statusCode, 200, disabled.body);
    await assert.rejects(check({ type: 'staff', id: user.id }, 'people.read'), (error: unknown) => error instanceof AccessError);
  });

  it('holds services to the same rule when no route stands in front of them', async () => {
    const { user } = await staffWith(ctx.admin, ['people.read', 'ledger.read']);
    const person = await newMember(ctx.t, ctx.admin, 'Bot Target');
    const actor: Actor = { type: 'staff', id: user.id };
    const adjust = { ownerType: 'person' as const, ownerId: person.id, kind: 'wallet' as const, currency: 'COIN', amount: 100, reason: 'from a bot' };
    await assert.rejects(
      ctx.t.app.kernel.write(actor, (c) => adjustBalance(c, adjust)),
      refused('forbidden'),
    );
    await assert.rejects(
      ctx.t.app.kernel.write(actor, (c) => erasePerson(c, person.id)),
      refused('forbidden'),
    );
    const grant = await ctx.admin.post(`/api/console/staff/${user.id}/grants`, { permission: 'people.erase', recordId: person.id });
    assert.equal(grant.statusCode, 201, grant.body);
    const erased = await ctx.t.app.kernel.write(actor, (c) => erasePerson(c, person.id));
    assert.equal(erased.status, 'deleted');
    const balances = await ctx.admin.get(`/api/console/ledger/accounts?ownerType=person&ownerId=${person.id}`);
    assert.deepEqual(balances.json().items, [], 'the refused adjustment left nothing behind');
  });
});
