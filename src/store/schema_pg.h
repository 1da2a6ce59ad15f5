/*
 * schema_pg.h — the PostgreSQL schema as numbered migrations, the same
 * tables, constraints and indexes as schema_sqlite.h in PostgreSQL's types:
 * BIGINT for unix-ms times and seconds, BIGSERIAL ledger ids, BYTEA key
 * hashes, BOOLEAN flags. db_pg.c applies them in one transaction under an
 * advisory lock and records the level in schema_version. A migration is never
 * edited once released: add a new one at the end.
 *
 * Ids are compared byte-wise (COLLATE "C") whatever the database's locale, so
 * keyset paging orders (created_at, id) exactly as SQLite does.
 */
#ifndef WL_SCHEMA_PG_H
#define WL_SCHEMA_PG_H

/* pg_advisory_xact_lock key held while migrating: the bytes of "wlportal"
 * read as a big-endian int64, so two instances starting at once take turns. */
#define PG_MIGRATION_LOCK_SQL "SELECT pg_advisory_xact_lock(8605376611962085740)"

static const char *const pg_migrations[] = {
	/* 1: organizations, people, keys, the ledger, calls and usage */
	"CREATE TABLE orgs ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  parent_id TEXT COLLATE \"C\" REFERENCES orgs(id),"
	"  balance_seconds BIGINT NOT NULL DEFAULT 0 CHECK (balance_seconds >= 0),"
	"  is_demo BOOLEAN NOT NULL DEFAULT false,"
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX orgs_parent ON orgs(parent_id);"
	"CREATE TABLE users ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  email TEXT NOT NULL UNIQUE,"
	"  password_hash TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX users_org ON users(org_id);"
	"CREATE TABLE api_keys ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  key_hash BYTEA NOT NULL UNIQUE,"
	"  label TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  revoked_at BIGINT);"
	"CREATE INDEX api_keys_org ON api_keys(org_id);"
	"CREATE TABLE ledger_entries ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  delta_seconds BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  reference TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  UNIQUE (org_id, reference));"
	"CREATE TABLE phone_numbers ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  number TEXT NOT NULL UNIQUE,"
	"  created_at BIGINT NOT NULL);"
	"CREATE TABLE calls ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  billed_org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('inbound','outbound')),"
	"  status TEXT NOT NULL,"
	"  from_number TEXT,"
	"  to_number TEXT NOT NULL,"
	"  number_id TEXT COLLATE \"C\" REFERENCES phone_numbers(id),"
	"  agent_id TEXT,"
	"  elapsed_sec BIGINT NOT NULL DEFAULT 0,"
	"  billed_seconds BIGINT NOT NULL DEFAULT 0 CHECK (billed_seconds >= 0),"
	"  cut_off BOOLEAN NOT NULL DEFAULT false,"
	"  ended_reason TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  ended_at BIGINT);"
	"CREATE INDEX calls_org_created ON calls(org_id, created_at, id);"
	"CREATE TABLE usage ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  billed_org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  call_id TEXT COLLATE \"C\" NOT NULL UNIQUE REFERENCES calls(id),"
	"  duration_sec BIGINT NOT NULL CHECK (duration_sec >= 0),"
	"  number_id TEXT COLLATE \"C\","
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX usage_org_created ON usage(org_id, created_at, id);"
	"CREATE INDEX usage_billed_created ON usage(billed_org_id, created_at, id);",

	/* 2: whitelabel settings, dashboard sessions, rate-limit counters */
	"CREATE TABLE whitelabel ("
	"  org_id TEXT COLLATE \"C\" PRIMARY KEY REFERENCES orgs(id),"
	"  company_name TEXT NOT NULL DEFAULT '',"
	"  slug TEXT UNIQUE,"
	"  logo_url TEXT NOT NULL DEFAULT '',"
	"  primary_color TEXT NOT NULL DEFAULT '',"
	"  accent_color TEXT NOT NULL DEFAULT '',"
	"  stripe_publishable_key TEXT NOT NULL DEFAULT '',"
	"  stripe_secret_key_sealed TEXT NOT NULL DEFAULT '',"
	"  stripe_secret_mode TEXT NOT NULL DEFAULT '',"
	"  stripe_product_id TEXT NOT NULL DEFAULT '',"
	"  stripe_price_id TEXT NOT NULL DEFAULT '',"
	"  stripe_webhook_secret_sealed TEXT NOT NULL DEFAULT '',"
	"  package_credits BIGINT NOT NULL DEFAULT 0,"
	"  package_price_cents BIGINT NOT NULL DEFAULT 0,"
	"  package_currency TEXT NOT NULL DEFAULT 'EUR',"
	"  active BOOLEAN NOT NULL DEFAULT false,"
	"  custom_domain TEXT UNIQUE,"
	"  domain_status TEXT NOT NULL DEFAULT '',"
	"  domain_reason TEXT NOT NULL DEFAULT '',"
	"  domain_checked_at BIGINT NOT NULL DEFAULT 0,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE TABLE sessions ("
	"  token_hash BYTEA PRIMARY KEY,"
	"  user_id TEXT COLLATE \"C\" NOT NULL REFERENCES users(id),"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  csrf_token TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL);"
	"CREATE INDEX sessions_expires ON sessions(expires_at);"
	"CREATE TABLE rate_limits ("
	"  bucket TEXT PRIMARY KEY,"
	"  window_start BIGINT NOT NULL,"
	"  hits BIGINT NOT NULL);"
	"CREATE INDEX users_created ON users(created_at, id);",

	/* 3: proof of ownership for custom domains (a per-claim TXT token, when
	 * the claim was made and when the domain was last seen verified), and
	 * every slug an agency ever used, reserved to it for good. Claims that
	 * exist already get a token and a fresh claim time, so their agencies
	 * have the whole claim lifetime to publish the TXT record. */
	"ALTER TABLE whitelabel ADD COLUMN domain_token TEXT NOT NULL DEFAULT '',"
	"  ADD COLUMN domain_claimed_at BIGINT NOT NULL DEFAULT 0,"
	"  ADD COLUMN domain_verified_at BIGINT NOT NULL DEFAULT 0;"
	"UPDATE whitelabel SET domain_token = replace(gen_random_uuid()::text, '-', ''),"
	"  domain_claimed_at = (extract(epoch FROM now()) * 1000)::bigint,"
	"  domain_verified_at = CASE WHEN domain_status = 'verified' THEN domain_checked_at ELSE 0 END"
	"  WHERE custom_domain IS NOT NULL;"
	"CREATE TABLE slug_history ("
	"  slug TEXT PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX slug_history_org ON slug_history(org_id);"
	"INSERT INTO slug_history (slug, org_id, created_at)"
	"  SELECT slug, org_id, updated_at FROM whitelabel WHERE slug IS NOT NULL;",
	/* 4: the time of a call's last event (the reaper settles calls silent for
	 * longer than WLPORTAL_CALL_STALE_AFTER), fingerprints of idempotent
	 * requests beside their keys, and named values of the installation (the
	 * master key's check value). */
	"ALTER TABLE calls ADD COLUMN last_event_at BIGINT NOT NULL DEFAULT 0;"
	"UPDATE calls SET last_event_at = COALESCE(ended_at, created_at);"
	"CREATE INDEX calls_open_last_event ON calls(last_event_at) "
	"  WHERE status IN ('queued','ringing','in-progress');"
	"CREATE TABLE idempotency_keys ("
	"  scope TEXT COLLATE \"C\" NOT NULL,"
	"  key TEXT COLLATE \"C\" NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (scope, key));"
	"CREATE TABLE meta ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 5: e-mail addresses unique whatever their case (stored lowercase; two
	 * users differing only by case stop this migration: rename one first),
	 * and failed log-ins counted per bucket instead of per fixed window. */
	"UPDATE users SET email = lower(email);"
	"CREATE UNIQUE INDEX users_email_lower ON users (lower(email));"
	"CREATE TABLE login_failures ("
	"  bucket TEXT PRIMARY KEY,"
	"  failures BIGINT NOT NULL,"
	"  last_failed_at BIGINT NOT NULL);"
	"CREATE INDEX login_failures_last ON login_failures (last_failed_at);"
	"DROP TABLE rate_limits;",
	/* 6: the client portal (issue 9): whether a user's e-mail address is
	 * verified and when they last logged in, when an API key was last used,
	 * portal sessions (apart from the dashboard's, tied to one agency),
	 * single-use tokens mailed for verification and password reset (only
	 * their hashes), and the durable outbox of e-mails (bodies sealed: a
	 * mail may carry such a token). */
	"ALTER TABLE users ADD COLUMN verified_at BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN last_login_at BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;"
	"CREATE TABLE portal_sessions ("
	"  token_hash BYTEA PRIMARY KEY,"
	"  user_id TEXT COLLATE \"C\" NOT NULL REFERENCES users(id),"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  agency_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  csrf_token TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL);"
	"CREATE INDEX portal_sessions_expires ON portal_sessions(expires_at);"
	"CREATE INDEX portal_sessions_user ON portal_sessions(user_id);"
	"CREATE TABLE portal_tokens ("
	"  token_hash BYTEA PRIMARY KEY,"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('verify','reset')),"
	"  user_id TEXT COLLATE \"C\" NOT NULL REFERENCES users(id),"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL,"
	"  used_at BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX portal_tokens_user ON portal_tokens(user_id, purpose);"
	"CREATE TABLE mail_outbox ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  agency_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  kind TEXT NOT NULL,"
	"  to_addr TEXT NOT NULL,"
	"  from_name TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  body_sealed TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  next_attempt_at BIGINT NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  sent_at BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE status = 'queued';",
	/* 7 (issue 9, Stripe): purchases through Stripe Checkout, one per
	 * Checkout Session (pending when the session is made, paid or mismatch
	 * when its webhook arrives), and every webhook delivery received (the
	 * agency's Stripe events log). The credit itself is a ledger entry
	 * whose reference is "stripe:{session id}". */
	"CREATE TABLE purchases ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  agency_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  user_id TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
	"  session_id TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	"  status TEXT NOT NULL CHECK (status IN ('pending','paid','mismatch')),"
	"  credits BIGINT NOT NULL CHECK (credits >= 0),"
	"  amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),"
	"  currency TEXT NOT NULL,"
	"  event_id TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  paid_at BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX purchases_agency ON purchases(agency_id, created_at, id);"
	"CREATE INDEX purchases_org ON purchases(org_id, created_at, id);"
	"CREATE TABLE stripe_events ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  agency_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  received_at BIGINT NOT NULL,"
	"  event_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  signature TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  org_id TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
	"  session_id TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX stripe_events_agency ON stripe_events(agency_id, received_at, id);",
	/* 8 (issue 12, platform billing): billing information per org (VAT ID
	 * with what was checked and when), the invoices issued for credit
	 * purchases with every figure and party as issued, one gapless number
	 * counter per seller and year (updated in the transaction of the
	 * credit), the VAT decision of a platform purchase made at checkout,
	 * and bring-your-own-key provider keys (sealed). */
	"CREATE TABLE billing_info ("
	"  org_id TEXT COLLATE \"C\" PRIMARY KEY REFERENCES orgs(id),"
	"  company_name TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  country TEXT NOT NULL,"
	"  vat_id TEXT NOT NULL DEFAULT '',"
	"  vat_status TEXT NOT NULL DEFAULT 'none' "
	"    CHECK (vat_status IN ('none','format','valid','invalid')),"
	"  vat_checked_at BIGINT NOT NULL DEFAULT 0,"
	"  vat_check_detail TEXT NOT NULL DEFAULT '',"
	"  client_invoices BIGINT NOT NULL DEFAULT 1,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE TABLE invoice_counters ("
	"  seller_id TEXT COLLATE \"C\" NOT NULL,"
	"  year BIGINT NOT NULL,"
	"  last_number BIGINT NOT NULL,"
	"  PRIMARY KEY (seller_id, year));"
	"CREATE TABLE invoices ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  seller_id TEXT COLLATE \"C\" NOT NULL,"
	"  number TEXT COLLATE \"C\" NOT NULL,"
	"  buyer_org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  purchase_ref TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	"  issued_at BIGINT NOT NULL,"
	"  issue_date TEXT NOT NULL,"
	"  seller_name TEXT NOT NULL,"
	"  seller_address TEXT NOT NULL,"
	"  seller_country TEXT NOT NULL,"
	"  seller_vat_id TEXT NOT NULL,"
	"  buyer_name TEXT NOT NULL,"
	"  buyer_address TEXT NOT NULL,"
	"  buyer_country TEXT NOT NULL,"
	"  buyer_vat_id TEXT NOT NULL,"
	"  buyer_vat_status TEXT NOT NULL,"
	"  description TEXT NOT NULL,"
	"  quantity BIGINT NOT NULL CHECK (quantity > 0),"
	"  unit_price_micro BIGINT NOT NULL,"
	"  net_cents BIGINT NOT NULL,"
	"  vat_rate_bp BIGINT NOT NULL,"
	"  vat_cents BIGINT NOT NULL,"
	"  gross_cents BIGINT NOT NULL CHECK (gross_cents = net_cents + vat_cents),"
	"  currency TEXT NOT NULL,"
	"  vat_rule TEXT NOT NULL,"
	"  vat_wording TEXT NOT NULL,"
	"  vat_note TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (seller_id, number));"
	"CREATE INDEX invoices_buyer ON invoices(buyer_org_id, issued_at, id);"
	"CREATE INDEX invoices_seller ON invoices(seller_id, issued_at, id);"
	"ALTER TABLE purchases ADD COLUMN seller TEXT NOT NULL DEFAULT 'agency';"
	"ALTER TABLE purchases ADD COLUMN net_cents BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE purchases ADD COLUMN vat_rate_bp BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE purchases ADD COLUMN vat_rule TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE provider_keys ("
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  provider TEXT NOT NULL,"
	"  key_sealed TEXT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  PRIMARY KEY (org_id, provider));",
	/* 9 (issue 11): outbound webhooks. An org's endpoints (the signing
	 * secret sealed with the master key; after a rotation the previous one
	 * stays valid until old_secret_until), and the durable outbox of
	 * deliveries, written in the same transaction as the change that caused
	 * the event: one row per (event, endpoint), its id the delivery id the
	 * receiver sees on every attempt. A sender claims a due row by moving
	 * next_attempt_at past the time a send may take, so a claim of an
	 * instance that died expires by itself. An org's low-balance alert:
	 * the threshold in minutes (0 = off) and whether it is armed (fires
	 * when the balance goes below it, re-armed at or above). */
	"CREATE TABLE webhook_endpoints ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  url TEXT NOT NULL,"
	"  events TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  secret_sealed TEXT NOT NULL,"
	"  old_secret_sealed TEXT NOT NULL DEFAULT '',"
	"  old_secret_until BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX webhook_endpoints_org ON webhook_endpoints(org_id, created_at, id);"
	"CREATE TABLE webhook_deliveries ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  endpoint_id TEXT COLLATE \"C\" NOT NULL REFERENCES webhook_endpoints(id),"
	"  event TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed')),"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  next_attempt_at BIGINT NOT NULL,"
	"  retry_until BIGINT NOT NULL,"
	"  last_status_code BIGINT NOT NULL DEFAULT 0,"
	"  last_duration_ms BIGINT NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  last_response TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) "
	"  WHERE status = 'pending';"
	"CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at, id);"
	"ALTER TABLE orgs ADD COLUMN low_balance_minutes BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE orgs ADD COLUMN low_balance_armed BOOLEAN NOT NULL DEFAULT TRUE;",
	/* 10: nothing on PostgreSQL (SQLite's 10 rewrites its open-call index's
	 * condition; PostgreSQL's planner compares an IN list in place). */
	"SELECT 1;",
	/* 11 (issue 13, keys, limits, trail): limits an agency sets on a client
	 * org (NULL = none), the open calls of an org found by index (the
	 * concurrency limit counts them), API keys paged newest first, and the
	 * audit trail of settings changes, allocations, keys, domains and limits
	 * (audit_events; the ledger's own audit is `wlportal audit`). */
	"CREATE TABLE client_limits ("
	"  org_id TEXT COLLATE \"C\" PRIMARY KEY REFERENCES orgs(id),"
	"  max_concurrent_calls BIGINT,"
	"  monthly_minutes BIGINT,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX calls_org_open ON calls(org_id) "
	"  WHERE status IN ('queued','ringing','in-progress');"
	"CREATE INDEX api_keys_org_created ON api_keys(org_id, created_at, id);"
	"CREATE TABLE audit_events ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  agency_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  type TEXT NOT NULL,"
	"  actor_type TEXT NOT NULL,"
	"  actor_id TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '{}',"
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX audit_events_agency ON audit_events(agency_id, created_at, id);"
	"CREATE INDEX audit_events_org ON audit_events(org_id, created_at, id);",
	/* 12 (issue 11, per-org configuration): agents, tools, knowledge bases
	 * with their documents (the bytes in the database, the one place every
	 * instance shares; a PDF's extracted text beside them), phone numbers
	 * named and assigned to an agent (deleted ones keep their row for the
	 * calls and usage that name them, with the number released), and the
	 * message an agency's inbound calls are refused with when the credits
	 * are gone. An agent lists its tools and knowledge bases as ids joined
	 * by ','; a row's updated_at grows with every write (its version). */
	"CREATE TABLE agents ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  name TEXT NOT NULL,"
	"  system_prompt TEXT NOT NULL DEFAULT '',"
	"  first_message TEXT NOT NULL DEFAULT '',"
	"  voice_id TEXT NOT NULL DEFAULT '',"
	"  language TEXT NOT NULL DEFAULT '',"
	"  temperature_milli BIGINT NOT NULL DEFAULT 700,"
	"  max_duration_seconds BIGINT NOT NULL DEFAULT 0,"
	"  tool_ids TEXT NOT NULL DEFAULT '',"
	"  knowledge_base_ids TEXT NOT NULL DEFAULT '',"
	"  webhook_url TEXT NOT NULL DEFAULT '',"
	"  webhook_events TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX agents_org ON agents(org_id, created_at, id);"
	"CREATE TABLE tools ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  parameters TEXT NOT NULL,"
	"  url TEXT NOT NULL DEFAULT '',"
	"  timeout_seconds BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  UNIQUE (org_id, name));"
	"CREATE INDEX tools_org ON tools(org_id, created_at, id);"
	"CREATE TABLE knowledge_bases ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE INDEX knowledge_bases_org ON knowledge_bases(org_id, created_at, id);"
	"CREATE TABLE kb_documents ("
	"  id TEXT COLLATE \"C\" PRIMARY KEY,"
	"  org_id TEXT COLLATE \"C\" NOT NULL REFERENCES orgs(id),"
	"  kb_id TEXT COLLATE \"C\" NOT NULL REFERENCES knowledge_bases(id),"
	"  filename TEXT NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),"
	"  sha256 TEXT NOT NULL,"
	"  content BYTEA NOT NULL,"
	"  text TEXT,"
	"  text_bytes BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL);"
	"CREATE INDEX kb_documents_kb ON kb_documents(kb_id, created_at, id);"
	"CREATE INDEX kb_documents_org ON kb_documents(org_id);"
	"ALTER TABLE phone_numbers ADD COLUMN name TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE phone_numbers ADD COLUMN agent_id TEXT COLLATE \"C\" REFERENCES agents(id);"
	"ALTER TABLE phone_numbers ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;"
	"ALTER TABLE phone_numbers ADD COLUMN deleted_at BIGINT NOT NULL DEFAULT 0;"
	"UPDATE phone_numbers SET updated_at = created_at;"
	"CREATE INDEX phone_numbers_org ON phone_numbers(org_id, created_at, id);"
	"CREATE INDEX phone_numbers_agent ON phone_numbers(agent_id);"
	"CREATE TABLE inbound_settings ("
	"  org_id TEXT COLLATE \"C\" PRIMARY KEY REFERENCES orgs(id),"
	"  insufficient_credits_message TEXT NOT NULL,"
	"  updated_at BIGINT NOT NULL);",
	/* 13 (issue 11, routing): the URL a delivery goes to when it is not its
	 * endpoint's own: an agent's webhook_url. Such deliveries are signed
	 * with, and listed in the log of, the org's oldest endpoint ('' = the
	 * endpoint's url). */
	"ALTER TABLE webhook_deliveries ADD COLUMN url TEXT NOT NULL DEFAULT '';",
	/* 14 (issue 10; tests/integration/usage_totals.test.mjs re-runs its
	 * back-fill and every migration after it, so those must run twice
	 * harmlessly):
	 * usage totals per UTC day, so a summary over any range
	 * reads whole days here and only its partial first and last day from
	 * the usage rows. by_billed 0 counts the rows of org_id (what a client
	 * org used), 1 the rows it paid as billed_org_id (an agency: its own
	 * calls and its clients'). Written with each usage row, in its
	 * transaction (store_usage_insert); back-filled here from the rows.
	 * day = floor(created_at / 86400000). Derived data: no foreign keys (the
	 * usage rows carry them). */
	"CREATE TABLE usage_days ("
	"  org_id TEXT COLLATE \"C\" NOT NULL,"
	"  by_billed SMALLINT NOT NULL CHECK (by_billed IN (0, 1)),"
	"  day BIGINT NOT NULL,"
	"  seconds BIGINT NOT NULL,"
	"  calls BIGINT NOT NULL,"
	"  PRIMARY KEY (org_id, by_billed, day));"
	"INSERT INTO usage_days (org_id, by_billed, day, seconds, calls)"
	"  SELECT org_id, 0, d, SUM(duration_sec), COUNT(*) FROM"
	"  (SELECT org_id, duration_sec,"
	"  CASE WHEN created_at < 0 AND created_at % 86400000 <> 0"
	"  THEN created_at / 86400000 - 1 ELSE created_at / 86400000 END AS d FROM usage) u"
	"  GROUP BY org_id, d;"
	"INSERT INTO usage_days (org_id, by_billed, day, seconds, calls)"
	"  SELECT billed_org_id, 1, d, SUM(duration_sec), COUNT(*) FROM"
	"  (SELECT billed_org_id, duration_sec,"
	"  CASE WHEN created_at < 0 AND created_at % 86400000 <> 0"
	"  THEN created_at / 86400000 - 1 ELSE created_at / 86400000 END AS d FROM usage) u"
	"  GROUP BY billed_org_id, d;",
	/* 15 (issue 10): an engine event rewrites its call's last_event_at, and
	 * an index on it made every such UPDATE a new entry in each of the
	 * table's indexes. The reaper finds open calls through an index on
	 * what never changes (created_at; the open ones are as many as calls
	 * run at once) and reads their last event from the rows; with no
	 * indexed column changed and room left on the page (fillfactor), an
	 * event's UPDATE stays on its page (a heap-only tuple). Written to run
	 * again harmlessly (usage_totals.test.mjs re-runs 14 and 15). */
	"DROP INDEX IF EXISTS calls_open_last_event;"
	"CREATE INDEX IF NOT EXISTS calls_open_created ON calls(created_at) "
	"  WHERE status IN ('queued', 'ringing', 'in-progress');"
	"ALTER TABLE calls SET (fillfactor = 70);",
	/* 16 (issue 10): a call's debit entries ("call", "child_call") are new
	 * by construction: their reference carries the call's billed total,
	 * which only grows and is moved under the call's row lock in the same
	 * transaction (services/calls.c), and `wlportal audit` proves no
	 * reference repeats. Kept in the unique index, the entries of every
	 * call running at once went to as many of its pages, each dirtied
	 * (and written whole after a checkpoint). The index now holds the
	 * other kinds (grants, purchases, allocations: references from
	 * outside, where it is the idempotency); an org's entries are found in
	 * order by (org_id, id), where new ones go at the end. Written to run
	 * again harmlessly. */
	"ALTER TABLE ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_org_id_reference_key;"
	"CREATE UNIQUE INDEX IF NOT EXISTS ledger_entries_ref ON ledger_entries(org_id, reference)"
	"  WHERE kind NOT IN ('call', 'child_call');"
	"CREATE INDEX IF NOT EXISTS ledger_entries_org ON ledger_entries(org_id, id);",
	/* 17 (issue 10): an entry's org must exist, checked once per statement
	 * instead of once per row. The foreign key ran a lookup of the org,
	 * with a row lock, for every entry (a batch of events inserts a
	 * hundred, of the same two orgs): a sixth of PostgreSQL's work per
	 * debit. The trigger below locks the statement's distinct orgs the
	 * way the key did (FOR KEY SHARE: an org cannot be deleted until the
	 * entries commit) and fails with the key's error when one is missing;
	 * deleting an org that has entries fails as the key made it fail.
	 * Written to run again harmlessly. */
	"ALTER TABLE ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_org_id_fkey;"
	"CREATE OR REPLACE FUNCTION wl_ledger_orgs_exist() RETURNS trigger "
	"LANGUAGE plpgsql AS $f$ "
	"DECLARE wanted bigint; found bigint; "
	"BEGIN "
	"  SELECT count(DISTINCT org_id) INTO wanted FROM wl_new_entries; "
	"  SELECT count(*) INTO found FROM (SELECT 1 FROM orgs "
	"    WHERE id IN (SELECT org_id FROM wl_new_entries) FOR KEY SHARE) o; "
	"  IF found <> wanted THEN "
	"    RAISE EXCEPTION 'ledger entry of an unknown organization' "
	"      USING ERRCODE = 'foreign_key_violation'; "
	"  END IF; "
	"  RETURN NULL; "
	"END $f$;"
	"DROP TRIGGER IF EXISTS ledger_entries_org_exists ON ledger_entries;"
	"CREATE TRIGGER ledger_entries_org_exists AFTER INSERT ON ledger_entries "
	"  REFERENCING NEW TABLE AS wl_new_entries "
	"  FOR EACH STATEMENT EXECUTE FUNCTION wl_ledger_orgs_exist();"
	"CREATE OR REPLACE FUNCTION wl_org_keeps_ledger() RETURNS trigger "
	"LANGUAGE plpgsql AS $f$ "
	"BEGIN "
	"  IF EXISTS (SELECT 1 FROM ledger_entries WHERE org_id = OLD.id) THEN "
	"    RAISE EXCEPTION 'organization % has ledger entries', OLD.id "
	"      USING ERRCODE = 'foreign_key_violation'; "
	"  END IF; "
	"  RETURN OLD; "
	"END $f$;"
	"DROP TRIGGER IF EXISTS orgs_keep_ledger ON orgs;"
	"CREATE TRIGGER orgs_keep_ledger BEFORE DELETE ON orgs "
	"  FOR EACH ROW EXECUTE FUNCTION wl_org_keeps_ledger();",
};


#endif
