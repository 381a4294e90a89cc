import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callIdOf, isOpen, lateness, secondsAt } from './calls';

describe('calls in the console', () => {
  const connectedAt = '2026-01-01T10:00:00.000Z';
  const at = (iso: string) => new Date(iso).getTime();

  it("carries a call in progress's length on by the clock, and keeps the server's count otherwise", () => {
    const live = { state: 'connected', seconds: 5, connectedAt, endedAt: null } as const;
    assert.equal(secondsAt(live, at('2026-01-01T10:01:05.400Z')), 65);
    assert.equal(secondsAt(live, at('2026-01-01T10:00:01.000Z')), 5, 'never less than the server counted');
    assert.equal(secondsAt({ ...live, state: 'ended', seconds: 121, endedAt: '2026-01-01T10:02:01.000Z' }, at('2026-01-01T11:00:00Z')), 121);
    assert.equal(secondsAt({ state: 'requested', seconds: 0, connectedAt: null, endedAt: null }, Date.now()), 0);
  });

  it('says how late a billing point was billed', () => {
    assert.equal(lateness({ dueAt: connectedAt, billedAt: '2026-01-01T10:00:00.012Z' }), '12 ms');
    assert.equal(lateness({ dueAt: connectedAt, billedAt: '2026-01-01T10:00:01.440Z' }), '1.4 sec');
    assert.equal(lateness({ dueAt: connectedAt, billedAt: '2026-01-01T09:59:59.000Z' }), '0 ms', 'billed early reads as on time');
  });

  it('tells open calls and the call an event is about', () => {
    assert.deepEqual(
      ['requested', 'accepted', 'connected', 'ended', 'missed'].map((state) => isOpen({ state: state as 'ended' })),
      [true, true, true, false, false],
    );
    assert.equal(callIdOf({ payload: { callId: 'c1', kind: 'direct' } }), 'c1');
    assert.equal(callIdOf({ payload: {} }), null);
  });
});
