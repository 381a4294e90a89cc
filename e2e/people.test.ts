import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { WebSocket } from 'ws';
import { ADMIN, launchBrowser, newPage, screenshot, signIn, startConsole, type Console } from './harness.ts';

describe('people in Chromium', { concurrency: false }, () => {
  let server: Console;
  let browser: Browser;
  let page: Page;
  let personId: string;

  before(async () => {
    [server, browser] = await Promise.all([startConsole(), launchBrowser()]);
    page = await newPage(browser);
    await signIn(page, server.base, ADMIN.email, ADMIN.password);
    personId = await page.evaluate(async () => {
      const res = await fetch('/api/console/people', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          displayName: 'Marta Kowalczyk',
          contacts: [{ kind: 'email', value: 'marta@example.org' }],
          tags: ['vip'],
          identities: [{ provider: 'telegram', externalId: '424242001' }],
        }),
      });
      return ((await res.json()) as { id: string }).id;
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds a person by Telegram id from the header search', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByLabel('Search the console').fill('424242001');
    await page.getByText('Marta Kowalczyk').waitFor();
    await screenshot(page, 'people-01-search');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.base}/people/${personId}`);
    await page.getByRole('heading', { name: 'Marta Kowalczyk', exact: true }).waitFor();
    await page.getByRole('tab', { name: /Identities/ }).click();
    await page.getByRole('cell', { name: '424242001' }).waitFor();
  });

  it('blocks the person with a reason: their app is disconnected at once, and the block shows on the page and in the timeline', async () => {
    // The person is in the app: a member token and an open client WebSocket.
    const token = await page.evaluate(
      async (id) => ((await (await fetch(`/api/console/people/${id}/member-token`, { method: 'POST' })).json()) as { token: string }).token,
      personId,
    );
    const app = new WebSocket(`${server.base.replace('http://', 'ws://')}/api/client/ws`, { headers: { authorization: `Bearer ${token}` } });
    const closed = new Promise<number>((resolve) => app.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      app.once('message', resolve);
      app.once('error', reject);
    });
    await page.reload();
    await page.getByText('Online now').waitFor();

    await page.getByRole('button', { name: 'Block' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').selectOption('abuse');
    await dialog.getByLabel(/Details/).fill('Insulted three streamers.');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await page.getByText('Blocked', { exact: true }).first().waitFor();
    assert.equal(await closed, 4003, "the member's app connection is closed with the 'blocked' code");
    await page.getByText('Abuse or harassment — Insulted three streamers.').waitFor();
    await page.getByRole('button', { name: 'Unblock' }).waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByText('Person blocked', { exact: true }).click();
    await page.getByText('"Insulted three streamers."').waitFor();
    await screenshot(page, 'people-02-blocked');

    const status = await page.evaluate(async (id) => ((await (await fetch(`/api/console/people/${id}`)).json()) as { status: string }).status, personId);
    assert.equal(status, 'blocked');
  });

  it('uploads a photo for the person: it shows as a thumbnail, waiting for review', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByTestId('file-input').setInputFiles({ name: 'portrait.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    const thumbnail = page.locator('li[data-file] img').first();
    await thumbnail.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('li[data-file] img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await page.getByText('Awaiting review').waitFor();
    await screenshot(page, 'people-03-photo');
  });

  it('approves the photo in the moderation queue with the keyboard; the decision shows on the timeline', async () => {
    await page.goto(`${server.base}/moderation?kind=photo`);
    const card = page.locator('li[data-item]').first();
    await card.waitFor();
    await page.getByRole('link', { name: /Moderation \(1\)/ }).waitFor();
    await card.getByRole('link', { name: 'Marta Kowalczyk' }).waitFor();
    await screenshot(page, 'people-04-moderation');
    await page.keyboard.press('a');
    await page.getByText('Nothing waits for review here.').waitFor();

    await page.goto(`${server.base}/people/${personId}`);
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('cell', { name: /Moderation decision/ }).waitFor();
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByText('Approved', { exact: true }).waitFor();
  });

  it('writes a note that appears in the notes and the timeline', async () => {
    await page.getByRole('tab', { name: 'Notes' }).click();
    await page.getByLabel(/New note/).fill('Called her back on Tuesday.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Called her back on Tuesday.').waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('cell', { name: /Note written/ }).waitFor();
    await screenshot(page, 'people-05-note');
  });
});
