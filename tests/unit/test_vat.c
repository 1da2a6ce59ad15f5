/*
 * test_vat.c — unit tests for src/core/vat.c: VAT ID formats of all 27
 * member states (Greece as EL), the rates table read from the repository's
 * reference/eu-vat-standard-rates.csv (embedded by the build) with rates picked
 * by date, and the VAT matrix: seller country × buyer country × VAT ID
 * status → rate, rule and wording.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/timeutil.h"
#include "core/vat.h"
#include "vat_rates_csv.h"

static struct vat_table table;

static int64_t
day(const char *iso)
{
	int64_t d = 0;

	assert_int_equal(wl_parse_date(iso, &d), 0);
	return d;
}

static void
valid_ids_of_every_member_state(void **state)
{
	static const char *const ok[][3] = {
		{ "AT", "ATU12345678", "ATU12345678" },
		{ "BE", "BE0123456789", "BE0123456789" },
		{ "BE", "1234.567.890", "BE1234567890" },
		{ "BG", "BG123456789", "BG123456789" },
		{ "BG", "1234567890", "BG1234567890" },
		{ "CY", "CY12345678X", "CY12345678X" },
		{ "CZ", "CZ12345678", "CZ12345678" },
		{ "CZ", "cz 1234567890", "CZ1234567890" },
		{ "DE", "DE123456789", "DE123456789" },
		{ "DK", "DK12345678", "DK12345678" },
		{ "EE", "EE123456789", "EE123456789" },
		{ "GR", "EL123456789", "EL123456789" },
		{ "GR", "123456789", "EL123456789" },
		{ "ES", "ESX1234567X", "ESX1234567X" },
		{ "ES", "ES12345678Z", "ES12345678Z" },
		{ "FI", "FI12345678", "FI12345678" },
		{ "FR", "FR12345678901", "FR12345678901" },
		{ "FR", "FRAB123456789", "FRAB123456789" },
		{ "HR", "HR12345678901", "HR12345678901" },
		{ "HU", "HU12345678", "HU12345678" },
		{ "IE", "IE1234567T", "IE1234567T" },
		{ "IE", "IE1234567WA", "IE1234567WA" },
		{ "IE", "IE1S23456T", "IE1S23456T" },
		{ "IT", "IT12345678901", "IT12345678901" },
		{ "LT", "LT123456789", "LT123456789" },
		{ "LT", "LT123456789012", "LT123456789012" },
		{ "LU", "LU12345678", "LU12345678" },
		{ "LV", "LV12345678901", "LV12345678901" },
		{ "MT", "MT12345678", "MT12345678" },
		{ "NL", "NL123456789B01", "NL123456789B01" },
		{ "NL", "nl 1234.56.789.b01", "NL123456789B01" },
		{ "PL", "PL1234567890", "PL1234567890" },
		{ "PT", "PT123456789", "PT123456789" },
		{ "RO", "RO12", "RO12" },
		{ "RO", "RO1234567890", "RO1234567890" },
		{ "SE", "SE123456789001", "SE123456789001" },
		{ "SI", "SI12345678", "SI12345678" },
		{ "SK", "SK1234567890", "SK1234567890" },
	};
	char out[VAT_ID_MAX + 1];
	struct wl_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		wl_error_clear(&err);
		if (vat_id_normalize(ok[i][0], ok[i][1], out, &err) != WL_OK)
			fail_msg("%s %s refused: %s", ok[i][0], ok[i][1], err.message);
		assert_string_equal(out, ok[i][2]);
	}
}

static void
malformed_ids_are_refused_with_the_format(void **state)
{
	static const char *const bad[][2] = {
		{ "AT", "AT12345678" },
		{ "BE", "BE2123456789" },
		{ "BG", "BG12345678" },
		{ "CY", "CY123456789" },
		{ "CZ", "CZ1234567" },
		{ "DE", "DE12345678" },
		{ "DK", "DK123456789" },
		{ "EE", "EE12345678" },
		{ "GR", "GR123456789" },
		{ "ES", "ES123456789" },
		{ "FI", "FI1234567" },
		{ "FR", "FRIO123456789" },
		{ "HR", "HR1234567890" },
		{ "HU", "HU1234567" },
		{ "IE", "IE1234567" },
		{ "IT", "IT1234567890" },
		{ "LT", "LT1234567890" },
		{ "LU", "LU123456789" },
		{ "LV", "LV1234567890" },
		{ "MT", "MT1234567" },
		{ "NL", "NL123456789" },
		{ "NL", "NL123456789X01" },
		{ "PL", "PL123456789" },
		{ "PT", "PT12345678" },
		{ "RO", "RO1" },
		{ "RO", "RO01234567" },
		{ "SE", "SE123456789012" },
		{ "SI", "SI1234567" },
		{ "SK", "SK123456789" },
		{ "NL", "DE123456789" },
		{ "DE", "DE12345678!" },
		{ "DE", "" },
	};
	char out[VAT_ID_MAX + 1];
	struct wl_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wl_error_clear(&err);
		if (vat_id_normalize(bad[i][0], bad[i][1], out, &err) != WL_EINVALID)
			fail_msg("%s %s accepted as %s", bad[i][0], bad[i][1], out);
		assert_string_equal(out, "");
	}
	wl_error_clear(&err);
	vat_id_normalize("NL", "NL12", out, &err);
	assert_non_null(strstr(err.message, "NL + 9 digits + B + 2 digits"));
	wl_error_clear(&err);
	vat_id_normalize("GR", "EL12", out, &err);
	assert_non_null(strstr(err.message, "EL + 9 digits"));
	/* outside the EU no format is known: letters and digits, 2..20 */
	assert_int_equal(vat_id_normalize("CH", "CHE-123.456.789", out, &err), WL_OK);
	assert_string_equal(out, "CHE123456789");
}

