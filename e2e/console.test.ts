import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/** The initial load budget of the console: compressed JS and CSS, as the browser received them. */
const BUDGET_BYTES = 400 * 1024;

const ROLE = { name: 'Support lead', permissions: ['staff.manage_users', 'events.read'] };
const USER = { name: 'Vera Support', email: 'vera@e2e.local', password: 'orange kettle sunrise 42' };

describe('console in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let admin: Page;

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    admin = await newPage(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses a wrong password with a clear message, then signs the admin in; the initial load is within budget', async () => {
    await admin.goto(`${server.base}/staff`);
    await admin.waitForURL(/\/sign-in\?next=%2Fstaff/);
    await admin.getByLabel('Email').fill(ADMIN.email);
    await admin.getByLabel('Password', { exact: true }).fill('not the password');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByText('Wrong email or password').waitFor();

    await admin.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(`${server.base}/staff`);
    await admin.getByRole('cell', { name: ADMIN.email }).waitFor();

    // A fresh load of the console (nothing cached) with the session cookie.
    const fresh = await admin.context().newPage();
    await fresh.goto(`${server.base}/`);
    await fresh.getByRole('heading', { name: /Welcome/ }).waitFor();
    const bytes = await fresh.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e as PerformanceResourceTiming)
        .filter((e) => /\.(js|css)(\?|$)/.test(e.name))
        .reduce((sum, e) => sum + e.encodedBodySize, 0),
    );
    console.log(`initial load: ${(bytes / 1024).toFixed(1)} KB compressed JS+CSS`);
    assert.ok(bytes > 0 && bytes < BUDGET_BYTES, `initial load is ${bytes} bytes`);
    await fresh.close();

    // The session outlives a reload.
    await admin.reload();
    await admin.getByRole('cell', { name: ADMIN.email }).waitFor();
    await screenshot(admin, '01-signed-in-staff');
  });

  it('creates a role with two permissions', async () => {
    await admin.goto(`${server.base}/roles/new`);
    await admin.getByLabel('Name').fill(ROLE.name);
    await admin.getByLabel('Description').fill('Handles staff accounts and reads the log');
    for (const permission of ROLE.permissions) await admin.getByText(permission, { exact: true }).click();
    await admin.getByRole('button', { name: 'Create' }).click();
    await admin.waitForURL(/\/roles\/[0-9a-f-]{36}$/);
    await admin.getByRole('heading', { name: ROLE.name, exact: true }).waitFor();
    for (const permission of ROLE.permissions) assert.ok(await admin.getByLabel(permission, { exact: true }).isChecked());
    assert.equal(await admin.getByLabel('staff.manage_roles', { exact: true }).isChecked(), false);
    await screenshot(admin, '02-role-created');
  });

  it('creates a staff user holding the role', async () => {
    await admin.goto(`${server.base}/staff`);
    await admin.getByRole('button', { name: 'New staff user' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('Name').fill(USER.name);
    await dialog.getByLabel('Email').fill(USER.email);
    await dialog.getByLabel('Initial password').fill(USER.password);
    await dialog.getByText('Choose roles').click();
    // Carbon renders the open menu in a portal, outside the dialog.
    await admin.getByRole('listbox').getByRole('option', { name: ROLE.name }).click();
    await dialog.getByLabel('Name').click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('cell', { name: USER.email }).waitFor();
    const row = admin.locator('tr', { has: admin.getByRole('cell', { name: USER.email }) });
    await row.getByRole('cell', { name: ROLE.name }).waitFor();
    await screenshot(admin, '03-user-created');
  });

  it('signs in as that user: only the allowed navigation, and a forbidden page says "no access"', async () => {
    const user = await newPage(browser);
    await signIn(user, server.base, USER.email, USER.password);
    const nav = user.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Staff users' }).waitFor();
    const links = (await nav.getByRole('link').allTextContents()).map((t) => t.trim());
    assert.deepEqual(links, ['Home', 'Staff users', 'Event log']);
    await screenshot(user, '04-user-navigation');

    await user.goto(`${server.base}/roles`);
    await user.getByRole('heading', { name: 'No access' }).waitFor();
    assert.match(await user.locator('.no-access').innerText(), /staff\.manage_roles/);
    await screenshot(user, '05-no-access');

    await user
      .getByRole('button', { name: /User menu|Vera Support/ })
      .first()
      .click();
    await user.getByText('Sign out').click();
    await user.waitForURL(/\/sign-in$/);
    await user.goto(`${server.base}/staff`);
    await user.waitForURL(/\/sign-in\?next=%2Fstaff/);
    await user.context().close();
  });

  it('groups the navigation by module: a menu collapses, stays collapsed after a reload, and opens on its own page', async () => {
    await admin.goto(`${server.base}/`);
    const nav = admin.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('button', { name: 'Administration' }).waitFor();
    const groups = (await nav.getByRole('button').allTextContents()).map((t) => t.trim());
    assert.deepEqual(groups, ['People', 'Moderation', 'Money', 'Creators', 'Administration']);
    const agencies = nav.getByRole('link', { name: 'Agencies' });
    await agencies.waitFor();
    await nav.getByRole('button', { name: 'Creators' }).click();
    await agencies.waitFor({ state: 'hidden' });
    await admin.reload();
    await nav.getByRole('button', { name: 'Administration' }).waitFor();
    assert.equal(await nav.getByRole('button', { name: 'Creators' }).getAttribute('aria-expanded'), 'false');
    assert.equal(await agencies.isVisible(), false, 'the collapsed menu is remembered');
    await admin.goto(`${server.base}/creators/agencies`);
    await agencies.waitFor();
    assert.equal(await agencies.getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('button', { name: 'Creators' }).getAttribute('aria-expanded'), 'true', 'the current page opens its group');
    await screenshot(admin, '05-grouped-navigation');
  });

  it('loads more staff rows as the list scrolls, and searches by email', async () => {
    // Sixty more users than one page (50) holds.
    await admin.goto(`${server.base}/staff`);
    const created = await admin.evaluate(async () => {
      let ok = 0;
      for (let i = 0; i < 60; i++) {
        const n = String(i).padStart(2, '0');
        const res = await fetch('/api/console/staff', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Scroll ${n}`, email: `scroll${n}@e2e.local`, password: 'green tea at noon 99' }),
        });
        if (res.status === 201) ok++;
      }
      return ok;
    });
    assert.equal(created, 60);
    await admin.reload();
    const rows = admin.locator('tbody tr[data-row]');
    await admin.getByRole('cell', { name: 'scroll00@e2e.local' }).waitFor();
    assert.equal(await rows.count(), 50);
    await rows.last().scrollIntoViewIfNeeded();
    await admin.getByRole('cell', { name: 'vera@e2e.local' }).waitFor();
    assert.ok((await rows.count()) > 50);

    await admin.getByRole('searchbox').first().fill('scroll42@');
    await admin.waitForFunction(() => document.querySelectorAll('tbody tr[data-row]').length === 1);
    assert.equal(await rows.first().locator('td').nth(1).innerText(), 'scroll42@e2e.local');
    assert.match(admin.url(), /q=scroll42%40/);
    await screenshot(admin, '06-search');
  });

  it('shows an event created in one tab live in another, and its payload as a tree', async () => {
    const watcher = await newPage(browser);
    await signIn(watcher, server.base, ADMIN.email, ADMIN.password);
    await watcher.goto(`${server.base}/events?type=staff.user_created`);
    await watcher.getByText('Live', { exact: true }).waitFor();
    // The page subscribes once it knows the event types, which also fill the Type filter.
    await watcher.locator('option[value="staff.user_created"]').waitFor({ state: 'attached' });
    await watcher
      .getByRole('cell', { name: /Staff user created/ })
      .first()
      .waitFor();
    const before = await watcher.getByRole('cell', { name: /Staff user created/ }).count();

    await admin.goto(`${server.base}/staff`);
    await admin.getByRole('button', { name: 'New staff user' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Live Wire');
    await dialog.getByLabel('Email').fill('live@e2e.local');
    await dialog.getByLabel('Initial password').fill('purple walrus morning 7');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('cell', { name: 'live@e2e.local' }).waitFor();

    await watcher.waitForFunction((n) => document.querySelectorAll('td .event-summary').length > n, before, { timeout: 10_000 });
    const first = watcher.locator('tbody tr').first();
    await first.click();
    await watcher.getByText('"live@e2e.local"').waitFor();
    await screenshot(watcher, '07-live-event');
    await watcher.context().close();
  });

  it('tells a locked-out user when to retry', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/sign-in`);
    const email = 'locked@e2e.local';
    // Use up the failures allowed for one account from one address, then try once more in the form.
    await page.evaluate(async (email) => {
      for (let i = 0; i < 10; i++) {
        await fetch('/api/console/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: `wrong password ${i}` }),
        });
      }
    }, email);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('still the wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Too many attempts').waitFor();
    assert.match(await page.getByText(/Try again at/).innerText(), /Try again at \S+/);
    await screenshot(page, '08-locked-out');
    await page.context().close();
  });

  it('switches EN to RU: the interface text changes and stays after a reload', async () => {
    await admin.goto(`${server.base}/`);
    await admin.getByRole('link', { name: 'Staff users' }).first().waitFor();
    await admin
      .getByRole('button', { name: /User menu|Administrator/ })
      .first()
      .click();
    await admin.getByText('Русский').click();
    await admin.getByRole('link', { name: 'Сотрудники' }).first().waitFor();
    await admin.reload();
    await admin.getByRole('link', { name: 'Сотрудники' }).first().waitFor();
    assert.equal(await admin.getByRole('link', { name: 'Staff users' }).count(), 0);
    assert.equal(await admin.evaluate(() => document.documentElement.lang), 'ru');
    await screenshot(admin, '09-russian');
  });
});
