/* The msgpack codec of tfplugin6 DynamicValue, driven by the cty type
 * (go-cty cty/msgpack marshal.go, unmarshal.go, unknown.go, dynamic.go).
 *
 * Encoding uses msgpack-c's packer. Decoding uses a small bounded reader
 * instead of msgpack_unpack: msgpack-c allocates an array or map as soon as
 * it reads the header, so five hostile bytes (dd ff ff ff ff) ask it for
 * ~100 GB, and it builds the whole object tree before we could check it
 * against the type. Reading type-directed lets every count be checked
 * against the bytes that remain. */
#include "value.h"

#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MP_MAX_DEPTH 64
#define MP_MAX_STRING ((size_t)16 << 20)
/* cty refuses refinement payloads larger than this ("oversize unknown
 * value refinement"). */
#define MP_MAX_REFINEMENT 1024
/* cty truncates a string prefix refinement to this many bytes. */
#define MP_MAX_PREFIX 256
#define MP_EXT_REFINED 12

enum {
	REFINE_NULLNESS = 1,
	REFINE_STRING_PREFIX = 2,
	REFINE_NUM_LOWER = 3,
	REFINE_NUM_UPPER = 4,
	REFINE_LEN_LOWER = 5,
	REFINE_LEN_UPPER = 6
};

struct rd {
	co_arena *a;
	const uint8_t *p, *end;
	const char *err;
	const char *path; /* built right to left while an error unwinds */
};

static int fail(struct rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct rd *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->err = co_arena_strdup(r->a, msg);
	return -1;
}

/* Prepends a path step to the error location as the error unwinds. */
static int fail_at(struct rd *r, const char *step)
{
	r->path = co_arena_sprintf(r->a, "%s%s", step, r->path ? r->path : "");
	return -1;
}

static size_t rd_left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}

static int rd_need(struct rd *r, size_t n)
{
	if (rd_left(r) < n)
		return fail(r, "truncated msgpack value");
	return 0;
}

static uint64_t rd_be(struct rd *r, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | r->p[i];
	r->p += n;
	return v;
}

/* Reads an n-byte big-endian unsigned integer. */
static int rd_uint(struct rd *r, size_t n, uint64_t *out)
{
	if (rd_need(r, n) < 0)
		return -1;
	*out = rd_be(r, n);
	return 0;
}

static bool is_ext(uint8_t b)
{
	return (b >= 0xd4 && b <= 0xd8) || (b >= 0xc7 && b <= 0xc9);
}

/* Reads an extension header; the payload follows at r->p. */
static int rd_ext_header(struct rd *r, size_t *len, int8_t *type)
{
	uint8_t b = *r->p++;
	uint64_t n;
	if (b >= 0xd4 && b <= 0xd8) {
		n = (uint64_t)1 << (b - 0xd4);
	} else if (rd_uint(r, (size_t)1 << (b - 0xc7), &n) < 0) {
		return -1;
	}
	if (rd_need(r, 1) < 0)
		return -1;
	*type = (int8_t)*r->p++;
	if (n > rd_left(r))
		return fail(r, "truncated msgpack extension");
	*len = (size_t)n;
	return 0;
}

/* Reads a str or bin (cty's DecodeString takes both). */
static int rd_str(struct rd *r, const char **s, size_t *n)
{
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	uint64_t len;
	if (b >= 0xa0 && b <= 0xbf) {
		r->p++;
		len = b & 0x1f;
	} else if (b == 0xd9 || b == 0xc4) {
		r->p++;
		if (rd_uint(r, 1, &len) < 0)
			return -1;
	} else if (b == 0xda || b == 0xc5) {
		r->p++;
		if (rd_uint(r, 2, &len) < 0)
			return -1;
	} else if (b == 0xdb || b == 0xc6) {
		r->p++;
		if (rd_uint(r, 4, &len) < 0)
			return -1;
	} else {
		return fail(r, "expected a string, got msgpack byte 0x%02x", b);
	}
	if (len > MP_MAX_STRING)
		return fail(r, "string longer than %zu bytes", MP_MAX_STRING);
	if (len > rd_left(r))
		return fail(r, "truncated msgpack string");
	*s = (const char *)r->p;
	*n = (size_t)len;
	r->p += len;
	return 0;
}

