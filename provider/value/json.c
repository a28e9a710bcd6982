/* The cty JSON codec (go-cty cty/json marshal.go, unmarshal.go), used for
 * DynamicValue.json and for RawState.json in UpgradeResourceState. */
#include "value.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64
#define JSON_MAX_INPUT ((size_t)64 << 20)
/* Enough for any double printed without an exponent. */
#define NUM_BUF 400

struct jd {
	co_arena *a;
	const char *err;
	const char *path; /* built right to left while an error unwinds */
	bool drop_undefined; /* stored state: skip attributes not in the type */
};

static int fail(struct jd *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct jd *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->err = co_arena_strdup(d->a, msg);
	return -1;
}

static int fail_at(struct jd *d, const char *step)
{
	d->path = co_arena_sprintf(d->a, "%s%s", step, d->path ? d->path : "");
	return -1;
}

/* The decimal text of a JSON number. jansson keeps integers exactly but
 * reals only as doubles, so a real is printed back in its shortest form,
 * which is the literal as written for anything up to 17 digits ("0.1"). */
static int number_text(const json_t *j, char *buf, size_t cap)
{
	if (json_is_integer(j)) {
		snprintf(buf, cap, "%lld", (long long)json_integer_value(j));
		return 0;
	}
	return co_number_format(buf, cap, json_real_value(j));
}

static int jd_value(struct jd *d, const co_type *t, const json_t *j,
    int depth, co_value **out);

static int jd_primitive(struct jd *d, const co_type *t, const json_t *j,
    co_value **out)
{
	char num[NUM_BUF];
	switch (t->kind) {
	case CO_T_STRING:
		/* cty converts JSON numbers and bools given for a string. */
		if (json_is_string(j)) {
			*out = co_value_stringn(d->a, json_string_value(j),
			    json_string_length(j));
		} else if (json_is_number(j)) {
			if (number_text(j, num, sizeof(num)) < 0)
				return fail(d, "number out of range");
			*out = co_value_string(d->a, num);
		} else if (json_is_boolean(j)) {
			*out = co_value_string(d->a,
			    json_is_true(j) ? "true" : "false");
		} else {
			return fail(d, "string required");
		}
		return 0;
	case CO_T_NUMBER:
		if (json_is_number(j)) {
			if (number_text(j, num, sizeof(num)) < 0)
				return fail(d, "number out of range");
			*out = co_value_number_text(d->a, num, strlen(num));
		} else if (json_is_string(j)) {
			*out = co_value_number_text(d->a, json_string_value(j),
			    json_string_length(j));
		} else {
			return fail(d, "number required");
		}
		if (!*out)
			return fail(d, "invalid number");
		return 0;
	case CO_T_BOOL:
		if (json_is_boolean(j)) {
			*out = co_value_bool(d->a, json_is_true(j));
		} else if (json_is_string(j) &&
		    (strcmp(json_string_value(j), "true") == 0 ||
		    strcmp(json_string_value(j), "false") == 0)) {
			*out = co_value_bool(d->a,
			    json_string_value(j)[0] == 't');
		} else {
			return fail(d, "bool required");
		}
		return 0;
	default:
		return fail(d, "unsupported type");
	}
}

/* {"value": v, "type": T}: both keys, nothing else (marshalDynamic). */
static int jd_dynamic(struct jd *d, const json_t *j, int depth,
    co_value **out)
{
	const json_t *tj = json_object_get(j, "type");
	const json_t *vj = json_object_get(j, "value");
	if (!json_is_object(j) || !tj || !vj || json_object_size(j) != 2)
		return fail(d, "dynamic value must be {\"value\":...,\"type\":...}");
	char *text = json_dumps(tj, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text)
		return fail(d, "out of memory");
	const char *terr = NULL;
	const co_type *t = co_type_from_json(d->a, text, strlen(text), &terr);
	free(text);
	if (!t)
		return fail(d, "dynamic value: %s", terr);
	return jd_value(d, t, vj, depth + 1, out);
}

static int jd_seq(struct jd *d, const co_type *t, const json_t *j,
    int depth, co_value **out)
{
	if (!json_is_array(j))
		return fail(d, t->kind == CO_T_TUPLE ? "tuple required" :
		    t->kind == CO_T_SET ? "set required" : "list required");
	size_t n = json_array_size(j);
	if (t->kind == CO_T_TUPLE && n != t->n)
		return fail(d, "tuple needs %zu elements, got %zu", t->n, n);
	co_value **items = co_arena_alloc(d->a, (n ? n : 1) * sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		const co_type *et = t->kind == CO_T_TUPLE ? t->types[i] : t->elem;
		if (jd_value(d, et, json_array_get(j, i), depth + 1,
		    &items[i]) < 0) {
			char step[32];
			snprintf(step, sizeof(step), "[%zu]", i);
			return fail_at(d, step);
		}
	}
	if (t->kind == CO_T_SET) {
		*out = co_value_set_from(d->a, t, items, n);
		return 0;
	}
	co_value *v = co_value_collection(d->a, t);
	v->items = items;
	v->count = v->cap = n;
	*out = v;
	return 0;
}

