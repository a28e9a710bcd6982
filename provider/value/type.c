/* cty types: constructors, comparison and the type JSON that schemas and
 * dynamic values carry (go-cty cty/json.go). */
#include "value.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Type JSON comes from the CLI (dynamic values) and may be hostile. */
#define TYPE_MAX_DEPTH 64
#define TYPE_JSON_MAX_LEN ((size_t)1 << 20)

const co_type co_type_string = { .kind = CO_T_STRING };
const co_type co_type_number = { .kind = CO_T_NUMBER };
const co_type co_type_bool = { .kind = CO_T_BOOL };
const co_type co_type_dynamic = { .kind = CO_T_DYNAMIC };

static const co_type *type_elem(co_arena *a, co_type_kind kind,
    const co_type *elem)
{
	co_type *t = co_arena_alloc(a, sizeof(*t));
	t->kind = kind;
	t->elem = elem;
	return t;
}

const co_type *co_type_list(co_arena *a, const co_type *elem)
{
	return type_elem(a, CO_T_LIST, elem);
}

const co_type *co_type_set(co_arena *a, const co_type *elem)
{
	return type_elem(a, CO_T_SET, elem);
}

const co_type *co_type_map(co_arena *a, const co_type *elem)
{
	return type_elem(a, CO_T_MAP, elem);
}

struct named_type {
	const char *name;
	const co_type *type;
};

static int named_type_cmp(const void *x, const void *y)
{
	const struct named_type *nx = x, *ny = y;
	/* strcmp compares as unsigned char: the bytewise order cty uses. */
	return strcmp(nx->name, ny->name);
}

const co_type *co_type_object(co_arena *a, size_t n, const char *const *names,
    const co_type *const *types)
{
	co_type *t = co_arena_alloc(a, sizeof(*t));
	t->kind = CO_T_OBJECT;
	t->n = n;
	if (n == 0)
		return t;
	struct named_type *sorted = co_arena_alloc(a, n * sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		sorted[i].name = co_arena_strdup(a, names[i]);
		sorted[i].type = types[i];
	}
	qsort(sorted, n, sizeof(*sorted), named_type_cmp);
	const char **tn = co_arena_alloc(a, n * sizeof(*tn));
	const co_type **tt = co_arena_alloc(a, n * sizeof(*tt));
	for (size_t i = 0; i < n; i++) {
		tn[i] = sorted[i].name;
		tt[i] = sorted[i].type;
	}
	t->names = tn;
	t->types = tt;
	return t;
}

const co_type *co_type_tuple(co_arena *a, size_t n,
    const co_type *const *types)
{
	co_type *t = co_arena_alloc(a, sizeof(*t));
	t->kind = CO_T_TUPLE;
	t->n = n;
	if (n) {
		const co_type **tt = co_arena_alloc(a, n * sizeof(*tt));
		memcpy(tt, types, n * sizeof(*tt));
		t->types = tt;
	}
	return t;
}

int co_type_attr_index(const co_type *obj, const char *name)
{
	if (!obj || obj->kind != CO_T_OBJECT || !name)
		return -1;
	size_t lo = 0, hi = obj->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, obj->names[mid]);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const co_type *co_type_attr(const co_type *obj, const char *name)
{
	int i = co_type_attr_index(obj, name);
	return i < 0 ? NULL : obj->types[i];
}

bool co_type_equal(const co_type *x, const co_type *y)
{
	if (x == y)
		return true;
	if (!x || !y || x->kind != y->kind)
		return false;
	switch (x->kind) {
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_MAP:
		return co_type_equal(x->elem, y->elem);
	case CO_T_OBJECT:
	case CO_T_TUPLE:
		if (x->n != y->n)
			return false;
		for (size_t i = 0; i < x->n; i++) {
			if (x->kind == CO_T_OBJECT &&
			    strcmp(x->names[i], y->names[i]) != 0)
				return false;
			if (!co_type_equal(x->types[i], y->types[i]))
				return false;
		}
		return true;
	default:
		return true;
	}
}

const co_type *co_type_copy(co_arena *a, const co_type *t)
{
	if (!t || t == &co_type_string || t == &co_type_number ||
	    t == &co_type_bool || t == &co_type_dynamic)
		return t;
	co_type *c = co_arena_alloc(a, sizeof(*c));
	c->kind = t->kind;
	c->n = t->n;
	if (t->elem)
		c->elem = co_type_copy(a, t->elem);
	if (t->n && t->types) {
		const co_type **tt = co_arena_alloc(a, t->n * sizeof(*tt));
		for (size_t i = 0; i < t->n; i++)
			tt[i] = co_type_copy(a, t->types[i]);
		c->types = tt;
	}
	if (t->n && t->names) {
		const char **tn = co_arena_alloc(a, t->n * sizeof(*tn));
		for (size_t i = 0; i < t->n; i++)
			tn[i] = co_arena_strdup(a, t->names[i]);
		c->names = tn;
	}
	return c;
}

