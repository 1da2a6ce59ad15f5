/*
 * dns.h — verification of an agency's custom domain: does the name the
 * agency typed have a CNAME to our target, and nothing else in its way?
 * And does the TXT record that proves the agency owns it hold its value?
 * Asks a real resolver (the system's, or WLPORTAL_DNS_SERVER) with
 * libresolv on a private resolver state, so calls from several threads do
 * not share anything. Owns no state; storing the verdict is the caller's job.
 */
#ifndef WL_SERVICES_DNS_H
#define WL_SERVICES_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum dns_verdict {
	DNS_VERIFIED,      /* CNAME to the target, no A/AAAA at the name */
	DNS_PENDING,       /* no records yet (NXDOMAIN or no data) */
	DNS_MISCONFIGURED, /* CNAME elsewhere, or A/AAAA records in the way */
};

/* "verified", "pending", "misconfigured". */
const char *dns_verdict_name(enum dns_verdict verdict);

/*
 * Looks up the CNAME, A and AAAA records of domain (a lowercase host name,
 * see wl_valid_hostname) and judges it against cname_target (compared
 * case-insensitively, a trailing dot ignored):
 *   - CNAME equal to the target and no A/AAAA at the name → DNS_VERIFIED;
 *   - CNAME to another name → DNS_MISCONFIGURED, reason names it;
 *   - A or AAAA records at the name → DNS_MISCONFIGURED, reason lists the
 *     addresses and says to remove them;
 *   - nothing → DNS_PENDING.
 * reason (a sentence for people) is always written when reason_sz > 0.
 * server is "" for the system resolver, or "IPv4[:port]" such as
 * "127.0.0.1:5353". Each query waits about 2 s per try, 2 tries; the check
 * stops at the first query that gets no usable answer.
 * Returns 0 (verdict set), WL_EINVALID (bad domain, target or server
 * text), or WL_EUNAVAILABLE (the resolver timed out, refused or failed).
 */
int dns_check_domain(const char *server, const char *domain, const char *cname_target,
		     enum dns_verdict *verdict, char *reason, size_t reason_sz,
		     struct wl_error *err);

/*
 * Looks up the TXT records at name (e.g. "_wlportal-challenge.example.com")
 * on the same kind of resolver: *found when one of them, its strings joined,
 * equals expected exactly; *others counts the TXT records there with any
 * other value. No records (NXDOMAIN, no data) is an answer: not found.
 * Returns 0, WL_EINVALID (bad name or server text) or WL_EUNAVAILABLE.
 */
int dns_find_txt(const char *server, const char *name, const char *expected, bool *found,
		 int *others, struct wl_error *err);

#endif
