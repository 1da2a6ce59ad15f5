/*
 * color.h — readable text on a brand colour: the WCAG 2 relative luminance
 * of a "#RRGGBB" colour, the contrast ratio of two, and which of near-black
 * or white reads better on it. Pure.
 */
#ifndef WL_CORE_COLOR_H
#define WL_CORE_COLOR_H

#include <stdbool.h>

#define WL_TEXT_DARK "#111827"
#define WL_TEXT_LIGHT "#ffffff"

/* Relative luminance 0..1 of "#RRGGBB"; false when s is not such a colour. */
bool wl_color_luminance(const char *s, double *out);
/* WCAG contrast ratio (1..21) of two luminances. */
double wl_contrast_ratio(double l1, double l2);
/* WL_TEXT_DARK or WL_TEXT_LIGHT, whichever contrasts more with bg
 * (WL_TEXT_LIGHT when bg is not a colour). */
const char *wl_readable_text(const char *bg);

#endif
