/*
 * jsonschema.h — whether a JSON value is a well-formed JSON Schema for a
 * tool's parameters (the shape voice engines hand to a language model):
 * an object schema at the top, "type" one of the JSON types (or a list of
 * them), "properties" an object of schemas, "required" unique names of
 * those properties, "items" a schema, "enum" a non-empty list, the
 * numeric and length keywords numbers of the right kind, and every
 * keyword one JSON Schema knows. Bounded: at most WL_SCHEMA_DEPTH levels
 * and WL_SCHEMA_NODES schemas. Checks the schema itself; it validates no
 * data against it. Pure (jansson values in, a message out).
 */
#ifndef WL_CORE_JSONSCHEMA_H
#define WL_CORE_JSONSCHEMA_H

#include <jansson.h>
#include <stddef.h>

#define WL_SCHEMA_DEPTH 8
#define WL_SCHEMA_NODES 256

/* 0 when schema is a well-formed object schema; else -1 with `why` (at
 * most n bytes) naming the path of the fault, like
 * "properties.date.type must be one of string, number, …". */
int wl_schema_check(json_t *schema, char *why, size_t n);

#endif
