/* cty values: constructors, accessors, deep equality and copy, and the
 * set/map builders the decoders use. */
#include "value.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal text longer than this is not a number anyone sends; it bounds
 * the work of normalizing text from the wire. */
#define NUM_TEXT_MAX 1024
/* A double's decimal point lies within 309 digits left and 324 right of
 * the first significant digit; anything further out is refused rather
 * than rendered as kilobytes of zeros. */
#define NUM_POINT_MAX 1100

co_value *co_value_null(co_arena *a, const co_type *t)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = t;
	v->is_null = true;
	return v;
}

co_value *co_value_unknown(co_arena *a, const co_type *t)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = t;
	v->is_unknown = true;
	return v;
}

co_value *co_value_stringn(co_arena *a, const char *s, size_t n)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = &co_type_string;
	v->str = co_arena_strndup(a, s, n);
	v->str_len = n;
	return v;
}

co_value *co_value_string(co_arena *a, const char *s)
{
	return co_value_stringn(a, s, strlen(s));
}

co_value *co_value_number(co_arena *a, double n)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = &co_type_number;
	v->num = n;
	return v;
}

co_value *co_value_bool(co_arena *a, bool b)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = &co_type_bool;
	v->b = b;
	return v;
}

/* Renders significant digits (no leading or trailing zeros) with the
 * decimal point `point` places after the first digit as plain decimal. */
static int render_plain(char *out, size_t cap, bool neg, const char *digits,
    size_t nd, long point)
{
	size_t pos = 0;
#define PUT(c) do { if (pos + 1 >= cap) return -1; out[pos++] = (c); } while (0)
	if (nd == 0) {
		PUT('0');
		out[pos] = '\0';
		return 0;
	}
	if (neg)
		PUT('-');
	if (point <= 0) {
		PUT('0');
		PUT('.');
		for (long i = 0; i < -point; i++)
			PUT('0');
		for (size_t i = 0; i < nd; i++)
			PUT(digits[i]);
	} else if ((size_t)point >= nd) {
		for (size_t i = 0; i < nd; i++)
			PUT(digits[i]);
		for (size_t i = nd; i < (size_t)point; i++)
			PUT('0');
	} else {
		for (size_t i = 0; i < nd; i++) {
			if (i == (size_t)point)
				PUT('.');
			PUT(digits[i]);
		}
	}
#undef PUT
	out[pos] = '\0';
	return 0;
}

int co_number_format(char *out, size_t cap, double d)
{
	if (!isfinite(d))
		return -1;
	char sci[40];
	/* The shortest precision whose text reads back as d, like Go's
	 * strconv 'f' -1. */
	for (int prec = 0; prec <= 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec, d);
		if (strtod(sci, NULL) == d)
			break;
	}
	bool neg = sci[0] == '-';
	const char *p = sci + (neg ? 1 : 0);
	char digits[24];
	size_t nd = 0;
	for (; *p && *p != 'e'; p++) {
		if (*p >= '0' && *p <= '9' && nd < sizeof(digits))
			digits[nd++] = *p;
	}
	long exp10 = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
	while (nd > 0 && digits[nd - 1] == '0')
		nd--;
	/* -0 prints as 0, as cty does. */
	return render_plain(out, cap, neg && nd > 0, digits, nd, exp10 + 1);
}

/* Normalizes decimal text (sign, digits, point, exponent) to plain decimal
 * in out (cap bytes). 0, or -1 when it is not a number or out of range. */
