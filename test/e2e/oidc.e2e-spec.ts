import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { bearer, registerUser, uniqueEmail } from '../factories/users.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A local identity provider: its JWKS is served by this test; tokens are signed with its key.
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let idp: Server;
let issuer: string;
let signingKey: PrivateKey;
let strangerKey: PrivateKey;
let t: TestApp;
let jwksRequests = 0;

before(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  idp = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
  t = await startTestApp({ OIDC_ISSUER: issuer, OIDC_AUDIENCE: 'chat-app' });
});
after(async () => {
  await t.close();
  idp.close();
});

function token(claims: Record<string, unknown>, opts: { key?: PrivateKey; audience?: string; issuer?: string; expiresIn?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
    .setIssuer(opts.issuer ?? issuer)
    .setAudience(opts.audience ?? 'chat-app')
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '5m')
    .sign(opts.key ?? signingKey);
}

describe('external identity (OIDC)', () => {
  it('maps a subject to one local user, created on first sight', async () => {
    const email = uniqueEmail('ext');
    const first = await request(t.url)
      .get('/api/v1/auth/me')
      .set(bearer(await token({ sub: 'user-123', email, email_verified: true, name: 'Ext User' })))
      .expect(200);
    expect(first.body).toMatchObject({ email, name: 'Ext User', role: 'user', active: true });
    const again = await request(t.url).get('/api/v1/auth/me').set(bearer(await token({ sub: 'user-123' }))).expect(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await request(t.url).get('/api/v1/auth/me').set(bearer(await token({ sub: 'user-456' }))).expect(200);
    expect(other.body.id).not.toBe(first.body.id);
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('never links to an existing local account by email', async () => {
    const local = await registerUser(t);
    const res = await request(t.url)
      .get('/api/v1/auth/me')
      .set(bearer(await token({ sub: 'takeover', email: local.email, email_verified: true })))
      .expect(200);
    expect(res.body.id).not.toBe(local.id);
    expect(res.body.email).toBeNull();
  });

  it('rejects a wrong audience, issuer, signing key or an expired token', async () => {
    const bad = [
      await token({ sub: 'x' }, { audience: 'other-app' }),
      await token({ sub: 'x' }, { issuer: 'http://evil.example' }),
      await token({ sub: 'x' }, { key: strangerKey }),
      await token({ sub: 'x' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
    ];
    for (const b of bad) await request(t.url).get('/api/v1/auth/me').set(bearer(b)).expect(401);
  });

  it('local tokens and API keys keep working beside it', async () => {
    const user = await registerUser(t);
    await request(t.url).get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
  });
});
