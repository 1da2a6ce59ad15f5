/*
 * dns.c — custom-domain verification with libresolv (see dns.h).
 *
 * Each call builds its own struct __res_state with res_ninit, so nothing is
 * shared with the global _res or with other threads. To aim it at a
 * configured server we overwrite nsaddr_list[0] and set nscount to 1; glibc
 * notices the state no longer matches resolv.conf and uses the fields as
 * given. The original count is put back before res_nclose, which frees
 * per-server data for every slot that res_ninit filled.
 *
 * Only records owned by the domain itself count: an A query for a name
 * with a CNAME brings back the target's addresses too, and those are fine.
 *
 * The proof of ownership is a TXT record at a name of the domain: its
 * character-strings are joined (a long value may be split in several) and
 * compared with the expected value exactly.
 */
#include "services/dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/whitelabel.h"

#define DNS_TRY_SECONDS 2
#define DNS_TRIES 2
#define ANSWER_MAX 8192
#define ADDR_TEXT_MAX 512
#define TXT_VALUE_MAX 1024

/* What the queries found at the domain itself. */
struct findings {
	bool has_cname;
	char cname[NS_MAXDNAME];
	int naddrs;
	struct wl_buf addrs; /* "192.0.2.7, 2001:db8::7" */
	const char *txt_expected;
	bool txt_found; /* a TXT record equal to txt_expected */
	int txt_others; /* TXT records with another value */
};

const char *
dns_verdict_name(enum dns_verdict verdict)
{
	switch (verdict) {
	case DNS_VERIFIED: return "verified";
	case DNS_PENDING: return "pending";
	case DNS_MISCONFIGURED: return "misconfigured";
	}
	return "unknown";
}

/* Same DNS name, ignoring case and one trailing dot on either side. */
static bool
same_name(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* "IPv4[:port]" → sin. Returns false for anything else. */
static bool
parse_server(const char *server, struct sockaddr_in *sin)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strchr(server, ':');
	size_t hostlen = colon != NULL ? (size_t)(colon - server) : strlen(server);
	long port = NS_DEFAULTPORT;
	char *end;

	if (hostlen == 0 || hostlen >= sizeof(host))
		return false;
	memcpy(host, server, hostlen);
	host[hostlen] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return false;
	if (colon != NULL) {
		if (colon[1] < '0' || colon[1] > '9')
			return false;
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535)
			return false;
	}
	sin->sin_port = htons((uint16_t)port);
	return true;
}

static const char *
type_name(int type)
{
	switch (type) {
	case ns_t_cname: return "CNAME";
	case ns_t_a: return "A";
	case ns_t_aaaa: return "AAAA";
	case ns_t_txt: return "TXT";
	default: return "?";
	}
}

/* A TXT record's character-strings, joined, against the expected value. */
static int
take_txt(const ns_rr *rr, struct findings *found, struct wl_error *err)
{
	const unsigned char *p = ns_rr_rdata(*rr), *end = p + ns_rr_rdlen(*rr);
	char value[TXT_VALUE_MAX];
	size_t n = 0, len;

	while (p < end) {
		len = *p++;
		if (len > (size_t)(end - p))
			return wl_fail(err, WL_EUNAVAILABLE,
				       "DNS answer has a malformed TXT record");
		if (n + len >= sizeof(value)) {
			found->txt_others++; /* far longer than any value of ours */
			return WL_OK;
		}
		memcpy(value + n, p, len);
		n += len;
		p += len;
	}
	value[n] = '\0';
	if (found->txt_expected != NULL && strlen(found->txt_expected) == n &&
	    memcmp(value, found->txt_expected, n) == 0)
		found->txt_found = true;
	else
		found->txt_others++;
	return WL_OK;
}

