// Log-in rate limits: per e-mail and per client address, counted in the
// database. Behind our own proxy (WLPORTAL_TRUST_PROXY=1) the address is the
// one the proxy appended to X-Forwarded-For, so one noisy client does not
// lock everybody out; without it the header is ignored (it could be forged).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createOrg, request } from './lib.mjs';

function login(srv, email, password, xff) {
  const body = new URLSearchParams({ email, password, next: '/dashboard' }).toString();
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (xff) headers['X-Forwarded-For'] = xff;
  return request(srv, 'POST', '/login', { headers, body });
}

describe('login rate limits', { timeout: 300_000 }, () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  it('behind a trusted proxy the client address counts, not the proxy', async () => {
    const srv = await startServer({ env: { WLPORTAL_TRUST_PROXY: '1' } });
    servers.push(srv);
    createOrg(srv, { email: 'owner@proxy.test', password: 'right-password-1' });
    let last;
    for (let i = 0; i < 31; i++) {
      last = await login(srv, `nobody${i}@proxy.test`, 'wrong-password', '203.0.113.9, 198.51.100.7');
    }
    assert.equal(last.status, 429, 'the noisy address is limited');
    // another client behind the same proxy still logs in
    const ok = await login(srv, 'owner@proxy.test', 'right-password-1', '198.51.100.8');
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.match(String(ok.headers['set-cookie']), /wl_session=/);
    // a client cannot dodge the limit by claiming another first address
    const forged = await login(srv, 'x@proxy.test', 'wrong-password', '192.0.2.1, 198.51.100.7');
    assert.equal(forged.status, 429);
  });

  it('without a trusted proxy X-Forwarded-For is ignored', async () => {
    const srv = await startServer();
    servers.push(srv);
    createOrg(srv, { email: 'owner@direct.test', password: 'right-password-2' });
    let last;
    for (let i = 0; i < 31; i++) {
      last = await login(srv, `n${i}@direct.test`, 'wrong-password', `192.0.2.${i + 1}`);
    }
    assert.equal(last.status, 429, 'changing the header does not reset the count');
  });
});