static int normalize_number(char *out, size_t cap, const char *s, size_t n)
{
	char *digits = NULL;
	int rc = -1;
	size_t i = 0;
	if (n == 0 || n > NUM_TEXT_MAX)
		goto done;
	bool neg = false;
	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	digits = malloc(n + 1);
	if (!digits)
		goto done;
	size_t nd = 0, seen = 0;
	long point = 0;
	bool dot = false, leading = true;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '.' && !dot) {
			dot = true;
			continue;
		}
		if (c < '0' || c > '9')
			break;
		seen++;
		if (leading && c == '0') {
			/* A leading zero after the point moves the first
			 * significant digit right. */
			if (dot)
				point--;
			continue;
		}
		leading = false;
		digits[nd++] = c;
		if (!dot)
			point++;
	}
	if (seen == 0)
		goto done;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		long e = 0;
		size_t edigits = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, edigits++) {
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		}
		if (edigits == 0)
			goto done;
		point += eneg ? -e : e;
	}
	if (i != n)
		goto done;
	while (nd > 0 && digits[nd - 1] == '0')
		nd--;
	if (nd > 0 && (point > NUM_POINT_MAX || point < -NUM_POINT_MAX))
		goto done;
	rc = render_plain(out, cap, neg, digits, nd, point);
done:
	free(digits);
	return rc;
}

/* True when text (plain decimal) is exactly the value of d. glibc and musl
 * print the exact binary value for %f, so compare against that. */
static bool text_is_exact(const char *text, double d)
{
	if (!isfinite(d))
		return false;
	char exact[1500];
	snprintf(exact, sizeof(exact), "%.1080f", d);
	size_t len = strlen(exact);
	while (len > 0 && exact[len - 1] == '0')
		len--;
	if (len > 0 && exact[len - 1] == '.')
		len--;
	exact[len] = '\0';
	if (strcmp(exact, "-0") == 0)
		strcpy(exact, "0");
	return strcmp(exact, text) == 0;
}

co_value *co_value_number_text(co_arena *a, const char *s, size_t n)
{
	size_t cap = n + 2 * NUM_POINT_MAX + 8;
	char *norm = malloc(cap);
	co_value *v = NULL;
	if (!norm)
		goto done;
	if (normalize_number(norm, cap, s, n) < 0)
		goto done;
	v = co_value_number(a, strtod(norm, NULL));
	if (!text_is_exact(norm, v->num))
		v->num_text = co_arena_strdup(a, norm);
done:
	free(norm);
	return v;
}

co_value *co_value_collection(co_arena *a, const co_type *t)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = t;
	return v;
}

static void grow(co_arena *a, co_value *c, bool with_keys)
{
	if (c->count < c->cap)
		return;
	size_t cap = c->cap ? c->cap * 2 : 4;
	co_value **items = co_arena_alloc(a, cap * sizeof(*items));
	if (c->count)
		memcpy(items, c->items, c->count * sizeof(*items));
	c->items = items;
	if (with_keys) {
		const char **keys = co_arena_alloc(a, cap * sizeof(*keys));
		if (c->count)
			memcpy(keys, c->keys, c->count * sizeof(*keys));
		c->keys = keys;
	}
	c->cap = cap;
}

void co_value_append(co_arena *a, co_value *coll, co_value *item)
{
	if (coll->type && coll->type->kind == CO_T_SET &&
	    !co_value_has_unknown(item)) {
		for (size_t i = 0; i < coll->count; i++) {
			if (!co_value_has_unknown(coll->items[i]) &&
			    co_value_equal(coll->items[i], item))
				return;
		}
	}
	grow(a, coll, false);
	coll->items[coll->count++] = item;
}

/* Index of key in the sorted keys of map, or where it would go. */
static size_t map_find(const co_value *map, const char *key, bool *found)
{
	size_t lo = 0, hi = map->count;
	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, map->keys[mid]);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void co_value_map_put(co_arena *a, co_value *map, const char *key,
    co_value *item)
{
	bool found;
	size_t at = map_find(map, key, &found);
	if (found) {
		map->items[at] = item;
		return;
	}
	grow(a, map, true);
	memmove(map->items + at + 1, map->items + at,
	    (map->count - at) * sizeof(*map->items));
	memmove(map->keys + at + 1, map->keys + at,
	    (map->count - at) * sizeof(*map->keys));
	map->items[at] = item;
	map->keys[at] = co_arena_strdup(a, key);
	map->count++;
}

