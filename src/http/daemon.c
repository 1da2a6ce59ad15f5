/*
 * daemon.c — the libmicrohttpd daemon's life: the listen address, start
 * with its limits (connections, per address, memory, the deadlines of
 * conns.c, escaped log lines), the port, the drain at shutdown and the stop.
 * What happens to a request is server.c's.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http_int.h"
#include "metrics.h"

/* libmicrohttpd's memory pool of each connection: it holds the request head
 * (line, headers, the parsed header list) and the response's head, and it is
 * all written over after every request (libmicrohttpd 0.9.75 zeroes the whole
 * pool when a keep-alive connection goes back to idle), so every idle
 * connection keeps all of it resident: 10,000 idle connections cost about
 * 10,000 x (this + ~0.6 KiB). 8 KiB holds any head we accept (a path of at
 * most 2 KiB, header values of at most 1 KiB: request.c) with room for the
 * response's headers; a longer head is refused by libmicrohttpd itself (414
 * or 431). Bodies do not live here: they stream through the handler. */
#define CONNECTION_POOL_BYTES (8 * 1024)

int
http_parse_listen(const char *listen, struct sockaddr_in *sa, struct wl_error *err)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long port;
	size_t hn;

	if (colon == NULL)
		return wl_fail(err, WL_EINVALID, "listen address must be HOST:PORT, got '%s'",
			       listen);
	hn = (size_t)(colon - listen);
	if (hn == 0 || hn >= sizeof(host))
		return wl_fail(err, WL_EINVALID, "listen address must be HOST:PORT, got '%s'",
			       listen);
	memcpy(host, listen, hn);
	host[hn] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		return wl_fail(err, WL_EINVALID, "bad port in listen address '%s'", listen);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return wl_fail(err, WL_EINVALID, "listen host must be an IPv4 address, got '%s'",
			       host);
	return WL_OK;
}

/* libmicrohttpd's own messages, as escaped log lines. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	wl_log("http: %s", msg);
}

/* /metrics counts requests by the route table's rows (once per process). */
static void
count_routes(void)
{
	static const char **methods, **patterns;
	size_t i;

	if (patterns != NULL)
		return;
	methods = calloc(wl_nroutes, sizeof(*methods));
	patterns = calloc(wl_nroutes, sizeof(*patterns));
	if (methods == NULL || patterns == NULL) {
		free(methods);
		free(patterns);
		methods = patterns = NULL;
		return;
	}
	for (i = 0; i < wl_nroutes; i++) {
		methods[i] = http_method_name(wl_routes[i].method);
		patterns[i] = wl_routes[i].pattern;
	}
	metrics_routes(wl_nroutes, methods, patterns);
}

static void
server_free(struct http_server *s)
{
	conns_free(s);
	keybatch_stop(s->keys);
	ratelimit_free(s->per_key);
	ratelimit_free(s->per_addr);
	free(s);
}

struct http_server *
http_start(struct wl_app *app, const char *listen, int threads, http_error_page_fn error_page,
	   struct wl_error *err)
{
	struct http_server *s;
	struct sockaddr_in sa;
	unsigned max_conns;

	if (http_parse_listen(listen, &sa, err) != WL_OK)
		return NULL;
	count_routes();
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->app = app;
	s->offload = store_kind(app->store) != STORE_SQLITE;
	s->error_page = error_page;
	/* bounded tables: 16,384 keys and 65,536 addresses at most */
	s->per_key = ratelimit_new(&app->api_rate, 16384);
	s->per_addr = ratelimit_new(&app->api_addr_rate, 65536);
	if (s->offload)
		s->keys = keybatch_start(app);
	if ((app->api_rate.per_s > 0 && s->per_key == NULL) ||
	    (app->api_addr_rate.per_s > 0 && s->per_addr == NULL) ||
	    (s->offload && s->keys == NULL)) {
		server_free(s);
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	if (conns_start(s, app->header_timeout_s, err) != WL_OK) {
		server_free(s);
		return NULL;
	}
	if (threads < 1)
		threads = 1;
	max_conns = conns_fd_budget(app->max_connections, app->max_per_ip, app->header_timeout_s);
	s->daemon = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
			MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, http_on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
		s, /* first: it sees every message */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)threads,
		/* Silence between requests; a request's own deadlines are conns.c's. */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT,
		max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		app->max_per_ip < max_conns ? app->max_per_ip : max_conns,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_POOL_BYTES,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_NOTIFY_COMPLETED,
		http_on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, conns_notify, s,
		MHD_OPTION_URI_LOG_CALLBACK, conns_uri_seen, s, MHD_OPTION_UNESCAPE_CALLBACK,
		conns_unescape, s, MHD_OPTION_END);
	if (s->daemon == NULL) {
		server_free(s);
		wl_fail(err, WL_EINTERNAL, "cannot listen on %s (in use, or not allowed)", listen);
		return NULL;
	}
	return s;
}

uint16_t
http_port(struct http_server *s)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info != NULL ? info->port : 0;
}

void
http_quiesce(struct http_server *s)
{
	MHD_socket fd;
	int waited_ms;

	if (s == NULL)
		return;
	atomic_store(&s->stopping, true);
	fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* Let suspended requests finish: their writes are committing. */
	for (waited_ms = 0; atomic_load(&s->in_flight) > 0 && waited_ms < 60000; waited_ms += 10)
		usleep(10 * 1000);
	if (atomic_load(&s->in_flight) > 0)
		wl_log("%d requests still waiting after 60 s", atomic_load(&s->in_flight));
}

bool
http_stop(struct http_server *s)
{
	if (s == NULL)
		return true;
	/* libmicrohttpd must not be stopped with suspended connections; a
	 * request still waiting after the drain keeps the daemon (and the
	 * process exits around it) rather than crash. */
	if (atomic_load(&s->in_flight) > 0)
		return false;
	conns_stop(s);
	MHD_stop_daemon(s->daemon);
	server_free(s);
	return true;
}
