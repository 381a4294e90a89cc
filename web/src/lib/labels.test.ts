/** Event summaries: the template its module declares, filled with names (linking to pages), amounts and code labels. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actorSegment, eventSummary, eventTitle, setLabels, summaryText } from './labels';
import { overwriteGetLocale } from './paraglide/runtime.js';

const ANNA = '01900000-0000-7000-8000-00000000000a';
const BOB = '01900000-0000-7000-8000-00000000000b';
const ROSE = '01900000-0000-7000-8000-00000000000c';

setLabels({
  codes: { subject_type: { person: { en: 'Person', ru: 'Человек' } }, actor_type: { system: { en: 'System', ru: 'Система' } } },
  events: {
    'creators.gift_sent': {
      title: { en: 'Gift sent', ru: 'Подарок отправлен' },
      summary: {
        en: '{payload.senderId} sent a gift ({payload.giftName}, {payload.price:money}) to {subject}',
        ru: '{payload.senderId} дарит подарок ({payload.giftName}, {payload.price:money}): {subject}',
      },
      refs: { senderId: 'person', giftId: 'gift' },
    },
  },
});

const gift = {
  type: 'creators.gift_sent',
  actorType: 'member',
  actorId: ANNA,
  subjectType: 'person',
  subjectId: BOB,
  payload: { senderId: ANNA, giftId: ROSE, giftName: 'Rose', price: 50 },
};
const refs = { [ANNA]: { type: 'person', name: 'Anna Kim', href: `/people/${ANNA}` }, [BOB]: { type: 'person', name: 'Bob Lee', href: `/people/${BOB}` } };

describe('event summaries', () => {
  it('name the records by name, linking to their pages, and format amounts', () => {
    overwriteGetLocale(() => 'en');
    assert.equal(eventTitle('creators.gift_sent'), 'Gift sent');
    assert.equal(summaryText(gift, refs), 'Anna Kim sent a gift (Rose, 50 COIN) to Bob Lee');
    const links = eventSummary(gift, refs).filter((s) => s.href);
    assert.deepEqual(
      links.map((s) => [s.text, s.href]),
      [
        ['Anna Kim', `/people/${ANNA}`],
        ['Bob Lee', `/people/${BOB}`],
      ],
    );
  });

  it('never show an id: a record the viewer may not see by name shows as what it is', () => {
    overwriteGetLocale(() => 'en');
    assert.equal(summaryText(gift, {}), 'Person sent a gift (Rose, 50 COIN) to Person');
    assert.equal(actorSegment({ actorType: 'system', actorId: 'demo' }, {}).text, 'System');
    assert.equal(actorSegment(gift, refs).text, 'Anna Kim');
  });

  it('read in the console language, and fall back to the type for an unknown event', () => {
    overwriteGetLocale(() => 'ru');
    assert.equal(summaryText(gift, refs), 'Anna Kim дарит подарок (Rose, 50 COIN): Bob Lee');
    assert.equal(eventTitle('other.thing_happened'), 'other.thing_happened');
    overwriteGetLocale(() => 'en');
  });
});