co_value *co_value_object(co_arena *a, const co_type *t)
{
	co_value *v = co_arena_alloc(a, sizeof(*v));
	v->type = t;
	v->count = t->n;
	v->cap = t->n;
	if (t->n) {
		v->items = co_arena_alloc(a, t->n * sizeof(*v->items));
		for (size_t i = 0; i < t->n; i++)
			v->items[i] = co_value_null(a, t->types[i]);
	}
	return v;
}

void co_value_set_attr(co_value *obj, const char *name, co_value *v)
{
	int i = co_type_attr_index(obj->type, name);
	if (i < 0 || obj->is_null || obj->is_unknown || !v) {
		fprintf(stderr, "co_value_set_attr: no attribute %s\n", name);
		abort();
	}
	obj->items[i] = v;
}

co_value *co_value_attr(const co_value *obj, const char *name)
{
	if (!obj || obj->is_null || obj->is_unknown ||
	    obj->type->kind != CO_T_OBJECT)
		return NULL;
	int i = co_type_attr_index(obj->type, name);
	return i < 0 || (size_t)i >= obj->count ? NULL : obj->items[i];
}

co_value *co_value_map_get(const co_value *map, const char *key)
{
	if (!co_value_is_set(map) || map->type->kind != CO_T_MAP)
		return NULL;
	bool found;
	size_t at = map_find(map, key, &found);
	return found ? map->items[at] : NULL;
}

bool co_value_is_set(const co_value *v)
{
	return v && !v->is_null && !v->is_unknown;
}

const char *co_value_str(const co_value *v)
{
	if (!co_value_is_set(v) || v->type->kind != CO_T_STRING)
		return NULL;
	return v->str;
}

bool co_value_num(const co_value *v, double *out)
{
	if (!co_value_is_set(v) || v->type->kind != CO_T_NUMBER)
		return false;
	*out = v->num;
	return true;
}

/* Parses plain integer text exactly; false for fractions or overflow. */
static bool text_int64(const char *text, int64_t *out)
{
	const char *p = text;
	if (*p == '-')
		p++;
	if (!*p)
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
	}
	char *end;
	errno = 0;
	long long n = strtoll(text, &end, 10);
	if (errno || *end)
		return false;
	*out = n;
	return true;
}

bool co_value_int(const co_value *v, int64_t *out)
{
	if (!co_value_is_set(v) || v->type->kind != CO_T_NUMBER)
		return false;
	if (v->num_text)
		return text_int64(v->num_text, out);
	double d = v->num;
	/* 2^63 is exact as a double; int64 covers [-2^63, 2^63). */
	if (!isfinite(d) || d != floor(d) || d < -9223372036854775808.0 ||
	    d >= 9223372036854775808.0)
		return false;
	*out = (int64_t)d;
	return true;
}

bool co_value_bool_or(const co_value *v, bool dflt)
{
	if (!co_value_is_set(v) || v->type->kind != CO_T_BOOL)
		return dflt;
	return v->b;
}

static bool has_items(const co_value *v)
{
	switch (v->type->kind) {
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_MAP:
	case CO_T_OBJECT:
	case CO_T_TUPLE:
		return true;
	default:
		return false;
	}
}

bool co_value_has_unknown(const co_value *v)
{
	if (!v)
		return false;
	if (v->is_unknown)
		return true;
	if (v->is_null || !has_items(v))
		return false;
	for (size_t i = 0; i < v->count; i++) {
		if (co_value_has_unknown(v->items[i]))
			return true;
	}
	return false;
}