/* Adds one answer record owned by domain to found. */
static int
take_record(const ns_msg *msg, const ns_rr *rr, struct findings *found, struct wl_error *err)
{
	char text[INET6_ADDRSTRLEN];

	switch (ns_rr_type(*rr)) {
	case ns_t_txt: return take_txt(rr, found, err);
	case ns_t_cname:
		if (found->has_cname)
			return WL_OK;
		if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), ns_rr_rdata(*rr),
				       found->cname, sizeof(found->cname)) < 0)
			return wl_fail(err, WL_EUNAVAILABLE, "DNS answer has a malformed CNAME");
		found->has_cname = true;
		return WL_OK;
	case ns_t_a:
	case ns_t_aaaa:
		if (ns_rr_rdlen(*rr) != (ns_rr_type(*rr) == ns_t_a ? 4 : 16))
			return wl_fail(err, WL_EUNAVAILABLE, "DNS answer has a malformed address");
		inet_ntop(ns_rr_type(*rr) == ns_t_a ? AF_INET : AF_INET6, ns_rr_rdata(*rr), text,
			  sizeof(text));
		if (found->naddrs > 0)
			wl_buf_puts(&found->addrs, ", ");
		wl_buf_puts(&found->addrs, text);
		found->naddrs++;
		return WL_OK;
	default: return WL_OK;
	}
}

/* One query. NXDOMAIN and "no data" are answers (nothing found); a
 * timeout, refusal or server failure is an error. */
static int
query(res_state st, const char *server_text, const char *domain, int type, struct findings *found,
      struct wl_error *err)
{
	unsigned char *answer;
	ns_msg msg;
	ns_rr rr;
	int len, i, count, rc = WL_OK;

	answer = malloc(ANSWER_MAX);
	if (answer == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	len = res_nquery(st, domain, ns_c_in, type, answer, ANSWER_MAX);
	if (len < 0) {
		if (st->res_h_errno != HOST_NOT_FOUND && st->res_h_errno != NO_DATA)
			rc = wl_fail(err, WL_EUNAVAILABLE,
				     "DNS server %s gave no usable answer for %s %s (%s)",
				     server_text, domain, type_name(type),
				     hstrerror(st->res_h_errno));
		goto out;
	}
	if (len > ANSWER_MAX || ns_initparse(answer, len, &msg) < 0) {
		rc = wl_fail(err, WL_EUNAVAILABLE, "DNS answer for %s %s is unreadable", domain,
			     type_name(type));
		goto out;
	}
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			rc = wl_fail(err, WL_EUNAVAILABLE, "DNS answer for %s %s is unreadable",
				     domain, type_name(type));
			goto out;
		}
		if (ns_rr_class(rr) != ns_c_in || !same_name(ns_rr_name(rr), domain))
			continue;
		rc = take_record(&msg, &rr, found, err);
		if (rc != WL_OK)
			goto out;
	}
out:
	free(answer);
	return rc;
}

/* Turns the findings into a verdict and a sentence. */
static enum dns_verdict
judge(const struct findings *found, const char *domain, const char *target, char *reason,
      size_t reason_sz)
{
	char dummy[1];

	if (reason == NULL || reason_sz == 0) {
		reason = dummy;
		reason_sz = sizeof(dummy);
	}
	if (found->has_cname && !same_name(found->cname, target)) {
		snprintf(reason, reason_sz, "%s has a CNAME to %s, but it must point to %s", domain,
			 found->cname, target);
		return DNS_MISCONFIGURED;
	}
	if (found->naddrs > 0) {
		snprintf(
			reason, reason_sz,
			"%s has conflicting A/AAAA records (%s); remove them and add a CNAME to %s",
			domain, found->addrs.p, target);
		return DNS_MISCONFIGURED;
	}
	if (found->has_cname) {
		snprintf(reason, reason_sz, "%s has a CNAME to %s", domain, target);
		return DNS_VERIFIED;
	}
	snprintf(reason, reason_sz, "no CNAME record yet; DNS changes can take up to 48 hours");
	return DNS_PENDING;
}

/* A private resolver state aimed at server ("" = the system's). */
struct resolver {
	struct __res_state st;
	int saved_nscount;
	const char *server_text;
};

