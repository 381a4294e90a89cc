import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ADMIN, consoleApi, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * The creators back-office: agencies found by id, their streamers, and a withdrawal request from the
 * agency's page; members' photos approved from the queue with the keyboard; a streamer's nested events.
 */
describe('creators in the console', () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let agencyId: string;

  before(async () => {
    server = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    // No named helpers inside evaluate: tsx would wrap them in a __name() the browser does not have.
    agencyId = await page.evaluate(async () => {
      const json = { 'content-type': 'application/json' };
      const agency = (await (
        await fetch('/api/console/creators/agencies', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Moonlight Agency' }) })
      ).json()) as { id: string };
      await fetch('/api/console/creators/agencies', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Other Agency' }) });
      for (const name of ['Luna Vega', 'Mira Stone']) {
        const person = (await (await fetch('/api/console/people', { method: 'POST', headers: json, body: JSON.stringify({ displayName: name }) })).json()) as {
          id: string;
        };
        await fetch('/api/console/creators/streamers', { method: 'POST', headers: json, body: JSON.stringify({ personId: person.id, agencyId: agency.id }) });
      }
      await fetch('/api/console/ledger/adjustments', {
        method: 'POST',
        headers: { ...json, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({
          ownerType: 'organization',
          ownerId: agency.id,
          kind: 'earnings',
          currency: 'COIN',
          amount: 5000,
          reason: 'March share of gifts',
        }),
      });
      return agency.id;
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds an agency by its id, opens it on its streamers, and requests a withdrawal from its balance', async () => {
    await page.goto(`${server.base}/creators/agencies`);
    await page.getByPlaceholder('Search by name or id').fill(agencyId);
    const row = page.getByRole('row', { name: /Moonlight Agency/ });
    await row.getByText('5,000 COIN').waitFor();
    await page.getByRole('row', { name: /Other Agency/ }).waitFor({ state: 'detached' });
    await screenshot(page, 'creators-01-agencies');
    await row.click();

    await page.waitForURL(new RegExp(`/creators/agencies/${agencyId}\\?tab=streamers`));
    await page.getByRole('heading', { name: 'Moonlight Agency', exact: true }).waitFor();
    // Opened from Agencies, it stays there: the breadcrumb leads back to it and the navigation marks it.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Agencies' }).waitFor();
    const navigation = page.getByRole('navigation', { name: 'Main navigation' });
    assert.equal(await navigation.getByRole('link', { name: 'Agencies' }).getAttribute('aria-current'), 'page');
    assert.equal(await navigation.getByRole('link', { name: 'Organizations' }).getAttribute('aria-current'), null);
    await page.getByRole('row', { name: /Luna Vega/ }).waitFor();
    await page.getByRole('row', { name: /Mira Stone/ }).waitFor();
    await screenshot(page, 'creators-02-agency-streamers');

    await page.getByRole('tab', { name: 'Balance' }).click();
    await page.getByRole('button', { name: 'Request payout' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount').fill('3000');
    await dialog.getByTestId('payout-quote').getByText('3,000 COIN', { exact: true }).first().waitFor();
    await dialog.getByRole('button', { name: 'Request payout' }).click();
    await page.getByText('Payout of 3,000 COIN requested').waitFor();
    await page.getByRole('table', { name: 'Payout applications' }).getByText('Requested').waitFor();
    await page.locator('tr[data-account]').getByText('2,000 COIN').waitFor();
    await screenshot(page, 'creators-03-withdrawal');
  });

  const api = () => consoleApi(page, server.base);
  const post = <T = { id: string }>(url: string, data: unknown, headers: Record<string, string> = {}) => api().post<T>(url, data, headers);
  const memberToken = (personId: string) => api().memberToken(personId);

  it('approves two photos from the queue with the keyboard and shows them on the member’s page, where one becomes the cover', async () => {
    const member = await post('/api/console/people', { displayName: 'Iris Gallery' });
    const token = await memberToken(member.id);
    await api().uploadPhotos(token, ['#d46a6a', '#6a8fd4']);

    await page.goto(`${server.base}/moderation?kind=photo`);
    const cards = page.locator('li[data-item]');
    await cards.nth(1).waitFor();
    await cards.first().getByRole('link', { name: 'Iris Gallery' }).waitFor();
    await screenshot(page, 'creators-04-photo-queue');
    await page.keyboard.press('a');
    await page.waitForFunction(() => document.querySelectorAll('li[data-item]').length === 1);
    await page.keyboard.press('a');
    await page.getByText('Nothing waits for review here.').waitFor();

    await page.goto(`${server.base}/people/${member.id}?tab=photos`);
    const approved = page.locator('li[data-photo][data-review="approved"]');
    await approved.nth(1).waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('li[data-photo] img')].every((img) => img.complete && img.naturalWidth > 0),
    );
    await approved.first().getByRole('button', { name: 'Make cover' }).click();
    await approved.first().getByText('Cover', { exact: true }).waitFor();
    await approved.first().getByRole('button', { name: 'Clear cover' }).waitFor();
    await screenshot(page, 'creators-05-member-photos');
  });

  it("opens a streamer's events: a burst of gifts opens to the gifts it is made of", async () => {
    const star = await post('/api/console/people', { displayName: 'Vera Nightly' });
    await post('/api/console/creators/streamers', { personId: star.id });
    const fan = await post('/api/console/people', { displayName: 'Generous Gus' });
    await post(
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId: fan.id, kind: 'wallet', currency: 'COIN', amount: 500, reason: 'bought coins' },
      { 'idempotency-key': randomUUID() },
    );
    const gift = await post('/api/console/creators/gifts', { name: 'Tulip', price: 20, streamerShareBp: 5000, agencyShareBp: 0 });
    const token = await memberToken(fan.id);
    for (let i = 0; i < 3; i += 1) {
      await post(
        '/api/client/creators/gifts/send',
        { giftId: gift.id, receiverId: star.id },
        { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      );
    }

    await page.goto(`${server.base}/people/${star.id}?tab=timeline`);
    const burst = page.getByRole('row', { name: /Gifts/ }).filter({ hasText: 'started sending gifts to' });
    await burst.getByText('3 events').waitFor();
    await burst.getByText('Gifts', { exact: true }).click();
    const nested = page.getByRole('table', { name: 'Events this entry consists of' });
    await nested.getByText('Gift sent').nth(2).waitFor();
    await nested.getByText('Gift sent').first().click();
    await nested.getByText('Tulip').first().waitFor();
    await screenshot(page, 'creators-06-nested-events');
  });
});