static uint64_t hash_mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A hash consistent with co_value_equal: equal values hash alike. */
static uint64_t value_hash(const co_value *v)
{
	if (!v)
		return 0;
	uint64_t h = (uint64_t)v->type->kind * 0x51ed27ULL;
	if (v->is_unknown)
		return hash_mix(h, 1);
	if (v->is_null)
		return hash_mix(h, 2);
	switch (v->type->kind) {
	case CO_T_STRING:
		return hash_mix(h, hash_bytes(v->str, v->str_len));
	case CO_T_NUMBER: {
		/* Equal numbers have the same double: num always holds the
		 * text's nearest double. 0.0 == -0.0 must hash alike. */
		double d = v->num == 0 ? 0 : v->num;
		uint64_t bits;
		memcpy(&bits, &d, sizeof(bits));
		return hash_mix(h, bits);
	}
	case CO_T_BOOL:
		return hash_mix(h, v->b ? 3 : 4);
	case CO_T_SET: {
		/* Order-insensitive, as set equality is. */
		uint64_t sum = 0;
		for (size_t i = 0; i < v->count; i++)
			sum += value_hash(v->items[i]);
		return hash_mix(h, sum);
	}
	case CO_T_MAP:
	case CO_T_LIST:
	case CO_T_OBJECT:
	case CO_T_TUPLE:
		for (size_t i = 0; i < v->count; i++) {
			if (v->type->kind == CO_T_MAP)
				h = hash_mix(h, hash_bytes(v->keys[i],
				    strlen(v->keys[i])));
			h = hash_mix(h, value_hash(v->items[i]));
		}
		return h;
	default:
		return h;
	}
}

struct hashed {
	uint64_t hash;
	size_t index;
};

static int hashed_cmp(const void *x, const void *y)
{
	const struct hashed *hx = x, *hy = y;
	if (hx->hash != hy->hash)
		return hx->hash < hy->hash ? -1 : 1;
	if (hx->index != hy->index)
		return hx->index < hy->index ? -1 : 1;
	return 0;
}

/* Hashes items[0..n) into a new array sorted by hash, or NULL (malloc). */
static struct hashed *hash_sorted(co_value *const *items, size_t n)
{
	struct hashed *hs = malloc((n ? n : 1) * sizeof(*hs));
	if (!hs)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		hs[i].hash = value_hash(items[i]);
		hs[i].index = i;
	}
	qsort(hs, n, sizeof(*hs), hashed_cmp);
	return hs;
}

static bool set_equal(const co_value *x, const co_value *y)
{
	size_t n = x->count;
	bool eq = false;
	bool *used = calloc(n ? n : 1, sizeof(*used));
	struct hashed *hy = hash_sorted(y->items, n);
	if (!used || !hy)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint64_t h = value_hash(x->items[i]);
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (hy[mid].hash < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		bool matched = false;
		for (size_t k = lo; k < n && hy[k].hash == h; k++) {
			if (!used[k] && co_value_equal(x->items[i],
			    y->items[hy[k].index])) {
				used[k] = true;
				matched = true;
				break;
			}
		}
		if (!matched)
			goto done;
	}
	eq = true;
done:
	free(hy);
	free(used);
	return eq;
}

static bool number_equal(const co_value *x, const co_value *y)
{
	if (x->num_text && y->num_text)
		return strcmp(x->num_text, y->num_text) == 0;
	return x->num == y->num;
}

bool co_value_equal(const co_value *x, const co_value *y)
{
	if (x == y)
		return true;
	if (!x || !y || !co_type_equal(x->type, y->type))
		return false;
	if (x->is_unknown || y->is_unknown)
		return x->is_unknown && y->is_unknown;
	if (x->is_null || y->is_null)
		return x->is_null && y->is_null;
	switch (x->type->kind) {
	case CO_T_STRING:
		return x->str_len == y->str_len &&
		    memcmp(x->str, y->str, x->str_len) == 0;
	case CO_T_NUMBER:
		return number_equal(x, y);
	case CO_T_BOOL:
		return x->b == y->b;
	case CO_T_SET:
		return x->count == y->count && set_equal(x, y);
	case CO_T_MAP:
	case CO_T_LIST:
	case CO_T_OBJECT:
	case CO_T_TUPLE:
		if (x->count != y->count)
			return false;
		for (size_t i = 0; i < x->count; i++) {
			if (x->type->kind == CO_T_MAP &&
			    strcmp(x->keys[i], y->keys[i]) != 0)
				return false;
			if (!co_value_equal(x->items[i], y->items[i]))
				return false;
		}
		return true;
	default:
		return true;
	}
}

