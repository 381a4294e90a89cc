import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/** The creators back-office: agencies found by id, their streamers, and a withdrawal request from the agency's page. */
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
      const agency = (await (await fetch('/api/console/creators/agencies', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Moonlight Agency' }) })).json()) as { id: string };
      await fetch('/api/console/creators/agencies', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Other Agency' }) });
      for (const name of ['Luna Vega', 'Mira Stone']) {
        const person = (await (await fetch('/api/console/people', { method: 'POST', headers: json, body: JSON.stringify({ displayName: name }) })).json()) as { id: string };
        await fetch('/api/console/creators/streamers', { method: 'POST', headers: json, body: JSON.stringify({ personId: person.id, agencyId: agency.id }) });
      }
      await fetch('/api/console/ledger/adjustments', {
        method: 'POST',
        headers: { ...json, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ ownerType: 'organization', ownerId: agency.id, kind: 'earnings', currency: 'COIN', amount: 5000, reason: 'March share of gifts' }),
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

    await page.waitForURL(new RegExp(`/organizations/${agencyId}\\?tab=streamers`));
    await page.getByRole('heading', { name: 'Moonlight Agency', exact: true }).waitFor();
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
});
