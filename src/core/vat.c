/*
 * vat.c — country codes, VAT ID formats of the 27 member states, the rates
 * table read from its CSV, and the VAT rule of one sale (see vat.h).
 */
#include "core/vat.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"

/* Every officially assigned ISO 3166-1 alpha-2 code, two letters each. */
static const char iso_codes[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFO"
	"FRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJE"
	"JMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMO"
	"MPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPW"
	"PYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTM"
	"TNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/* The member states with their VAT ID patterns after the prefix:
 * d digit, a letter, x letter or digit, f letter other than I and O or a
 * digit (France's key), w letter A-W, h letter A-I, i letter or + or *
 * (Ireland's older form); anything else stands for itself. */
struct vat_format {
	const char *country;
	const char *prefix;
	const char *patterns[4];
	const char *words; /* the format for people */
};

static const struct vat_format formats[] = {
	{ "AT", "AT", { "Udddddddd" }, "ATU + 8 digits" },
	{ "BE", "BE", { "0ddddddddd", "1ddddddddd" }, "BE + 10 digits starting with 0 or 1" },
	{ "BG", "BG", { "ddddddddd", "dddddddddd" }, "BG + 9 or 10 digits" },
	{ "CY", "CY", { "dddddddda" }, "CY + 8 digits + 1 letter" },
	{ "CZ", "CZ", { "dddddddd", "ddddddddd", "dddddddddd" }, "CZ + 8, 9 or 10 digits" },
	{ "DE", "DE", { "ddddddddd" }, "DE + 9 digits" },
	{ "DK", "DK", { "dddddddd" }, "DK + 8 digits" },
	{ "EE", "EE", { "ddddddddd" }, "EE + 9 digits" },
	{ "GR", "EL", { "ddddddddd" }, "EL + 9 digits" },
	{ "ES", "ES", { "xdddddddx" }, "ES + 9 characters (letters or digits first and last)" },
	{ "FI", "FI", { "dddddddd" }, "FI + 8 digits" },
	{ "FR", "FR", { "ffddddddddd" }, "FR + 2 characters + 9 digits" },
	{ "HR", "HR", { "ddddddddddd" }, "HR + 11 digits" },
	{ "HU", "HU", { "dddddddd" }, "HU + 8 digits" },
	{ "IE",
	  "IE",
	  { "dddddddw", "dddddddwh", "didddddw" },
	  "IE + 7 digits + 1 or 2 letters (or the older 8-character form)" },
	{ "IT", "IT", { "ddddddddddd" }, "IT + 11 digits" },
	{ "LT", "LT", { "ddddddddd", "dddddddddddd" }, "LT + 9 or 12 digits" },
	{ "LU", "LU", { "dddddddd" }, "LU + 8 digits" },
	{ "LV", "LV", { "ddddddddddd" }, "LV + 11 digits" },
	{ "MT", "MT", { "dddddddd" }, "MT + 8 digits" },
	{ "NL", "NL", { "dddddddddBdd" }, "NL + 9 digits + B + 2 digits" },
	{ "PL", "PL", { "dddddddddd" }, "PL + 10 digits" },
	{ "PT", "PT", { "ddddddddd" }, "PT + 9 digits" },
	{ "RO", "RO", { NULL }, "RO + 2 to 10 digits" }, /* body_fits checks it */
	{ "SE", "SE", { "dddddddddd01" }, "SE + 12 digits ending in 01" },
	{ "SI", "SI", { "dddddddd" }, "SI + 8 digits" },
	{ "SK", "SK", { "dddddddddd" }, "SK + 10 digits" },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static bool
upper2(const char *c)
{
	return c != NULL && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' &&
	       c[2] == '\0';
}

bool
vat_country_ok(const char *country)
{
	size_t i;

	if (!upper2(country))
		return false;
	for (i = 0; i + 1 < sizeof(iso_codes); i += 2)
		if (iso_codes[i] == country[0] && iso_codes[i + 1] == country[1])
			return true;
	return false;
}

bool
vat_country_nth(size_t i, char out[3])
{
	if (2 * i + 1 >= sizeof(iso_codes) - 1)
		return false;
	out[0] = iso_codes[2 * i];
	out[1] = iso_codes[2 * i + 1];
	out[2] = '\0';
	return true;
}

static const struct vat_format *
format_of(const char *country)
{
	size_t i;

	if (!upper2(country))
		return NULL;
	for (i = 0; i < NFORMATS; i++)
		if (strcmp(formats[i].country, country) == 0)
			return &formats[i];
	return NULL;
}

bool
vat_eu_member(const char *country)
{
	return format_of(country) != NULL;
}

const char *
vat_prefix(const char *country)
{
	const struct vat_format *f = format_of(country);

	return f != NULL ? f->prefix : NULL;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_letter(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
char_fits(char p, char c)
{
	switch (p) {
	case 'd': return is_digit(c);
	case 'a': return is_letter(c);
	case 'x': return is_digit(c) || is_letter(c);
	case 'f': return is_digit(c) || (is_letter(c) && c != 'I' && c != 'O');
	case 'w': return c >= 'A' && c <= 'W';
	case 'h': return c >= 'A' && c <= 'I';
	case 'i': return is_letter(c) || c == '+' || c == '*';
	default: return p == c;
	}
}

static bool
pattern_fits(const char *pattern, const char *body)
{
	size_t i;

	if (strlen(pattern) != strlen(body))
		return false;
	for (i = 0; pattern[i] != '\0'; i++)
		if (!char_fits(pattern[i], body[i]))
			return false;
	return true;
}

static bool
body_fits(const struct vat_format *f, const char *body)
{
	size_t i, n = strlen(body);

	if (strcmp(f->country, "RO") == 0) { /* 2 to 10 digits, no leading zero */
		if (n < 2 || n > 10 || body[0] == '0')
			return false;
		for (i = 0; i < n; i++)
			if (!is_digit(body[i]))
				return false;
		return true;
	}
	if (strcmp(f->country, "ES") == 0 && is_digit(body[0]) && n == 9 && is_digit(body[8]))
		return false; /* Spain: a letter first or last */
	for (i = 0; i < 4 && f->patterns[i] != NULL; i++)
		if (pattern_fits(f->patterns[i], body))
			return true;
	return false;
}

/* Upper case without spaces, dots and dashes; false when too long or
 * holding anything but letters, digits and Ireland's + and *. */
static bool
squeeze(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (; *in != '\0'; in++) {
		char c = *in;

		if (c == ' ' || c == '.' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!is_digit(c) && !is_letter(c) && c != '+' && c != '*')
			return false;
		if (j + 1 >= n)
			return false;
		out[j++] = c;
	}
	out[j] = '\0';
	return true;
}

int
vat_id_normalize(const char *country, const char *vat_id, char out[VAT_ID_MAX + 1],
		 struct wl_error *err)
{
	const struct vat_format *f = format_of(country);
	char s[64];
	const char *body;

	out[0] = '\0';
	if (vat_id == NULL || !squeeze(vat_id, s, sizeof(s)) || s[0] == '\0')
		return wl_fail(err, WL_EINVALID, "a VAT ID is letters and digits");
	if (f == NULL) { /* outside the EU: no format to check */
		if (strlen(s) < 2 || strlen(s) > VAT_ID_MAX)
			return wl_fail(err, WL_EINVALID, "a VAT ID has 2 to %d characters",
				       VAT_ID_MAX);
		memcpy(out, s, strlen(s) + 1);
		return WL_OK;
	}
	body = s;
	if (strncmp(s, f->prefix, 2) == 0)
		body = s + 2;
	else if (is_letter(s[0]) && is_letter(s[1]) && strcmp(f->country, "FR") != 0)
		return wl_fail(err, WL_EINVALID, "%s VAT IDs start with %s, not %.2s", country,
			       f->prefix, s);
	if (strlen(body) + 2 > VAT_ID_MAX || !body_fits(f, body))
		return wl_fail(err, WL_EINVALID, "%s VAT IDs are %s", country, f->words);
	memcpy(out, f->prefix, 2);
	memcpy(out + 2, body, strlen(body) + 1);
	return WL_OK;
}

/* ---- the rates table ------------------------------------------------------ */

/* "21", "25.5", "7.25" → basis points; -1 when malformed or over 100 %. */
static int
parse_rate(const char *s, size_t n)
{
	int whole = 0, frac = 0, fdigits = 0;
	size_t i = 0;

	if (n == 0)
		return -1;
	for (; i < n && is_digit(s[i]); i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > 100)
			return -1;
	}
	if (i == 0)
		return -1;
	if (i < n) {
		if (s[i] != '.' || i + 1 == n)
			return -1;
		for (i++; i < n; i++) {
			if (!is_digit(s[i]) || ++fdigits > 2)
				return -1;
			frac = frac * 10 + (s[i] - '0');
		}
		if (fdigits == 1)
			frac *= 10;
	}
	return whole * 100 + frac > 10000 ? -1 : whole * 100 + frac;
}

static int
parse_row(const char *line, size_t n, struct vat_rate_row *row)
{
	const char *c1 = memchr(line, ',', n), *c2;
	char date[16];
	size_t dn;

	if (c1 == NULL || c1 - line != 2)
		return -1;
	c2 = memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - line));
	if (c2 == NULL)
		return -1;
	memcpy(row->country, line, 2);
	row->country[2] = '\0';
	if (!vat_eu_member(row->country))
		return -1;
	row->rate_bp = parse_rate(c1 + 1, (size_t)(c2 - c1 - 1));
	if (row->rate_bp < 0)
		return -1;
	dn = n - (size_t)(c2 + 1 - line);
	if (dn == 0) {
		row->from_days = INT64_MIN;
		return 0;
	}
	if (dn >= sizeof(date))
		return -1;
	memcpy(date, c2 + 1, dn);
	date[dn] = '\0';
	return wl_parse_date(date, &row->from_days) == 0 ? 0 : -1;
}

int
vat_table_parse(const char *csv, struct vat_table *t, struct wl_error *err)
{
	static const char header[] = "country,standard_rate_percent,effective_from";
	const char *p = csv;
	int lineno = 0;

	memset(t, 0, sizeof(*t));
	if (csv == NULL)
		return wl_fail(err, WL_EINVALID, "no VAT rates");
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		size_t len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;

		lineno++;
		if (lineno == 1) {
			if (len != sizeof(header) - 1 || memcmp(p, header, len) != 0)
				return wl_fail(err, WL_EINVALID,
					       "VAT rates: line 1 is not the header %s", header);
		} else if (len > 0) {
			if (t->n >= VAT_RATES_MAX)
				return wl_fail(err, WL_EINVALID, "VAT rates: more than %d rows",
					       VAT_RATES_MAX);
			if (parse_row(p, len, &t->rows[t->n]) != 0)
				return wl_fail(err, WL_EINVALID, "VAT rates: line %d is malformed",
					       lineno);
			t->n++;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	if (t->n == 0)
		return wl_fail(err, WL_EINVALID, "VAT rates: no rows");
	return WL_OK;
}

int
vat_rate_on(const struct vat_table *t, const char *country, int64_t day)
{
	const struct vat_rate_row *best = NULL;
	int i;

	for (i = 0; i < t->n; i++) {
		const struct vat_rate_row *r = &t->rows[i];

		if (strcmp(r->country, country) != 0 || r->from_days > day)
			continue;
		if (best == NULL || r->from_days > best->from_days)
			best = r;
	}
	return best != NULL ? best->rate_bp : -1;
}

/* ---- the rule ----------------------------------------------------------------- */

static const char *const rule_names[] = { "domestic", "reverse_charge", "destination", "export",
					  "non_eu_seller" };

static const char *const rule_words[] = {
	"VAT of the seller's country (customer in the same country)",
	("Reverse charge: VAT to be accounted for by the customer (Article 196 of Directive "
	 "2006/112/EC)"),
	"VAT of the customer's EU country (no valid VAT ID given)",
	"Export of services: no EU VAT (customer outside the EU)",
	"No EU VAT: the seller is established outside the EU",
};

static int
with_rate(const struct vat_table *t, const char *country, int64_t day, enum vat_rule rule,
	  struct vat_decision *out, struct wl_error *err)
{
	out->rule = rule;
	out->rate_bp = vat_rate_on(t, country, day);
	if (out->rate_bp < 0)
		return wl_fail(err, WL_ENOTFOUND, "no VAT rate of %s in force on that date",
			       country);
	snprintf(out->rate_country, sizeof(out->rate_country), "%s", country);
	return WL_OK;
}

int
vat_decide(const struct vat_table *t, const char *seller_country, const char *buyer_country,
	   enum vat_id_status status, int64_t day, struct vat_decision *out, struct wl_error *err)
{
	int rc = WL_OK;

	memset(out, 0, sizeof(*out));
	if (!vat_country_ok(seller_country) || !vat_country_ok(buyer_country))
		return wl_fail(err, WL_EINVALID, "a country is not an ISO 3166-1 code");
	if (!vat_eu_member(seller_country))
		out->rule = VAT_RULE_NON_EU_SELLER;
	else if (strcmp(seller_country, buyer_country) == 0)
		rc = with_rate(t, seller_country, day, VAT_RULE_DOMESTIC, out, err);
	else if (!vat_eu_member(buyer_country))
		out->rule = VAT_RULE_EXPORT;
	else if (status == VAT_ID_FORMAT || status == VAT_ID_VIES_VALID)
		out->rule = VAT_RULE_REVERSE_CHARGE;
	else
		rc = with_rate(t, buyer_country, day, VAT_RULE_DESTINATION, out, err);
	if (rc != WL_OK)
		return rc;
	out->rule_name = rule_names[out->rule];
	out->wording = rule_words[out->rule];
	return WL_OK;
}

const char *
vat_rule_wording(const char *rule_name)
{
	size_t i;

	for (i = 0; rule_name != NULL && i < sizeof(rule_names) / sizeof(rule_names[0]); i++)
		if (strcmp(rule_name, rule_names[i]) == 0)
			return rule_words[i];
	return "";
}

int64_t
vat_of_net(int64_t net_cents, int rate_bp)
{
	if (net_cents <= 0 || rate_bp <= 0)
		return 0;
	return (net_cents * rate_bp + 5000) / 10000;
}

void
vat_format_rate(int rate_bp, char out[16])
{
	if (rate_bp % 100 == 0)
		snprintf(out, 16, "%d", rate_bp / 100);
	else if (rate_bp % 10 == 0)
		snprintf(out, 16, "%d.%d", rate_bp / 100, (rate_bp % 100) / 10);
	else
		snprintf(out, 16, "%d.%02d", rate_bp / 100, rate_bp % 100);
}

static const char *const status_names[] = { "none", "format", "valid", "invalid" };

const char *
vat_id_status_name(enum vat_id_status s)
{
	return (unsigned)s < 4 ? status_names[s] : "none";
}

enum vat_id_status
vat_id_status_of(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < 4; i++)
		if (strcmp(name, status_names[i]) == 0)
			return (enum vat_id_status)i;
	return VAT_ID_NONE;
}
