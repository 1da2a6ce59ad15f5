// Hostile and malformed input on every endpoint: malformed JSON, wrong types,
// bodies over 1 MiB, huge numbers, deep nesting, odd bytes. Each answer must be
// a proper JSON error, the server must stay up, and no balance may move.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  startServer, createOrg, api, engine, assertError, assertNamesField, inbound, okEvent,
  dbBalanceSeconds, assertAuditOk, randomUUID,
} from './lib.mjs';

const MIB = 1024 * 1024;

// Bodies that are not a JSON object at all.
const NOT_OBJECTS = [
  ['empty body', ''],
  ['truncated', '{"direction":"outbound","to":'],
  ['trailing garbage', '{"direction":"outbound","to":"+31612345678"} x'],
  ['two objects', '{}{}'],
  ['array', '[]'],
  ['string', '"outbound"'],
  ['number', '42'],
  ['null', 'null'],
  ['single quotes', "{'direction':'outbound'}"],
  ['bare words', 'direction=outbound&to=%2B31612345678'],
  ['invalid utf-8', Buffer.from([0x7b, 0x22, 0x74, 0x6f, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['deep nesting', '['.repeat(100000) + ']'.repeat(100000)],
  ['deep object nesting', '{"a":'.repeat(50000) + '1' + '}'.repeat(50000)],
  ['NaN', '{"direction":"outbound","to":NaN}'],
  ['lone surrogate', '{"direction":"outbound","to":"\\ud800"}'],
];

describe('bad input', { timeout: 180_000 }, () => {
  let srv, agency, child, callId, snapshot;

  function balances() {
    return { agency: dbBalanceSeconds(srv, agency.org_id), child: dbBalanceSeconds(srv, child.org_id) };
  }

  before(async () => {
    srv = await startServer();
    agency = createOrg(srv, { minutes: 20 });
    child = createOrg(srv, { parent: agency.org_id, minutes: 10 });
    const c = await inbound(srv, child.org_id);
    callId = c.call_id;
    await okEvent(srv, callId, 'in-progress', 12);
    snapshot = balances();
    assert.deepEqual(snapshot, { agency: 1188, child: 588 });
  });

  after(async () => {
    try {
      if (srv && !srv.exited) {
        // Whatever happened above, no second may have moved, and the server is alive.
        assert.deepEqual(balances(), snapshot, 'balances changed by bad input');
        const h = await api(srv, 'GET', '/healthz');
        assert.equal(h.status, 200);
        const g = await api(srv, 'GET', `/api/v1/calls/${callId}`, { key: child.api_key });
        assert.equal(g.json.billed_seconds, 12);
        await okEvent(srv, callId, 'ended', 12);
      }
    } finally {
      await srv?.stop();
    }
  });

  const endpoints = () => [
    ['POST /api/v1/calls', (raw) => api(srv, 'POST', '/api/v1/calls', { key: child.api_key, rawBody: raw })],
    ['POST /engine/v1/calls/inbound', (raw) => engine(srv, 'POST', '/engine/v1/calls/inbound', undefined, { rawBody: raw })],
    ['POST /engine/v1/calls/{id}/events', (raw) => engine(srv, 'POST', `/engine/v1/calls/${callId}/events`, undefined, { rawBody: raw })],
  ];

  it('bodies that are not a JSON object are 400 invalid_request', async () => {
    for (const [ep, send] of endpoints()) {
      for (const [name, raw] of NOT_OBJECTS) {
        const r = await send(raw);
        assertError(r, 400, 'invalid_request', `${ep} / ${name}:`);
      }
    }
  });

  it('bodies over 1 MiB are 413 too_large', async () => {
    const padding = 'a'.repeat(Math.ceil(1.1 * MIB));
    const big = JSON.stringify({ direction: 'outbound', to: '+31612345678', pad: padding });
    const bigEvent = JSON.stringify({ type: 'status-update', status: 'in-progress', elapsed_sec: 500, pad: padding });
    const bigInbound = JSON.stringify({ org_id: child.org_id, from: '+4915112345678', to: '+31201234567', pad: padding });
    assertError(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, rawBody: big }), 413, 'too_large', 'calls');
    assertError(await engine(srv, 'POST', `/engine/v1/calls/${callId}/events`, undefined, { rawBody: bigEvent }), 413, 'too_large', 'events');
    assertError(await engine(srv, 'POST', '/engine/v1/calls/inbound', undefined, { rawBody: bigInbound }), 413, 'too_large', 'inbound');
    // Garbage of the same size, and an 8 MiB body.
    assertError(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, rawBody: Buffer.alloc(Math.ceil(1.1 * MIB), 0x7b) }), 413, 'too_large');
    assertError(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, rawBody: Buffer.alloc(8 * MIB, 0x20) }), 413, 'too_large');
    // Just under the limit is not rejected for its size.
    const under = JSON.stringify({ direction: 'outbound', to: '+' + '1'.repeat(MIB - 200) });
    assertNamesField(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, rawBody: under }), 'to');
    assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
  });

  it('POST /api/v1/calls: wrong types and values name the field', async () => {
    const base = { direction: 'outbound', to: '+31612345678' };
    const cases = [
      ['to', { direction: 'outbound' }],
      ['to', { ...base, to: 123 }],
      ['to', { ...base, to: null }],
      ['to', { ...base, to: ['+31612345678'] }],
      ['to', { ...base, to: { n: 1 } }],
      ['to', { ...base, to: 1e309 }],
      ['to', { ...base, to: '+31612345678'.padEnd(5000, '9') }],
      ['direction', { ...base, direction: 'inbound' }],
      ['direction', { ...base, direction: 'OUTBOUND' }],
      ['direction', { ...base, direction: 1 }],
      ['agent_id', { ...base, agent_id: 123 }],
      ['agent_id', { ...base, agent_id: { id: 'x' } }],
      ['number_id', { ...base, number_id: 5 }],
    ];
    for (const [field, body] of cases) {
      assertNamesField(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, body }), field, JSON.stringify(body).slice(0, 80));
    }
    // A NUL inside a string: refused (as bad JSON or as a bad "to").
    assertError(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, body: { ...base, to: '+316123\u00004567' } }), 400, 'invalid_request');
    const raw = await api(srv, 'POST', '/api/v1/calls', { key: child.api_key,
      rawBody: '{"direction":"outbound","to":99999999999999999999999999999}' });
    assertError(raw, 400, 'invalid_request');
    assertError(await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, body: { ...base, number_id: randomUUID() } }), 404, 'not_found');
    // Unknown fields: ignoring them is fine (201), refusing them too (400).
    const extra = await api(srv, 'POST', '/api/v1/calls', { key: child.api_key, body: { ...base, colour: 'blue', nested: { a: [1, 2] } } });
    assert.ok([201, 400].includes(extra.status), extra.text);
  });

  it('POST /engine/v1/calls/inbound: wrong types', async () => {
    const base = { org_id: child.org_id, from: '+4915112345678', to: '+31201234567' };
    const cases = [
      { ...base, org_id: 5 },
      { ...base, org_id: ['x'] },
      { ...base, from: 4915112345678 },
      { ...base, from: null },
      { ...base, to: 31201234567 },
      { ...base, from: 'not a number' },
      { ...base, number_id: 7, org_id: undefined },
    ];
    for (const body of cases) {
      const r = await engine(srv, 'POST', '/engine/v1/calls/inbound', body);
      assertError(r, 400, 'invalid_request', JSON.stringify(body));
    }
    const malformedId = await engine(srv, 'POST', '/engine/v1/calls/inbound', { ...base, org_id: "x' OR '1'='1" });
    assert.ok([400, 404].includes(malformedId.status), malformedId.text);
  });

  it('POST /engine/v1/calls/{id}/events: wrong types and numbers', async () => {
    const url = `/engine/v1/calls/${callId}/events`;
    const raws = [
      '{"type":"status-update","status":"in-progress","elapsed_sec":-1}',
      '{"type":"status-update","status":"in-progress","elapsed_sec":-9223372036854775808}',
      '{"type":"status-update","status":"in-progress","elapsed_sec":99999999999999999999999}',
      '{"type":"status-update","status":"in-progress","elapsed_sec":12.5}',
      '{"type":"status-update","status":"in-progress","elapsed_sec":"500"}',
      '{"type":"status-update","status":"in-progress","elapsed_sec":{}}',
      '{"type":"status-update","status":"ended","elapsed_sec":500,"ended_reason":42}',
      '{"type":1,"status":"in-progress","elapsed_sec":500}',
      '{"type":"status-update","status":"IN-PROGRESS","elapsed_sec":500}',
    ];
    for (const raw of raws) {
      assertError(await engine(srv, 'POST', url, undefined, { rawBody: raw }), 400, 'invalid_request', raw);
    }
    for (const p of ['/engine/v1/calls/not-a-uuid/events', `/engine/v1/calls/${randomUUID()}/events`,
      '/engine/v1/calls/%2e%2e/events', `/engine/v1/calls/${callId}x/events`]) {
      const r = await engine(srv, 'POST', p, { type: 'status-update', status: 'in-progress', elapsed_sec: 500 });
      assert.ok([400, 404].includes(r.status), `${p}: ${r.status} ${r.text}`);
      assert.ok(r.json?.error?.code, r.text);
    }
  });

  it('query strings and paths', async () => {
    for (const q of ['/api/v1/calls?limit=1e2', '/api/v1/calls?limit=%2B5x',
      '/api/v1/usage?start_date=2025-12-01%20&end_date=2025-12-31', '/api/v1/usage?start_date=%ZZ']) {
      const r = await api(srv, 'GET', q, { key: child.api_key });
      assert.equal(r.status, 400, `${q}: ${r.status} ${r.text}`);
      assert.ok(r.json?.error?.code, r.text);
    }
    for (const p of ['/api/v1/calls/../account', '/api/v1//calls', '/API/V1/ACCOUNT', '/api/v1/account/extra', '/' + 'x'.repeat(6000)]) {
      const r = await api(srv, 'GET', p, { key: child.api_key });
      assert.ok(r.status >= 400 && r.status < 500 && r.status !== 401, `${p.slice(0, 40)}: ${r.status}`);
    }
    // A long header does not crash anything.
    const r = await api(srv, 'GET', '/api/v1/account', { key: child.api_key, headers: { 'X-Padding': 'p'.repeat(6000) } });
    assert.ok([200, 400, 413, 431].includes(r.status), String(r.status));
  });

  it('a header that is read, sent twice in any case, is refused', async () => {
    const raw = (head) => new Promise((resolve, reject) => {
      const sock = net.connect(srv.port, '127.0.0.1');
      let text = '';
      sock.setTimeout(10_000, () => { sock.destroy(); reject(new Error('no answer')); });
      sock.on('data', (d) => { text += d; });
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
      sock.write(head);
    });
    const twice = await raw(`GET /api/v1/account HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${child.api_key}\r\nx-organization-id: ${child.org_id}\r\n` +
      `X-ORGANIZATION-ID: ${child.org_id}\r\nConnection: close\r\n\r\n`);
    assert.match(twice, /^HTTP\/1\.1 400 /, twice.slice(0, 200));
    assert.match(twice, /a header is repeated/);
    // Headers it does not read may repeat.
    const other = await raw(`GET /api/v1/account HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${child.api_key}\r\nX-Other: 1\r\nx-other: 2\r\nConnection: close\r\n\r\n`);
    assert.match(other, /^HTTP\/1\.1 200 /, other.slice(0, 200));
  });

  it('the server is still healthy and consistent', async () => {
    assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
    assert.deepEqual(balances(), snapshot);
    assertAuditOk(srv);
  });
});
