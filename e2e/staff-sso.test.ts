import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { listenOidcProvider, type TestOidcProvider } from '../server/test/oidc-provider.ts';
import { ADMIN, launchBrowser, newPage, screenshot, startConsole, type Console } from './harness.ts';

const CLIENT = { client_id: 'switchboard-e2e', client_secret: 'e2e-client-secret' };

/** A loopback port nothing listens on now, for the console to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Staff single sign-on in a real browser: the console's "Sign in with …" button, a real OpenID Connect
 * provider (oidc-provider with its development login and consent pages) on another loopback port, and back.
 */
describe('staff single sign-on in Chromium', { concurrency: false }, () => {
  let op: TestOidcProvider;
  let server: Console;
  let browser: Browser;

  before(async () => {
    op = await listenOidcProvider();
    // PUBLIC_URL is required with STAFF_OIDC_ISSUER (the redirect URI is built from it): pick the port first.
    const port = await freePort();
    [server, browser] = await Promise.all([
      startConsole({
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        STAFF_OIDC_ISSUER: op.issuer,
        STAFF_OIDC_CLIENT_ID: CLIENT.client_id,
        STAFF_OIDC_CLIENT_SECRET: CLIENT.client_secret,
        STAFF_OIDC_NAME: 'Corp SSO',
        // Single sign-on only: the console hides the password form, and the administrator gets in by their email.
        STAFF_PASSWORD_SIGN_IN: 'false',
      }),
      launchBrowser(),
    ]);
    op.configure([{ ...CLIENT, redirect_uris: [`${server.base}/api/console/auth/oidc/callback`] }], {
      'admin-at-corp': { email: ADMIN.email, email_verified: true, name: 'Admin at Corp' },
      'stranger-at-corp': { email: 'stranger@e2e.local', email_verified: true },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await op?.close();
  });

  /** The provider's development pages: any login with any password, then consent. */
  async function signInAtProvider(page: Page, login: string) {
    await page.waitForURL((url) => url.origin === op.issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await screenshot(page, 'sso-01-provider-login');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('offers only single sign-on, signs the administrator in through the provider, lands on the page they asked for, and shows the link on their panel', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/staff`);
    await page.waitForURL(/\/sign-in\?next=%2Fstaff/);
    await page.getByRole('link', { name: 'Sign in with Corp SSO' }).waitFor();
    assert.equal(await page.getByLabel('Email').count(), 0, 'no password form when password sign-in is off');
    await screenshot(page, 'sso-00-sign-in-page');
    await page.getByRole('link', { name: 'Sign in with Corp SSO' }).click();
    await signInAtProvider(page, 'admin-at-corp');
    await page.waitForURL(`${server.base}/staff`);
    await page.getByRole('cell', { name: ADMIN.email }).waitFor();
    const me = await page.evaluate(() => fetch('/api/console/me').then((r) => r.json()));
    assert.equal(me.email, ADMIN.email);
    await screenshot(page, 'sso-02-signed-in');

    // The administrator's panel lists the linked account, and unlinking it leaves none.
    await page.goto(`${server.base}/staff?selected=${me.id}`);
    const sso = page.getByRole('region', { name: 'Single sign-on' });
    await sso.getByText('OpenID Connect').waitFor();
    await sso.getByText(`${ADMIN.email} · linked`).waitFor();
    await screenshot(page, 'sso-04-linked-identity');
    await sso.getByRole('button', { name: 'Unlink' }).click();
    await sso.getByText('No linked accounts.').waitFor();
    await page.context().close();
  });

  it('sends a verified email no staff user has back to sign-in, saying why', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/sign-in`);
    await page.getByRole('link', { name: 'Sign in with Corp SSO' }).click();
    await signInAtProvider(page, 'stranger-at-corp');
    await page.waitForURL(/\/sign-in\?sso_error=unknown_user/);
    await page.getByText('No staff account has your email address').waitFor();
    await screenshot(page, 'sso-03-unknown-user');
    await page.context().close();
  });
});