static int jd_map(struct jd *d, const co_type *t, const json_t *j,
    int depth, co_value **out)
{
	if (!json_is_object(j))
		return fail(d, "map required");
	size_t n = json_object_size(j), i = 0;
	const char **keys = co_arena_alloc(d->a, (n ? n : 1) * sizeof(*keys));
	co_value **items = co_arena_alloc(d->a, (n ? n : 1) * sizeof(*items));
	const char *key;
	size_t key_len;
	json_t *val;
	json_object_keylen_foreach((json_t *)j, key, key_len, val) {
		/* Keys are C strings here; a NUL would silently merge keys. */
		if (strlen(key) != key_len)
			return fail(d, "map key contains a NUL byte");
		keys[i] = co_arena_strdup(d->a, key);
		if (jd_value(d, t->elem, val, depth + 1, &items[i]) < 0)
			return fail_at(d, co_arena_sprintf(d->a, "[\"%.64s\"]",
			    key));
		i++;
	}
	*out = co_value_map_from(d->a, t, keys, items, i);
	return 0;
}

/* Attributes may be left out (null), but not invented
 * (cty/json/unmarshal.go unmarshalObject). */
static int jd_object(struct jd *d, const co_type *t, const json_t *j,
    int depth, co_value **out)
{
	if (!json_is_object(j))
		return fail(d, "object required");
	co_value *v = co_value_object(d->a, t);
	const char *key;
	size_t key_len;
	json_t *val;
	json_object_keylen_foreach((json_t *)j, key, key_len, val) {
		int at = strlen(key) == key_len ? co_type_attr_index(t, key) : -1;
		if (at < 0 && d->drop_undefined)
			continue;
		if (at < 0)
			return fail(d, "unsupported attribute \"%.64s\"", key);
		if (jd_value(d, t->types[at], val, depth + 1,
		    &v->items[at]) < 0)
			return fail_at(d, co_arena_sprintf(d->a, ".%s", key));
	}
	*out = v;
	return 0;
}

static int jd_value(struct jd *d, const co_type *t, const json_t *j,
    int depth, co_value **out)
{
	if (depth > JSON_MAX_DEPTH)
		return fail(d, "value nested more than %d levels",
		    JSON_MAX_DEPTH);
	if (json_is_null(j)) {
		*out = co_value_null(d->a, t);
		return 0;
	}
	switch (t->kind) {
	case CO_T_DYNAMIC:
		return jd_dynamic(d, j, depth, out);
	case CO_T_STRING:
	case CO_T_NUMBER:
	case CO_T_BOOL:
		return jd_primitive(d, t, j, out);
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_TUPLE:
		return jd_seq(d, t, j, depth, out);
	case CO_T_MAP:
		return jd_map(d, t, j, depth, out);
	case CO_T_OBJECT:
		return jd_object(d, t, j, depth, out);
	}
	return fail(d, "unsupported type");
}

