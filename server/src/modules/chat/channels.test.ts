import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemActor } from '../../core/actor.ts';
import { ChannelFailure, type OutboundChannel } from '../../core/conversations.ts';
import { defineModule } from '../../core/module.ts';
import { makeStaff } from '../../../test/factories.ts';
import { createTestApp, newMember, signIn, waitFor, type Session, type TestApp } from '../../../test/helpers.ts';
import { enabledModules } from '../index.ts';
import { startConversation } from './conversations.ts';
import { markDelivery } from './deliveries.ts';

/**
 * A channel of a test module that relays each message to a local HTTP server, the way the Telegram and email
 * channels call their remote services: the server answers 500 (retry), 410 (gone for good) or 200.
 */
function relayModule(relayUrl: () => string) {
  const relay: OutboundChannel = {
    name: 'relay',
    label: { en: 'Relay', ru: 'Ретранслятор' },
    reaches: async (_db, _conversation, recipient) => recipient.type === 'staff',
    async deliver(_kernel, message, _conversation, recipient) {
      const response = await fetch(`${relayUrl()}/${recipient.id}`, { method: 'POST', body: JSON.stringify({ id: message.id, text: message.body }) });
      if (response.status === 410) throw new ChannelFailure('the recipient is gone', true);
      if (!response.ok) throw new Error(`relay answered ${response.status}`);
      return { externalId: await response.text() };
    },
  };
  return defineModule({
    name: 'relaytest',
    conversationKinds: [{ kind: 'relaytest.thread', label: { en: 'Relayed thread', ru: 'Ретранслируемая ветка' }, maxTextLength: 500, channels: [relay] }],
  });
}

describe('chat: outbound channels deliver through durable jobs with retries and states', () => {
  let t: TestApp;
  let admin: Session;
  let server: Server;
  let url = '';
  /** What the relay answers per recipient, in order (then 200). */
  const script = new Map<string, number[]>();
  const received: Array<{ recipient: string; id: string }> = [];

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const recipient = request.url!.slice(1);
        const status = script.get(recipient)?.shift() ?? 200;
        if (status === 200) received.push({ recipient, id: (JSON.parse(body) as { id: string }).id });
        response.writeHead(status).end(status === 200 ? `ext-${received.length}` : 'no');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await createTestApp({ workers: true, modules: [...enabledModules(undefined), relayModule(() => url)] });
    admin = await signIn(t.app);
  });
  after(async () => {
    await t.close();
    server.close();
  });

  const deliveriesOf = async (conversationId: string) =>
    (await admin.get(`/api/console/chats/${conversationId}/messages`)).json().items.flatMap((m: { deliveries: unknown[] }) => m.deliveries) as Array<{
      recipientId: string;
      state: string;
      attempts: number;
      failure: string | null;
    }>;

  it('sends once to each staff participant, retries a failure, records a permanent one, and never reaches the sender', async () => {
    const member = await newMember(t, admin, 'Relay Member');
    const me = (await admin.get('/api/console/me')).json();
    const flaky = (await makeStaff(t.app, { name: 'Flaky Staff' })).user;
    const gone = (await makeStaff(t.app, { name: 'Gone Staff' })).user;
    script.set(flaky.id, [500]);
    script.set(gone.id, [410]);
    const conversation = await t.app.kernel.write(systemActor('test'), (ctx) =>
      startConversation(ctx, {
        kind: 'relaytest.thread',
        participants: [
          { type: 'member', id: member.id },
          { type: 'staff', id: me.id },
          { type: 'staff', id: flaky.id },
          { type: 'staff', id: gone.id },
        ],
      }),
    );
    const sent = await member.call('POST', `/api/client/chats/${conversation.id}/messages`, { clientId: 'relay-1', text: 'please call me' });
    assert.equal(sent.statusCode, 201, sent.body);
    await waitFor(async () => (await deliveriesOf(conversation.id)).every((d) => d.state !== 'queued'), 20_000);
    const byRecipient = new Map((await deliveriesOf(conversation.id)).map((d) => [d.recipientId, d]));
    assert.equal(byRecipient.size, 3, 'every staff participant, not the member who sent it');
    assert.equal(byRecipient.get(me.id)!.state, 'sent');
    assert.equal(byRecipient.get(flaky.id)!.state, 'sent');
    assert.equal(byRecipient.get(flaky.id)!.attempts, 2, 'one failure, one retry');
    assert.equal(byRecipient.get(gone.id)!.state, 'failed');
    assert.equal(byRecipient.get(gone.id)!.failure, 'the recipient is gone');
    assert.equal(byRecipient.get(gone.id)!.attempts, 1, 'a permanent failure is not retried');
    const relayed = received.filter((r) => r.id === sent.json().id);
    assert.deepEqual(relayed.map((r) => r.recipient).sort(), [me.id, flaky.id].sort(), 'each reached exactly once');
    // A replayed send is the same message: nothing is delivered again.
    await member.call('POST', `/api/client/chats/${conversation.id}/messages`, { clientId: 'relay-1', text: 'please call me' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(received.filter((r) => r.id === sent.json().id).length, 2);

    // What a channel learns later only moves a delivery forward: a late "delivered" never undoes "read".
    const key = { messageId: sent.json().id, channel: 'relay', recipientId: me.id };
    await markDelivery(t.app.kernel.db, key, 'read', new Date());
    await markDelivery(t.app.kernel.db, key, 'delivered', new Date());
    assert.equal((await deliveriesOf(conversation.id)).find((d) => d.recipientId === me.id)!.state, 'read');
  });
});