/* Reads an array header; the count is checked against the bytes left
 * (each element takes at least one), so it bounds what we allocate. */
static int rd_array(struct rd *r, size_t *count)
{
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	uint64_t n;
	if (b >= 0x90 && b <= 0x9f) {
		r->p++;
		n = b & 0x0f;
	} else if (b == 0xdc || b == 0xdd) {
		r->p++;
		if (rd_uint(r, b == 0xdc ? 2 : 4, &n) < 0)
			return -1;
	} else {
		return fail(r, "expected an array, got msgpack byte 0x%02x", b);
	}
	if (n > rd_left(r))
		return fail(r, "array count exceeds the input");
	*count = (size_t)n;
	return 0;
}

static int rd_map(struct rd *r, size_t *count)
{
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	uint64_t n;
	if (b >= 0x80 && b <= 0x8f) {
		r->p++;
		n = b & 0x0f;
	} else if (b == 0xde || b == 0xdf) {
		r->p++;
		if (rd_uint(r, b == 0xde ? 2 : 4, &n) < 0)
			return -1;
	} else {
		return fail(r, "expected a map, got msgpack byte 0x%02x", b);
	}
	if (n > rd_left(r) / 2)
		return fail(r, "map count exceeds the input");
	*count = (size_t)n;
	return 0;
}

/* A number from a msgpack integer. Integers beyond 2^53 keep their exact
 * text, since the double would round them. */
static co_value *number_from_int(co_arena *a, bool neg, uint64_t mag)
{
	const uint64_t exact = (uint64_t)1 << 53;
	if (mag <= exact)
		return co_value_number(a, neg ? -(double)mag : (double)mag);
	char text[32];
	snprintf(text, sizeof(text), "%s%llu", neg ? "-" : "",
	    (unsigned long long)mag);
	return co_value_number_text(a, text, strlen(text));
}

static int rd_number(struct rd *r, co_value **out)
{
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	uint64_t u;
	if (b <= 0x7f) {
		r->p++;
		*out = co_value_number(r->a, b);
		return 0;
	}
	if (b >= 0xe0) {
		r->p++;
		*out = co_value_number(r->a, (int8_t)b);
		return 0;
	}
	if (b >= 0xcc && b <= 0xcf) {
		r->p++;
		if (rd_uint(r, (size_t)1 << (b - 0xcc), &u) < 0)
			return -1;
		*out = number_from_int(r->a, false, u);
		return 0;
	}
	if (b >= 0xd0 && b <= 0xd3) {
		size_t n = (size_t)1 << (b - 0xd0);
		r->p++;
		if (rd_uint(r, n, &u) < 0)
			return -1;
		/* Sign-extend the n-byte two's complement value. */
		int64_t i;
		if (n < 8 && (u >> (n * 8 - 1)))
			u |= ~(uint64_t)0 << (n * 8);
		memcpy(&i, &u, sizeof(i));
		if (i < 0)
			*out = number_from_int(r->a, true, (uint64_t)0 - u);
		else
			*out = number_from_int(r->a, false, u);
		return 0;
	}
	if (b == 0xca || b == 0xcb) {
		double d;
		r->p++;
		if (rd_uint(r, b == 0xca ? 4 : 8, &u) < 0)
			return -1;
		if (b == 0xca) {
			uint32_t u32 = (uint32_t)u;
			float f;
			memcpy(&f, &u32, sizeof(f));
			d = f;
		} else {
			memcpy(&d, &u, sizeof(d));
		}
		if (isnan(d))
			return fail(r, "NaN is not a valid number");
		*out = co_value_number(r->a, d);
		return 0;
	}
	/* cty sends numbers that are not exact doubles as decimal text. */
	const char *s;
	size_t n;
	if (rd_str(r, &s, &n) < 0)
		return fail(r, "expected a number, got msgpack byte 0x%02x", b);
	*out = co_value_number_text(r->a, s, n);
	if (!*out)
		return fail(r, "invalid number text \"%.*s\"",
		    (int)(n > 40 ? 40 : n), s);
	return 0;
}