static int json_decode(co_arena *a, const co_type *t, const char *json,
    size_t len, bool drop_undefined, co_value **out, const char **err)
{
	struct jd d = { .a = a, .drop_undefined = drop_undefined };
	json_t *root = NULL;
	json_error_t jerr;
	int rc = -1;
	const char *dummy;
	if (!err)
		err = &dummy;
	*err = NULL;
	*out = NULL;
	if (len > JSON_MAX_INPUT) {
		fail(&d, "JSON value larger than %zu bytes", JSON_MAX_INPUT);
		goto done;
	}
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	root = json_loadb(json, len, flags, &jerr);
	/* jansson refuses integers beyond long long; cty takes any number,
	 * so read those as reals (exact up to 2^53, nearest beyond). */
	if (!root && strstr(jerr.text, "too big"))
		root = json_loadb(json, len, flags | JSON_DECODE_INT_AS_REAL,
		    &jerr);
	if (!root) {
		fail(&d, "invalid JSON at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		goto done;
	}
	if (jd_value(&d, t, root, 0, out) < 0)
		goto done;
	rc = 0;
done:
	json_decref(root);
	if (rc < 0) {
		*out = NULL;
		*err = d.path ? co_arena_sprintf(a, "at %s: %s",
		    d.path[0] == '.' ? d.path + 1 : d.path, d.err) : d.err;
	}
	return rc;
}

int co_json_decode(co_arena *a, const co_type *t, const char *json,
    size_t len, co_value **out, const char **err)
{
	return json_decode(a, t, json, len, false, out, err);
}

int co_json_decode_state(co_arena *a, const co_type *t, const char *json,
    size_t len, co_value **out, const char **err)
{
	return json_decode(a, t, json, len, true, out, err);
}

/* ---- encoding ------------------------------------------------------- */

static int buf_dump(const char *buffer, size_t size, void *data)
{
	return co_buf_append(data, buffer, size);
}

/* JSON string escaping is jansson's; it also refuses invalid UTF-8. */
static int put_string(co_buf *out, const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (!j)
		return -1;
	int rc = json_dump_callback(j, buf_dump, out,
	    JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(j);
	return rc;
}

static int je_value(co_buf *out, const co_type *t, const co_value *v,
    int depth);

static int je_number(co_buf *out, const co_value *v)
{
	if (v->num_text)
		return co_buf_puts(out, v->num_text);
	char num[NUM_BUF];
	/* JSON has no infinity; cty's marshal fails the same way. */
	if (co_number_format(num, sizeof(num), v->num) < 0)
		return -1;
	return co_buf_puts(out, num);
}

static int je_value(co_buf *out, const co_type *t, const co_value *v,
    int depth)
{
	if (!t || depth > 4 * JSON_MAX_DEPTH)
		return -1;
	if (!v)
		return co_buf_puts(out, "null");
	if (t->kind == CO_T_DYNAMIC && v->type &&
	    v->type->kind != CO_T_DYNAMIC) {
		if (co_buf_puts(out, "{\"value\":") < 0 ||
		    je_value(out, v->type, v, depth + 1) < 0 ||
		    co_buf_puts(out, ",\"type\":") < 0 ||
		    co_type_to_json(out, v->type) < 0)
			return -1;
		return co_buf_putc(out, '}');
	}
	/* JSON cannot represent unknowns. */
	if (v->is_unknown)
		return -1;
	if (v->is_null)
		return co_buf_puts(out, "null");
	if (!v->type || v->type->kind != t->kind)
		return -1;
	switch (t->kind) {
	case CO_T_STRING:
		return put_string(out, v->str, v->str_len);
	case CO_T_NUMBER:
		return je_number(out, v);
	case CO_T_BOOL:
		return co_buf_puts(out, v->b ? "true" : "false");
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_TUPLE:
		if (t->kind == CO_T_TUPLE && v->count != t->n)
			return -1;
		if (co_buf_putc(out, '[') < 0)
			return -1;
		for (size_t i = 0; i < v->count; i++) {
			const co_type *et = t->kind == CO_T_TUPLE ?
			    t->types[i] : t->elem;
			if ((i && co_buf_putc(out, ',') < 0) ||
			    je_value(out, et, v->items[i], depth + 1) < 0)
				return -1;
		}
		return co_buf_putc(out, ']');
	case CO_T_MAP:
		if (co_buf_putc(out, '{') < 0)
			return -1;
		for (size_t i = 0; i < v->count; i++) {
			if ((i && co_buf_putc(out, ',') < 0) ||
			    put_string(out, v->keys[i], strlen(v->keys[i])) < 0 ||
			    co_buf_putc(out, ':') < 0 ||
			    je_value(out, t->elem, v->items[i], depth + 1) < 0)
				return -1;
		}
		return co_buf_putc(out, '}');
	case CO_T_OBJECT:
		if (v->type->kind != CO_T_OBJECT || co_buf_putc(out, '{') < 0)
			return -1;
		for (size_t i = 0; i < t->n; i++) {
			const co_value *item = NULL;
			if (v->type == t) {
				item = i < v->count ? v->items[i] : NULL;
			} else {
				int at = co_type_attr_index(v->type, t->names[i]);
				if (at >= 0 && (size_t)at < v->count)
					item = v->items[at];
			}
			if ((i && co_buf_putc(out, ',') < 0) ||
			    put_string(out, t->names[i],
			    strlen(t->names[i])) < 0 ||
			    co_buf_putc(out, ':') < 0 ||
			    je_value(out, t->types[i], item, depth + 1) < 0)
				return -1;
		}
		return co_buf_putc(out, '}');
	default:
		return -1;
	}
}

int co_json_encode(co_buf *out, const co_type *t, const co_value *v)
{
	return je_value(out, t, v, 0);
}