static void
countries_and_membership(void **state)
{
	static const char *const eu[] = { "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
					  "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
					  "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE" };
	size_t i;

	(void)state;
	for (i = 0; i < 27; i++) {
		assert_true(vat_eu_member(eu[i]));
		assert_true(vat_country_ok(eu[i]));
	}
	assert_string_equal(vat_prefix("GR"), "EL");
	assert_string_equal(vat_prefix("NL"), "NL");
	assert_null(vat_prefix("US"));
	assert_false(vat_eu_member("GB"));
	assert_false(vat_eu_member("EL")); /* the prefix, not the country */
	assert_true(vat_country_ok("US"));
	assert_true(vat_country_ok("CH"));
	assert_true(vat_country_ok("ZW"));
	assert_false(vat_country_ok("EL"));
	assert_false(vat_country_ok("XX"));
	assert_false(vat_country_ok("nl"));
	assert_false(vat_country_ok("NLD"));
	assert_false(vat_country_ok(NULL));
}

/* The list the dashboard's country select shows: every code, in order. */
static void
the_country_list_is_every_code_in_order(void **state)
{
	char prev[3] = "", c[3];
	size_t n = 0;

	(void)state;
	while (vat_country_nth(n, c)) {
		assert_true(vat_country_ok(c));
		assert_true(strcmp(prev, c) < 0);
		memcpy(prev, c, sizeof(prev));
		n++;
	}
	assert_int_equal(n, 249);
	assert_true(vat_country_nth(0, c));
	assert_string_equal(c, "AD");
	assert_true(vat_country_nth(248, c));
	assert_string_equal(c, "ZW");
	assert_false(vat_country_nth(249, c));
}

