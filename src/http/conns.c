/*
 * conns.c — keeps slow clients from holding the server's connections.
 *
 * libmicrohttpd's connection timeout only closes a connection that is
 * silent; one byte every few seconds keeps a half-sent request alive for
 * ever. Here every connection is tracked from accept to close (its socket
 * context), and each request gets deadlines that no trickle extends:
 *
 *   IDLE  between requests (and on a fresh connection) until the first byte
 *         of the next request arrives: no deadline, only libmicrohttpd's
 *         idle timeout, so idle keep-alive connections are kept;
 *   HEAD  from that first byte: the whole head within header_timeout;
 *   BODY  from the end of the head: the body within header_timeout plus one
 *         second per WL_BODY_RATE bytes of its announced length;
 *   BUSY  the request is being handled or answered: no deadline.
 *
 * A reaper thread looks at every connection a few times a second: it moves
 * IDLE to HEAD when the kernel's TCP_INFO shows bytes received since the
 * connection went idle, and shuts down (shutdown(2), so libmicrohttpd sees
 * the end and closes it on its own thread) every socket past its deadline
 * whose bytes the server has all read. A deadline measures the client: while
 * bytes it sent wait unread in the socket, the server is the one behind (its
 * thread busy, or waiting on the database), and the connection is left to
 * the server, which reads and answers it when it gets there (a complete
 * request cut there was answered into a closed socket).
 *
 * And the reaper announces bytes that have waited unread for WAKE_AFTER_MS
 * again: libmicrohttpd 0.9.75 takes epoll's events 128 at a time, and after
 * a round of exactly 128 it waits for more with the full timeout (up to the
 * 30 s idle timeout) before it serves the 128 connections it was just told
 * about; with nothing else arriving, their requests sit unread (seen filling
 * 10,000 keep-alive connections: 128 requests answered after 30 s). Any new
 * event ends that wait. Setting a socket's SO_RCVLOWAT (to its default, 1)
 * makes Linux signal the bytes waiting in it once more, to the thread that
 * owns the connection; at most WAKE_MAX a scan, never a whole round's
 * worth (a thread that is merely busy just finds them when it is free).
 *
 * Threads: the phase and its time live in one atomic word per connection,
 * written by the connection's server thread and compare-and-swapped by the
 * reaper (IDLE → HEAD only). The list of connections is under one mutex,
 * taken at accept, at close and for each scan; libmicrohttpd announces the
 * close before it closes the socket, so a socket the reaper shuts down
 * under the mutex is never a reused descriptor.
 *
 * Also here: the descriptor budget (RLIMIT_NOFILE raised to its hard
 * limit) that decides how many connections the server can hold.
 */
#include "http/http_int.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define REAPER_TICK_MS 500
/* The body's allowance: one more second per this many bytes announced. */
#define WL_BODY_RATE (16 * 1024)
/* Descriptors kept for everything that is not a client connection
 * (database, workers, epoll, listen socket, files). */
#define FD_RESERVE 256
/* Bytes that arrived this close to the start of an idle period may be the
 * previous request's (the kernel's clock counts in jiffies). */
#define IDLE_SLACK_MS 50
/* Bytes unread this long are announced again (and again after as long),
 * for at most WAKE_MAX connections a scan (fewer than libmicrohttpd's 128). */
#define WAKE_AFTER_MS 1000
#define WAKE_MAX 64

enum phase { PH_IDLE = 0, PH_HEAD = 1, PH_BODY = 2, PH_BUSY = 3 };

struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	_Atomic uint64_t state; /* phase | ms << 2 (IDLE: since when; HEAD/BODY: deadline) */
	/* the reaper's own */
	uint64_t mark_since;   /* the idle period mark_bytes belongs to */
	uint64_t mark_bytes;   /* tcpi_bytes_received when that period was first seen */
	uint64_t unread_since; /* when bytes were first seen waiting unread; 0: none */
	bool reaped;
	/* the connection's thread's own: when it last went idle (each idle
	 * period gets a later ms than the one before, so the reaper never takes
	 * a new period for the one it saw), and the raw request line */
	uint64_t last_idle_ms;
	const char *raw_uri;
	size_t raw_uri_len;
	bool nul_in_url;
};

