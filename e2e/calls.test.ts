import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * The console's Calls pages: a live call on top of the list, its page with the billing line of the connect
 * and its steps nested under the call's own event, and a moderator ending it.
 */
describe('calls in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let callId = '';

  async function call<T = { id: string }>(url: string, data: unknown = {}, headers: Record<string, string> = {}, method = 'POST'): Promise<T> {
    const response = await page.request.fetch(`${server.base}${url}`, { method, data, headers: { origin: server.base, ...headers } });
    if (!response.ok()) throw new Error(`${url}: ${response.status()} ${await response.text()}`);
    return (await response.json()) as T;
  }

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    await call('/api/console/settings/calls.heartbeat_timeout', { value: 300 }, {}, 'PUT');
    await call('/api/console/creators/tariffs/direct', {
      caller: { connect: 9, checkpoints: [{ at: 20, amount: 60 }], repeat: { every: 60, amount: 60 } },
      streamer: { connect: 0, checkpoints: [{ at: 20, amount: 30 }], repeat: { every: 60, amount: 30 } },
      agencyShareBp: 0,
    });
    const caller = await call('/api/console/people', { displayName: 'Vera Caller' });
    const streamer = await call('/api/console/people', { displayName: 'Stas Streamer' });
    await call('/api/console/creators/streamers', { personId: streamer.id });
    await call(
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId: caller.id, kind: 'wallet', currency: 'COIN', amount: 500, reason: 'bought coins' },
      { 'idempotency-key': randomUUID() },
    );
    const as = async (personId: string) => `Bearer ${(await call<{ token: string }>(`/api/console/people/${personId}/member-token`)).token}`;
    const [callerAuth, streamerAuth] = [await as(caller.id), await as(streamer.id)];
    callId = (await call('/api/client/calls', { streamerId: streamer.id }, { authorization: callerAuth })).id;
    await call(`/api/client/calls/${callId}/accept`, {}, { authorization: streamerAuth });
    await call(`/api/client/calls/${callId}/joined`, {}, { authorization: callerAuth });
    const connected = await call<{ state: string }>(`/api/client/calls/${callId}/joined`, {}, { authorization: streamerAuth });
    assert.equal(connected.state, 'connected');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the live call on top with its people, and opens its page with the connect billed and its steps nested', async () => {
    await page.goto(`${server.base}/calls`);
    const row = page.getByRole('row').filter({ hasText: 'Vera Caller' });
    await row.getByText('In progress').waitFor();
    await row.getByText('Stas Streamer').waitFor();
    await screenshot(page, 'calls-list');
    await page.goto(`${server.base}/calls/${callId}`);
    await page.getByRole('heading', { name: 'Billing' }).waitFor();
    // The connect point: 9 coins from the caller.
    const billing = page.getByRole('table').filter({ hasText: 'Caller paid' });
    await billing.getByRole('cell', { name: '9 COIN' }).first().waitFor();
    // The call's steps, nested under its top-level event.
    for (const step of ['Call accepted', 'Call connected', 'Call billed']) await page.getByText(step).first().waitFor();
    await screenshot(page, 'call-page');
  });

  it('ends the call as a moderator, after a confirmation', async () => {
    await page.getByRole('button', { name: 'End call' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End call' }).click();
    await page.getByText('The call from Vera Caller to Stas Streamer is ended').waitFor();
    // The page follows: no End call any more, the end reason in the facts, the end in the timeline.
    await page.getByRole('article').getByRole('button', { name: 'End call' }).waitFor({ state: 'detached' });
    assert.equal((await page.getByTestId('call-end-reason').innerText()).trim(), ': ended by a moderator');
    await page.getByText('Call ended', { exact: true }).waitFor();
    const ended = await call<{ state: string; endReason: string }>(`/api/console/calls/${callId}`, undefined, {}, 'GET');
    assert.deepEqual([ended.state, ended.endReason], ['ended', 'moderator']);
    await screenshot(page, 'call-ended');
  });
});
