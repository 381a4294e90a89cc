import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

/**
 * Call tariffs: every call kind without a tariff at first; seed 001's roulette example typed into both sides
 * and read back from the live preview; a checkpoint out of order refused on its own field as it is typed, and
 * the server's refusal of a streamer paid more than the caller shown on the streamer's side; version 1 saved
 * and in force, then version 2 with a cheaper connect, version 1 left in the history with its preview; a
 * version scheduled for tomorrow marked as such; a Support user's read-only view; and Russian.
 */
describe('call tariffs in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  const support = { email: 'support@e2e.local', password: 'a long enough e2e password' };

  /** A picture in e2e/screenshots/ (the suite's) and, for looking at, in /tmp/ (the whole page). */
  async function shot(name: string, on = page) {
    await screenshot(on, name);
    await on.screenshot({ path: `/tmp/${name}.png`, fullPage: true });
  }
  const caller = () => page.getByRole('region', { name: 'Caller pays' });
  const streamer = () => page.getByRole('region', { name: 'Streamer earns' });
  const preview = () => page.getByRole('table', { name: 'Preview', exact: true });
  /** A preview row's cell (`cost`, `streamer`, `agency`, `platform`) once it reads `text`: the preview follows the form. */
  const cell = (table: Locator, seconds: number, column: string, text: string) =>
    table.locator(`tr[data-seconds="${seconds}"] td[data-column="${column}"]`).getByText(text, { exact: true }).waitFor();

  /** One side as seed 001 has it: connect, two checkpoints, and the repeat rule. */
  async function enterSide(side: Locator, connect: number, points: [number, number][], repeat: [number, number]) {
    await side.getByLabel('At connect, coins').fill(String(connect));
    for (const [i, [at, amount]] of points.entries()) {
      await side.getByRole('button', { name: 'Add checkpoint' }).click();
      await side.getByLabel(`Checkpoint ${i + 1}: second`).fill(String(at));
      await side.getByLabel(`Checkpoint ${i + 1}: coins`).fill(String(amount));
    }
    await side.getByText('Then repeat, after the last checkpoint').click();
    await side.getByLabel('Every, seconds').fill(String(repeat[0]));
    await side.getByLabel('Coins each time').fill(String(repeat[1]));
  }

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    // No named helpers inside evaluate: tsx would wrap them in a __name() the browser does not have.
    await page.evaluate(async (user) => {
      const roles = (await fetch('/api/console/roles').then((r) => r.json())) as Array<{ id: string; name: string }>;
      const role = roles.find((r) => r.name === 'Support')!.id;
      await fetch('/api/console/staff', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...user, name: 'Sam Support', roleIds: [role] }),
      });
    }, support);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists every call kind, none with a tariff yet', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Tariffs' }).click();
    await page.waitForURL(`${server.base}/creators/tariffs`);
    await page.getByRole('heading', { name: 'Tariffs', level: 1 }).waitFor();
    const kinds = page.getByRole('navigation', { name: 'Call kinds' });
    for (const label of ['Direct call', 'Roulette', 'Prerecorded video']) await kinds.getByRole('link', { name: new RegExp(`^${label} No tariff$`) }).waitFor();
    await page.getByText('No tariff: calls of this kind cannot be billed until one is saved.').waitFor();
    await page.getByRole('heading', { name: 'First version' }).waitFor();
    await page.getByRole('region', { name: 'Version history' }).getByText('No versions yet.').waitFor();
    await shot('tariffs-01-empty');
  });

  it("previews seed 001's roulette example as it is typed, and checks the fields as they are typed", async () => {
    await page
      .getByRole('navigation', { name: 'Call kinds' })
      .getByRole('link', { name: /^Roulette/ })
      .click();
    await page.waitForURL(/\?kind=roulette$/);
    assert.equal(await page.getByRole('link', { name: /^Roulette/ }).getAttribute('aria-current'), 'page');

    await enterSide(
      caller(),
      9,
      [
        [20, 60],
        [60, 60],
      ],
      [60, 60],
    );
    await enterSide(
      streamer(),
      0,
      [
        [20, 30],
        [60, 30],
      ],
      [60, 30],
    );
    await caller().getByText('Then every 1 min: 60 coins').waitFor();
    await streamer().getByText('Then every 1 min: 30 coins').waitFor();

    // The server's own numbers: 10 s costs the connect only; each checkpoint and each minute after adds its amount.
    const expected: [number, string, number, number][] = [
      [10, '10 sec', 9, 0],
      [20, '20 sec', 69, 30],
      [60, '1 min', 129, 60],
      [180, '3 min', 249, 120],
      [600, '10 min', 669, 330],
    ];
    for (const [seconds, label, cost, earns] of expected) {
      await cell(preview(), seconds, 'cost', `${cost} COIN`);
      await cell(preview(), seconds, 'streamer', `${earns} COIN`);
      await cell(preview(), seconds, 'agency', '0 COIN');
      await cell(preview(), seconds, 'platform', `${cost - earns} COIN`);
      await preview()
        .getByRole('row', { name: new RegExp(`^${label} `) })
        .waitFor();
    }
    assert.equal(await preview().getAttribute('aria-busy'), 'false', 'the preview is of the form as it reads now');
    await shot('tariffs-02-preview');

    // A checkpoint before the one above it: said on that very field, at once, and Save waits.
    const second = caller().getByLabel('Checkpoint 2: second');
    await second.fill('15');
    const row = caller().locator('tr[data-checkpoint="1"]');
    await row.getByText('Must be later than checkpoint 1 (second 20)').waitFor();
    assert.equal(await second.getAttribute('aria-invalid'), 'true');
    assert.equal(await caller().getByLabel('Checkpoint 1: second').getAttribute('aria-invalid'), null, 'the first checkpoint is fine');
    await page.getByText('Fix the marked fields to see the preview.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save as version 1' }).isDisabled(), true);
    await shot('tariffs-03-out-of-order');
    await second.fill('60');
    await row.getByText('Must be later than checkpoint 1 (second 20)').waitFor({ state: 'detached' });

    // Amounts are whole coins, 0 or more.
    await streamer().getByLabel('Checkpoint 1: coins').fill('-3');
    await streamer().locator('tr[data-checkpoint="0"]').getByText('A whole number of coins, 0 or more').waitFor();
    await streamer().getByLabel('Checkpoint 1: coins').fill('30');

    // Only the server knows this one (the preview asks it): the streamer earns more at the connect than the caller paid.
    await streamer().getByLabel('At connect, coins').fill('10');
    await streamer()
      .getByText(/earns more than the caller has paid by second 0/)
      .waitFor();
    await page.getByText('The server refuses this draft: see the marked fields.').waitFor();
    await shot('tariffs-04-server-refuses');
    await streamer().getByLabel('At connect, coins').fill('0');
    await cell(preview(), 10, 'streamer', '0 COIN');
    await streamer()
      .getByText(/earns more than the caller has paid/)
      .waitFor({ state: 'detached' });
  });

  it('saves version 1, in force at once, and shows it in the history', async () => {
    await page.getByLabel('Note').fill('Seed 001 example');
    await page.getByRole('button', { name: 'Save as version 1' }).click();
    await page.getByText('Roulette: version 1 saved').waitFor();
    await page.getByText('Calls that connect from now on are billed by it.').waitFor();

    const inForce = page.getByRole('region', { name: 'In force' });
    await inForce.getByText('Version 1', { exact: true }).waitFor();
    await inForce.getByText('9 at connect · 60 at 20 sec · 60 at 1 min · then 60 every 1 min').waitFor();
    await inForce.getByText('30 at 20 sec · 30 at 1 min · then 30 every 1 min').waitFor();
    await page.getByRole('navigation', { name: 'Call kinds' }).getByRole('link', { name: 'Roulette', exact: true }).waitFor();

    const history = page.getByRole('list', { name: 'Version history' });
    const v1 = history.locator('li[data-version="1"]');
    await v1.getByText('In force', { exact: true }).waitFor();
    await v1.getByText('Administrator').waitFor();
    await v1.getByText('Seed 001 example').waitFor();
    // The form now starts from version 1, and has nothing to save until something differs.
    await page.getByRole('heading', { name: 'New version' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save as version 2' }).isDisabled(), true);
    assert.equal(await caller().getByLabel('Checkpoint 2: second').inputValue(), '60');
    await page.locator('.toasts').getByRole('button').first().click();
    await shot('tariffs-05-version-1');
  });

  it('saves version 2 with a cheaper connect; version 1 stays in the history with its preview', async () => {
    await caller().getByLabel('At connect, coins').fill('5');
    await cell(preview(), 10, 'cost', '5 COIN');
    await cell(preview(), 600, 'cost', '665 COIN');
    await page.getByLabel('Note').fill('Cheaper connect');
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await page.getByText('Roulette: version 2 saved').waitFor();

    const inForce = page.getByRole('region', { name: 'In force' });
    await inForce.getByText('Version 2', { exact: true }).waitFor();
    await inForce.getByText(/^5 at connect/).waitFor();
    const history = page.getByRole('list', { name: 'Version history' });
    const v1 = history.locator('li[data-version="1"]');
    const v2 = history.locator('li[data-version="2"]');
    await v2.getByText('In force', { exact: true }).waitFor();
    await v2.getByText('Cheaper connect').waitFor();
    await v1.getByText('In force', { exact: true }).waitFor({ state: 'detached' });
    await v1.getByText('Seed 001 example').waitFor();
    assert.deepEqual(
      await history.locator('li[data-version]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version'))),
      ['2', '1'],
      'newest first',
    );

    await v1.getByRole('button', { name: 'Preview' }).click();
    assert.equal(await v1.getByRole('button', { name: 'Preview' }).getAttribute('aria-expanded'), 'true');
    const old = page.getByRole('table', { name: 'Preview of version 1' });
    await cell(old, 10, 'cost', '9 COIN');
    await cell(old, 600, 'streamer', '330 COIN');
    await page.locator('.toasts').getByRole('button').first().click();
    await page.getByRole('heading', { name: 'Version history' }).scrollIntoViewIfNeeded();
    await shot('tariffs-06-version-2');
  });

  it('marks a version saved for later as scheduled, from its time, while version 2 stays in force', async () => {
    await caller().getByLabel('At connect, coins').fill('7');
    await page.getByText('At a later time').click();
    const from = page.getByLabel('Date and time');
    // Tomorrow at 10:00 in the browser's own time zone, as datetime-local takes it.
    const tomorrow = await page.evaluate(() => {
      const d = new Date(Date.now() + 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T10:00`;
    });
    await from.fill('2020-01-01T10:00');
    await page.getByText('Pick a moment in the future').waitFor();
    await from.fill(tomorrow);
    await page.getByRole('button', { name: 'Save as version 3' }).click();
    await page.getByText('Roulette: version 3 saved').waitFor();
    await page.getByText(/^Calls that connect from .+ on are billed by it\.$/).waitFor();

    await page.getByRole('region', { name: 'In force' }).getByText('Version 2', { exact: true }).waitFor();
    const scheduled = page.getByRole('region', { name: 'Scheduled' });
    await scheduled.getByText(/^Version 3, from .*10:00/).waitFor();
    await scheduled.getByText(/^7 at connect/).waitFor();
    const v3 = page.getByRole('list', { name: 'Version history' }).locator('li[data-version="3"]');
    await v3.getByText('Scheduled', { exact: true }).waitFor();
    await cell(preview(), 10, 'cost', '7 COIN');
    await page.locator('.toasts').getByRole('button').first().click();
    await shot('tariffs-07-scheduled');
  });

  it('shows a user without the tariffs permission the version in force, read only', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const other = await context.newPage();
    try {
      await signIn(other, server.base, support.email, support.password);
      await other.goto(`${server.base}/creators/tariffs?kind=roulette`);
      await other.getByText('Changing tariffs takes a permission of its own; you can see them.').waitFor();
      await other.getByRole('region', { name: 'Caller pays' }).getByText('Then every 1 min: 60 coins').waitFor();
      await cell(other.getByRole('table', { name: 'Preview', exact: true }), 10, 'cost', '5 COIN');
      assert.equal(await other.getByRole('button', { name: /Save as version/ }).count(), 0);
      assert.equal(await other.getByRole('main').getByRole('textbox').count(), 0, 'nothing to type into');
      await other.getByRole('list', { name: 'Version history' }).locator('li[data-version="2"]').getByText('Administrator').waitFor();
      await shot('tariffs-08-read-only', other);
    } finally {
      await context.close();
    }
  });

  it('reads in Russian', async () => {
    const locale = (value: string) =>
      page.request.fetch(`${server.base}/api/console/me`, { method: 'PATCH', data: { locale: value }, headers: { origin: server.base } });
    await locale('ru');
    try {
      await page.goto(`${server.base}/creators/tariffs?kind=roulette`);
      await page.getByRole('heading', { name: 'Тарифы', level: 1 }).waitFor();
      const kinds = page.getByRole('navigation', { name: 'Виды звонков' });
      await kinds.getByRole('link', { name: 'Рулетка', exact: true }).waitFor();
      await kinds.getByRole('link', { name: 'Прямой звонок Нет тарифа' }).waitFor();
      await page.getByRole('region', { name: 'Действует' }).getByText('Версия 2', { exact: true }).waitFor();
      await page
        .getByRole('region', { name: 'Запланирована' })
        .getByText(/^Версия 3, с /)
        .waitFor();
      const side = page.getByRole('region', { name: 'Платит звонящий' });
      await side.getByText('Затем раз в 1 мин: 60 монет').waitFor();
      const table = page.getByRole('table', { name: 'Предпросмотр', exact: true });
      await table.getByRole('columnheader', { name: 'Длина звонка' }).waitFor();
      await table.getByRole('row', { name: /^10 с / }).waitFor();
      await side.getByLabel('Точка 2: секунда').fill('15');
      await side.getByText('Должна быть позже точки 1 (секунда 20)').waitFor();
      await page.getByRole('list', { name: 'История версий' }).locator('li[data-version="3"]').getByText('Запланирована', { exact: true }).waitFor();
      await shot('tariffs-09-ru');
    } finally {
      await locale('en');
    }
  });
});