struct conn_reaper {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct conn_track list; /* sentinel of a circular list */
	pthread_t thread;
	bool running;
	bool stop;
	uint64_t header_timeout_ms;
	uint64_t last_scan_ms;
	unsigned long closed; /* sockets shut down past their deadline */
	unsigned long wakes;  /* unread bytes announced again */
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t
pack(enum phase ph, uint64_t ms)
{
	return (ms << 2) | (uint64_t)ph;
}

/* ---- transitions on the connection's thread --------------------------------- */

struct conn_track *
conns_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

void
conns_head_done(struct http_server *s, struct conn_track *t, uint64_t body_bytes)
{
	if (t == NULL)
		return;
	atomic_store(&t->state, pack(PH_BODY, mono_ms() + s->reaper->header_timeout_ms +
						      body_bytes / WL_BODY_RATE * 1000u));
}

void
conns_busy(struct conn_track *t)
{
	if (t != NULL)
		atomic_store(&t->state, pack(PH_BUSY, 0));
}

void
conns_idle(struct conn_track *t)
{
	uint64_t ms = mono_ms();

	if (t == NULL)
		return;
	if (ms <= t->last_idle_ms)
		ms = t->last_idle_ms + 1;
	t->last_idle_ms = ms;
	atomic_store(&t->state, pack(PH_IDLE, ms));
}

/* ---- raw request line: NUL bytes ------------------------------------------------ */

/* libmicrohttpd's URI log hook sees the request target before any
 * decoding; a raw NUL in it ends the C string early, which conns_url_ok
 * finds by where the version begins. */
void *
conns_uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn_track *t = conns_of(c);

	(void)cls;
	if (t != NULL) {
		t->raw_uri = uri;
		t->raw_uri_len = strlen(uri);
	}
	return NULL;
}

/* Decodes %XX in place like libmicrohttpd's own, but remembers a %00. */
size_t
conns_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	struct conn_track *t = conns_of(c);
	size_t n = MHD_http_unescape(s);

	(void)cls;
	if (t != NULL && memchr(s, '\0', n) != NULL)
		t->nul_in_url = true;
	return n;
}

bool
conns_url_ok(struct conn_track *t, const char *version)
{
	bool ok;

	if (t == NULL)
		return true;
	ok = !t->nul_in_url;
	/* The version follows the target and the one NUL that ended it. */
	if (t->raw_uri != NULL && version != NULL && version[0] != '\0' &&
	    (uintptr_t)version != (uintptr_t)(t->raw_uri + t->raw_uri_len + 1))
		ok = false;
	t->nul_in_url = false;
	t->raw_uri = NULL;
	return ok;
}

/* Header values: libmicrohttpd ends a value at a raw NUL and keeps the
 * rest of the line in its buffer, where nothing but the blanks and line
 * ends it overwrote should lie between one header and the next. */
struct head_scan {
	const char *end; /* the end of the head */
	const char *pos; /* the end of what was accounted for so far */
	bool in_order;
	bool clean;
};

static bool
only_blanks(const char *from, const char *to)
{
	for (; from < to; from++)
		if (*from != '\0' && *from != '\r' && *from != '\n' && *from != ' ' &&
		    *from != '\t')
			return false;
	return true;
}

