import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, consoleApi, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * Chat moderation: the reported conversation found by the filter, its reported message highlighted and
 * hidden with a reason, a message arriving live, a participant blocked from the conversation with the key B,
 * the reports with their reason, the person's Chats tab, the report's card in the queue, and Russian.
 */
describe('chat moderation in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let anna: { id: string };
  let boris: { id: string };
  let chatId: string;
  let annaToken: string;
  const THREAT = 'Send me your card number, or else.';

  const api = () => consoleApi(page, server.base);
  const asMember = (token: string) => ({ authorization: `Bearer ${token}` });
  const send = (token: string, id: string, text: string) => api().post(`/api/client/chats/${id}/messages`, { clientId: randomUUID(), text }, asMember(token));

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    const { post, memberToken } = api();
    anna = await post('/api/console/people', { displayName: 'Anna Kim' });
    boris = await post('/api/console/people', { displayName: 'Boris Petrov' });
    const carol = await post('/api/console/people', { displayName: 'Carol Diaz' });
    await post('/api/console/creators/streamers', { personId: boris.id });
    await post('/api/console/creators/streamers', { personId: carol.id });
    annaToken = await memberToken(anna.id);
    await post('/api/client/creators/sign-up', { platform: 'ios' }, asMember(annaToken));
    const borisToken = await memberToken(boris.id);

    // Anna and Boris talk, with a gift in between; Anna reports Boris's threat. Anna and Carol only say hello.
    chatId = (await post('/api/client/chats', { kind: 'creators.direct', personId: boris.id }, asMember(annaToken))).id;
    await send(annaToken, chatId, 'Hi Boris! Loved your stream.');
    await send(borisToken, chatId, 'Thanks Anna :)');
    const threat = await send(borisToken, chatId, THREAT);
    await post(
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId: anna.id, kind: 'wallet', currency: 'COIN', amount: 500, reason: 'bought coins' },
      { 'idempotency-key': randomUUID() },
    );
    const rose = await post('/api/console/creators/gifts', { name: 'Rose', price: 50, streamerShareBp: 5000, agencyShareBp: 0 });
    await post(
      '/api/client/creators/gifts/send',
      { giftId: rose.id, receiverId: boris.id, conversationId: chatId },
      { ...asMember(annaToken), 'idempotency-key': randomUUID() },
    );
    await post(`/api/client/chats/${chatId}/reports`, { messageId: threat.id, reason: 'abuse' }, asMember(annaToken));
    const quiet = await post('/api/client/chats', { kind: 'creators.direct', personId: carol.id }, asMember(annaToken));
    await send(annaToken, quiet.id, 'Hello Carol');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the conversations and keeps only the reported one when asked', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Chat moderation' }).click();
    await page.waitForURL(/\/chat$/);
    await page.getByRole('row', { name: /Carol Diaz/ }).waitFor();
    const reported = page.getByRole('row', { name: /Boris Petrov/ });
    await reported.getByText('Reported', { exact: true }).waitFor();
    await reported.getByText('Direct chat').waitFor();
    await reported.getByText('Gift: Rose, 50 coins').waitFor();

    await page.locator('label', { hasText: 'Reported only' }).click();
    await page.waitForURL(/reported=true/);
    await page.getByRole('row', { name: /Carol Diaz/ }).waitFor({ state: 'detached' });
    await screenshot(page, 'chat-01-reported');

    await reported.getByText('Direct chat').click();
    await page.waitForURL(`${server.base}/chat/${chatId}`);
    await page.getByRole('heading', { name: 'Anna Kim · Boris Petrov' }).waitFor();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Chat moderation' }).waitFor();
  });

  it('highlights the reported message, hides it with a reason, and shows a new message as it arrives', async () => {
    const thread = page.getByRole('list', { name: 'Messages of the conversation' });
    const message = thread.locator('li[data-seq="3"]');
    await message.getByText(THREAT).waitFor();
    assert.match((await message.getAttribute('class')) ?? '', /\breported\b/);
    await thread.getByText('Gift: Rose, 50 coins').waitFor();
    await page.locator(`li[data-participant="${boris.id}"]`).getByText('Read up to #3').waitFor();
    await screenshot(page, 'chat-02-conversation');

    await message.getByRole('button', { name: 'Hide' }).click();
    const dialog = page.getByRole('dialog', { name: 'Hide message #3?' });
    await dialog.getByLabel('Reason').fill('Threatens the member');
    await dialog.getByRole('button', { name: 'Hide' }).click();
    await page.getByText('Message #3 hidden').waitFor();
    await message.getByText('Hidden', { exact: true }).waitFor();
    await message.getByText(/Threatens the member/).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await message.getByRole('button', { name: 'Hide' }).count(), 0);

    await send(annaToken, chatId, 'Are you still there?');
    await thread.locator('li[data-seq="5"]').getByText('Are you still there?').waitFor();
    await screenshot(page, 'chat-03-hidden');
  });

  it('blocks a participant from the conversation with the key B and a reason', async () => {
    const entry = page.locator(`li[data-participant="${boris.id}"]`);
    await entry.getByRole('link', { name: 'Boris Petrov' }).focus();
    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: 'Block Boris Petrov?' });
    await dialog.getByLabel('Reason').selectOption('abuse');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await page.getByText('Boris Petrov is blocked').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await entry.getByText('Blocked', { exact: true }).waitFor();
    assert.equal(await entry.getByRole('button', { name: 'Block' }).count(), 0);
    await page.locator(`li[data-participant="${anna.id}"]`).getByRole('button', { name: 'Block' }).waitFor();
    await screenshot(page, 'chat-04-blocked');
    const status = await page.evaluate(async (id) => ((await (await fetch(`/api/console/people/${id}`)).json()) as { status: string }).status, boris.id);
    assert.equal(status, 'blocked');

    await page.getByRole('tab', { name: 'Reports (1)' }).click();
    const report = page.getByRole('table', { name: 'Reports' }).getByRole('row', { name: /Anna Kim/ });
    await report.getByText('Abuse or harassment').waitFor();
    await report.getByText(`#3: ${THREAT}`).waitFor();
    await report.getByText('Waiting for review').waitFor();
    await page.waitForURL(/tab=reports/);
    await screenshot(page, 'chat-05-reports');
  });

  it("lists the person's conversations on their Chats tab", async () => {
    await page.goto(`${server.base}/people/${anna.id}`);
    await page.getByRole('tab', { name: 'Chats' }).click();
    await page.waitForURL(/tab=chats/);
    await page
      .getByRole('row', { name: /Carol Diaz/ })
      .getByText('Anna Kim: Hello Carol')
      .waitFor();
    const row = page.getByRole('row', { name: /Boris Petrov/ });
    await row.getByText('Anna Kim: Are you still there?').waitFor();
    await screenshot(page, 'chat-06-person-chats');
    await row.getByText('Anna Kim: Are you still there?').click();
    await page.waitForURL(`${server.base}/chat/${chatId}`);
  });

  it('shows the report in the moderation queue with the message, the reason and the conversation', async () => {
    await page.goto(`${server.base}/moderation?kind=chat_report`);
    const card = page.locator('li[data-item]').first();
    await card.getByText(THREAT).waitFor();
    await card.getByText('Abuse or harassment').waitFor();
    assert.match((await card.getByRole('link', { name: 'Open the conversation' }).getAttribute('href')) ?? '', new RegExp(`/chat/${chatId}\\?message=`));
    // Boris is blocked already: only Anna can still be blocked from the card.
    await card.getByRole('listitem').filter({ hasText: 'Anna Kim' }).getByRole('button', { name: 'Block' }).waitFor();
    assert.equal(await card.getByRole('listitem').filter({ hasText: 'Boris Petrov' }).getByRole('button', { name: 'Block' }).count(), 0);
    await screenshot(page, 'chat-07-queue');
  });

  it('blocks from the Streamers list with the same dialog, and offers it on App users', async () => {
    await page.goto(`${server.base}/creators/streamers`);
    const carol = page.getByRole('row', { name: /Carol Diaz/ });
    // Boris is blocked already.
    await page.getByRole('row', { name: /Boris Petrov/ }).waitFor();
    assert.equal(
      await page
        .getByRole('row', { name: /Boris Petrov/ })
        .getByRole('button', { name: 'Block' })
        .count(),
      0,
    );
    await carol.getByRole('button', { name: 'Block' }).click();
    const dialog = page.getByRole('dialog', { name: 'Block Carol Diaz?' });
    await dialog.getByLabel('Reason').selectOption('abuse');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await page.getByText('Carol Diaz is blocked').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await carol.getByRole('button', { name: 'Block' }).waitFor({ state: 'detached' });
    assert.equal(page.url(), `${server.base}/creators/streamers`, 'the row did not open');
    await screenshot(page, 'chat-08-streamers');

    await page.goto(`${server.base}/creators/users`);
    await page
      .getByRole('row', { name: /Anna Kim/ })
      .getByRole('button', { name: 'Block' })
      .waitFor();
    await screenshot(page, 'chat-09-app-users');
  });

  it('reads in Russian', async () => {
    const locale = (value: string) =>
      page.request.fetch(`${server.base}/api/console/me`, { method: 'PATCH', data: { locale: value }, headers: { origin: server.base } });
    await locale('ru');
    try {
      await page.goto(`${server.base}/chat/${chatId}`);
      await page.getByRole('navigation', { name: 'Навигационная цепочка' }).getByRole('link', { name: 'Модерация чатов' }).waitFor();
      await page.getByText('Подарок: Rose, 50 монет').waitFor();
      await page.getByText('Скрыто', { exact: true }).waitFor();
      await screenshot(page, 'chat-10-ru');
      await page.goto(`${server.base}/chat?reported=true`);
      await page
        .getByRole('row', { name: /Boris Petrov/ })
        .getByText('Личная переписка')
        .waitFor();
      await screenshot(page, 'chat-11-list-ru');
    } finally {
      await locale('en');
    }
  });
});
