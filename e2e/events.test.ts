import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Human labels: the event log and a person's timeline show each event by its title and a one-line summary
 * naming who did what to whom, the names linking to their pages (never a UUID nor a raw type), in EN and RU.
 */
describe('event log and timeline in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let anna: { id: string };
  let boris: { id: string };

  async function post<T = { id: string }>(url: string, data: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<T> {
    const response = await page.request.fetch(`${server.base}${url}`, { method, data, headers: { origin: server.base, ...headers } });
    if (!response.ok()) throw new Error(`${url}: ${response.status()} ${await response.text()}`);
    return (await response.json()) as T;
  }

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    // Anna Kim sends Boris Petrov, a streamer, a Rose; a note on Anna.
    anna = await post('/api/console/people', { displayName: 'Anna Kim' });
    boris = await post('/api/console/people', { displayName: 'Boris Petrov' });
    await post('/api/console/creators/streamers', { personId: boris.id });
    await post(
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId: anna.id, kind: 'wallet', currency: 'COIN', amount: 500, reason: 'bought coins' },
      { 'idempotency-key': randomUUID() },
    );
    const rose = await post('/api/console/creators/gifts', { name: 'Rose', price: 50, streamerShareBp: 5000, agencyShareBp: 0 });
    const { token } = await post<{ token: string }>(`/api/console/people/${anna.id}/member-token`, {});
    await post(
      '/api/client/creators/gifts/send',
      { giftId: rose.id, receiverId: boris.id },
      { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
    );
    await post(`/api/console/people/${anna.id}/notes`, { body: 'Asked about her payout.' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the event log by titles and summaries, with names linking to their pages and no UUID as actor', async () => {
    await page.goto(`${server.base}/events`);
    const note = page.getByRole('row').filter({ hasText: 'Note written' });
    await note.getByText('Administrator wrote a note on Anna Kim').waitFor();
    assert.equal(await note.getByRole('link', { name: 'Anna Kim' }).getAttribute('href'), `/people/${anna.id}`);
    assert.match((await note.getByRole('link', { name: 'Administrator' }).first().getAttribute('href')) ?? '', /^\/staff\?selected=/);

    const created = page.getByRole('row').filter({ hasText: 'Person created' }).filter({ hasText: 'Boris Petrov' });
    await created.getByText('Administrator created Boris Petrov').waitFor();

    // The ledger names accounts by owner, kind and currency; the adjustment's kind by its label.
    await page.getByRole('row').filter({ hasText: 'Transfer posted' }).getByText('(Adjustment)').first().waitFor();

    // No cell of the list shows a raw type or a UUID.
    const cells = await page.locator('tbody td').allInnerTexts();
    assert.ok(cells.length > 10, 'the list has rows');
    for (const text of cells) {
      assert.doesNotMatch(text, UUID, `no UUID in "${text}"`);
      assert.doesNotMatch(text, /\b(people|creators|ledger|staff)\.[a-z_]+\b/, `no raw type in "${text}"`);
    }
    await screenshot(page, 'events-01-log');

    await note.getByRole('link', { name: 'Anna Kim' }).click();
    await page.waitForURL(`${server.base}/people/${anna.id}`);
  });

  it("shows a person's timeline and a burst's nested gifts by title, with names", async () => {
    await page.goto(`${server.base}/people/${boris.id}?tab=timeline`);
    const burst = page.getByRole('row').filter({ hasText: 'Anna Kim started sending gifts to Boris Petrov' });
    await burst.waitFor();
    const registered = page.getByRole('row').filter({ hasText: 'Streamer registered' });
    await registered.getByText('Administrator registered Boris Petrov as a streamer').waitFor();
    // Closed rows: no cell shows a UUID (an opened row shows the payload as it is stored).
    for (const text of await page.locator('tbody td').allInnerTexts()) assert.doesNotMatch(text, UUID, `no UUID in "${text}"`);
    await burst.getByText('Gifts', { exact: true }).click();
    const nested = page.getByRole('table', { name: 'Events this entry consists of' });
    await nested.getByText('Anna Kim sent a gift (Rose, 50 COIN) to Boris Petrov').waitFor();
    assert.equal(await nested.getByRole('link', { name: 'Anna Kim' }).first().getAttribute('href'), `/people/${anna.id}`);
    for (const text of await nested.locator('.event-summary').allInnerTexts()) assert.doesNotMatch(text, UUID, `no UUID in "${text}"`);
    await screenshot(page, 'events-02-timeline');
  });

  it('reads in Russian once the user switches', async () => {
    await post('/api/console/me', { locale: 'ru' }, {}, 'PATCH');
    await page.goto(`${server.base}/people/${anna.id}?tab=timeline`);
    await page.getByText('Заметка добавлена').waitFor();
    await page.getByText('Administrator пишет заметку: Anna Kim').waitFor();
    await page.goto(`${server.base}/events`);
    await page.getByRole('row').filter({ hasText: 'Подарок отправлен' }).getByText('Anna Kim дарит подарок (Rose, 50 COIN): Boris Petrov').waitFor();
    await screenshot(page, 'events-03-log-ru');
    await post('/api/console/me', { locale: 'en' }, {}, 'PATCH');
  });
});
