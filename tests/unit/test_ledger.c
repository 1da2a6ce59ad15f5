/*
 * test_ledger.c — the ledger and the group-commit writer on a real SQLite
 * file: idempotent references, refused overdrafts that leave no trace, one
 * failing job in a batch not failing the others, and call metering that
 * never bills a second twice or below zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "services/audit.h"
#include "services/calls.h"
#include "services/ids.h"
#include "services/ledger.h"
#include "services/writer.h"
#include "store/store.h"

struct fixture {
	char dir[64];
	struct store *store;
	struct writer *writer;
	char parent[WL_ID_LEN];
	char child[WL_ID_LEN];
};

struct org_job {
	const char *id;
	const char *parent;
};

static int
insert_org(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct org_job *j = arg;
	struct store_org o;

	memset(&o, 0, sizeof(o));
	snprintf(o.id, sizeof(o.id), "%s", j->id);
	snprintf(o.name, sizeof(o.name), "org");
	snprintf(o.parent_id, sizeof(o.parent_id), "%s", j->parent ? j->parent : "");
	o.created_at = 1;
	return store_org_insert(c, &o, err);
}

struct apply_job {
	const char *org;
	int64_t delta;
	char ref[64];
	int outcome;
};

static int
apply(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct apply_job *j = arg;
	int rc = ledger_apply(c, j->org, j->delta, "test", j->ref, "test", 1, err);

	if (rc < 0)
		return rc;
	j->outcome = rc;
	return WL_OK;
}

static int64_t
balance(struct fixture *f, const char *id)
{
	struct wl_error err;
	struct store_conn *c = store_acquire(f->store, &err);
	struct store_org o;

	assert_non_null(c);
	assert_int_equal(store_org_get(c, id, false, &o, &err), WL_OK);
	store_release(c);
	return o.balance_seconds;
}

static void
audit_ok(struct fixture *f)
{
	struct audit_result res;
	struct wl_error err;

	assert_int_equal(audit_run(f->store, stderr, &res, &err), WL_OK);
	assert_int_equal(res.mismatches, 0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct wl_error err;
	struct org_job pj, cj;
	char url[128];

	assert_int_equal(ids_init(), WL_OK);
	snprintf(f->dir, sizeof(f->dir), "/tmp/wl-ledger-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
	f->store = store_open(url, &err);
	assert_non_null(f->store);
	assert_int_equal(store_migrate(f->store, &err), WL_OK);
	f->writer = writer_start(f->store, &err);
	assert_non_null(f->writer);
	ids_new_uuid(f->parent);
	ids_new_uuid(f->child);
	pj = (struct org_job){ f->parent, NULL };
	cj = (struct org_job){ f->child, f->parent };
	assert_int_equal(writer_run(f->writer, insert_org, &pj, &err), WL_OK);
	assert_int_equal(writer_run(f->writer, insert_org, &cj, &err), WL_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	writer_stop(f->writer);
	store_close(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
test_idempotent_reference(void **state)
{
	struct fixture *f = *state;
	struct apply_job j = { .org = f->parent, .delta = 600 };
	struct wl_error err;

	snprintf(j.ref, sizeof(j.ref), "grant:one");
	assert_int_equal(writer_run(f->writer, apply, &j, &err), WL_OK);
	assert_int_equal(j.outcome, LEDGER_APPLIED);
	assert_int_equal(writer_run(f->writer, apply, &j, &err), WL_OK);
	assert_int_equal(j.outcome, LEDGER_DUPLICATE);
	assert_int_equal(balance(f, f->parent), 600);
	audit_ok(f);
}

static void
test_overdraft_refused_without_trace(void **state)
{
	struct fixture *f = *state;
	struct apply_job g = { .org = f->parent, .delta = 100 },
			 d = { .org = f->parent, .delta = -101 };
	struct wl_error err;

	snprintf(g.ref, sizeof(g.ref), "grant:a");
	snprintf(d.ref, sizeof(d.ref), "debit:a");
	assert_int_equal(writer_run(f->writer, apply, &g, &err), WL_OK);
	assert_int_equal(writer_run(f->writer, apply, &d, &err), WL_EINSUFFICIENT);
	assert_int_equal(balance(f, f->parent), 100);
	/* The refused entry left nothing: the same reference applies later. */
	d.delta = -100;
	assert_int_equal(writer_run(f->writer, apply, &d, &err), WL_OK);
	assert_int_equal(d.outcome, LEDGER_APPLIED);
	assert_int_equal(balance(f, f->parent), 0);
	audit_ok(f);
}

/* Many jobs queued at once share transactions; the refused ones fail alone. */
struct batch_job {
	struct wl_job job;
	struct apply_job a;
	int *finished;
};

static void
batch_done(struct wl_job *job)
{
	struct batch_job *b = (struct batch_job *)job;

	__atomic_add_fetch(b->finished, 1, __ATOMIC_SEQ_CST);
}

