/*
 * access_log.c — the access log (see log.h): one JSON line per answered
 * request, written to stderr by a thread of its own. A request thread only
 * formats its line and copies it into a bounded queue; a stderr that
 * nobody reads (a full pipe) then stalls only that thread, and lines that
 * no longer fit are dropped and counted (wlportal_access_log_dropped_total
 * in /metrics) rather than holding up a request. The writer is woken only
 * when it sleeps on an empty queue, and after a write that was not a full
 * chunk it waits a millisecond for more lines: under load a request costs
 * a copy, not a wake-up of another thread (a futex call and a switch each).
 */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

#define QUEUE_BYTES (512 * 1024)

static struct {
	pthread_once_t once;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	bool waiting; /* the writer sleeps on cv: the next line wakes it */
	char data[QUEUE_BYTES];
	size_t head, len; /* a ring: len bytes from head */
	atomic_uint_fast64_t dropped;
} q = { .once = PTHREAD_ONCE_INIT,
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER };

#define CHUNK_BYTES 16384
_Static_assert(WL_LOG_LINE_MAX < CHUNK_BYTES, "a chunk holds at least one whole line");

static void *
writer_main(void *arg)
{
	char chunk[CHUNK_BYTES];

	(void)arg;
	for (;;) {
		size_t n, first;

		pthread_mutex_lock(&q.mu);
		while (q.len == 0) {
			q.waiting = true;
			pthread_cond_wait(&q.cv, &q.mu);
		}
		q.waiting = false;
		n = q.len < sizeof(chunk) ? q.len : sizeof(chunk);
		first = QUEUE_BYTES - q.head < n ? QUEUE_BYTES - q.head : n;
		memcpy(chunk, q.data + q.head, first);
		memcpy(chunk + first, q.data, n - first);
		/* Whole lines only (a line is shorter than a chunk), so that
		 * wl_log's lines of other threads never land inside one. */
		while (n > 0 && chunk[n - 1] != '\n')
			n--;
		q.head = (q.head + n) % QUEUE_BYTES;
		q.len -= n;
		pthread_mutex_unlock(&q.mu);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(STDERR_FILENO, chunk + off, n - off);

			if (w <= 0)
				break; /* stderr is gone: these lines are lost */
			off += (size_t)w;
		}
		if (n < sizeof(chunk) / 2) {
			/* Not much came: let lines gather rather than write each alone. */
			struct timespec pause = { 0, 1000000 };

			nanosleep(&pause, NULL);
		}
	}
	return NULL;
}

static void
start_writer(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, writer_main, NULL) == 0) {
		pthread_setname_np(t, "wl-access-log"); /* top -H, perf */
		pthread_detach(t);
		q.started = true;
	}
}

static void
enqueue(const char *line, size_t n)
{
	pthread_once(&q.once, start_writer);
	if (!q.started) {
		if (write(STDERR_FILENO, line, n) < 0)
			atomic_fetch_add(&q.dropped, 1);
		return;
	}
	pthread_mutex_lock(&q.mu);
	if (QUEUE_BYTES - q.len < n) {
		pthread_mutex_unlock(&q.mu);
		atomic_fetch_add_explicit(&q.dropped, 1, memory_order_relaxed);
		return;
	}
	{
		size_t at = (q.head + q.len) % QUEUE_BYTES;
		size_t first = QUEUE_BYTES - at < n ? QUEUE_BYTES - at : n;

		memcpy(q.data + at, line, first);
		memcpy(q.data, line + first, n - first);
	}
	q.len += n;
	if (q.waiting)
		pthread_cond_signal(&q.cv);
	pthread_mutex_unlock(&q.mu);
}

uint64_t
wl_log_access_dropped(void)
{
	return atomic_load_explicit(&q.dropped, memory_order_relaxed);
}

void
wl_log_access_flush(int max_ms)
{
	for (int waited = 0; waited < max_ms; waited += 5) {
		size_t left;

		pthread_mutex_lock(&q.mu);
		left = q.len;
		pthread_mutex_unlock(&q.mu);
		if (left == 0)
			return;
		usleep(5000);
	}
}

