import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createTestApp, signIn, type Session, type TestApp } from '../../../test/helpers.ts';

const PROJECT = 'switchboard-test';
const FIREBASE_ISSUER = `https://securetoken.google.com/${PROJECT}`;
const OIDC_AUDIENCE = 'switchboard-app';
type Key = Awaited<ReturnType<typeof generateKeyPair>>;

/** A stand-in for Google's and an OIDC provider's key endpoints, speaking their real formats on 127.0.0.1. */
async function keyServer(publicJwks: JWK[], attackerJwks: JWK[]) {
  let base = '';
  const server: Server = createServer((request, response) => {
    const send = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/jwks') return send({ keys: publicJwks });
    if (request.url === '/attacker') return send({ keys: attackerJwks });
    if (request.url === '/oidc/.well-known/openid-configuration') return send({ issuer: `${base}/oidc`, jwks_uri: `${base}/jwks` });
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('member sign-in', () => {
  let t: TestApp;
  let admin: Session;
  let keys: Awaited<ReturnType<typeof keyServer>>;
  let googleKey: Key;
  let attackerKey: Key;
  let attackerJwk: JWK;
  let publicPem: string;

  const now = () => Math.floor(t.clock.now().getTime() / 1000);

  /** A token the way Firebase signs one (RS256, kid from the JWKS); override any part to break it. */
  function firebaseToken(claims: Record<string, unknown> = {}, options: { key?: Key['privateKey']; header?: Record<string, unknown> } = {}) {
    return new SignJWT({ name: 'Firebase Fran', email: 'fran@example.com', email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'google-1', typ: 'JWT', ...options.header })
      .setIssuer((claims.iss as string) ?? FIREBASE_ISSUER)
      .setAudience((claims.aud as string) ?? PROJECT)
      .setSubject((claims.sub as string) ?? 'firebase-uid-1')
      .setIssuedAt(now() - 10)
      .setExpirationTime((claims.exp as number) ?? now() + 600)
      .sign(options.key ?? googleKey.privateKey);
  }

  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/client/me', headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    googleKey = await generateKeyPair('RS256', { extractable: true });
    attackerKey = await generateKeyPair('RS256', { extractable: true });
    attackerJwk = { ...(await exportJWK(attackerKey.publicKey)), kid: 'attacker', alg: 'RS256' };
    publicPem = await exportSPKI(googleKey.publicKey);
    keys = await keyServer([{ ...(await exportJWK(googleKey.publicKey)), kid: 'google-1', alg: 'RS256', use: 'sig' }], [attackerJwk]);
    t = await createTestApp({
      env: {
        FIREBASE_PROJECT_ID: PROJECT,
        FIREBASE_JWKS_URL: `${keys.base}/jwks`,
        OIDC_ISSUER: `${keys.base}/oidc`,
        OIDC_AUDIENCE,
      },
    });
    admin = await signIn(t.app);
  });
  after(async () => {
    await t.close();
    await keys.close();
  });

  it('signs in with a Firebase ID token: the first time creates the person, keyed by provider and uid', async () => {
    const first = await me(await firebaseToken());
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().displayName, 'Firebase Fran');
    assert.deepEqual(first.json().identities, [{ provider: 'firebase' }]);
    const again = await me(await firebaseToken({ name: 'Renamed Elsewhere' }));
    assert.equal(again.json().id, first.json().id, 'the same uid is the same person');

    // The same email under another uid is another person: email alone never identifies anyone.
    const other = await me(await firebaseToken({ sub: 'firebase-uid-2' }));
    assert.notEqual(other.json().id, first.json().id);

    const person = (await admin.get(`/api/console/people/${first.json().id}`)).json();
    assert.deepEqual(
      person.identities.map((i: { provider: string; externalId: string }) => [i.provider, i.externalId]),
      [['firebase', 'firebase-uid-1']],
    );
    const signIns = (await admin.get(`/api/console/people/${first.json().id}/sign-ins`)).json().items;
    assert.equal(signIns.length, 2);
    assert.equal(signIns[0].outcome, 'accepted');
    assert.equal(signIns[0].provider, 'firebase');
  });

  it('signs in with a token of the configured OIDC issuer, found by discovery', async () => {
    const token = await new SignJWT({ name: 'Oidc Olga' })
      .setProtectedHeader({ alg: 'RS256', kid: 'google-1' })
      .setIssuer(`${keys.base}/oidc`)
      .setAudience(OIDC_AUDIENCE)
      .setSubject('oidc-sub-7')
      .setIssuedAt(now())
      .setExpirationTime(now() + 600)
      .sign(googleKey.privateKey);
    const response = await me(token);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().identities, [{ provider: 'oidc' }]);
  });

  it('issues our own tokens from the console, verifiable with the published JWKS', async () => {
    const person = (await admin.post('/api/console/people', { displayName: 'Own Token Otto' })).json();
    const issued = await admin.post(`/api/console/people/${person.id}/member-token`);
    assert.equal(issued.statusCode, 201);
    const response = await me(issued.json().token);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().id, person.id);
    const jwks = (await t.app.inject({ method: 'GET', url: '/api/client/jwks.json' })).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].d, undefined, 'never the private part');
  });

  it('refuses every forged, stale or misdirected token with 401 and no 5xx', async () => {
    const valid = await firebaseToken();
    const [header, payload] = valid.split('.');
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const otherKid = await generateKeyPair('RS256');

    const forged: Record<string, string> = {
      'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'HS256 signed with the public key': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'google-1' })
        .sign(new TextEncoder().encode(publicPem)),
      'wrong iss': await firebaseToken({ iss: 'https://securetoken.google.com/someone-else' }),
      'wrong aud': await firebaseToken({ aud: 'someone-else' }),
      'expired exp': await firebaseToken({ exp: now() - 3600 }),
      'future nbf': await firebaseToken({ nbf: now() + 3600 }),
      'unknown kid': await firebaseToken({}, { key: otherKid.privateKey, header: { kid: 'not-published' } }),
      'injected jku': await firebaseToken({}, { key: attackerKey.privateKey, header: { kid: 'attacker', jku: `${keys.base}/attacker` } }),
      'injected jwk': await firebaseToken({}, { key: attackerKey.privateKey, header: { kid: 'google-1', jwk: attackerJwk } }),
      'tampered payload': `${header}.${encode({ ...claims, sub: 'someone-else' })}.${valid.split('.')[2]}`,
      'not a token': 'definitely.not.a-jwt',
    };
    for (const [name, token] of Object.entries(forged)) {
      const response = await me(token);
      assert.equal(response.statusCode, 401, `${name}: ${response.body}`);
      assert.match(String(response.headers['www-authenticate']), /Bearer/, name);
      assert.match(String(response.headers['content-type']), /problem\+json/, name);
    }
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/client/me' })).statusCode, 401, 'no token');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/client/me', headers: { authorization: 'Basic abc' } })).statusCode, 401);
  });

  it('refuses with 401 when the issuer keys cannot be fetched', async () => {
    const down = await createTestApp({ env: { FIREBASE_PROJECT_ID: PROJECT, FIREBASE_JWKS_URL: 'http://127.0.0.1:9/jwks' } });
    try {
      const response = await down.app.inject({ method: 'GET', url: '/api/client/me', headers: { authorization: `Bearer ${await firebaseToken()}` } });
      assert.equal(response.statusCode, 401, response.body);
    } finally {
      await down.close();
    }
  });

  it("shows a member their own private profile, and only the public part of anyone else's", async () => {
    const alice = await me(await firebaseToken({ sub: 'alice-uid', name: 'Alice' }));
    const bobToken = await firebaseToken({ sub: 'bob-uid', name: 'Bob' });
    const bob = await me(bobToken);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/api/client/me',
      headers: { authorization: `Bearer ${bobToken}` },
      payload: { publicProfile: { bio: 'Hi' }, privateProfile: { birthDate: '1990-01-01' } },
    });
    assert.equal(patch.statusCode, 200);
    assert.deepEqual(patch.json().privateProfile, { birthDate: '1990-01-01' });

    const seen = await t.app.inject({
      method: 'GET',
      url: `/api/client/people/${bob.json().id}`,
      headers: { authorization: `Bearer ${await firebaseToken({ sub: 'alice-uid' })}` },
    });
    assert.equal(seen.statusCode, 200);
    assert.deepEqual(seen.json(), { id: bob.json().id, displayName: 'Bob', publicProfile: { bio: 'Hi' } });
    assert.ok(alice.json().id);

    const events = (await admin.get(`/api/console/people/${bob.json().id}/timeline`)).json().items;
    assert.equal(events[0].type, 'people.person_updated');
    assert.equal(events[0].actorType, 'member');
  });

  it('a blocked person is refused on their very next request', async () => {
    const token = await firebaseToken({ sub: 'soon-blocked' });
    const member = await me(token);
    assert.equal(member.statusCode, 200);
    const block = await admin.post(`/api/console/people/${member.json().id}/block`, { reason: 'spam' });
    assert.equal(block.statusCode, 200);
    const after = await me(token);
    assert.equal(after.statusCode, 403);
    assert.match(after.json().detail, /blocked/);
  });
});
