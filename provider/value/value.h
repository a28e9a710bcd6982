/* The value model: cty types and values as Terraform and OpenTofu exchange
 * them, with null, unknown (optionally refined), primitives, collections,
 * objects, tuples and dynamic. Knows nothing of gRPC or AWS.
 *
 * Ownership: every co_type and co_value lives in a co_arena and is freed with
 * it. Values are immutable once built, except through the co_value_*_set /
 * _append builders used while constructing them. */
#ifndef CO_VALUE_H
#define CO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"
#include "../util/buf.h"

typedef enum {
	CO_T_DYNAMIC = 0, /* cty.DynamicPseudoType */
	CO_T_STRING,
	CO_T_NUMBER,
	CO_T_BOOL,
	CO_T_LIST,
	CO_T_SET,
	CO_T_MAP,
	CO_T_OBJECT,
	CO_T_TUPLE
} co_type_kind;

typedef struct co_type co_type;
struct co_type {
	co_type_kind kind;
	const co_type *elem;    /* LIST, SET, MAP */
	size_t n;               /* OBJECT attributes, TUPLE elements */
	const char **names;     /* OBJECT: attribute names, sorted bytewise */
	const co_type **types;  /* OBJECT attribute types / TUPLE element types */
};

/* Shared primitive types (static, never freed). */
extern const co_type co_type_string;
extern const co_type co_type_number;
extern const co_type co_type_bool;
extern const co_type co_type_dynamic;

const co_type *co_type_list(co_arena *a, const co_type *elem);
const co_type *co_type_set(co_arena *a, const co_type *elem);
const co_type *co_type_map(co_arena *a, const co_type *elem);
/* names need not be sorted; they are copied and sorted. */
const co_type *co_type_object(co_arena *a, size_t n, const char *const *names,
    const co_type *const *types);
const co_type *co_type_tuple(co_arena *a, size_t n,
    const co_type *const *types);

/* Index of an object attribute, or -1. */
int co_type_attr_index(const co_type *obj, const char *name);
const co_type *co_type_attr(const co_type *obj, const char *name);

bool co_type_equal(const co_type *x, const co_type *y);

/* A deep copy of t into arena a (the shared primitives are returned as
 * they are), so a value can outlive the arena its type was parsed in. */
const co_type *co_type_copy(co_arena *a, const co_type *t);

/* cty type JSON: "string", ["list","string"], ["object",{...}], ...
 * co_type_from_json returns NULL (and sets *err to a static message) on
 * malformed input. */
const co_type *co_type_from_json(co_arena *a, const char *json, size_t len,
    const char **err);
/* Appends the canonical cty JSON of t. 0 or -1 (buffer limit). */
int co_type_to_json(co_buf *out, const co_type *t);

/* Refinements of an unknown value (cty refinements; codes in the msgpack
 * extension 12 payload). Only what we emit or honour is kept. */
typedef struct co_refine {
	bool not_null;              /* key 1 = false */
	const char *string_prefix;  /* key 2, NULL when absent */
	bool has_num_lower, num_lower_incl;
	double num_lower;           /* key 3 */
	bool has_num_upper, num_upper_incl;
	double num_upper;           /* key 4 */
	bool has_len_lower, has_len_upper;
	int64_t len_lower, len_upper; /* keys 5 and 6 */
} co_refine;

typedef struct co_value co_value;
struct co_value {
	const co_type *type; /* the concrete type; CO_T_DYNAMIC only for a
				wholly unknown or null dynamic value */
	bool is_null;
	bool is_unknown;
	co_refine refine;    /* meaningful only when is_unknown */
	union {
		bool b;
		struct {
			double num;
			/* Exact decimal text when the number is not an
			 * exact double (cty sends config 0.1 as "0.1");
			 * re-encoded verbatim so Terraform sees the same
			 * value. NULL otherwise. */
			const char *num_text;
		};
		struct {
			const char *str; /* NUL-terminated; may hold no NULs */
			size_t str_len;
		};
		struct {
			/* LIST, SET, TUPLE: items[0..count).
			 * MAP: keys[i] -> items[i], keys sorted bytewise.
			 * OBJECT: items[i] is the attribute type->names[i];
			 * count == type->n, never NULL entries. */
			size_t count;
			co_value **items;
			const char **keys;
			size_t cap;
		};
	};
};

