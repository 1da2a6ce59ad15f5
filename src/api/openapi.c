/*
 * openapi.c — GET /openapi.json: the API's OpenAPI 3.1 document
 * (openapi/openapi.json, compiled into the binary at build time by
 * scripts/embed.py, so it answers the same from the source tree and from an
 * installed binary). The rendered reference is the page /docs (web/docs.c).
 */
#include "api/api.h"

extern const char wl_openapi_json[];
extern const size_t wl_openapi_json_len;

void
api_openapi(struct wl_req *req)
{
	wl_buf_append(&req->out, wl_openapi_json, wl_openapi_json_len);
	http_reply_json(req, 200);
}