static void
test_batch_keeps_each_outcome(void **state)
{
	struct fixture *f = *state;
	enum { N = 300 };
	static struct batch_job jobs[N];
	struct apply_job g = { .org = f->parent, .delta = 1000 };
	struct wl_error err;
	int finished = 0, i, ok = 0, refused = 0;

	snprintf(g.ref, sizeof(g.ref), "grant:batch");
	assert_int_equal(writer_run(f->writer, apply, &g, &err), WL_OK);
	for (i = 0; i < N; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].a.org = f->parent;
		jobs[i].a.delta = -7; /* 1000 / 7 = 142 fit, the rest are refused */
		snprintf(jobs[i].a.ref, sizeof(jobs[i].a.ref), "debit:%d", i);
		jobs[i].job.run = apply;
		jobs[i].job.done = batch_done;
		jobs[i].job.arg = &jobs[i].a;
		jobs[i].finished = &finished;
		assert_int_equal(writer_submit(f->writer, &jobs[i].job), WL_OK);
	}
	for (i = 0; i < 2000 && __atomic_load_n(&finished, __ATOMIC_SEQ_CST) < N; i++)
		usleep(5000);
	assert_int_equal(finished, N);
	for (i = 0; i < N; i++) {
		if (jobs[i].job.rc == WL_OK)
			ok++;
		else if (jobs[i].job.rc == WL_EINSUFFICIENT)
			refused++;
	}
	assert_int_equal(ok, 142);
	assert_int_equal(refused, N - 142);
	assert_int_equal(balance(f, f->parent), 1000 - 142 * 7);
	audit_ok(f);
}

static int64_t
event(struct fixture *f, const char *call_id, const char *status, int64_t elapsed, bool *go)
{
	struct calls_event e;
	struct wl_error err;

	memset(&e, 0, sizeof(e));
	snprintf(e.call_id, sizeof(e.call_id), "%s", call_id);
	snprintf(e.status, sizeof(e.status), "%s", status);
	e.elapsed_sec = elapsed;
	assert_int_equal(writer_run(f->writer, calls_event_run, &e, &err), WL_OK);
	if (go != NULL)
		*go = e.keep_going;
	return e.billed_seconds;
}

static void
test_child_call_metering(void **state)
{
	struct fixture *f = *state;
	struct apply_job gp = { .org = f->parent, .delta = 10000 },
			 gc = { .org = f->child, .delta = 250 };
	struct calls_inbound in;
	struct wl_error err;
	bool go;

	snprintf(gp.ref, sizeof(gp.ref), "grant:p");
	snprintf(gc.ref, sizeof(gc.ref), "grant:c");
	assert_int_equal(writer_run(f->writer, apply, &gp, &err), WL_OK);
	assert_int_equal(writer_run(f->writer, apply, &gc, &err), WL_OK);

	memset(&in, 0, sizeof(in));
	snprintf(in.org_id, sizeof(in.org_id), "%s", f->child);
	snprintf(in.from, sizeof(in.from), "+31612345678");
	snprintf(in.to, sizeof(in.to), "+31201234567");
	assert_int_equal(writer_run(f->writer, calls_inbound_run, &in, &err), WL_OK);
	assert_true(in.answered);

	assert_int_equal(event(f, in.call.id, "in-progress", 100, &go), 100);
	assert_true(go);
	/* Repeated and late events bill nothing. */
	assert_int_equal(event(f, in.call.id, "in-progress", 100, &go), 100);
	assert_int_equal(event(f, in.call.id, "in-progress", 40, &go), 100);
	assert_int_equal(balance(f, f->child), 150);
	assert_int_equal(balance(f, f->parent), 9900);
	/* Past the credits: billed down to exactly zero, then told to stop. */
	assert_int_equal(event(f, in.call.id, "in-progress", 400, &go), 250);
	assert_false(go);
	assert_int_equal(balance(f, f->child), 0);
	assert_int_equal(balance(f, f->parent), 9750);
	/* A cut-off call bills no further, even when credits come back. */
	snprintf(gc.ref, sizeof(gc.ref), "grant:c2");
	assert_int_equal(writer_run(f->writer, apply, &gc, &err), WL_OK);
	assert_int_equal(event(f, in.call.id, "ended", 500, &go), 250);
	assert_false(go);
	assert_int_equal(balance(f, f->child), 250);
	assert_int_equal(event(f, in.call.id, "ended", 900, &go), 250);
	audit_ok(f);
}

struct threshold_job {
	const char *org;
	int64_t minutes;
};

static int
set_threshold(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct threshold_job *j = arg;

	return store_org_set_low_balance(c, j->org, j->minutes, err);
}

/* A call's debits pay for the balance.low check only for an org with a
 * threshold (the client's own and its agency's, each on its own). */