static int rd_int64(struct rd *r, int64_t *out)
{
	co_value *n;
	if (rd_number(r, &n) < 0 || !co_value_int(n, out))
		return fail(r, "expected an integer");
	return 0;
}

static int rd_bool(struct rd *r, bool *out)
{
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	if (b != 0xc2 && b != 0xc3)
		return fail(r, "expected a bool, got msgpack byte 0x%02x", b);
	r->p++;
	*out = b == 0xc3;
	return 0;
}

/* Skips one value of any msgpack type (unknown refinement keys). */
static int rd_skip(struct rd *r, int depth)
{
	if (depth > MP_MAX_DEPTH)
		return fail(r, "msgpack nested too deeply");
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	const char *s;
	size_t n;
	co_value *num;
	if (b == 0xc0 || b == 0xc2 || b == 0xc3) {
		r->p++;
		return 0;
	}
	if (is_ext(b)) {
		int8_t type;
		if (rd_ext_header(r, &n, &type) < 0)
			return -1;
		r->p += n;
		return 0;
	}
	if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xc4 && b <= 0xc6) ||
	    (b >= 0xd9 && b <= 0xdb))
		return rd_str(r, &s, &n);
	if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd) {
		if (rd_array(r, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (rd_skip(r, depth + 1) < 0)
				return -1;
		}
		return 0;
	}
	if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf) {
		if (rd_map(r, &n) < 0)
			return -1;
		for (size_t i = 0; i < 2 * n; i++) {
			if (rd_skip(r, depth + 1) < 0)
				return -1;
		}
		return 0;
	}
	return rd_number(r, &num);
}

static int rd_bound(struct rd *r, double *num, bool *incl)
{
	size_t n;
	co_value *v;
	if (rd_array(r, &n) < 0)
		return -1;
	if (n != 2)
		return fail(r, "number bound refinement must be [number, bool]");
	if (rd_number(r, &v) < 0 || rd_bool(r, incl) < 0)
		return -1;
	*num = v->num;
	return 0;
}

