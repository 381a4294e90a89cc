import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** An account at the test provider: the devInteractions login page signs in as whatever login is typed. */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/**
 * A real OpenID Connect provider (`oidc-provider`, with its development login and consent pages) on a random
 * loopback port. It listens first, so its issuer can be given to a server that starts before the provider
 * knows the clients' redirect URIs; `configure` then sets clients and accounts. `tamperIdToken` rewrites the
 * claims of the next ID tokens it issues, re-signed with its own key (a provider issuing for another audience).
 */
export async function listenOidcProvider() {
  let handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server: Server = createServer((request, response) => {
    if (handler) return handler(request, response);
    response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-op-1', alg: 'RS256', use: 'sig' };
  const state = { tamper: undefined as ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined };
  let accounts = new Map<string, TestAccount>();

  return {
    issuer,
    configure(clients: TestClient[], accountList: Record<string, TestAccount>) {
      accounts = new Map(Object.entries(accountList));
      const provider = new Provider(issuer, {
        clients: clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'] })),
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({ sub: id, ...(accounts.get(id) ?? {}) }),
        }),
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ['switchboard-test-provider'] },
        jwks: { keys: [signingJwk] },
        // Set, so the provider does not print a notice for each default it falls back on.
        ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      });
      provider.use(async (ctx, next) => {
        await next();
        const body = ctx.body as { id_token?: string } | undefined;
        if (ctx.path === '/token' && state.tamper && body?.id_token) {
          const claims = state.tamper({ ...decodeJwt(body.id_token) });
          body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid }).sign(privateKey);
        }
      });
      handler = provider.callback();
    },
    setAccount(id: string, account: TestAccount) {
      accounts.set(id, account);
    },
    tamperIdToken(fn: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined) {
      state.tamper = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type TestOidcProvider = Awaited<ReturnType<typeof listenOidcProvider>>;

/**
 * Plays the browser at the provider, without one: follows its redirects with its cookies, fills the login
 * form as `login` and accepts the consent, until it redirects to `redirectPrefix`. Returns that URL (our
 * callback with `code` and `state`, or `error`).
 */
export async function authorizeAtProvider(authorizationUrl: string, login: string, redirectPrefix: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(redirectPrefix)) return url;
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      jar.set(name!.trim(), value.join('='));
    }
    method = 'GET';
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`the provider answered ${response.status} without a form: ${html.slice(0, 500)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
  }
  throw new Error('too many redirects at the provider');
}
