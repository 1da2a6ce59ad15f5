// What `wlportal serve` checks before it starts, and how it leaves its
// files: an engine token too short to be a secret, connection settings out
// of range, a web directory without templates (and the default one found
// beside the binary whatever the working directory), and a SQLite database
// whose file, WAL and shared memory are the owner's alone.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeEnv, startServer, request, BACKEND } from './lib.mjs';

// A serve that must refuse to start: exit 2 at once with `message`.
function refused(env, message) {
  const ctx = makeEnv(env);
  try {
    const r = ctx.cli(['serve', '--listen', '127.0.0.1:0'], { timeout: 15_000 });
    assert.equal(r.status, 2, `serve should refuse to start (exit ${r.status}):\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stdout, /serving on/);
  } finally {
    ctx.removeDir();
  }
}

describe('serve refuses a bad configuration', { timeout: 120_000 }, () => {
  it('an engine token shorter than 32 characters', () => {
    refused({ WLPORTAL_ENGINE_TOKEN: 'short-token' },
      /WLPORTAL_ENGINE_TOKEN must be 32 to \d+ characters long \(got 11\)/);
    refused({ WLPORTAL_ENGINE_TOKEN: 'x'.repeat(31) }, /WLPORTAL_ENGINE_TOKEN must be/);
  });

  it('connection settings that are not whole numbers in range', () => {
    refused({ WLPORTAL_MAX_CONNECTIONS: 'many' }, /WLPORTAL_MAX_CONNECTIONS must be a whole number/);
    refused({ WLPORTAL_MAX_CONNECTIONS: '0' }, /WLPORTAL_MAX_CONNECTIONS must be a whole number/);
    refused({ WLPORTAL_MAX_CONNECTIONS_PER_IP: '-1' }, /WLPORTAL_MAX_CONNECTIONS_PER_IP must be/);
    refused({ WLPORTAL_MAX_CONNECTIONS: '100', WLPORTAL_MAX_CONNECTIONS_PER_IP: '200' },
      /PER_IP \(200\) is above WLPORTAL_MAX_CONNECTIONS \(100\)/);
    refused({ WLPORTAL_HEADER_TIMEOUT: '0' }, /WLPORTAL_HEADER_TIMEOUT must be a whole number from 1 to 300/);
  });

  it('a web directory without templates', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-noweb-'));
    try {
      refused({ WLPORTAL_WEB_DIR: empty }, /WLPORTAL_WEB_DIR=.* has no templates\/ directory/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('serve started elsewhere than the source tree', { timeout: 120_000 }, () => {
  let srv;
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'wlportal-cwd-'));
  after(async () => {
    try { await srv?.stop({ audit: false }); } finally { fs.rmSync(elsewhere, { recursive: true, force: true }); }
  });

  it('finds its pages beside the binary, not in the working directory', async () => {
    const env = { WLPORTAL_WEB_DIR: '' };
    srv = await startServer({ env, cwd: elsewhere });
    const r = await request(srv, 'GET', '/login');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.text, /<form/i);
    assert.equal((await request(srv, 'GET', '/static/app.css')).status, 200);
  });

  it('creates its SQLite database, WAL and shared memory owner-only (0600)', { skip: BACKEND !== 'sqlite' }, () => {
    const files = fs.readdirSync(srv.dir).filter((f) => f.startsWith('wl.db'));
    assert.deepEqual(files.sort(), ['wl.db', 'wl.db-shm', 'wl.db-wal']);
    for (const f of files) {
      const mode = fs.statSync(path.join(srv.dir, f)).mode & 0o777;
      assert.equal(mode.toString(8), '600', `${f} is ${mode.toString(8)}`);
    }
  });
});
