/*
 * invoice_pdf.c — one invoice as a one-page A4 PDF made with libharu:
 * seller and buyer with their VAT IDs, number and date, the line (minutes ×
 * unit price), net, VAT rate and amount, gross, and the VAT rule's wording.
 * Text is set in the standard Helvetica with WinAnsi encoding (no font
 * files needed); characters it cannot show print as '?'.
 */
#include "services/invoices.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "core/money.h"
#include "core/vat.h"

#define PAGE_W 595.0f
#define PAGE_H 842.0f
#define LEFT 56.0f
#define RIGHT (PAGE_W - 56.0f)

struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font regular, bold;
	HPDF_STATUS failed; /* the first error libharu reported */
};

static void
on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct pdf *p = user_data;

	(void)detail_no;
	if (p->failed == 0)
		p->failed = error_no;
}

/* UTF-8 to WinAnsi (Latin-1 and the euro sign), '?' for anything else. */
static void
to_winansi(const char *in, char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t j = 0;

	while (*s != '\0' && j + 1 < n) {
		unsigned cp = *s;
		int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;

		s++;
		if (extra > 0) {
			cp &= 0x3Fu >> extra;
			for (; extra > 0 && (*s & 0xC0) == 0x80; extra--, s++)
				cp = (cp << 6) | (*s & 0x3Fu);
		}
		if (cp == 0x20AC)
			out[j++] = (char)0x80;
		else if (cp >= 0x20 && cp <= 0xFF && !(cp >= 0x7F && cp < 0xA0))
			out[j++] = (char)cp;
		else
			out[j++] = '?';
	}
	out[j] = '\0';
}

static void
text_at(struct pdf *p, HPDF_Font font, float size, float x, float y, const char *utf8)
{
	char s[512];

	to_winansi(utf8, s, sizeof(s));
	HPDF_Page_BeginText(p->page);
	HPDF_Page_SetFontAndSize(p->page, font, size);
	HPDF_Page_TextOut(p->page, x, y, s);
	HPDF_Page_EndText(p->page);
}

/* Right-aligned at x. */
static void
text_right(struct pdf *p, HPDF_Font font, float size, float x, float y, const char *utf8)
{
	char s[256];

	to_winansi(utf8, s, sizeof(s));
	HPDF_Page_SetFontAndSize(p->page, font, size);
	text_at(p, font, size, x - HPDF_Page_TextWidth(p->page, s), y, utf8);
}

/* A block of lines (an address may hold newlines); returns the y below it. */
static float
block(struct pdf *p, float x, float y, const char *title, const char *name, const char *address,
      const char *country, const char *vat_id)
{
	char line[256];
	const char *a = address;

	text_at(p, p->bold, 9, x, y, title);
	y -= 14;
	text_at(p, p->bold, 11, x, y, name);
	y -= 14;
	while (*a != '\0') {
		size_t n = strcspn(a, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)(n < 200 ? n : 200), a);
		text_at(p, p->regular, 10, x, y, line);
		y -= 13;
		a += n;
		if (*a == '\n')
			a++;
	}
	snprintf(line, sizeof(line), "Country: %s", country);
	text_at(p, p->regular, 10, x, y, line);
	y -= 13;
	if (vat_id[0] != '\0') {
		snprintf(line, sizeof(line), "VAT ID: %s", vat_id);
		text_at(p, p->regular, 10, x, y, line);
		y -= 13;
	}
	return y;
}

static void
rule(struct pdf *p, float y)
{
	HPDF_Page_SetLineWidth(p->page, 0.6f);
	HPDF_Page_MoveTo(p->page, LEFT, y);
	HPDF_Page_LineTo(p->page, RIGHT, y);
	HPDF_Page_Stroke(p->page);
}

static void
money(char out[48], int64_t cents, const char *currency)
{
	char c[32];

	wl_format_cents(cents, c);
	snprintf(out, 48, "%s %s", currency, c);
}

static float
line_table(struct pdf *p, const struct store_invoice *v, float y)
{
	char qty[32], unit[32], amount[48], t[64];

	text_at(p, p->bold, 10, LEFT, y, "Description");
	text_right(p, p->bold, 10, 340, y, "Minutes");
	text_right(p, p->bold, 10, 440, y, "Unit price");
	text_right(p, p->bold, 10, RIGHT, y, "Amount");
	rule(p, y - 6);
	y -= 22;
	snprintf(qty, sizeof(qty), "%lld", (long long)v->quantity);
	invoice_format_micro(v->unit_price_micro, unit);
	snprintf(t, sizeof(t), "%s %s", v->currency, unit);
	money(amount, v->net_cents, v->currency);
	text_at(p, p->regular, 10, LEFT, y, v->description);
	text_right(p, p->regular, 10, 340, y, qty);
	text_right(p, p->regular, 10, 440, y, t);
	text_right(p, p->regular, 10, RIGHT, y, amount);
	rule(p, y - 8);
	return y - 30;
}