static const co_type *type_from_node(co_arena *a, const json_t *j, int depth,
    const char **err)
{
	if (depth > TYPE_MAX_DEPTH) {
		*err = "type JSON nested too deeply";
		return NULL;
	}
	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		if (strcmp(s, "string") == 0)
			return &co_type_string;
		if (strcmp(s, "number") == 0)
			return &co_type_number;
		if (strcmp(s, "bool") == 0)
			return &co_type_bool;
		if (strcmp(s, "dynamic") == 0)
			return &co_type_dynamic;
		*err = "unsupported primitive type in type JSON";
		return NULL;
	}
	/* Collections and structurals are [kind, arg] and objects may carry
	 * a third element, the optional attribute names of a type
	 * constraint, which mean nothing for a concrete value. */
	if (!json_is_array(j) || json_array_size(j) < 2 ||
	    !json_is_string(json_array_get(j, 0))) {
		*err = "type JSON must be a string or a [kind, ...] array";
		return NULL;
	}
	const char *kind = json_string_value(json_array_get(j, 0));
	const json_t *arg = json_array_get(j, 1);
	size_t argc = json_array_size(j);
	if (strcmp(kind, "list") == 0 || strcmp(kind, "set") == 0 ||
	    strcmp(kind, "map") == 0) {
		if (argc != 2) {
			*err = "collection type JSON takes one element type";
			return NULL;
		}
		const co_type *elem = type_from_node(a, arg, depth + 1, err);
		if (!elem)
			return NULL;
		if (kind[0] == 'l')
			return co_type_list(a, elem);
		if (kind[0] == 's')
			return co_type_set(a, elem);
		return co_type_map(a, elem);
	}
	if (strcmp(kind, "object") == 0) {
		if (!json_is_object(arg) || argc > 3 ||
		    (argc == 3 && !json_is_array(json_array_get(j, 2)))) {
			*err = "object type JSON must be [\"object\", {...}]";
			return NULL;
		}
		size_t n = json_object_size(arg);
		const char **names = co_arena_alloc(a, (n ? n : 1) * sizeof(*names));
		const co_type **types = co_arena_alloc(a, (n ? n : 1) * sizeof(*types));
		size_t i = 0;
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)arg, key, val) {
			types[i] = type_from_node(a, val, depth + 1, err);
			if (!types[i])
				return NULL;
			names[i++] = key;
		}
		return co_type_object(a, n, names, types);
	}
	if (strcmp(kind, "tuple") == 0) {
		if (!json_is_array(arg) || argc != 2) {
			*err = "tuple type JSON must be [\"tuple\", [...]]";
			return NULL;
		}
		size_t n = json_array_size(arg);
		const co_type **types = co_arena_alloc(a, (n ? n : 1) * sizeof(*types));
		for (size_t i = 0; i < n; i++) {
			types[i] = type_from_node(a, json_array_get(arg, i),
			    depth + 1, err);
			if (!types[i])
				return NULL;
		}
		return co_type_tuple(a, n, types);
	}
	*err = "unsupported type kind in type JSON";
	return NULL;
}

const co_type *co_type_from_json(co_arena *a, const char *json, size_t len,
    const char **err)
{
	const co_type *t = NULL;
	json_t *root = NULL;
	const char *dummy;
	if (!err)
		err = &dummy;
	*err = NULL;
	if (len > TYPE_JSON_MAX_LEN) {
		*err = "type JSON too large";
		goto done;
	}
	json_error_t jerr;
	root = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    &jerr);
	if (!root) {
		*err = "type JSON is not valid JSON";
		goto done;
	}
	t = type_from_node(a, root, 0, err);
done:
	json_decref(root);
	return t;
}

static int type_put(co_buf *out, const co_type *t, int depth);

static int put_json_string(co_buf *out, const char *s)
{
	json_t *j = json_string(s);
	if (!j)
		return -1;
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(j);
	if (!text)
		return -1;
	int rc = co_buf_puts(out, text);
	free(text);
	return rc;
}

static int type_put(co_buf *out, const co_type *t, int depth)
{
	if (!t || depth > TYPE_MAX_DEPTH)
		return -1;
	switch (t->kind) {
	case CO_T_STRING:
		return co_buf_puts(out, "\"string\"");
	case CO_T_NUMBER:
		return co_buf_puts(out, "\"number\"");
	case CO_T_BOOL:
		return co_buf_puts(out, "\"bool\"");
	case CO_T_DYNAMIC:
		return co_buf_puts(out, "\"dynamic\"");
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_MAP:
		if (co_buf_puts(out, t->kind == CO_T_LIST ? "[\"list\"," :
		    t->kind == CO_T_SET ? "[\"set\"," : "[\"map\",") < 0 ||
		    type_put(out, t->elem, depth + 1) < 0)
			return -1;
		return co_buf_putc(out, ']');
	case CO_T_OBJECT:
		/* names are kept sorted, so this is already canonical. */
		if (co_buf_puts(out, "[\"object\",{") < 0)
			return -1;
		for (size_t i = 0; i < t->n; i++) {
			if ((i && co_buf_putc(out, ',') < 0) ||
			    put_json_string(out, t->names[i]) < 0 ||
			    co_buf_putc(out, ':') < 0 ||
			    type_put(out, t->types[i], depth + 1) < 0)
				return -1;
		}
		return co_buf_puts(out, "}]");
	case CO_T_TUPLE:
		if (co_buf_puts(out, "[\"tuple\",[") < 0)
			return -1;
		for (size_t i = 0; i < t->n; i++) {
			if ((i && co_buf_putc(out, ',') < 0) ||
			    type_put(out, t->types[i], depth + 1) < 0)
				return -1;
		}
		return co_buf_puts(out, "]]");
	}
	return -1;
}

int co_type_to_json(co_buf *out, const co_type *t)
{
	return type_put(out, t, 0);
}