co_value *co_value_copy(co_arena *a, const co_value *v)
{
	if (!v)
		return NULL;
	co_value *c = co_arena_alloc(a, sizeof(*c));
	*c = *v;
	c->type = co_type_copy(a, v->type);
	if (v->is_unknown) {
		if (v->refine.string_prefix)
			c->refine.string_prefix =
			    co_arena_strdup(a, v->refine.string_prefix);
		return c;
	}
	if (v->is_null)
		return c;
	switch (v->type->kind) {
	case CO_T_STRING:
		c->str = co_arena_strndup(a, v->str, v->str_len);
		break;
	case CO_T_NUMBER:
		if (v->num_text)
			c->num_text = co_arena_strdup(a, v->num_text);
		break;
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_MAP:
	case CO_T_OBJECT:
	case CO_T_TUPLE:
		c->cap = v->count;
		c->items = NULL;
		c->keys = NULL;
		if (!v->count)
			break;
		c->items = co_arena_alloc(a, v->count * sizeof(*c->items));
		for (size_t i = 0; i < v->count; i++)
			c->items[i] = co_value_copy(a, v->items[i]);
		if (v->keys) {
			c->keys = co_arena_alloc(a, v->count * sizeof(*c->keys));
			for (size_t i = 0; i < v->count; i++)
				c->keys[i] = co_arena_strdup(a, v->keys[i]);
		}
		break;
	default:
		break;
	}
	return c;
}

co_value *co_value_set_from(co_arena *a, const co_type *t, co_value **items,
    size_t n)
{
	co_value *set = co_value_collection(a, t);
	set->items = items;
	set->cap = n;
	if (n < 2) {
		set->count = n;
		return set;
	}
	struct hashed *hs = hash_sorted(items, n);
	bool *drop = calloc(n, sizeof(*drop));
	bool *unknown = calloc(n, sizeof(*unknown));
	if (!hs || !drop || !unknown)
		abort();
	for (size_t i = 0; i < n; i++)
		unknown[i] = co_value_has_unknown(items[i]);
	/* Within each run of equal hashes (sorted by index), an element
	 * equal to an earlier kept one is a duplicate; the first wins. */
	for (size_t run = 0; run < n;) {
		size_t end = run + 1;
		while (end < n && hs[end].hash == hs[run].hash)
			end++;
		for (size_t j = run + 1; j < end; j++) {
			size_t ij = hs[j].index;
			if (unknown[ij])
				continue;
			for (size_t k = run; k < j; k++) {
				size_t ik = hs[k].index;
				if (!drop[ik] && !unknown[ik] &&
				    co_value_equal(items[ik], items[ij])) {
					drop[ij] = true;
					break;
				}
			}
		}
		run = end;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (!drop[i])
			items[kept++] = items[i];
	}
	set->count = kept;
	free(unknown);
	free(drop);
	free(hs);
	return set;
}

struct keyed {
	const char *key;
	co_value *item;
	size_t index;
};

static int keyed_cmp(const void *x, const void *y)
{
	const struct keyed *kx = x, *ky = y;
	int c = strcmp(kx->key, ky->key);
	if (c)
		return c;
	return kx->index < ky->index ? -1 : kx->index > ky->index;
}

co_value *co_value_map_from(co_arena *a, const co_type *t, const char **keys,
    co_value **items, size_t n)
{
	co_value *map = co_value_collection(a, t);
	map->keys = keys;
	map->items = items;
	map->cap = n;
	if (n == 0)
		return map;
	struct keyed *ks = malloc(n * sizeof(*ks));
	if (!ks)
		abort();
	for (size_t i = 0; i < n; i++) {
		ks[i].key = keys[i];
		ks[i].item = items[i];
		ks[i].index = i;
	}
	qsort(ks, n, sizeof(*ks), keyed_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		/* The last of equal keys wins, as a Go map assignment does. */
		if (i + 1 < n && strcmp(ks[i].key, ks[i + 1].key) == 0)
			continue;
		keys[kept] = ks[i].key;
		items[kept] = ks[i].item;
		kept++;
	}
	map->count = kept;
	free(ks);
	return map;
}
