import { perKernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { MemberEvents, memberEventTypes } from './events.ts';
import { CLOSE, realtimeHub } from '../../core/realtime/hub.ts';
import { memberRoutes } from './routes.ts';
import { MemberTokens } from './tokens.ts';

export const memberTokens = perKernel((kernel) => new MemberTokens(kernel));

/** Member sign-in for client apps: bearer tokens (ours, Firebase, OIDC), the member's own profile. */
export const membersModule = defineModule({
  name: 'members',
  label: { en: 'App members', ru: 'Участники приложений' },
  requires: ['people'],
  provides: { memberAuthenticator: memberTokens },
  permissions: [{ key: 'members.issue_tokens', description: 'Issue member tokens for a person (to use a client app as them).' }],
  events: memberEventTypes,
  routes: (app, kernel) => memberRoutes(app, kernel, memberTokens(kernel)),
  async bootstrap(kernel) {
    const tokens = memberTokens(kernel);
    await tokens.start();
    const hub = realtimeHub(kernel);
    hub.onPresenceChange((ctx, personId, online) =>
      ctx.emit({ type: online ? MemberEvents.online : MemberEvents.offline, subject: { type: 'person', id: personId }, payload: {} }).then(() => undefined),
    );
    // A blocked or erased person's sockets close on every process: the event crosses the bus.
    kernel.bus.subscribe((message) => {
      if (message.kind !== 'event' || message.event.subjectType !== 'person' || !message.event.subjectId) return;
      if (message.event.type === 'people.person_blocked' || message.event.type === 'people.person_erased')
        hub.disconnect(message.event.subjectId, CLOSE.blocked, 'blocked');
    });
    hub.start();
    // Open sockets would keep the server from closing: they end with the streams.
    kernel.openStreams.add({ close: () => hub.stop() });
  },
});