/* Constructors. All allocate from the arena. */
co_value *co_value_null(co_arena *a, const co_type *t);
co_value *co_value_unknown(co_arena *a, const co_type *t);
co_value *co_value_string(co_arena *a, const char *s);
co_value *co_value_stringn(co_arena *a, const char *s, size_t n);
co_value *co_value_number(co_arena *a, double n);
co_value *co_value_bool(co_arena *a, bool b);
/* A number from decimal text ("0.1", "-12", "1e3"), as cty.ParseNumberVal
 * takes it. The text is normalized to plain decimal (no exponent); num_text
 * keeps it only when the double is not exact. NULL when s is not a number. */
co_value *co_value_number_text(co_arena *a, const char *s, size_t n);

/* Formats d as the shortest decimal that reads back as d, without an
 * exponent (as cty's Text('f', -1) prints). 0, or -1 when d is not finite
 * or cap is too small (400 bytes always suffice). */
int co_number_format(char *out, size_t cap, double d);

/* Empty collections of the given collection type, grown with _append /
 * _map_put. Sets are de-duplicated on append (an element containing an
 * unknown is never merged: cty cannot tell whether it equals another). */
co_value *co_value_collection(co_arena *a, const co_type *t);
void co_value_append(co_arena *a, co_value *coll, co_value *item);
void co_value_map_put(co_arena *a, co_value *map, const char *key,
    co_value *item);
/* Bulk builders for decoders: a set of type t from items[0..n),
 * de-duplicated in O(n log n); a map from keys/items[0..n), sorted, where a
 * later duplicate key wins. The arrays are taken over, not copied.
 * As in cty, elements that contain unknowns are never merged. */
co_value *co_value_set_from(co_arena *a, const co_type *t, co_value **items,
    size_t n);
co_value *co_value_map_from(co_arena *a, const co_type *t, const char **keys,
    co_value **items, size_t n);

/* An object of type t with every attribute null. */
co_value *co_value_object(co_arena *a, const co_type *t);
/* Sets an attribute; aborts if t has no such attribute (a programming
 * error, never input). */
void co_value_set_attr(co_value *obj, const char *name, co_value *v);

/* Accessors. co_value_attr returns NULL when obj is null/unknown or has no
 * such attribute. */
co_value *co_value_attr(const co_value *obj, const char *name);
co_value *co_value_map_get(const co_value *map, const char *key);

/* Convenience: true when v is non-NULL, known and not null. */
bool co_value_is_set(const co_value *v);
/* The string, or NULL when v is not a set string. */
const char *co_value_str(const co_value *v);
/* The number in *out; false when v is not a set number. */
bool co_value_num(const co_value *v, double *out);
/* The integer in *out; false when not a set number or not integral. */
bool co_value_int(const co_value *v, int64_t *out);
/* The bool, or dflt when v is not a set bool. */
bool co_value_bool_or(const co_value *v, bool dflt);

/* True when v or anything inside it is unknown. */
bool co_value_has_unknown(const co_value *v);

/* Deep equality as cty defines it (unknown == unknown of the same type is
 * treated as equal here, which is what plan comparisons need; refinements
 * are ignored). Sets compare as sets. */
bool co_value_equal(const co_value *x, const co_value *y);

/* A deep copy into arena a. */
co_value *co_value_copy(co_arena *a, const co_value *v);

/* msgpack codec (tfplugin6 DynamicValue.msgpack), driven by the type.
 * Decoding untrusted bytes never overruns; nesting is capped at 64 levels.
 * Returns 0, or -1 with a message in *err (arena string). */
int co_msgpack_decode(co_arena *a, const co_type *t, const uint8_t *data,
    size_t len, co_value **out, const char **err);
int co_msgpack_encode(co_buf *out, const co_type *t, const co_value *v);

/* cty JSON codec (DynamicValue.json, RawState.json). Objects may omit
 * attributes (null); unknown attributes are an error. */
int co_json_decode(co_arena *a, const co_type *t, const char *json,
    size_t len, co_value **out, const char **err);
/* The same for a stored state (RawState.json): attributes the type no
 * longer has are dropped, at any depth, so removing an attribute from a
 * schema does not make old states unreadable (terraform-plugin-framework's
 * IgnoreUndefinedAttributes). */
int co_json_decode_state(co_arena *a, const co_type *t, const char *json,
    size_t len, co_value **out, const char **err);
int co_json_encode(co_buf *out, const co_type *t, const co_value *v);

#endif