/* Parses the ext 12 payload: a map of refinement code to value. */
static int rd_refinements(struct rd *r, co_refine *rf)
{
	size_t n;
	if (rd_map(r, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int64_t key;
		if (rd_int64(r, &key) < 0)
			return -1;
		switch (key) {
		case REFINE_NULLNESS: {
			bool nullable;
			if (rd_bool(r, &nullable) < 0)
				return -1;
			rf->not_null = !nullable;
			break;
		}
		case REFINE_STRING_PREFIX: {
			const char *s;
			size_t len;
			if (rd_str(r, &s, &len) < 0)
				return -1;
			rf->string_prefix = co_arena_strndup(r->a, s, len);
			break;
		}
		case REFINE_NUM_LOWER:
			if (rd_bound(r, &rf->num_lower, &rf->num_lower_incl) < 0)
				return -1;
			rf->has_num_lower = true;
			break;
		case REFINE_NUM_UPPER:
			if (rd_bound(r, &rf->num_upper, &rf->num_upper_incl) < 0)
				return -1;
			rf->has_num_upper = true;
			break;
		case REFINE_LEN_LOWER:
			if (rd_int64(r, &rf->len_lower) < 0)
				return -1;
			rf->has_len_lower = true;
			break;
		case REFINE_LEN_UPPER:
			if (rd_int64(r, &rf->len_upper) < 0)
				return -1;
			rf->has_len_upper = true;
			break;
		default:
			/* The protocol says unknown refinements are ignored. */
			if (rd_skip(r, 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* Any extension is an unknown (unmarshal.go checks before the type);
 * only type 12 with a payload carries refinements. */
static int rd_unknown(struct rd *r, const co_type *t, co_value **out)
{
	size_t len;
	int8_t type;
	if (rd_ext_header(r, &len, &type) < 0)
		return -1;
	co_value *v = co_value_unknown(r->a, t);
	if (len > 1) {
		if (type != MP_EXT_REFINED)
			return fail(r, "unsupported msgpack extension type %d",
			    type);
		if (len > MP_MAX_REFINEMENT)
			return fail(r, "oversize unknown value refinement");
		struct rd sub = { .a = r->a, .p = r->p, .end = r->p + len };
		if (rd_refinements(&sub, &v->refine) < 0) {
			r->err = co_arena_sprintf(r->a,
			    "invalid unknown value refinement: %s", sub.err);
			return -1;
		}
	}
	r->p += len;
	*out = v;
	return 0;
}

static int rd_value(struct rd *r, const co_type *t, int depth,
    co_value **out);

static int rd_dynamic(struct rd *r, int depth, co_value **out)
{
	size_t n, len;
	const char *json, *terr = NULL;
	if (rd_array(r, &n) < 0)
		return -1;
	if (n != 2)
		return fail(r, "dynamic value must be [type, value]");
	if (rd_str(r, &json, &len) < 0)
		return -1;
	const co_type *t = co_type_from_json(r->a, json, len, &terr);
	if (!t)
		return fail(r, "dynamic value: %s", terr);
	return rd_value(r, t, depth + 1, out);
}

static int rd_seq(struct rd *r, const co_type *t, int depth, co_value **out)
{
	size_t n;
	if (rd_array(r, &n) < 0)
		return -1;
	if (t->kind == CO_T_TUPLE && n != t->n)
		return fail(r, "tuple needs %zu elements, got %zu", t->n, n);
	co_value **items = co_arena_alloc(r->a, (n ? n : 1) * sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		const co_type *et = t->kind == CO_T_TUPLE ? t->types[i] : t->elem;
		if (rd_value(r, et, depth + 1, &items[i]) < 0) {
			char step[32];
			snprintf(step, sizeof(step), "[%zu]", i);
			return fail_at(r, step);
		}
	}
	if (t->kind == CO_T_SET) {
		*out = co_value_set_from(r->a, t, items, n);
		return 0;
	}
	co_value *v = co_value_collection(r->a, t);
	v->items = items;
	v->count = v->cap = n;
	*out = v;
	return 0;
}

static int rd_mapval(struct rd *r, const co_type *t, int depth,
    co_value **out)
{
	size_t n;
	if (rd_map(r, &n) < 0)
		return -1;
	const char **keys = co_arena_alloc(r->a, (n ? n : 1) * sizeof(*keys));
	co_value **items = co_arena_alloc(r->a, (n ? n : 1) * sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;
		if (rd_str(r, &s, &len) < 0)
			return -1;
		/* Keys are C strings here; a NUL would silently merge keys. */
		if (memchr(s, '\0', len))
			return fail(r, "map key contains a NUL byte");
		keys[i] = co_arena_strndup(r->a, s, len);
		if (rd_value(r, t->elem, depth + 1, &items[i]) < 0) {
			return fail_at(r, co_arena_sprintf(r->a, "[\"%.64s\"]",
			    keys[i]));
		}
	}
	*out = co_value_map_from(r->a, t, keys, items, n);
	return 0;
}

static int rd_object(struct rd *r, const co_type *t, int depth,
    co_value **out)
{
	size_t n;
	if (rd_map(r, &n) < 0)
		return -1;
	co_value *v = co_value_collection(r->a, t);
	v->count = v->cap = t->n;
	v->items = co_arena_alloc(r->a, (t->n ? t->n : 1) * sizeof(*v->items));
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;
		if (rd_str(r, &s, &len) < 0)
			return -1;
		const char *name = co_arena_strndup(r->a, s, len);
		int at = strlen(name) == len ? co_type_attr_index(t, name) : -1;
		if (at < 0)
			return fail(r, "unsupported attribute \"%.64s\"", name);
		if (v->items[at])
			return fail(r, "duplicate attribute \"%.64s\"", name);
		if (rd_value(r, t->types[at], depth + 1, &v->items[at]) < 0)
			return fail_at(r, co_arena_sprintf(r->a, ".%s", name));
	}
	/* Terraform always sends every attribute; a gap means the schema and
	 * the value disagree. */
	for (size_t i = 0; i < t->n; i++) {
		if (!v->items[i])
			return fail(r, "missing attribute \"%.64s\"",
			    t->names[i]);
	}
	*out = v;
	return 0;
}

static int rd_value(struct rd *r, const co_type *t, int depth,
    co_value **out)
{
	if (depth > MP_MAX_DEPTH)
		return fail(r, "value nested more than %d levels",
		    MP_MAX_DEPTH);
	if (rd_need(r, 1) < 0)
		return -1;
	uint8_t b = *r->p;
	if (is_ext(b))
		return rd_unknown(r, t, out);
	if (b == 0xc0) {
		r->p++;
		*out = co_value_null(r->a, t);
		return 0;
	}
	switch (t->kind) {
	case CO_T_DYNAMIC:
		return rd_dynamic(r, depth, out);
	case CO_T_STRING: {
		const char *s;
		size_t n;
		if (rd_str(r, &s, &n) < 0)
			return -1;
		*out = co_value_stringn(r->a, s, n);
		return 0;
	}
	case CO_T_NUMBER:
		return rd_number(r, out);
	case CO_T_BOOL: {
		bool bv;
		if (rd_bool(r, &bv) < 0)
			return -1;
		*out = co_value_bool(r->a, bv);
		return 0;
	}
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_TUPLE:
		return rd_seq(r, t, depth, out);
	case CO_T_MAP:
		return rd_mapval(r, t, depth, out);
	case CO_T_OBJECT:
		return rd_object(r, t, depth, out);
	}
	return fail(r, "unsupported type");
}

int co_msgpack_decode(co_arena *a, const co_type *t, const uint8_t *data,
    size_t len, co_value **out, const char **err)
{
	struct rd r = { .a = a, .p = data, .end = data + len };
	int rc = -1;
	const char *dummy;
	if (!err)
		err = &dummy;
	*err = NULL;
	*out = NULL;
	if (rd_value(&r, t, 0, out) < 0)
		goto done;
	if (r.p != r.end) {
		fail(&r, "%zu trailing bytes after the value", rd_left(&r));
		goto done;
	}
	rc = 0;
done:
	if (rc < 0) {
		*out = NULL;
		*err = r.path ? co_arena_sprintf(a, "at %s: %s",
		    r.path[0] == '.' ? r.path + 1 : r.path, r.err) : r.err;
	}
	return rc;
}

/* ---- encoding ------------------------------------------------------- */

static int buf_write(void *data, const char *buf, size_t len)
{
	return co_buf_append(data, buf, len);
}

/* True when text is a plain integer that fits int64, so cty would send it
 * as an integer rather than as text. */
static bool text_int(const char *text, int64_t *out)
{
	co_value v = { .type = &co_type_number, .num_text = text };
	return co_value_int(&v, out);
}

/* cty: an exact int64 as the most compact integer (UseCompactInts), else
 * an exact float64, else the decimal text. */
static int pack_number(msgpack_packer *pk, double num, const char *num_text)
{
	int64_t i;
	if (num_text) {
		if (text_int(num_text, &i))
			return msgpack_pack_int64(pk, i);
		size_t n = strlen(num_text);
		if (msgpack_pack_str(pk, n) < 0)
			return -1;
		return msgpack_pack_str_body(pk, num_text, n);
	}
	if (isfinite(num) && num == floor(num) &&
	    num >= -9223372036854775808.0 && num < 9223372036854775808.0) {
		if (num >= 0)
			return msgpack_pack_uint64(pk, (uint64_t)num);
		return msgpack_pack_int64(pk, (int64_t)num);
	}
	return msgpack_pack_double(pk, num);
}

/* Length of the longest prefix of s (at most max bytes) that does not end
 * inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	n = max;
	size_t back = 0;
	while (back < 4 && back < n &&
	    ((unsigned char)s[n - 1 - back] & 0xc0) == 0x80)
		back++;
	if (back < n) {
		unsigned char lead = (unsigned char)s[n - 1 - back];
		size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 :
		    lead >= 0xc0 ? 2 : 1;
		if (want != back + 1)
			n -= back + 1;
	}
	return n;
}

static int pack_unknown(msgpack_packer *pk, const co_type *t,
    const co_refine *rf)
{
	co_buf body;
	msgpack_packer sub;
	int rc = -1, keys = 0;
	co_buf_init(&body, MP_MAX_REFINEMENT);
	msgpack_packer_init(&sub, &body, buf_write);
	/* cty writes nullness first, then the refinements of the type. */
	if (t->kind != CO_T_DYNAMIC && rf->not_null) {
		if (msgpack_pack_int(&sub, REFINE_NULLNESS) < 0 ||
		    msgpack_pack_false(&sub) < 0)
			goto done;
		keys++;
	}
	if (t->kind == CO_T_STRING && rf->string_prefix &&
	    rf->string_prefix[0]) {
		size_t n = utf8_cut(rf->string_prefix, MP_MAX_PREFIX);
		if (msgpack_pack_int(&sub, REFINE_STRING_PREFIX) < 0 ||
		    msgpack_pack_str(&sub, n) < 0 ||
		    msgpack_pack_str_body(&sub, rf->string_prefix, n) < 0)
			goto done;
		keys++;
	}
	if (t->kind == CO_T_NUMBER && rf->has_num_lower &&
	    rf->num_lower != -INFINITY) {
		if (msgpack_pack_int(&sub, REFINE_NUM_LOWER) < 0 ||
		    msgpack_pack_array(&sub, 2) < 0 ||
		    pack_number(&sub, rf->num_lower, NULL) < 0 ||
		    (rf->num_lower_incl ? msgpack_pack_true(&sub) :
		    msgpack_pack_false(&sub)) < 0)
			goto done;
		keys++;
	}
	if (t->kind == CO_T_NUMBER && rf->has_num_upper &&
	    rf->num_upper != INFINITY) {
		if (msgpack_pack_int(&sub, REFINE_NUM_UPPER) < 0 ||
		    msgpack_pack_array(&sub, 2) < 0 ||
		    pack_number(&sub, rf->num_upper, NULL) < 0 ||
		    (rf->num_upper_incl ? msgpack_pack_true(&sub) :
		    msgpack_pack_false(&sub)) < 0)
			goto done;
		keys++;
	}
	bool coll = t->kind == CO_T_LIST || t->kind == CO_T_SET ||
	    t->kind == CO_T_MAP;
	if (coll && rf->has_len_lower && rf->len_lower != 0) {
		if (msgpack_pack_int(&sub, REFINE_LEN_LOWER) < 0 ||
		    msgpack_pack_int64(&sub, rf->len_lower) < 0)
			goto done;
		keys++;
	}
	if (coll && rf->has_len_upper) {
		if (msgpack_pack_int(&sub, REFINE_LEN_UPPER) < 0 ||
		    msgpack_pack_int64(&sub, rf->len_upper) < 0)
			goto done;
		keys++;
	}
	if (keys == 0) {
		/* cty's unknownValBytes: fixext1, type 0, payload 00. */
		static const char zero = 0;
		rc = msgpack_pack_ext(pk, 1, 0) < 0 ||
		    msgpack_pack_ext_body(pk, &zero, 1) < 0 ? -1 : 0;
		goto done;
	}
	/* At most six keys, so the map header is one byte. */
	uint8_t header = (uint8_t)(0x80 | keys);
	if (msgpack_pack_ext(pk, body.len + 1, MP_EXT_REFINED) < 0 ||
	    msgpack_pack_ext_body(pk, &header, 1) < 0 ||
	    msgpack_pack_ext_body(pk, body.data, body.len) < 0)
		goto done;
	rc = 0;
done:
	co_buf_free(&body);
	return rc;
}

static int pack_value(msgpack_packer *pk, const co_type *t,
    const co_value *v, int depth);

/* dynamic.go: [type JSON as bin, value encoded for its own type]. */
static int pack_dynamic(msgpack_packer *pk, const co_value *v, int depth)
{
	co_buf tj;
	int rc = -1;
	co_buf_init(&tj, 0);
	if (co_type_to_json(&tj, v->type) < 0)
		goto done;
	if (msgpack_pack_array(pk, 2) < 0 ||
	    msgpack_pack_bin(pk, tj.len) < 0 ||
	    msgpack_pack_bin_body(pk, tj.data, tj.len) < 0 ||
	    pack_value(pk, v->type, v, depth + 1) < 0)
		goto done;
	rc = 0;
done:
	co_buf_free(&tj);
	return rc;
}

static int pack_object(msgpack_packer *pk, const co_type *t,
    const co_value *v, int depth)
{
	if (v->type->kind != CO_T_OBJECT ||
	    msgpack_pack_map(pk, t->n) < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const char *name = t->names[i];
		const co_value *item = NULL;
		if (v->type == t) {
			item = i < v->count ? v->items[i] : NULL;
		} else {
			int at = co_type_attr_index(v->type, name);
			if (at >= 0 && (size_t)at < v->count)
				item = v->items[at];
		}
		size_t n = strlen(name);
		if (msgpack_pack_str(pk, n) < 0 ||
		    msgpack_pack_str_body(pk, name, n) < 0 ||
		    pack_value(pk, t->types[i], item, depth + 1) < 0)
			return -1;
	}
	return 0;
}

static int pack_value(msgpack_packer *pk, const co_type *t,
    const co_value *v, int depth)
{
	if (!t || depth > 4 * MP_MAX_DEPTH)
		return -1;
	if (!v)
		return msgpack_pack_nil(pk);
	if (t->kind == CO_T_DYNAMIC) {
		/* A value of dynamic type itself is null or wholly unknown
		 * and goes without the wrapper; any other value in a dynamic
		 * slot, null or unknown included, carries its type. */
		if (!v->type || v->type->kind == CO_T_DYNAMIC) {
			if (v->is_unknown)
				return pack_unknown(pk, t, &v->refine);
			return msgpack_pack_nil(pk);
		}
		return pack_dynamic(pk, v, depth);
	}
	if (v->is_unknown)
		return pack_unknown(pk, t, &v->refine);
	if (v->is_null)
		return msgpack_pack_nil(pk);
	if (!v->type || (v->type->kind != t->kind))
		return -1;
	switch (t->kind) {
	case CO_T_STRING:
		if (msgpack_pack_str(pk, v->str_len) < 0)
			return -1;
		return msgpack_pack_str_body(pk, v->str, v->str_len);
	case CO_T_NUMBER:
		return pack_number(pk, v->num, v->num_text);
	case CO_T_BOOL:
		return v->b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
	case CO_T_LIST:
	case CO_T_SET:
	case CO_T_TUPLE:
		if (t->kind == CO_T_TUPLE && v->count != t->n)
			return -1;
		if (msgpack_pack_array(pk, v->count) < 0)
			return -1;
		for (size_t i = 0; i < v->count; i++) {
			const co_type *et = t->kind == CO_T_TUPLE ?
			    t->types[i] : t->elem;
			if (pack_value(pk, et, v->items[i], depth + 1) < 0)
				return -1;
		}
		return 0;
	case CO_T_MAP:
		/* Keys are kept sorted, which is the order cty writes. */
		if (msgpack_pack_map(pk, v->count) < 0)
			return -1;
		for (size_t i = 0; i < v->count; i++) {
			size_t n = strlen(v->keys[i]);
			if (msgpack_pack_str(pk, n) < 0 ||
			    msgpack_pack_str_body(pk, v->keys[i], n) < 0 ||
			    pack_value(pk, t->elem, v->items[i], depth + 1) < 0)
				return -1;
		}
		return 0;
	case CO_T_OBJECT:
		return pack_object(pk, t, v, depth);
	default:
		return -1;
	}
}

int co_msgpack_encode(co_buf *out, const co_type *t, const co_value *v)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, buf_write);
	return pack_value(&pk, t, v, 0);
}