static void
test_debits_skip_alert_without_threshold(void **state)
{
	struct fixture *f = *state;
	struct apply_job gp = { .org = f->parent, .delta = 100000 },
			 gc = { .org = f->child, .delta = 10000 };
	struct threshold_job tc = { f->child, 100 };
	struct calls_inbound in;
	struct wl_error err;
	int64_t before;
	int i;

	snprintf(gp.ref, sizeof(gp.ref), "grant:p");
	snprintf(gc.ref, sizeof(gc.ref), "grant:c");
	assert_int_equal(writer_run(f->writer, apply, &gp, &err), WL_OK);
	assert_int_equal(writer_run(f->writer, apply, &gc, &err), WL_OK);
	memset(&in, 0, sizeof(in));
	snprintf(in.org_id, sizeof(in.org_id), "%s", f->child);
	snprintf(in.from, sizeof(in.from), "+31612345678");
	snprintf(in.to, sizeof(in.to), "+31201234567");
	assert_int_equal(writer_run(f->writer, calls_inbound_run, &in, &err), WL_OK);

	before = store_org_low_balance_checks();
	for (i = 1; i <= 10; i++)
		assert_int_equal(event(f, in.call.id, "in-progress", i * 10, NULL), i * 10);
	assert_int_equal(store_org_low_balance_checks() - before, 0);

	/* the client sets a threshold: its debits check, its agency's do not */
	assert_int_equal(writer_run(f->writer, set_threshold, &tc, &err), WL_OK);
	before = store_org_low_balance_checks();
	for (i = 11; i <= 20; i++)
		assert_int_equal(event(f, in.call.id, "in-progress", i * 10, NULL), i * 10);
	assert_int_equal(store_org_low_balance_checks() - before, 10);
	assert_int_equal(balance(f, f->child), 10000 - 200);
	assert_int_equal(balance(f, f->parent), 100000 - 200);
	audit_ok(f);
}

static void
test_inbound_rejected_when_empty(void **state)
{
	struct fixture *f = *state;
	struct calls_inbound in;
	struct wl_error err;

	memset(&in, 0, sizeof(in));
	snprintf(in.org_id, sizeof(in.org_id), "%s", f->child);
	snprintf(in.from, sizeof(in.from), "anonymous");
	snprintf(in.to, sizeof(in.to), "+31201234567");
	assert_int_equal(writer_run(f->writer, calls_inbound_run, &in, &err), WL_OK);
	assert_false(in.answered);
	assert_string_equal(in.call.status, "rejected");
	audit_ok(f);
}

/* The reaper's job settles a silent call once: a second run (another
 * instance's reaper, or a retry) finds it ended; a call with a newer event
 * than the limit is left open. */
static void
test_stale_call_settled_once(void **state)
{
	struct fixture *f = *state;
	struct apply_job gp = { .org = f->parent, .delta = 10000 },
			 gc = { .org = f->child, .delta = 250 };
	struct calls_inbound in;
	struct calls_reap r;
	struct store_call call;
	struct store_conn *c;
	struct wl_error err;
	bool go;

	snprintf(gp.ref, sizeof(gp.ref), "grant:p");
	snprintf(gc.ref, sizeof(gc.ref), "grant:c");
	assert_int_equal(writer_run(f->writer, apply, &gp, &err), WL_OK);
	assert_int_equal(writer_run(f->writer, apply, &gc, &err), WL_OK);
	memset(&in, 0, sizeof(in));
	snprintf(in.org_id, sizeof(in.org_id), "%s", f->child);
	snprintf(in.from, sizeof(in.from), "anonymous");
	snprintf(in.to, sizeof(in.to), "+31201234567");
	assert_int_equal(writer_run(f->writer, calls_inbound_run, &in, &err), WL_OK);
	assert_int_equal(event(f, in.call.id, "in-progress", 30, &go), 30);

	memset(&r, 0, sizeof(r));
	memcpy(r.call_id, in.call.id, WL_ID_LEN);
	memcpy(r.org_id, f->child, WL_ID_LEN);
	memcpy(r.billed_org_id, f->parent, WL_ID_LEN);
	r.stale_before_ms = 1; /* its last event is newer: not stale */
	assert_int_equal(writer_run(f->writer, calls_reap_run, &r, &err), WL_OK);
	assert_false(r.settled);
	r.stale_before_ms = INT64_MAX;
	assert_int_equal(writer_run(f->writer, calls_reap_run, &r, &err), WL_OK);
	assert_true(r.settled);
	assert_int_equal(r.billed_seconds, 30);
	assert_int_equal(writer_run(f->writer, calls_reap_run, &r, &err), WL_OK);
	assert_false(r.settled);
	c = store_acquire(f->store, &err);
	assert_non_null(c);
	assert_int_equal(store_call_get(c, in.call.id, false, &call, &err), WL_OK);
	store_release(c);
	assert_string_equal(call.status, "ended");
	assert_string_equal(call.ended_reason, "stale");
	assert_int_equal(call.billed_seconds, 30);
	assert_int_equal(balance(f, f->child), 220);
	assert_int_equal(event(f, in.call.id, "ended", 90, &go), 30);
	audit_ok(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idempotent_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdraft_refused_without_trace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch_keeps_each_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_call_metering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbound_rejected_when_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debits_skip_alert_without_threshold, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_call_settled_once, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
