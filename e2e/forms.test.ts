import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, consoleApi, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * Settings edited through controls built from their schemas, Save only once something changed, a toast for
 * every moderation decision, and counts in Russian with their plural forms.
 */
describe('forms, decisions and plural forms in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const api = () => consoleApi(page, server.base);
  const post = <T = { id: string }>(url: string, data: unknown, headers: Record<string, string> = {}) => api().post<T>(url, data, headers);
  const memberToken = (personId: string) => api().memberToken(personId);

  it('edits settings through typed controls: a toggle, a number and a multi-line text; Save waits for a change; the values survive a reload', async () => {
    await page.goto(`${server.base}/settings`);
    const automatic = page.locator('article[data-key="payouts.automatic"]');
    const rules = page.locator('article[data-key="creators.streamer_rules"]');
    await automatic.getByRole('heading', { name: 'Automatic payouts' }).waitFor();
    await page.locator('article[data-key="settings.min_app_versions"]').getByLabel('Android').waitFor();

    const save = automatic.getByRole('button', { name: 'Save' });
    assert.equal(await save.isDisabled(), true, 'nothing to save yet');
    const minimum = automatic.getByLabel('Minimum, in minor units');
    assert.equal(await minimum.inputValue(), '10000');
    assert.equal(await automatic.getByLabel('Currency').inputValue(), 'COIN');

    // A change, then back: nothing to save again.
    await minimum.fill('10001');
    assert.equal(await save.isEnabled(), true);
    await minimum.fill('10000');
    assert.equal(await save.isDisabled(), true);

    // The server's refusal shows on the control it is about.
    await minimum.fill('0');
    await save.click();
    await automatic.getByText('must be a whole number of minor units, 1 or more').waitFor();

    await minimum.fill('5000');
    await automatic.getByText('Request payouts automatically', { exact: true }).click();
    await save.click();
    await page.getByText('Automatic payouts saved').waitFor();
    await automatic.getByText('Changed', { exact: true }).waitFor();
    assert.equal(await automatic.getByRole('button', { name: 'Save' }).isDisabled(), true, 'saved: nothing left to save');

    const text = 'Be kind.\nNo nudity.\nStream at least twice a week.';
    const area = rules.getByLabel('Streamer rules');
    assert.equal(await area.evaluate((e) => e.tagName), 'TEXTAREA');
    assert.equal(await rules.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await area.fill(text);
    await rules.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Streamer rules saved').waitFor();
    await screenshot(page, 'forms-01-settings');

    await page.reload();
    await automatic.getByLabel('Minimum, in minor units').waitFor();
    assert.equal(await automatic.getByLabel('Minimum, in minor units').inputValue(), '5000');
    assert.equal(await automatic.getByRole('switch').isChecked(), true);
    assert.equal(await rules.getByLabel('Streamer rules').inputValue(), text);
    assert.equal(await automatic.getByRole('button', { name: 'Save' }).isDisabled(), true);
    const stored = await page.evaluate(async () => (await (await fetch('/api/console/settings')).json()) as { key: string; value: unknown }[]);
    assert.deepEqual(stored.find((s) => s.key === 'payouts.automatic')!.value, { enabled: true, minimum: { COIN: 5000 } });
    assert.equal(stored.find((s) => s.key === 'creators.streamer_rules')!.value, text);
  });

  it('keeps a profile’s Save disabled until a field differs from the saved value', async () => {
    const person = await post('/api/console/people', { displayName: 'Nora Field' });
    await page.goto(`${server.base}/people/${person.id}`);
    const save = page.getByRole('button', { name: 'Save' });
    await save.waitFor();
    assert.equal(await save.isDisabled(), true);
    await page.getByLabel('Tags').fill('vip');
    assert.equal(await save.isEnabled(), true);
    await page.getByLabel('Tags').fill('');
    assert.equal(await save.isDisabled(), true);
  });

  it('confirms every moderation decision with a toast: by key, by button with a reason, and in bulk', async () => {
    const member = await post('/api/console/people', { displayName: 'Iris Gallery' });
    const token = await memberToken(member.id);
    await api().uploadPhotos(token, ['#d46a6a', '#6a8fd4', '#6ad48f', '#d4c86a']);
    await page.goto(`${server.base}/moderation?kind=photo`);
    const cards = page.locator('li[data-item]');
    await cards.nth(3).waitFor();
    const toast = page.locator('.bx--toast-notification');

    await page.keyboard.press('a');
    await toast.filter({ hasText: 'Item approved' }).filter({ hasText: 'Iris Gallery' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('li[data-item]').length === 3);

    await cards
      .first()
      .getByRole('button', { name: /Reject/ })
      .click();
    await cards.first().getByRole('button', { name: /^1\./ }).click();
    await toast.filter({ hasText: /Item rejected: / }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('li[data-item]').length === 2);

    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.getByRole('button', { name: 'Approve 2 items' }).click();
    await toast.filter({ hasText: '2 items approved' }).waitFor();
    await screenshot(page, 'forms-02-moderation-toast');
    await page.getByText('Nothing waits for review here.').waitFor();
  });

  it('counts in Russian with the right plural form (5 подписчиков, 2 человека, 1 запись) and names settings in Russian', async () => {
    const star = await post('/api/console/people', { displayName: 'Zoe Star' });
    const fans = await Promise.all(['Ada', 'Ben', 'Cleo', 'Dan', 'Eva'].map((name) => post('/api/console/people', { displayName: `${name} Fan` })));
    for (const fan of fans) {
      const response = await page.request.put(`${server.base}/api/client/creators/favorites/${star.id}`, {
        headers: { authorization: `Bearer ${await memberToken(fan.id)}` },
      });
      assert.equal(response.status(), 204);
    }
    const starToken = await memberToken(star.id);
    for (const fan of fans.slice(0, 2)) {
      const response = await page.request.put(`${server.base}/api/client/creators/favorites/${fan.id}`, { headers: { authorization: `Bearer ${starToken}` } });
      assert.equal(response.status(), 204);
    }

    // The user menu switches the console to Russian (and saves it for this user).
    await page.goto(`${server.base}/`);
    await page
      .getByRole('button', { name: /User menu|Administrator/ })
      .first()
      .click();
    await page.getByText('Русский').click();
    await page.getByRole('link', { name: 'Сотрудники' }).first().waitFor();

    await page.goto(`${server.base}/people/${star.id}?tab=creator`);
    await page.getByText('2 человека в избранном, 5 подписчиков').waitFor();
    await screenshot(page, 'forms-03-russian-plurals');
    await page.goto(`${server.base}/people/${fans[0]!.id}?tab=creator`);
    await page.getByText('1 человек в избранном, 1 подписчик').waitFor();

    await page.goto(`${server.base}/staff`);
    await page.getByText('Показана 1 запись, больше нет').waitFor();

    // Settings show the names and descriptions their modules declare in Russian.
    await page.goto(`${server.base}/settings`);
    const automatic = page.locator('article[data-key="payouts.automatic"]');
    await automatic.getByRole('heading', { name: 'Автоматические выплаты' }).waitFor();
    await automatic.getByText('Запрашивать выплаты автоматически', { exact: true }).waitFor();
    await automatic.getByLabel('Минимум, в младших единицах').waitFor();
    await page
      .locator('article[data-key="creators.streamer_rules"]')
      .getByText(/^Правила для стримеров, которые показывает портал/)
      .waitFor();
  });
});