static int
resolver_open(struct resolver *r, const char *server, struct wl_error *err)
{
	struct sockaddr_in sin;

	if (server == NULL)
		server = "";
	if (server[0] != '\0' && !parse_server(server, &sin))
		return wl_fail(err, WL_EINVALID,
			       "DNS server \"%s\" is not an IPv4 address with an optional :port",
			       server);
	r->server_text = server[0] != '\0' ? server : "(system resolver)";
	memset(&r->st, 0, sizeof(r->st));
	if (res_ninit(&r->st) != 0)
		return wl_fail(err, WL_EUNAVAILABLE, "cannot initialise the DNS resolver");
	r->st.retrans = DNS_TRY_SECONDS;
	r->st.retry = DNS_TRIES;
	r->st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES); /* exact name only */
	r->saved_nscount = r->st.nscount;
	if (server[0] != '\0') {
		r->st.nsaddr_list[0] = sin;
		r->st.nscount = 1;
	}
	return WL_OK;
}

static void
resolver_close(struct resolver *r)
{
	if (r->saved_nscount > r->st.nscount)
		r->st.nscount = r->saved_nscount;
	res_nclose(&r->st);
}

/* A DNS name as we may ask for it: letters, digits, '-', '_' and dots. */
static bool
askable_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= NS_MAXDNAME || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

int
dns_find_txt(const char *server, const char *name, const char *expected, bool *found, int *others,
	     struct wl_error *err)
{
	struct resolver r;
	struct findings f;
	int rc;

	if (found == NULL || others == NULL || expected == NULL)
		return wl_fail(err, WL_EINVALID, "no place for the answer");
	*found = false;
	*others = 0;
	if (!askable_name(name))
		return wl_fail(err, WL_EINVALID, "the TXT name is not a DNS name");
	if ((rc = resolver_open(&r, server, err)) != WL_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	wl_buf_init(&f.addrs, ADDR_TEXT_MAX);
	f.txt_expected = expected;
	rc = query(&r.st, r.server_text, name, ns_t_txt, &f, err);
	if (rc == WL_OK) {
		*found = f.txt_found;
		*others = f.txt_others;
	}
	wl_buf_free(&f.addrs);
	resolver_close(&r);
	return rc;
}

int
dns_check_domain(const char *server, const char *domain, const char *cname_target,
		 enum dns_verdict *verdict, char *reason, size_t reason_sz, struct wl_error *err)
{
	static const int types[] = { ns_t_cname, ns_t_a, ns_t_aaaa };
	struct resolver r;
	struct findings found;
	char target[NS_MAXDNAME];
	int rc = WL_OK;
	size_t i;

	if (reason != NULL && reason_sz > 0)
		reason[0] = '\0';
	if (verdict == NULL)
		return wl_fail(err, WL_EINVALID, "no place for the verdict");
	if (!wl_valid_hostname(domain))
		return wl_fail(err, WL_EINVALID, "domain is not a valid host name");
	if (cname_target == NULL || cname_target[0] == '\0' || cname_target[0] == '.' ||
	    strlen(cname_target) >= NS_MAXDNAME)
		return wl_fail(err, WL_EINVALID, "the CNAME target is missing or not a DNS name");
	/* the target as people write it, without the root dot */
	snprintf(target, sizeof(target), "%s", cname_target);
	if (target[strlen(target) - 1] == '.')
		target[strlen(target) - 1] = '\0';
	if ((rc = resolver_open(&r, server, err)) != WL_OK)
		return rc;

	memset(&found, 0, sizeof(found));
	wl_buf_init(&found.addrs, ADDR_TEXT_MAX);
	for (i = 0; i < sizeof(types) / sizeof(types[0]) && rc == WL_OK; i++)
		rc = query(&r.st, r.server_text, domain, types[i], &found, err);
	if (rc == WL_OK)
		*verdict = judge(&found, domain, target, reason, reason_sz);

	wl_buf_free(&found.addrs);
	resolver_close(&r);
	return rc;
}
