import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { ADMIN, consoleApi, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * Notifications: a notice sent to a tag from the Notifications page (the tag's reach previewed, the server's
 * refusal of an empty tag shown on the field), its progress followed to "Sent", the sender's bell lighting up
 * live with the "… is sent" notice that leads to the send's page; each person's Notifications tab with the
 * state and the delivery history (acknowledged in the app by one; for the other, a phone no push provider
 * serves), each in their language; a notice to one person picked by name and the bell's "Mark all read"; and
 * Russian.
 */
describe('notifications in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let anna: { id: string };
  let boris: { id: string };
  let app: WebSocket;
  let beat: ReturnType<typeof setInterval>;
  let batchId: string;
  const phone = randomUUID();
  const acked: string[] = [];

  const api = () => consoleApi(page, server.base);
  /** A picture in e2e/screenshots/ (the suite's) and, for looking at, in /tmp/. */
  async function shot(name: string, copy?: string) {
    await screenshot(page, name);
    if (copy) copyFileSync(fileURLToPath(new URL(`./screenshots/${name}.png`, import.meta.url)), `/tmp/${copy}.png`);
  }
  const bell = () => page.locator('#notification-bell');
  const badge = () => page.getByTestId('bell-badge');

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    const { post, memberToken } = api();
    anna = await post('/api/console/people', { displayName: 'Anna Kim', tags: ['spring'] });
    boris = await post('/api/console/people', { displayName: 'Boris Petrov', tags: ['spring', 'vip'], locale: 'ru' });
    await post('/api/console/people', { displayName: 'Carol Diaz' });

    // Anna has the app open: it acknowledges every notification it receives. Boris's phone has a push token,
    // but this server has no push provider.
    const device = await page.request.put(`${server.base}/api/client/devices/${phone}`, {
      data: { platform: 'android', pushToken: 'fcm-token-of-boris', name: 'Pixel 8' },
      headers: { authorization: `Bearer ${await memberToken(boris.id)}` },
    });
    assert.equal(device.status(), 200, await device.text());
    app = new WebSocket(`${server.base.replace('http://', 'ws://')}/api/client/ws`, { headers: { authorization: `Bearer ${await memberToken(anna.id)}` } });
    await new Promise((resolve, reject) => {
      app.once('message', resolve);
      app.once('error', reject);
    });
    app.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; notification?: { id: string } };
      if (message.type !== 'notification' || !message.notification) return;
      acked.push(message.notification.id);
      app.send(JSON.stringify({ type: 'notification.ack', id: message.notification.id }));
    });
    beat = setInterval(() => app.send(JSON.stringify({ type: 'ping' })), 5_000);
  });
  after(async () => {
    clearInterval(beat);
    app?.close();
    await browser?.close();
    await server?.stop();
  });

  it('sends a notice to everyone with a tag, follows it to "Sent", and lights up the bell live', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL(`${server.base}/notifications`);
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.getByText('Nothing has been sent yet.').waitFor();
    await bell().getByText('Notifications').waitFor({ state: 'attached' });
    assert.equal(await badge().count(), 0, 'nothing unread yet');

    await page.getByText('Everyone with a tag').click();
    const tag = page.getByLabel('Tag', { exact: true });
    await tag.fill('nobody');
    await page.getByText('No active person has this tag.').waitFor();
    await page.getByLabel('Title in English').fill('Spring sale');
    await page.getByLabel('Title in Russian').fill('Весенняя распродажа');
    await page.getByLabel('Text in English').fill('Everything is 20% off until Sunday.');
    await page.getByLabel('Text in Russian').fill('Скидка 20% на всё до воскресенья.');

    // The server refuses a tag nobody carries: its message shows on the field.
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('is carried by no active person').waitFor();

    await tag.fill('spring');
    await page.getByText('Reaches 2 people now.').waitFor();
    await shot('notifications-01-send', 'notifications-send');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('“Spring sale” is being sent').waitFor();
    await page.locator('.toasts').getByRole('button').click();
    assert.equal(await page.getByLabel('Title in English').inputValue(), '', 'the form starts afresh');

    const sent = page.getByRole('region', { name: 'Sent' });
    const row = sent.getByRole('row', { name: /Spring sale/ });
    await row.getByText('#spring').waitFor();
    await row.getByText('Administrator').waitFor();
    await row.locator('td[data-state="done"]').getByText('Sent', { exact: true }).waitFor();
    await row.getByText('2 of 2 people').waitFor();
    const progress = row.getByRole('progressbar');
    assert.equal(await progress.getAttribute('aria-valuenow'), '2');
    assert.equal(await progress.getAttribute('aria-valuemax'), '2');

    // The sender is told on their bell, without reloading the page.
    await badge().getByText('1', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
    await sent.scrollIntoViewIfNeeded();
    await shot('notifications-02-sent', 'notifications-sent');

    await bell().click();
    const notice = page.getByRole('list', { name: 'Notifications' }).getByRole('button', { name: /“Spring sale” is sent/ });
    await notice.getByText('2 people received it.').waitFor();
    assert.match((await notice.getAttribute('class')) ?? '', /\bunread\b/);
    await shot('notifications-03-bell', 'notifications-bell');

    await notice.click();
    await page.waitForURL(/\/notifications\/sent\/[0-9a-f-]{36}$/);
    batchId = page.url().split('/').at(-1)!;
    await badge().waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Spring sale', level: 1 }).waitFor();
    await page.getByText('2 of 2 people').waitFor();
    const russian = page.getByRole('region', { name: 'Russian' });
    await russian.getByText('Весенняя распродажа').waitFor();
    await russian.getByText('Скидка 20% на всё до воскресенья.').waitFor();
    await page.getByRole('region', { name: 'English' }).getByText('Everything is 20% off until Sunday.').waitFor();
    await page.locator('aside').getByText('#spring').waitFor();
    await page.locator('aside').getByText('Administrator').waitFor();
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Notifications' }).waitFor();
    await shot('notifications-04-batch', 'notifications-batch');
  });

  it("shows each person's notification with its state and delivery history on their Notifications tab", async () => {
    await page.goto(`${server.base}/people/${anna.id}`);
    await page.getByRole('tab', { name: 'Notifications' }).click();
    await page.waitForURL(/tab=notifications/);
    const row = page.getByRole('row', { name: /Spring sale/ });
    await row.getByText('Announcements').waitFor();
    await row.locator('td[data-state="acked"]').getByText('Received', { exact: true }).waitFor();
    assert.equal(acked.length, 1, "Anna's app received it over its socket");

    await row.click();
    const history = page.getByRole('table', { name: 'Delivery history' });
    for (const step of ['Created', 'Sent in the app', 'Acknowledged by the app']) await history.getByRole('row', { name: new RegExp(step) }).waitFor();
    await history
      .getByRole('row', { name: /Acknowledged by the app/ })
      .getByText('App socket')
      .waitFor();
    await page.getByRole('link', { name: 'Open the send' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Open the send' }).getAttribute('href'), `/notifications/sent/${batchId}`);
    await shot('notifications-05-tab', 'notifications-tab');

    // Boris reads Russian and his phone cannot be pushed to: his copy is in Russian, and not delivered, saying why.
    await page.goto(`${server.base}/people/${boris.id}?tab=notifications`);
    const his = page.getByRole('row', { name: /Весенняя распродажа/ });
    await his.locator('td[data-state="failed"]').getByText('Not delivered', { exact: true }).waitFor();
    await his.getByText('No push provider is configured for android.').waitFor();
    await his.click();
    const failed = page.getByRole('table', { name: 'Delivery history' }).getByRole('row', { name: /Failed/ });
    await failed.getByText(phone.slice(0, 8), { exact: true }).waitFor();
    assert.equal(await failed.locator('code').getAttribute('title'), phone, 'the full device id on hover');
    await page.getByText('Russian', { exact: true }).waitFor();
    await shot('notifications-06-tab-failed', 'notifications-tab-failed');
  });

  it('sends to one person picked by name, and marks every notice read from the bell', async () => {
    await page.goto(`${server.base}/notifications`);
    await page.getByText('One person').click();
    await page.getByRole('combobox', { name: 'Person' }).fill('Carol');
    await page.getByRole('option', { name: /Carol Diaz/ }).click();
    await page.getByLabel('Title in English').fill('Welcome');
    await page.getByLabel('Title in Russian').fill('Добро пожаловать');
    await page.getByLabel('Text in English').fill('Thanks for joining.');
    await page.getByLabel('Text in Russian').fill('Спасибо, что с нами.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const row = page.getByRole('region', { name: 'Sent' }).getByRole('row', { name: /Welcome/ });
    await row.getByRole('link', { name: 'Carol Diaz' }).waitFor();
    await row.getByText('1 of 1 person').waitFor();
    await badge().getByText('1', { exact: true }).waitFor();

    await bell().click();
    const list = page.getByRole('list', { name: 'Notifications' });
    await list
      .getByRole('button', { name: /“Welcome” is sent/ })
      .getByText('1 person received it.')
      .waitFor();
    await list.getByRole('button', { name: /“Spring sale” is sent/ }).waitFor();
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await badge().waitFor({ state: 'detached' });
    await list.locator('button.unread').first().waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'Mark all read' }).isDisabled(), true);
    await bell().click();
  });

  it('reads in Russian', async () => {
    const locale = (value: string) =>
      page.request.fetch(`${server.base}/api/console/me`, { method: 'PATCH', data: { locale: value }, headers: { origin: server.base } });
    await locale('ru');
    try {
      await page.goto(`${server.base}/notifications`);
      await page.getByRole('heading', { name: 'Уведомления', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Отправить уведомление' }).waitFor();
      await page.getByText('Всем с меткой').click();
      await page.getByLabel('Метка', { exact: true }).fill('vip');
      await page.getByText('Сейчас получит 1 человек.').waitFor();
      const row = page.getByRole('region', { name: 'Отправленные' }).getByRole('row', { name: /Весенняя распродажа/ });
      await row.getByText('Отправлено', { exact: true }).waitFor();
      await row.getByText('2 из 2 человек').waitFor();
      await page.getByRole('button', { name: 'Уведомления', exact: true }).waitFor();
      await shot('notifications-07-send-ru', 'notifications-send-ru');

      await page.goto(`${server.base}/people/${anna.id}?tab=notifications`);
      const mine = page.getByRole('row', { name: /Spring sale/ });
      await mine.getByText('Получено', { exact: true }).waitFor();
      await mine.getByText('Объявления').waitFor();
      await mine.click();
      const history = page.getByRole('table', { name: 'Ход доставки' });
      await history
        .getByRole('row', { name: /Приложение подтвердило/ })
        .getByText('Сокет приложения')
        .waitFor();
      await page.getByText('Английский', { exact: true }).waitFor();
      await shot('notifications-08-tab-ru', 'notifications-tab-ru');

      await page.goto(`${server.base}/notifications/sent/${batchId}`);
      await page.getByText('2 из 2 человек').waitFor();
      await page.getByRole('region', { name: 'Русский' }).getByText('Весенняя распродажа').waitFor();
      await shot('notifications-09-batch-ru', 'notifications-batch-ru');
    } finally {
      await locale('en');
    }
  });
});
