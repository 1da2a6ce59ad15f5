// A call through the engine API for tests whose subject is not the engine:
// what lib.mjs's completedCall does, with the engine's answers checked only
// for what the call needs (not against the API document).

import assert from 'node:assert/strict';
import { request } from './lib.mjs';

export async function engineCall(srv, orgId, seconds) {
  const send = async (path, body) => {
    const r = await request(srv, 'POST', path, {
      headers: { Authorization: `Bearer ${srv.engineToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return r.json;
  };
  const c = await send('/engine/v1/calls/inbound', { org_id: orgId, from: '+4915112345678', to: '+31201234567' });
  assert.equal(c.action, 'answer', JSON.stringify(c));
  const ev = (status, elapsed, extra = {}) => send(`/engine/v1/calls/${c.call_id}/events`,
    { type: 'status-update', status, elapsed_sec: elapsed, ...extra });
  await ev('ringing', 0);
  await ev('in-progress', seconds);
  const end = await ev('ended', seconds, { ended_reason: 'customer-ended-call' });
  assert.equal(end.billed_seconds, seconds);
  return c.call_id;
}