static void
the_repository_rates_parse_and_date(void **state)
{
	static const char *const eu[] = { "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
					  "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
					  "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE" };
	size_t i;

	(void)state;
	for (i = 0; i < 27; i++)
		assert_true(vat_rate_on(&table, eu[i], day("2026-01-01")) > 0);
	assert_int_equal(vat_rate_on(&table, "NL", day("2026-03-01")), 2100);
	assert_int_equal(vat_rate_on(&table, "DE", day("2026-03-01")), 1900);
	assert_int_equal(vat_rate_on(&table, "EE", day("2025-06-30")), 2200);
	assert_int_equal(vat_rate_on(&table, "EE", day("2025-07-01")), 2400);
	assert_int_equal(vat_rate_on(&table, "FI", day("2024-08-31")), 2400);
	assert_int_equal(vat_rate_on(&table, "FI", day("2024-09-01")), 2550);
	assert_int_equal(vat_rate_on(&table, "RO", day("2025-07-31")), 1900);
	assert_int_equal(vat_rate_on(&table, "RO", day("2025-08-01")), 2100);
	assert_int_equal(vat_rate_on(&table, "SK", day("2024-12-31")), 2000);
	assert_int_equal(vat_rate_on(&table, "SK", day("2025-01-01")), 2300);
	assert_int_equal(vat_rate_on(&table, "US", day("2026-01-01")), -1);
}

static void
malformed_rate_files_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"country,rate\nNL,21,\n",
		"country,standard_rate_percent,effective_from\n",
		"country,standard_rate_percent,effective_from\nXX,21,\n",
		"country,standard_rate_percent,effective_from\nNL,21.123,\n",
		"country,standard_rate_percent,effective_from\nNL,101,\n",
		"country,standard_rate_percent,effective_from\nNL,21,2025-13-01\n",
		"country,standard_rate_percent,effective_from\nNL,,\n",
		"country,standard_rate_percent,effective_from\nNL 21\n",
	};
	struct vat_table t;
	struct wl_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wl_error_clear(&err);
		if (vat_table_parse(bad[i], &t, &err) != WL_EINVALID)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(vat_table_parse("country,standard_rate_percent,effective_from\r\n"
					 "NL,21,\r\nNL,7.5,2030-01-01\r\n",
					 &t, &err),
			 WL_OK);
	assert_int_equal(vat_rate_on(&t, "NL", day("2029-12-31")), 2100);
	assert_int_equal(vat_rate_on(&t, "NL", day("2030-01-01")), 750);
}

struct matrix_case {
	const char *seller, *buyer;
	enum vat_id_status status;
	const char *date;
	int rate_bp;
	const char *rule;
	const char *words; /* part of the wording */
};

