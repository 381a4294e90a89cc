import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * Money in the console: an adjustment from a person's Balance tab shows on their statement with the
 * running balance; a payout requested by one staff user (fee shown first) is approved and paid by another.
 */
describe('ledger and payouts in the console', () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let personId: string;
  const finance = { email: 'finance@e2e.local', password: 'another long e2e password' };

  before(async () => {
    server = await startConsole();
    browser = await launchBrowser();
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    // No named helpers inside evaluate: tsx would wrap them in a __name() the browser does not have.
    personId = await page.evaluate(async (finance) => {
      const json = { 'content-type': 'application/json' };
      const roles = (await fetch('/api/console/roles').then((r) => r.json())) as Array<{ id: string; name: string }>;
      const financeRole = roles.find((r) => r.name === 'Finance')!.id;
      await fetch('/api/console/staff', { method: 'POST', headers: json, body: JSON.stringify({ ...finance, name: 'Fiona Finance', roleIds: [financeRole] }) });
      await fetch('/api/console/payouts/fee-rules', { method: 'PUT', headers: json, body: JSON.stringify({ currency: 'COIN', percentBp: 500, fixed: 0 }) });
      const person = await fetch('/api/console/people', { method: 'POST', headers: json, body: JSON.stringify({ displayName: 'Stella Streamer' }) });
      return ((await person.json()) as { id: string }).id;
    }, finance);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("credits a person's earnings from their Balance tab; the statement shows the line and the running balance", async () => {
    await page.goto(`${server.base}/people/${personId}`);
    await page.getByRole('tab', { name: 'Balance' }).click();
    await page.getByText('No accounts yet').waitFor();
    await page.getByRole('button', { name: 'Adjust', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Account').selectOption('earnings');
    await dialog.getByLabel(/Amount/).fill('1.5');
    await dialog.getByText('Enter a number with no more decimals').waitFor();
    await dialog.getByLabel(/Amount/).fill('2000');
    await dialog.getByLabel('Reason').fill('Earnings from March calls');
    await dialog.getByRole('button', { name: 'Adjust balance' }).click();
    await page.getByText('Balance adjusted: now 2,000 COIN').waitFor();
    const row = page.locator('tr[data-account]');
    await row.getByText('2,000 COIN').first().waitFor();

    await row.getByRole('link', { name: /Earnings · COIN/ }).click();
    await page.getByRole('heading', { name: 'Stella Streamer · Earnings · COIN' }).waitFor();
    const line = page.getByRole('row', { name: /Adjustment/ });
    await line.getByText('+2,000 COIN').waitFor();
    await line.getByText('Earnings from March calls').waitFor();
    await screenshot(page, 'ledger-01-statement');

    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href'));
    assert.match(csv, /^time,transfer_id,kind,amount,balance_after/);
    assert.match(csv, /,adjustment,2000,2000,COIN,platform liability,/);
  });

  it('requests a payout with the fee shown first; another staff user approves and pays it; the balance follows', async () => {
    await page.getByRole('button', { name: 'Request payout' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount').fill('1000');
    const quote = dialog.getByTestId('payout-quote');
    await quote.getByText(/^50 COIN/).waitFor();
    await quote.getByText('950 COIN', { exact: true }).waitFor();
    await screenshot(page, 'ledger-02-payout-quote');
    await dialog.getByRole('button', { name: 'Request payout' }).click();
    await page.getByText('Payout of 1,000 COIN requested').waitFor();
    await page.getByTestId('balance-available').getByText('1,000 COIN').waitFor();

    // The one who asked may not approve.
    await page.goto(`${server.base}/payouts`);
    await page.getByRole('row', { name: /Stella Streamer/ }).click();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByText('another staff user must approve it').waitFor();

    const other = await newPage(browser);
    await signIn(other, server.base, finance.email, finance.password);
    await other.goto(`${server.base}/payouts`);
    const row = other.getByRole('row', { name: /Stella Streamer/ });
    // Carbon draws its own box over a visually hidden input.
    await row.getByRole('checkbox').check({ force: true });
    await other.getByRole('button', { name: 'Approve 1 application' }).click();
    await other.getByText('1 of 1 application approved').waitFor();
    await other.getByRole('link', { name: /^Approved/ }).click();
    await other.getByRole('row', { name: /Stella Streamer/ }).click();
    await other.getByRole('button', { name: 'Mark paid' }).click();
    await other.getByLabel('Payment reference').fill('SEPA-2026-11-0042');
    await other.getByRole('button', { name: 'Mark paid' }).click();
    await other.getByText('Payout marked paid').waitFor();
    await other
      .getByTestId('payout-facts')
      .getByText(/SEPA-2026-11-0042/)
      .waitFor();
    await screenshot(other, 'ledger-03-paid');
    await other.context().close();

    await page.goto(`${server.base}/people/${personId}`);
    await page.getByRole('tab', { name: 'Balance' }).click();
    const account = page.locator('tr[data-account]');
    await account.getByText('1,000 COIN').first().waitFor();
    await page.getByRole('table', { name: 'Payout applications' }).getByText('Paid').waitFor();
    await screenshot(page, 'ledger-04-balance-tab');
  });
});