/* "2024-05-01T12:34:56.789Z" into t (at least 25 bytes): the part up to
 * the seconds is formatted once a second per thread. */
static void
format_time(char *t)
{
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[24];
	struct timespec ts;
	long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		struct tm tm;

		gmtime_r(&ts.tv_sec, &tm);
		if (strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			cached[0] = '\0';
		cached_sec = ts.tv_sec;
	}
	ms = ts.tv_nsec / 1000000L;
	strcpy(t, cached);
	t += strlen(t);
	t[0] = '.';
	t[1] = (char)('0' + ms / 100);
	t[2] = (char)('0' + ms / 10 % 10);
	t[3] = (char)('0' + ms % 10);
	t[4] = 'Z';
	t[5] = '\0';
}

/* µs as milliseconds with three decimals ("12.345"), no printf. */
static void
format_ms(uint64_t us, char out[32])
{
	char d[32];
	size_t at = sizeof(d);
	uint64_t whole = us / 1000;

	d[--at] = '\0';
	for (int i = 0; i < 3; i++, us /= 10)
		d[--at] = (char)('0' + us % 10);
	d[--at] = '.';
	do {
		d[--at] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole != 0);
	memcpy(out, d + at, sizeof(d) - at);
}

/* A line being formatted: at most WL_LOG_LINE_MAX bytes, like the
 * bounded buffer the JSON writer would use; past that the line is dropped. */
struct line {
	char text[WL_LOG_LINE_MAX];
	size_t len;
	bool overflow;
};

static void
put(struct line *l, const char *s, size_t n)
{
	if (l->overflow || n > sizeof(l->text) - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
}

#define PUT_LIT(l, lit) put((l), (lit), sizeof(lit) - 1)

/* s as a JSON string (null when NULL): the same bytes as wl_json_str. */
static void
put_str(struct line *l, const char *s)
{
	size_t n;

	if (s == NULL) {
		PUT_LIT(l, "null");
		return;
	}
	n = strlen(s);
	if (wl_json_plain_prefix(s, n) == n) {
		/* nothing to escape: one copy */
		PUT_LIT(l, "\"");
		put(l, s, n);
		PUT_LIT(l, "\"");
		return;
	}
	{
		struct wl_buf b;

		wl_buf_init(&b, WL_LOG_LINE_MAX);
		wl_json_str(&b, s);
		if (wl_buf_ok(&b))
			put(l, b.p, b.len);
		else
			l->overflow = true;
		wl_buf_free(&b);
	}
}

static void
put_int(struct line *l, int64_t v)
{
	char digits[24];

	put(l, digits, wl_format_int(v, digits));
}

/* {"time","request_id","method","route","status","duration_ms","org_id",
 * "bytes"}: every string escaped as the JSON writer does (control
 * characters too); nothing of the request's headers, query or body is
 * written. Formatted on the stack, without the writer's bookkeeping. */
void
wl_log_access(const struct wl_access *a)
{
	struct line l;
	char t[40], ms[32];

	format_time(t);
	format_ms(a->duration_us, ms);
	l.len = 0;
	l.overflow = false;
	PUT_LIT(&l, "{\"time\":\"");
	put(&l, t, strlen(t)); /* digits and -:.TZ only */
	PUT_LIT(&l, "\"");
	PUT_LIT(&l, ",\"request_id\":");
	put_str(&l, a->request_id);
	PUT_LIT(&l, ",\"method\":");
	put_str(&l, a->method);
	PUT_LIT(&l, ",\"route\":");
	put_str(&l, a->route);
	PUT_LIT(&l, ",\"status\":");
	put_int(&l, a->status);
	PUT_LIT(&l, ",\"duration_ms\":");
	put(&l, ms, strlen(ms));
	PUT_LIT(&l, ",\"org_id\":");
	put_str(&l, a->org_id);
	PUT_LIT(&l, ",\"bytes\":");
	put_int(&l, (int64_t)a->bytes);
	PUT_LIT(&l, "}\n");
	if (!l.overflow)
		enqueue(l.text, l.len);
}
