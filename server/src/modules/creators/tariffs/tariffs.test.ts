import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeRole, makeStaff, TEST_PASSWORD } from '../../../../test/factories.ts';
import { signIn, useTestApp } from '../../../../test/helpers.ts';
import { DEMO_TARIFFS } from './defaults.ts';
import { tariffFor } from './service.ts';

describe('creators: call tariffs', () => {
  const ctx = useTestApp();

  it('saves versions, previews the seed’s roulette table, and bills a call by the version in force when it connected', async () => {
    const { admin, t } = ctx;
    const none = (await admin.get('/api/console/creators/tariffs')).json();
    assert.deepEqual(
      none.map((k: { callKind: string; current: unknown }) => [k.callKind, k.current]),
      [
        ['direct', null],
        ['roulette', null],
        ['prerecorded', null],
      ],
    );
    const first = await admin.post('/api/console/creators/tariffs/roulette', { ...DEMO_TARIFFS.roulette, note: 'seed' });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().version, 1);
    const preview = first.json().preview.map((r: { seconds: number; cost: number; streamer: number }) => [r.seconds, r.cost, r.streamer]);
    assert.deepEqual(preview, [
      [10, 9, 0],
      [20, 69, 30],
      [60, 129, 60],
      [180, 249, 120],
      [600, 669, 330],
    ]);

    const connectedAt = t.clock.now();
    t.clock.advance(60_000);
    const cheaper = { ...DEMO_TARIFFS.roulette, caller: { ...DEMO_TARIFFS.roulette.caller, connect: 5 } };
    const second = await admin.post('/api/console/creators/tariffs/roulette', cheaper);
    assert.equal(second.json().version, 2);
    // A call that connected before the edit keeps version 1; one connecting now gets version 2.
    assert.equal((await tariffFor(t.app.kernel.db, 'roulette', connectedAt, { agencyId: null }))!.version, 1);
    assert.equal((await tariffFor(t.app.kernel.db, 'roulette', t.clock.now(), { agencyId: null }))!.version, 2);
    // A version for later is listed, but not in force yet.
    const later = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const scheduled = await admin.post('/api/console/creators/tariffs/roulette', { ...cheaper, effectiveFrom: later });
    assert.equal(scheduled.statusCode, 201, scheduled.body);
    const overview = (await admin.get('/api/console/creators/tariffs')).json().find((k: { callKind: string }) => k.callKind === 'roulette');
    assert.equal(overview.current.version, 2);
    assert.equal(overview.latest.version, 3);
    const history = (await admin.get('/api/console/creators/tariffs/roulette')).json();
    assert.deepEqual(
      history.map((v: { version: number }) => v.version),
      [3, 2, 1],
    );
  });

  it('refuses bad tariffs with the field named, and a past start', async () => {
    const { admin } = ctx;
    const unordered = await admin.post('/api/console/creators/tariffs/direct', {
      ...DEMO_TARIFFS.direct,
      caller: {
        connect: 1,
        checkpoints: [
          { at: 60, amount: 5 },
          { at: 30, amount: 5 },
        ],
        repeat: null,
      },
    });
    assert.equal(unordered.statusCode, 400);
    assert.equal(unordered.json().errors[0].field, 'body.caller.checkpoints.1.at');
    const negative = await admin.post('/api/console/creators/tariffs/direct', {
      ...DEMO_TARIFFS.direct,
      caller: { ...DEMO_TARIFFS.direct.caller, connect: -1 },
    });
    assert.equal(negative.statusCode, 400);
    assert.match(JSON.stringify(negative.json().errors), /caller\/connect|caller\.connect/);
    const overpaid = await admin.post('/api/console/creators/tariffs/preview', {
      ...DEMO_TARIFFS.direct,
      streamer: { connect: 50, checkpoints: [], repeat: null },
    });
    assert.equal(overpaid.statusCode, 400);
    assert.equal(overpaid.json().errors[0].field, 'body.streamer');
    const past = await admin.post('/api/console/creators/tariffs/direct', { ...DEMO_TARIFFS.direct, effectiveFrom: '2020-01-01T00:00:00Z' });
    assert.equal(past.statusCode, 400);
    assert.equal(past.json().errors[0].field, 'body.effectiveFrom');
    assert.equal((await admin.post('/api/console/creators/tariffs/video', DEMO_TARIFFS.direct)).statusCode, 400);
  });

  it('lets creators.read look and only creators.tariffs change', async () => {
    const { t } = ctx;
    const role = await makeRole(t.app, { name: 'tariff reader', permissions: ['creators.read'] });
    const staff = await makeStaff(t.app, { email: 'tariff-reader@test.local', name: 'Tariff Reader', roleIds: [role.id] });
    const reader = await signIn(t.app, staff.user.email, TEST_PASSWORD);
    assert.equal((await reader.get('/api/console/creators/tariffs/roulette')).statusCode, 200);
    assert.equal((await reader.post('/api/console/creators/tariffs/preview', DEMO_TARIFFS.direct)).statusCode, 200);
    assert.equal((await reader.post('/api/console/creators/tariffs/direct', DEMO_TARIFFS.direct)).statusCode, 403);
  });
});