static float
totals(struct pdf *p, const struct store_invoice *v, float y)
{
	char rate[16], label[64], amount[48];

	money(amount, v->net_cents, v->currency);
	text_at(p, p->regular, 10, 340, y, "Net");
	text_right(p, p->regular, 10, RIGHT, y, amount);
	y -= 16;
	vat_format_rate((int)v->vat_rate_bp, rate);
	snprintf(label, sizeof(label), "VAT %s%%", rate);
	money(amount, v->vat_cents, v->currency);
	text_at(p, p->regular, 10, 340, y, label);
	text_right(p, p->regular, 10, RIGHT, y, amount);
	y -= 18;
	money(amount, v->gross_cents, v->currency);
	text_at(p, p->bold, 11, 340, y, "Total");
	text_right(p, p->bold, 11, RIGHT, y, amount);
	return y - 36;
}

static void
draw(struct pdf *p, const struct store_invoice *v)
{
	char line[256];
	float y = PAGE_H - 72, ys, yb;

	text_at(p, p->bold, 22, LEFT, y, "Invoice");
	snprintf(line, sizeof(line), "Invoice number: %s", v->number);
	text_right(p, p->bold, 11, RIGHT, y + 6, line);
	snprintf(line, sizeof(line), "Issue date: %s", v->issue_date);
	text_right(p, p->regular, 10, RIGHT, y - 10, line);
	y -= 48;
	ys = block(p, LEFT, y, "FROM", v->seller_name, v->seller_address, v->seller_country,
		   v->seller_vat_id);
	yb = block(p, 320, y, "BILL TO", v->buyer_name, v->buyer_address, v->buyer_country,
		   v->buyer_vat_id);
	y = (ys < yb ? ys : yb) - 24;
	y = line_table(p, v, y);
	y = totals(p, v, y);
	snprintf(line, sizeof(line), "VAT rule (%s): %s", v->vat_rule, v->vat_wording);
	text_at(p, p->regular, 9, LEFT, y, line);
	y -= 14;
	if (v->vat_note[0] != '\0') {
		text_at(p, p->regular, 9, LEFT, y, v->vat_note);
		y -= 14;
	}
	snprintf(line, sizeof(line), "Paid by card through Stripe (%.80s).", v->purchase_ref);
	text_at(p, p->regular, 9, LEFT, y, line);
}

int
invoice_pdf_render(const struct store_invoice *v, struct wl_buf *out, struct wl_error *err)
{
	struct pdf p;
	HPDF_UINT32 size;
	unsigned char *bytes = NULL;
	int rc = WL_OK;

	memset(&p, 0, sizeof(p));
	p.doc = HPDF_New(on_error, &p);
	if (p.doc == NULL)
		return wl_fail(err, WL_EINTERNAL, "invoice PDF: out of memory");
	HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, v->number);
	p.page = HPDF_AddPage(p.doc);
	HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	p.regular = HPDF_GetFont(p.doc, "Helvetica", "WinAnsiEncoding");
	p.bold = HPDF_GetFont(p.doc, "Helvetica-Bold", "WinAnsiEncoding");
	if (p.failed == 0)
		draw(&p, v);
	if (p.failed == 0)
		HPDF_SaveToStream(p.doc);
	size = p.failed == 0 ? HPDF_GetStreamSize(p.doc) : 0;
	if (p.failed != 0 || size == 0 || (bytes = malloc(size)) == NULL) {
		rc = wl_fail(err, WL_EINTERNAL, "invoice PDF could not be made (libharu %#lx)",
			     (unsigned long)p.failed);
	} else {
		HPDF_UINT32 got = size;

		HPDF_ResetStream(p.doc);
		if (HPDF_ReadFromStream(p.doc, bytes, &got) != HPDF_OK && got != size)
			rc = wl_fail(err, WL_EINTERNAL, "invoice PDF could not be read back");
		else
			wl_buf_append(out, bytes, got);
	}
	free(bytes);
	HPDF_Free(p.doc);
	if (rc == WL_OK && !wl_buf_ok(out))
		rc = wl_fail(err, WL_EINTERNAL, "invoice PDF: out of memory");
	return rc;
}