static void
the_vat_matrix(void **state)
{
	static const struct matrix_case cases[] = {
		/* the seller's own country: the seller's rate, VAT ID or not */
		{ "NL", "NL", VAT_ID_NONE, "2026-01-01", 2100, "domestic", "seller's country" },
		{ "NL", "NL", VAT_ID_FORMAT, "2026-01-01", 2100, "domestic", "seller's country" },
		{ "NL", "NL", VAT_ID_VIES_VALID, "2026-01-01", 2100, "domestic", "seller" },
		{ "NL", "NL", VAT_ID_INVALID, "2026-01-01", 2100, "domestic", "seller" },
		{ "DE", "DE", VAT_ID_VIES_VALID, "2026-01-01", 1900, "domestic", "seller" },
		/* another member state with a valid VAT ID: reverse charge */
		{ "NL", "DE", VAT_ID_FORMAT, "2026-01-01", 0, "reverse_charge", "Article 196" },
		{ "NL", "DE", VAT_ID_VIES_VALID, "2026-01-01", 0, "reverse_charge",
		  "Reverse charge" },
		{ "NL", "GR", VAT_ID_VIES_VALID, "2026-01-01", 0, "reverse_charge",
		  "Directive 2006/112/EC" },
		/* without one, or one VIES refused: the buyer's rate on the day */
		{ "NL", "DE", VAT_ID_NONE, "2026-01-01", 1900, "destination",
		  "customer's EU country" },
		{ "NL", "DE", VAT_ID_INVALID, "2026-01-01", 1900, "destination",
		  "no valid VAT ID" },
		{ "NL", "FI", VAT_ID_NONE, "2024-08-31", 2400, "destination", "customer" },
		{ "NL", "FI", VAT_ID_NONE, "2024-09-01", 2550, "destination", "customer" },
		{ "NL", "EE", VAT_ID_INVALID, "2025-07-01", 2400, "destination", "customer" },
		{ "NL", "GR", VAT_ID_NONE, "2026-01-01", 2400, "destination", "customer" },
		/* outside the EU: export of services */
		{ "NL", "US", VAT_ID_NONE, "2026-01-01", 0, "export", "Export of services" },
		{ "NL", "GB", VAT_ID_FORMAT, "2026-01-01", 0, "export", "outside the EU" },
		{ "NL", "CH", VAT_ID_INVALID, "2026-01-01", 0, "export", "outside the EU" },
		/* a seller outside the EU charges no EU VAT */
		{ "US", "NL", VAT_ID_NONE, "2026-01-01", 0, "non_eu_seller", "outside the EU" },
		{ "US", "US", VAT_ID_NONE, "2026-01-01", 0, "non_eu_seller", "outside the EU" },
	};
	struct vat_decision d;
	struct wl_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct matrix_case *m = &cases[i];

		wl_error_clear(&err);
		if (vat_decide(&table, m->seller, m->buyer, m->status, day(m->date), &d, &err) !=
		    WL_OK)
			fail_msg("case %zu: %s", i, err.message);
		if (d.rate_bp != m->rate_bp || strcmp(d.rule_name, m->rule) != 0 ||
		    strstr(d.wording, m->words) == NULL)
			fail_msg("case %zu (%s→%s %s): %d %s \"%s\"", i, m->seller, m->buyer,
				 vat_id_status_name(m->status), d.rate_bp, d.rule_name, d.wording);
	}
	assert_int_equal(vat_decide(&table, "NL", "XX", VAT_ID_NONE, day("2026-01-01"), &d, &err),
			 WL_EINVALID);
	/* a date before any rate of the country: no rate known */
	{
		struct vat_table later;

		assert_int_equal(vat_table_parse("country,standard_rate_percent,effective_from\n"
						 "NL,21,2030-01-01\n",
						 &later, &err),
				 WL_OK);
		assert_int_equal(
			vat_decide(&later, "NL", "NL", VAT_ID_NONE, day("2029-12-31"), &d, &err),
			WL_ENOTFOUND);
	}
}

static void
amounts_and_rate_text(void **state)
{
	char t[16];

	(void)state;
	assert_int_equal(vat_of_net(700, 2100), 147);
	assert_int_equal(vat_of_net(7000, 2550), 1785);
	assert_int_equal(vat_of_net(50, 2100), 11); /* 10.5 rounds up */
	assert_int_equal(vat_of_net(700, 0), 0);
	vat_format_rate(2550, t);
	assert_string_equal(t, "25.5");
	vat_format_rate(2100, t);
	assert_string_equal(t, "21");
	vat_format_rate(725, t);
	assert_string_equal(t, "7.25");
	assert_int_equal(vat_id_status_of("valid"), VAT_ID_VIES_VALID);
	assert_int_equal(vat_id_status_of("bogus"), VAT_ID_NONE);
	assert_non_null(strstr(vat_rule_wording("reverse_charge"), "Article 196"));
	assert_string_equal(vat_rule_wording("nonsense"), "");
}

static int
load_table(void **state)
{
	struct wl_error err;

	(void)state;
	wl_error_clear(&err);
	return vat_table_parse(WL_VAT_RATES_CSV, &table, &err) == WL_OK ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_ids_of_every_member_state),
		cmocka_unit_test(malformed_ids_are_refused_with_the_format),
		cmocka_unit_test(countries_and_membership),
		cmocka_unit_test(the_country_list_is_every_code_in_order),
		cmocka_unit_test(the_repository_rates_parse_and_date),
		cmocka_unit_test(malformed_rate_files_are_refused),
		cmocka_unit_test(the_vat_matrix),
		cmocka_unit_test(amounts_and_rate_text),
	};

	return cmocka_run_group_tests(tests, load_table, NULL);
}
