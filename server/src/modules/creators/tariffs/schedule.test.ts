import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_TARIFFS } from './defaults.ts';
import { billingPoints, connectPoint, nextPoint, tariffProblems, totalsAt, type Tariff } from './schedule.ts';

const SEED_ROULETTE = DEMO_TARIFFS.roulette;

describe('tariff schedules', () => {
  it("prices the seed's roulette example exactly", () => {
    const table = [19, 20, 61, 121].map((s) => {
      const t = totalsAt(SEED_ROULETTE, s);
      return [s, t.cost, t.streamer];
    });
    assert.deepEqual(table, [
      [19, 9, 0],
      [20, 69, 30],
      [61, 129, 60],
      [121, 189, 90],
    ]);
  });

  it('walks a running call point by point exactly as the whole timeline lists them', () => {
    const uneven: Tariff = {
      caller: { connect: 5, checkpoints: [{ at: 15, amount: 10 }], repeat: { every: 45, amount: 20 } },
      streamer: { connect: 0, checkpoints: [{ at: 30, amount: 5 }], repeat: { every: 30, amount: 5 } },
      agencyShareBp: 1000,
    };
    for (const tariff of [SEED_ROULETTE, uneven, DEMO_TARIFFS.direct, DEMO_TARIFFS.prerecorded]) {
      const walked = [connectPoint(tariff)];
      for (let next = nextPoint(tariff, 0, 1); next && next.at <= 3600; next = nextPoint(tariff, next.at, next.index + 1)) walked.push(next);
      assert.deepEqual(walked, billingPoints(tariff, 3600));
    }
  });

  it('splits each payment: the streamer’s amount, the agency’s share of the payment, the platform’s rest', () => {
    const t = totalsAt({ ...SEED_ROULETTE, agencyShareBp: 1000 }, 121);
    assert.deepEqual(t, { seconds: 121, cost: 189, streamer: 90, agency: 18, platform: 81 });
    assert.equal(totalsAt({ ...SEED_ROULETTE, agencyShareBp: 1000 }, 121, false).agency, 0);
  });

  it('a side without a repeat stops; a call never passes its longest length', () => {
    const once: Tariff = { caller: { connect: 10, checkpoints: [], repeat: null }, streamer: { connect: 0, checkpoints: [], repeat: null }, agencyShareBp: 0 };
    assert.equal(nextPoint(once, 0, 1), undefined);
    assert.equal(nextPoint(SEED_ROULETTE, 6 * 3600, 400), undefined);
  });

  it('refuses checkpoints out of order and a streamer paid more than the caller paid, naming the field', () => {
    const unordered: Tariff = {
      ...SEED_ROULETTE,
      caller: {
        ...SEED_ROULETTE.caller,
        checkpoints: [
          { at: 60, amount: 60 },
          { at: 20, amount: 60 },
        ],
      },
    };
    assert.deepEqual(
      tariffProblems(unordered).map((p) => p.field),
      ['caller.checkpoints.1.at'],
    );
    const atZero: Tariff = { ...SEED_ROULETTE, streamer: { ...SEED_ROULETTE.streamer, checkpoints: [{ at: 0, amount: 1 }] } };
    assert.deepEqual(
      tariffProblems(atZero).map((p) => p.field),
      ['streamer.checkpoints.0.at'],
    );
    const generous: Tariff = { ...SEED_ROULETTE, streamer: { connect: 10, checkpoints: [], repeat: null } };
    assert.match(tariffProblems(generous)[0]!.message, /by second 0 \(10 against 9/);
    for (const tariff of Object.values(DEMO_TARIFFS)) assert.deepEqual(tariffProblems(tariff), []);
  });
});
