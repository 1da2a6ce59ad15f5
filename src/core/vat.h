/*
 * vat.h — EU VAT as wlportal's invoices need it, pure (no I/O, libc only):
 * country codes (ISO 3166-1 alpha-2) and EU membership, the format of each
 * member state's VAT identification number (its prefix, EL for Greece, and
 * its pattern), the table of standard rates with the dates they took
 * effect (parsed from reference/eu-vat-standard-rates.csv, which the build
 * embeds as text: the rates stay data, never constants here), and the rule
 * that decides the rate of one sale:
 *
 *   seller outside the EU                         → 0 %, no EU VAT
 *   buyer in the seller's country                 → seller's rate (VAT ID or not)
 *   buyer outside the EU                          → 0 %, export of services
 *   buyer in another member state, VAT ID valid   → 0 %, reverse charge
 *     (valid: confirmed by VIES, or format-valid when VIES was not asked)
 *   buyer in another member state, no valid ID    → the buyer's country's rate
 *
 * Rates are basis points (2100 = 21 %, 2550 = 25.5 %); money is integer cents.
 */
#ifndef WL_CORE_VAT_H
#define WL_CORE_VAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define VAT_ID_MAX 20     /* normalized VAT ID with its prefix: "NL123456789B01" */
#define VAT_RATES_MAX 128 /* rows of the rates table */

/* What is known of a buyer's VAT ID. */
enum vat_id_status {
	VAT_ID_NONE = 0,   /* none given */
	VAT_ID_FORMAT,     /* the format is right; VIES not asked (or not reached) */
	VAT_ID_VIES_VALID, /* VIES confirmed it */
	VAT_ID_INVALID,    /* VIES said it is not valid */
};

enum vat_rule {
	VAT_RULE_DOMESTIC = 0,
	VAT_RULE_REVERSE_CHARGE,
	VAT_RULE_DESTINATION,
	VAT_RULE_EXPORT,
	VAT_RULE_NON_EU_SELLER,
};

struct vat_rate_row {
	char country[3];   /* ISO code: GR for Greece */
	int rate_bp;       /* basis points */
	int64_t from_days; /* days since 1970-01-01 it took effect; INT64_MIN = always */
};

struct vat_table {
	int n;
	struct vat_rate_row rows[VAT_RATES_MAX];
};

struct vat_decision {
	int rate_bp;
	enum vat_rule rule;
	const char *
		rule_name; /* "domestic", "reverse_charge", "destination", "export", "non_eu_seller" */
	const char *wording;  /* the sentence printed on the invoice */
	char rate_country[3]; /* whose rate applies, "" at 0 % */
};

/* An officially assigned ISO 3166-1 alpha-2 code (upper case). */
bool vat_country_ok(const char *country);
/* The i-th code of that list (alphabetical, from 0) into out; false past
 * the last. */
bool vat_country_nth(size_t i, char out[3]);
/* One of the 27 member states (GR for Greece). */
bool vat_eu_member(const char *country);
/* The VAT ID prefix of a member state: "EL" for GR, else the code; NULL
 * outside the EU. */
const char *vat_prefix(const char *country);

/* Normalizes vat_id for country (upper case, spaces, dots and dashes
 * removed, the country's prefix added when missing) into out, and checks
 * its pattern. WL_OK, or WL_EINVALID with a message naming the format
 * expected ("NL VAT IDs are NL + 9 digits + B + 2 digits"). A country
 * outside the EU takes any 2..20 letters and digits (no format known). */
int vat_id_normalize(const char *country, const char *vat_id, char out[VAT_ID_MAX + 1],
		     struct wl_error *err);

/* Parses the rates CSV (header "country,standard_rate_percent,effective_from";
 * a rate with at most 2 decimals; a blank date = in force for years) into t.
 * WL_EINVALID with the line number on anything malformed. */
int vat_table_parse(const char *csv, struct vat_table *t, struct wl_error *err);
/* The standard rate of country in force on day (days since 1970-01-01):
 * the row with the latest effective date not after day. -1 when none. */
int vat_rate_on(const struct vat_table *t, const char *country, int64_t day);

/* Decides the rate and rule of one sale on day (see the top of this file).
 * WL_EINVALID when a country is not an ISO code, WL_ENOTFOUND when the
 * rate needed is not in the table. */
int vat_decide(const struct vat_table *t, const char *seller_country, const char *buyer_country,
	       enum vat_id_status status, int64_t day, struct vat_decision *out,
	       struct wl_error *err);

/* The invoice wording of a rule by its name ("reverse_charge", …); "" for
 * an unknown name. */
const char *vat_rule_wording(const char *rule_name);

/* VAT on a net amount, rounded half-up to the cent. */
int64_t vat_of_net(int64_t net_cents, int rate_bp);
/* "21", "25.5", "0": a rate for people. out 16 bytes. */
void vat_format_rate(int rate_bp, char out[16]);

const char *vat_id_status_name(enum vat_id_status s); /* none, format, valid, invalid */
/* The status of a name above; VAT_ID_NONE for anything else. */
enum vat_id_status vat_id_status_of(const char *name);

#endif