static enum MHD_Result
scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
	    size_t value_size)
{
	struct head_scan *h = cls;

	(void)kind;
	/* Only a layout we know is checked (a folded line is stored apart). */
	if (!h->in_order || value == NULL || (uintptr_t)key < (uintptr_t)h->pos ||
	    (uintptr_t)value < (uintptr_t)(key + key_size) ||
	    (uintptr_t)(value + value_size) > (uintptr_t)h->end) {
		h->in_order = false;
		return MHD_YES;
	}
	if (!only_blanks(h->pos, key) || !only_blanks(key + key_size + 1, value))
		h->clean = false;
	h->pos = value + value_size;
	return MHD_YES;
}

bool
conns_headers_ok(struct MHD_Connection *c, const char *method, const char *version)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	struct head_scan h;

	if (info == NULL || version == NULL || (uintptr_t)version < (uintptr_t)method ||
	    (uintptr_t)version >= (uintptr_t)(method + info->header_size))
		return true;
	h.end = method + info->header_size;
	h.pos = version + strlen(version);
	h.in_order = true;
	h.clean = true;
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &h);
	if (h.in_order && !only_blanks(h.pos, h.end))
		h.clean = false;
	return h.clean;
}

/* ---- accept and close ---------------------------------------------------------- */

void
conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
	     enum MHD_ConnectionNotificationCode code)
{
	struct conn_reaper *r = ((struct http_server *)cls)->reaper;
	struct conn_track *t;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		t = calloc(1, sizeof(*t));
		*socket_context = t;
		if (t == NULL || info == NULL) {
			free(t);
			*socket_context = NULL;
			return; /* untracked: only libmicrohttpd's idle timeout applies */
		}
		t->fd = info->connect_fd;
		t->mark_since = mono_ms();
		t->mark_bytes = 0;
		t->last_idle_ms = t->mark_since;
		atomic_init(&t->state, pack(PH_IDLE, t->mark_since));
		pthread_mutex_lock(&r->lock);
		t->next = r->list.next;
		t->prev = &r->list;
		r->list.next->prev = t;
		r->list.next = t;
		pthread_mutex_unlock(&r->lock);
		return;
	}
	t = *socket_context;
	if (t == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	t->prev->next = t->next;
	t->next->prev = t->prev;
	pthread_mutex_unlock(&r->lock);
	free(t);
	*socket_context = NULL;
}

/* ---- the reaper ------------------------------------------------------------------ */

/* An idle connection whose next request has begun gets its head deadline. */
static void
watch_idle(struct conn_reaper *r, struct conn_track *t, uint64_t state, uint64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uint64_t since = state >> 2, start, last_recv;

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(t->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti.tcpi_bytes_received))
		return;
	if (t->mark_since != since) {
		/* First look at this idle period: bytes already here since it
		 * began mean the next request has started. */
		t->mark_since = since;
		t->mark_bytes = ti.tcpi_bytes_received;
		last_recv = now > ti.tcpi_last_data_recv ? now - ti.tcpi_last_data_recv : 0;
		if (last_recv <= since + IDLE_SLACK_MS)
			return;
		start = since;
	} else if (ti.tcpi_bytes_received > t->mark_bytes) {
		/* It arrived after the last scan. */
		start = r->last_scan_ms > since ? r->last_scan_ms : since;
	} else {
		return;
	}
	atomic_compare_exchange_strong(&t->state, &state,
				       pack(PH_HEAD, start + r->header_timeout_ms));
}

/* Whether bytes the client sent wait in the socket, unread by the server (a
 * socket we cannot ask counts as read); notes since when. */
static bool
waits_unread(struct conn_track *t, uint64_t now)
{
	int n = 0;

	if (ioctl(t->fd, FIONREAD, &n) != 0 || n <= 0) {
		t->unread_since = 0;
		return false;
	}
	if (t->unread_since == 0)
		t->unread_since = now;
	return true;
}

/* The bytes waiting in the socket signalled to its thread once more (see
 * the top); the low-water mark stays at its default. */
static void
announce_again(struct conn_reaper *r, struct conn_track *t, uint64_t now)
{
	int one = 1;

	if (setsockopt(t->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one)) == 0)
		r->wakes++;
	t->unread_since = now;
}

