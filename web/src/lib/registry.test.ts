import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import type { Person } from './people/types';
import type { Me } from './session';

// What Vite does in the build (eager import.meta.glob, .svelte imports), done for Node.
register('../../test/vite-hooks.mjs', import.meta.url);
const { personTabBar, personTabs, visiblePersonTabs } = await import('./people/tabs');
const { searchProviders } = await import('./search');
const { moderationCards } = await import('./moderation/cards');
const { collect } = await import('./registry');
const { headerActions, visibleHeaderActions } = await import('./header-actions');
const { setLabels } = await import('./labels');

const me = (...permissions: string[]) => ({ permissions }) as unknown as Me;
const person = (status = 'active') => ({ id: 'p1', displayName: 'Marta', status, identities: [] }) as unknown as Person;
const own = { profile: 'Profile', identities: 'Identities (0)', timeline: 'Timeline', notes: 'Notes', 'sign-ins': 'Sign-ins' };
const ids = (tabs: { id: string }[]) => tabs.map((t) => t.id);

describe('person page tabs from feature folders', () => {
  it('finds the tabs in src/lib/*/person-tabs.ts, in order, each with its label and component', () => {
    assert.deepEqual(ids(personTabs), ['photos', 'chats', 'files', 'balance', 'creator', 'interactions', 'notifications']);
    assert.deepEqual(
      personTabs.map((t) => t.label()),
      ['Photos', 'Chats', 'Files', 'Balance', 'Creator', 'Interactions', 'Notifications'],
    );
    assert.deepEqual(
      personTabs.map((t) => t.component.name),
      ['PersonPhotos', 'PersonChats', 'PersonFiles', 'PersonBalance', 'PersonCreator', 'PersonInteractions', 'PersonNotifications'],
    );
  });

  it("slots them between the page's own tabs, each shown only to holders of its permission", () => {
    const all = me('creators.read', 'ledger.read', 'files.manage', 'people.manage', 'chat.read', 'notifications.read');
    assert.deepEqual(ids(personTabBar(own, all, person())), [
      'profile',
      'identities',
      'photos',
      'timeline',
      'chats',
      'files',
      'balance',
      'creator',
      'interactions',
      'notifications',
      'notes',
      'sign-ins',
    ]);
    assert.deepEqual(ids(personTabBar(own, me(), person())), ['profile', 'identities', 'timeline', 'files', 'notes', 'sign-ins']);
    assert.deepEqual(ids(visiblePersonTabs(me('ledger.read'), person())), ['files', 'balance']);
    assert.deepEqual(ids(visiblePersonTabs(me('creators.read'), person())), ['photos', 'files', 'creator', 'interactions']);
    assert.deepEqual(ids(visiblePersonTabs(me('chat.read'), person())), ['chats', 'files']);
    assert.deepEqual(ids(visiblePersonTabs(me('notifications.read'), person())), ['files', 'notifications']);
    assert.deepEqual(
      personTabBar(own, me('ledger.read'), person()).map((t) => t.label),
      ['Profile', 'Identities (0)', 'Timeline', 'Files', 'Balance', 'Notes', 'Sign-ins'],
    );
  });

  it('asks a tab with a visible() predicate about this user and this person', () => {
    const component = personTabs[0]!.component;
    const tabs = [{ id: 'payouts', label: () => 'Payouts', order: 65, visible: (_me: Me, p: Person) => p.status !== 'deleted', component }];
    assert.deepEqual(ids(visiblePersonTabs(me(), person('active'), tabs)), ['payouts']);
    assert.deepEqual(ids(visiblePersonTabs(me(), person('deleted'), tabs)), []);
  });

  it('refuses a file of the agreed name that exports no list', () => {
    assert.throws(() => collect({ './chat/person-tabs.ts': { tabs: [] } }, 'personTabs'), /chat\/person-tabs\.ts must export `personTabs`/);
  });
});

describe('header actions from feature folders', () => {
  it('finds the actions in src/lib/*/header-actions.ts: the notifications bell, shown while that module is enabled', () => {
    assert.deepEqual(
      headerActions.map((a) => [a.id, a.component.name]),
      [['notifications', 'StaffBell']],
    );
    setLabels({ codes: {}, events: {} });
    assert.deepEqual(ids(visibleHeaderActions(me())), [], 'no notification codes: the module is off');
    setLabels({ codes: { notification_state: { created: { en: 'In the inbox', ru: 'Во входящих' } } }, events: {} });
    assert.deepEqual(ids(visibleHeaderActions(me())), ['notifications'], 'every signed-in user has a bell, whatever their permissions');
    setLabels({ codes: {}, events: {} });
  });

  it('shows an action with a permission only to its holders', () => {
    const component = headerActions[0]!.component;
    const actions = [{ id: 'help', order: 5, permission: 'help.read', component }];
    assert.deepEqual(ids(visibleHeaderActions(me(), actions)), []);
    assert.deepEqual(ids(visibleHeaderActions(me('help.read'), actions)), ['help']);
  });
});

describe('header search providers from feature folders', () => {
  it('assembles the providers of src/lib/*/search.ts in order: people, organizations, staff', () => {
    assert.deepEqual(
      searchProviders.map((p) => [p.order, p.permission]),
      [
        [10, 'people.read'],
        [20, 'people.read'],
        [30, 'staff.manage_users'],
      ],
    );
    for (const provider of searchProviders) assert.equal(typeof provider.search, 'function');
  });
});

describe('moderation cards from feature folders', () => {
  it('finds the card bodies of src/lib/*/moderation-cards.ts by the kind they show', () => {
    assert.deepEqual(
      moderationCards.map((card) => [card.kind, card.component.name]),
      [['chat_report', 'ChatReportCard']],
    );
  });
});
