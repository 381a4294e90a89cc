import { perKernel } from '../../core/kernel.ts';
import { defineModule } from '../../core/module.ts';
import { memberEventTypes } from './events.ts';
import { Presence } from './presence.ts';
import { memberRoutes } from './routes.ts';
import { MemberTokens } from './tokens.ts';

export const memberPresence = perKernel((kernel) => new Presence(kernel));
export const memberTokens = perKernel((kernel) => new MemberTokens(kernel));

/** Member sign-in for client apps: bearer tokens (ours, Firebase, OIDC), the member's own profile. */
export const membersModule = defineModule({
  name: 'members',
  requires: ['people'],
  permissions: [{ key: 'members.issue_tokens', description: 'Issue member tokens for a person (to use a client app as them).' }],
  events: memberEventTypes,
  routes: (app, kernel) => memberRoutes(app, kernel, memberTokens(kernel), memberPresence(kernel)),
  async bootstrap(kernel) {
    const tokens = memberTokens(kernel);
    await tokens.start();
    kernel.memberAuthenticator = tokens;
    const presence = memberPresence(kernel);
    presence.start();
    // Open sockets would keep the server from closing: they end with the streams.
    kernel.openStreams.add({ close: () => void presence.stop() });
  },
});