static void
scan(struct conn_reaper *r)
{
	struct conn_track *t;
	uint64_t now = mono_ms();
	unsigned announced = 0;

	pthread_mutex_lock(&r->lock);
	for (t = r->list.next; t != &r->list; t = t->next) {
		uint64_t state = atomic_load(&t->state);
		enum phase ph = (enum phase)(state & 3u);

		if (t->reaped || ph == PH_BUSY) {
			t->unread_since = 0;
			continue;
		}
		if (ph == PH_IDLE) {
			t->unread_since = 0;
			watch_idle(r, t, state, now);
			continue;
		}
		/* HEAD or BODY: nothing is cut while its bytes wait unread. */
		if (waits_unread(t, now)) {
			/* 128 at once would be a full round again. */
			if (announced < WAKE_MAX && now - t->unread_since >= WAKE_AFTER_MS) {
				announce_again(r, t, now);
				announced++;
			}
			continue;
		}
		if (now >= state >> 2) {
			shutdown(t->fd, SHUT_RDWR);
			t->reaped = true;
			r->closed++;
		}
	}
	r->last_scan_ms = now;
	pthread_mutex_unlock(&r->lock);
}

static void *
reaper_main(void *arg)
{
	struct conn_reaper *r = arg;
	struct timespec until;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		pthread_mutex_unlock(&r->lock);
		scan(r);
		pthread_mutex_lock(&r->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += REAPER_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (!r->stop)
			pthread_cond_timedwait(&r->wake, &r->lock, &until);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int
conns_start(struct http_server *s, unsigned header_timeout_s, struct wl_error *err)
{
	struct conn_reaper *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;

	if (r == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	r->list.next = r->list.prev = &r->list;
	r->header_timeout_ms = (uint64_t)header_timeout_s * 1000u;
	r->last_scan_ms = mono_ms();
	s->reaper = r;
	if (pthread_create(&r->thread, NULL, reaper_main, r) != 0) {
		conns_free(s);
		return wl_fail(err, WL_EINTERNAL, "cannot start the connection reaper");
	}
	pthread_setname_np(r->thread, "wl-conn-reaper"); /* top -H, perf */
	r->running = true;
	return WL_OK;
}

void
conns_stop(struct http_server *s)
{
	struct conn_reaper *r = s->reaper;

	if (r == NULL || !r->running)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	r->running = false;
	if (r->closed > 0)
		wl_log("%lu slow connections closed past their deadline", r->closed);
	if (r->wakes > 0)
		wl_log("%lu requests waiting unread announced again to the server's threads",
		       r->wakes);
}

/* After the daemon stopped: every connection has been announced closed. */
void
conns_free(struct http_server *s)
{
	struct conn_reaper *r = s->reaper;

	if (r == NULL)
		return;
	conns_stop(s);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
	s->reaper = NULL;
}

/* ---- descriptors ------------------------------------------------------------------- */

unsigned
conns_fd_budget(unsigned want, unsigned per_ip, unsigned header_timeout_s)
{
	struct rlimit rl;
	rlim_t before;
	unsigned can;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		wl_log("cannot read the open-files limit (%s); up to %u connections",
		       strerror(errno), want);
		return want;
	}
	before = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = before;
	}
	can = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)want + FD_RESERVE
		      ? want
		      : (rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE)
						      : (unsigned)(rl.rlim_cur / 2));
	wl_log("open files: limit %llu (was %llu, hard limit %llu); up to %u connections%s, "
	       "%u per address, request head within %u s",
	       (unsigned long long)rl.rlim_cur, (unsigned long long)before,
	       (unsigned long long)rl.rlim_max, can,
	       can < want ? " (fewer than WLPORTAL_MAX_CONNECTIONS: raise the hard limit)" : "",
	       per_ip < can ? per_ip : can, header_timeout_s);
	return can;
}
