/*
 * pages.c — what every HTML page shares: loading the templates and static
 * files at start (web_init), serving /static/ files, rendering a page or an
 * error page, and the common data of a dashboard page (the user, the org
 * acted on, the organization switcher, the navigation).
 *
 * The loaded set is module state, written once by web_init before the
 * server accepts requests and only read afterwards (documented in web.h).
 */
#include "web/web.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/validate.h"
#include "log.h"

/* the largest is the API reference's renderer (web/docs.c), ~1.7 MB */
#define STATIC_FILE_MAX (4 * 1024 * 1024)
#define STATIC_FILES_MAX 64

struct static_file {
	char name[64];
	const char *type;
	char *data;
	size_t len;
};

static struct {
	bool loaded;
	struct tpl_set *templates;
	struct static_file files[STATIC_FILES_MAX];
	int nfiles;
} web;

static const char *
content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* Only plain names are ever served: no '/', no leading '.', so no path can
 * leave the directory; and only files read at start exist at all. */
static bool
static_name_ok(const char *name)
{
	size_t i;

	if (name[0] == '\0' || name[0] == '.' || strlen(name) >= 64)
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static int
load_static(const char *dir, struct wl_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return wl_fail(err, WL_EINVALID, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		struct static_file *f;
		char path[4096];
		struct stat st;
		FILE *fp;

		if (!static_name_ok(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue; /* a path this long is not one of ours */
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_size > STATIC_FILE_MAX || web.nfiles >= STATIC_FILES_MAX) {
			closedir(d);
			return wl_fail(err, WL_EINVALID, "%s: too large, or too many static files",
				       path);
		}
		f = &web.files[web.nfiles];
		fp = fopen(path, "rb");
		f->data = malloc((size_t)st.st_size + 1);
		if (fp == NULL || f->data == NULL) {
			if (fp != NULL)
				fclose(fp);
			free(f->data);
			f->data = NULL;
			closedir(d);
			return wl_fail(err, WL_EINVALID, "cannot read %s", path);
		}
		f->len = fread(f->data, 1, (size_t)st.st_size, fp);
		fclose(fp);
		snprintf(f->name, sizeof(f->name), "%.63s", de->d_name);
		f->type = content_type(f->name);
		web.nfiles++;
	}
	closedir(d);
	return WL_OK;
}

int
web_init(const char *dir, struct wl_error *err)
{
	char path[4096];

	if (web.loaded)
		return WL_OK;
	web.templates = tpl_set_new();
	if (web.templates == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	snprintf(path, sizeof(path), "%s/templates", dir);
	if (tpl_set_load_dir(web.templates, path, err) != WL_OK ||
	    tpl_set_check(web.templates, err) != WL_OK) {
		web_free();
		return err->code;
	}
	snprintf(path, sizeof(path), "%s/static", dir);
	if (load_static(path, err) != WL_OK) {
		web_free();
		return err->code;
	}
	web.loaded = true;
	return WL_OK;
}

void
web_free(void)
{
	int i;

	tpl_set_free(web.templates);
	for (i = 0; i < web.nfiles; i++)
		free(web.files[i].data);
	memset(&web, 0, sizeof(web));
}

bool
web_static_has(const char *name)
{
	int i;

	for (i = 0; i < web.nfiles; i++)
		if (strcmp(web.files[i].name, name) == 0)
			return true;
	return false;
}

void
web_static(struct wl_req *req)
{
	int i;

	for (i = 0; i < web.nfiles && static_name_ok(req->params[0]); i++) {
		if (strcmp(web.files[i].name, req->params[0]) == 0) {
			wl_buf_append(&req->out, web.files[i].data, web.files[i].len);
			http_reply_static(req, web.files[i].type);
			return;
		}
	}
	web_error_page(req, 404, "Not found", "There is no such file.");
}

/* ---- rendering ---------------------------------------------------------- */

static void
plain_page(struct wl_req *req, int status, const char *message)
{
	wl_buf_reset(&req->out);
	wl_buf_puts(&req->out, "<!doctype html><meta charset=\"utf-8\"><title>wlportal</title><p>");
	tpl_escape(&req->out, message);
	wl_buf_puts(&req->out, "</p>\n");
	http_reply_html(req, status);
}

void
web_render(struct wl_req *req, int status, const char *name, struct tpl_data *d)
{
	struct wl_error err;

	wl_error_clear(&err);
	wl_buf_reset(&req->out);
	if (web.templates == NULL || !tpl_set_has(web.templates, name)) {
		tpl_data_free(d);
		plain_page(req, 503, "The web pages of this server are not installed.");
		return;
	}
	if (d == NULL) {
		plain_page(req, 500, "Out of memory. Please try again.");
		return;
	}
	if (tpl_render(web.templates, name, d, &req->out, &err) != WL_OK) {
		wl_log("rendering %s: %s", name, err.message);
		tpl_data_free(d);
		plain_page(req, 500, "Something went wrong on our side. Please try again.");
		return;
	}
	tpl_data_free(d);
	http_reply_html(req, status);
}

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "That request was not understood";
	case 401: return "Please log in";
	case 403: return "Not allowed";
	case 404: return "Page not found";
	case 405: return "Not allowed here";
	case 409: return "Conflict";
	case 413: return "Too large";
	case 422: return "Please check the form";
	case 429: return "Too many attempts";
	case 503: return "Busy — try again";
	default: return "Something went wrong";
	}
}

void
web_error_page(struct wl_req *req, int status, const char *title, const char *message)
{
	struct tpl_data *d;

	/* A portal's pages never show the platform's look. */
	if (req->portal != NULL || strncmp(req->path, "/p/", 3) == 0) {
		if (title == NULL && req->portal == NULL && status == 404)
			title = "Portal not found";
		web_portal_error_page(req, status, title != NULL ? title : status_title(status),
				      message);
		return;
	}
	d = tpl_data_new();

	tpl_put(d, "title", title != NULL ? title : status_title(status));
	tpl_put(d, "message", message);
	tpl_putf(d, "status", "%d", status);
	tpl_put_bool(d, "login_link", status == 401);
	web_render(req, status, "error", d);
}

/* ---- the common data of dashboard pages ------------------------------------- */

const char *
web_org_query(struct wl_req *req)
{
	char *q;

	if (strcmp(req->org.id, req->key_org_id) == 0)
		return "";
	q = http_alloc(req, 8 + WL_ID_LEN);
	if (q == NULL)
		return "";
	snprintf(q, 8 + WL_ID_LEN, "?org=%s", req->org.id);
	return q;
}

struct tpl_data *
web_page_data(struct wl_req *req, const char *title, const char *nav)
{
	struct accounts_chrome *chrome = http_alloc(req, sizeof(*chrome));

	if (chrome == NULL)
		return NULL;
	accounts_chrome_read(req->conn, req->user_id, req->key_org_id, &req->org, chrome);
	return web_page_data_with(req, chrome, title, nav);
}

struct tpl_data *
web_page_data_with(struct wl_req *req, const struct accounts_chrome *chrome, const char *title,
		   const char *nav)
{
	struct tpl_data *d = tpl_data_new(), *item;
	const struct store_org *session_org = &chrome->session_org;
	bool switched = strcmp(req->org.id, req->key_org_id) != 0;
	char navname[48];
	int i;

	if (d == NULL)
		return NULL;
	tpl_put(d, "title", title);
	tpl_put(d, "csrf", req->csrf);
	if (chrome->user_email[0] != '\0')
		tpl_put(d, "user_email", chrome->user_email);
	tpl_put(d, "agency_name", session_org->name);
	tpl_put(d, "agency_id", session_org->id);
	tpl_put(d, "org_name", req->org.name);
	tpl_put(d, "org_q", web_org_query(req));
	tpl_put(d, "org_id", switched ? req->org.id : "");
	tpl_put_bool(d, "switched", switched);
	tpl_put_bool(d, "parent_session", session_org->parent_id[0] == '\0');
	tpl_put_bool(d, "can_whitelabel", session_org->parent_id[0] == '\0');
	snprintf(navname, sizeof(navname), "nav_%s", nav);
	tpl_put_bool(d, navname, true);
	tpl_put_list(d, "switcher");
	for (i = 0; i < chrome->nchildren; i++) {
		item = tpl_push(d, "switcher");
		tpl_put(item, "id", chrome->children[i].id);
		tpl_put(item, "name", chrome->children[i].name);
		tpl_put_bool(item, "selected", strcmp(chrome->children[i].id, req->org.id) == 0);
	}
	return d;
}
