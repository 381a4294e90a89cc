import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { draftOf, duration, readDraft, repeatRule, sideSummary, versionState, type TariffDraft } from './tariffs';

/** Seed 001's roulette example, as the form holds it. */
function seedDraft(): TariffDraft {
  return draftOf({
    caller: {
      connect: 9,
      checkpoints: [
        { at: 20, amount: 60 },
        { at: 60, amount: 60 },
      ],
      repeat: { every: 60, amount: 60 },
    },
    streamer: {
      connect: 0,
      checkpoints: [
        { at: 20, amount: 30 },
        { at: 60, amount: 30 },
      ],
      repeat: { every: 60, amount: 30 },
    },
    agencyShareBp: 1250,
  });
}

describe('the tariff form', () => {
  it('reads a draft into the body the API takes, the share in basis points', () => {
    const draft = seedDraft();
    assert.equal(draft.agencyShare, '12.5');
    draft.note = '  Seed 001  ';
    const { tariff, save, problems } = readDraft(draft);
    assert.deepEqual(problems, {});
    assert.deepEqual(tariff?.caller, {
      connect: 9,
      checkpoints: [
        { at: 20, amount: 60 },
        { at: 60, amount: 60 },
      ],
      repeat: { every: 60, amount: 60 },
    });
    assert.equal(tariff?.agencyShareBp, 1250);
    assert.deepEqual(save, { ...tariff, note: 'Seed 001' });
  });

  it('names the exact field of each mistake, as the server names it', () => {
    const draft = seedDraft();
    draft.caller.checkpoints[1]!.at = '15';
    draft.streamer.checkpoints[0]!.amount = '-3';
    draft.streamer.connect = '2.5';
    draft.caller.repeat = false;
    draft.streamer.every = '0';
    draft.agencyShare = '101';
    const { tariff, save, problems } = readDraft(draft);
    assert.equal(tariff, null, 'nothing to preview');
    assert.equal(save, null);
    assert.deepEqual(Object.keys(problems).sort(), [
      'agencyShareBp',
      'caller.checkpoints.1.at',
      'streamer.checkpoints.0.amount',
      'streamer.connect',
      'streamer.repeat.every',
    ]);
    assert.equal(problems['caller.checkpoints.1.at'], 'Must be later than checkpoint 1 (second 20)');
    assert.equal(problems['streamer.checkpoints.0.amount'], 'A whole number of coins, 0 or more');
  });

  it('wants checkpoints after the connect, and judges a row only against a good one above it', () => {
    const draft = seedDraft();
    draft.caller.checkpoints = [
      { key: 1, at: '0', amount: '1' },
      { key: 2, at: '10', amount: '1' },
      { key: 3, at: '5', amount: '1' },
    ];
    const { problems } = readDraft(draft);
    assert.equal(problems['caller.checkpoints.0.at'], 'A whole number of seconds, 1 or more');
    assert.equal(problems['caller.checkpoints.1.at'], undefined, 'the row above is wrong: nothing to compare with');
    assert.equal(problems['caller.checkpoints.2.at'], 'Must be later than checkpoint 2 (second 10)');
  });

  it('takes a later start only in the future, and still previews meanwhile', () => {
    const draft = seedDraft();
    draft.when = 'later';
    draft.from = '2020-01-01T10:00';
    const past = readDraft(draft);
    assert.equal(past.problems.effectiveFrom, 'Pick a moment in the future');
    assert.notEqual(past.tariff, null);
    assert.equal(past.save, null);
    draft.from = '2999-01-01T10:00';
    assert.equal(readDraft(draft).save?.effectiveFrom, new Date('2999-01-01T10:00').toISOString());
  });
});

describe('tariffs in words', () => {
  it('reads lengths of time, sides and rules', () => {
    assert.deepEqual([10, 60, 90, 600, 3600, 0].map(duration), ['10 sec', '1 min', '1 min 30 sec', '10 min', '1 hr', '0 sec']);
    const { caller, streamer } = readDraft(seedDraft()).tariff!;
    assert.equal(sideSummary(caller), '9 at connect · 60 at 20 sec · 60 at 1 min · then 60 every 1 min');
    assert.equal(sideSummary(streamer), '30 at 20 sec · 30 at 1 min · then 30 every 1 min');
    assert.equal(sideSummary({ connect: 0, checkpoints: [], repeat: null }), 'Nothing');
    assert.equal(repeatRule({ every: 60, amount: 1 }, true), 'Then every 1 min: 1 coin');
    assert.equal(repeatRule(null, true), 'No repeat: nothing more after the last checkpoint.');
  });

  it('tells the version in force from a scheduled and a replaced one', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const current = { id: 'b', effectiveFrom: '2026-02-01T00:00:00Z' };
    assert.equal(versionState(current, current, now), 'current');
    assert.equal(versionState({ id: 'c', effectiveFrom: '2026-04-01T00:00:00Z' }, current, now), 'scheduled');
    assert.equal(versionState({ id: 'a', effectiveFrom: '2026-01-01T00:00:00Z' }, current, now), 'past');
  });
});
