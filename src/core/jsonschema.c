/*
 * jsonschema.c — the structural check of a tool's parameter schema (see
 * jsonschema.h): a walk over the schema that knows each keyword's kind of
 * value, bounded in depth and in the number of schemas visited.
 */
#include "core/jsonschema.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct walk {
	int nodes;
	char *why;
	size_t n;
};

static int walk_schema(struct walk *w, json_t *s, const char *path, int depth);

static int
fail(struct walk *w, const char *path, const char *msg)
{
	snprintf(w->why, w->n, "%s%s%s", path, path[0] ? " " : "", msg);
	return -1;
}

static bool
known_type(const char *t)
{
	static const char *const types[] = { "object",  "array",   "string", "number",
					     "integer", "boolean", "null",   NULL };
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (strcmp(types[i], t) == 0)
			return true;
	return false;
}

static int
check_type(struct walk *w, json_t *v, const char *path)
{
	const char *msg = "must be one of object, array, string, number, integer, boolean, null "
			  "(or a list of them)";
	size_t i;
	json_t *e;

	if (json_is_string(v))
		return known_type(json_string_value(v)) ? 0 : fail(w, path, msg);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(w, path, msg);
	json_array_foreach (v, i, e)
		if (!json_is_string(e) || !known_type(json_string_value(e)))
			return fail(w, path, msg);
	return 0;
}

/* "a.b" into buf: the path of a child for messages. */
static const char *
child(char *buf, size_t n, const char *path, const char *key)
{
	/* A path too long to show whole is shown cut. */
	if (snprintf(buf, n, "%s%s%s", path, path[0] ? "." : "", key) >= (int)n)
		buf[n - 1] = '\0';
	return buf;
}

static int
check_properties(struct walk *w, json_t *v, const char *path, int depth)
{
	char sub[512];
	const char *key;
	json_t *p;

	if (!json_is_object(v))
		return fail(w, path, "must be an object of schemas");
	json_object_foreach (v, key, p)
		if (walk_schema(w, p, child(sub, sizeof(sub), path, key), depth + 1) != 0)
			return -1;
	return 0;
}

static int
check_required(struct walk *w, json_t *v, json_t *props, const char *path)
{
	size_t i, j;
	json_t *e;

	if (!json_is_array(v))
		return fail(w, path, "must be a list of property names");
	json_array_foreach (v, i, e) {
		if (!json_is_string(e))
			return fail(w, path, "must be a list of property names");
		for (j = 0; j < i; j++)
			if (json_equal(e, json_array_get(v, j)))
				return fail(w, path, "must not name a property twice");
		if (props == NULL || json_object_get(props, json_string_value(e)) == NULL) {
			char msg[160];

			snprintf(msg, sizeof(msg), "names \"%.80s\", which is not in properties",
				 json_string_value(e));
			return fail(w, path, msg);
		}
	}
	return 0;
}

static int
check_schema_list(struct walk *w, json_t *v, const char *path, int depth)
{
	char sub[512], idx[24];
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(w, path, "must be a non-empty list of schemas");
	json_array_foreach (v, i, e) {
		snprintf(idx, sizeof(idx), "%zu", i);
		if (walk_schema(w, e, child(sub, sizeof(sub), path, idx), depth + 1) != 0)
			return -1;
	}
	return 0;
}

/* Keywords whose value is a plain value of one kind. */
static int
check_simple(struct walk *w, const char *key, json_t *v, const char *path, bool *known)
{
	static const char *const counts[] = { "minLength", "maxLength",     "minItems",
					      "maxItems",  "minProperties", "maxProperties",
					      NULL };
	static const char *const numbers[] = { "minimum",          "maximum",    "exclusiveMinimum",
					       "exclusiveMaximum", "multipleOf", NULL };
	static const char *const texts[] = { "description", "title", "format",   "pattern",
					     "$schema",     "$id",   "$comment", NULL };
	static const char *const anything[] = { "default", "examples", "const", NULL };
	size_t i;

	*known = true;
	for (i = 0; counts[i] != NULL; i++)
		if (strcmp(key, counts[i]) == 0)
			return json_is_integer(v) && json_integer_value(v) >= 0
				       ? 0
				       : fail(w, path, "must be a whole number, 0 or more");
	for (i = 0; numbers[i] != NULL; i++)
		if (strcmp(key, numbers[i]) == 0)
			return json_is_number(v) ? 0 : fail(w, path, "must be a number");
	for (i = 0; texts[i] != NULL; i++)
		if (strcmp(key, texts[i]) == 0)
			return json_is_string(v) ? 0 : fail(w, path, "must be a string");
	for (i = 0; anything[i] != NULL; i++)
		if (strcmp(key, anything[i]) == 0)
			return 0;
	*known = false;
	return 0;
}

static int
check_keyword(struct walk *w, json_t *s, const char *key, json_t *v, const char *path, int depth)
{
	bool known;
	int rc;

	if (strcmp(key, "type") == 0)
		return check_type(w, v, path);
	if (strcmp(key, "properties") == 0)
		return check_properties(w, v, path, depth);
	if (strcmp(key, "required") == 0)
		return check_required(w, v, json_object_get(s, "properties"), path);
	if (strcmp(key, "items") == 0 || strcmp(key, "not") == 0)
		return walk_schema(w, v, path, depth + 1);
	if (strcmp(key, "additionalProperties") == 0)
		return json_is_boolean(v) ? 0 : walk_schema(w, v, path, depth + 1);
	if (strcmp(key, "anyOf") == 0 || strcmp(key, "oneOf") == 0 || strcmp(key, "allOf") == 0)
		return check_schema_list(w, v, path, depth);
	if (strcmp(key, "enum") == 0)
		return json_is_array(v) && json_array_size(v) > 0
			       ? 0
			       : fail(w, path, "must be a non-empty list");
	if (strcmp(key, "uniqueItems") == 0 || strcmp(key, "deprecated") == 0)
		return json_is_boolean(v) ? 0 : fail(w, path, "must be true or false");
	rc = check_simple(w, key, v, path, &known);
	if (!known)
		return fail(w, path, "is not a JSON Schema keyword");
	return rc;
}

static int
walk_schema(struct walk *w, json_t *s, const char *path, int depth)
{
	char sub[512];
	const char *key;
	json_t *v;

	if (depth > WL_SCHEMA_DEPTH)
		return fail(w, path, "nests too deeply (at most 8 levels)");
	if (++w->nodes > WL_SCHEMA_NODES)
		return fail(w, "", "has too many schemas (at most 256)");
	if (!json_is_object(s))
		return fail(w, path, "must be a schema (an object)");
	json_object_foreach (s, key, v)
		if (check_keyword(w, s, key, v, child(sub, sizeof(sub), path, key), depth) != 0)
			return -1;
	return 0;
}

int
wl_schema_check(json_t *schema, char *why, size_t n)
{
	struct walk w = { 0, why, n };
	json_t *type;

	if (!json_is_object(schema))
		return fail(&w, "", "must be a JSON Schema object");
	type = json_object_get(schema, "type");
	if (!json_is_string(type) || strcmp(json_string_value(type), "object") != 0)
		return fail(&w, "type", "must be \"object\" at the top");
	return walk_schema(&w, schema, "", 0);
}
