/*
 * docs.c — GET /docs: the API reference, drawn in the browser by
 * swagger-ui from GET /openapi.json. Its bundle (swagger-ui-bundle.js,
 * swagger-ui.css) is copied from npm's swagger-ui-dist into web/static by
 * scripts/vendor.sh at build time; without it the page says so and links
 * the document itself.
 */
#include "web/web.h"

void
web_docs(struct wl_req *req)
{
	struct tpl_data *d = tpl_data_new();

	if (d != NULL)
		tpl_put_bool(d, "renderer",
			     web_static_has("swagger-ui-bundle.js") &&
				     web_static_has("swagger-ui.css"));
	web_render(req, 200, "docs", d);
}
