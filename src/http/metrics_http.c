/*
 * metrics_http.c — the listener of GET /metrics (Prometheus text format),
 * apart from the public server: WLPORTAL_METRICS_LISTEN, loopback by
 * default, so the figures are never served to the internet by accident.
 * One libmicrohttpd thread of its own; a scrape renders src/metrics.c's
 * counters and the gauges of services/ops.c. Nothing else is served there.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "metrics.h"
#include "services/ops.h"

struct metrics_server {
	struct wl_app *app;
	struct MHD_Daemon *daemon;
};

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct metrics_server *s = cls;
	struct metrics_gauges g;
	struct wl_buf out;
	size_t len;
	char *body;

	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = s; /* the head: answer once the (empty) body is read */
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0 ||
	    (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
		body = strdup("Not found: only GET /metrics is served here\n");
		return body != NULL
			       ? answer(conn, 404, "text/plain; charset=utf-8", body, strlen(body))
			       : MHD_NO;
	}
	wl_buf_init(&out, WL_RESPONSE_MAX);
	ops_gauges(s->app, &g);
	metrics_render(&out, &g);
	if (!wl_buf_ok(&out)) {
		wl_buf_free(&out);
		return MHD_NO;
	}
	body = wl_buf_steal(&out, &len);
	return body != NULL
		       ? answer(conn, 200, "text/plain; version=0.0.4; charset=utf-8", body, len)
		       : MHD_NO;
}

struct metrics_server *
metrics_http_start(struct wl_app *app, const char *listen, struct wl_error *err)
{
	struct metrics_server *s;
	struct sockaddr_in sa;

	if (http_parse_listen(listen, &sa, err) != WL_OK)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->app = app;
	s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
				     on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64, MHD_OPTION_END);
	if (s->daemon == NULL) {
		free(s);
		wl_fail(err, WL_EINVALID,
			"cannot listen on %s for /metrics (in use, or not allowed)", listen);
		return NULL;
	}
	return s;
}

uint16_t
metrics_http_port(struct metrics_server *s)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info != NULL ? info->port : 0;
}

void
metrics_http_stop(struct metrics_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
