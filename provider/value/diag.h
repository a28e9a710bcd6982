/* Diagnostics with attribute paths: what the user did wrong or what AWS
 * refused, carried back to the CLI in the RPC response. */
#ifndef CO_DIAG_H
#define CO_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"

typedef enum { CO_DIAG_ERROR = 1, CO_DIAG_WARNING = 2 } co_diag_severity;

typedef enum {
	CO_STEP_ATTR = 1, /* attribute_name */
	CO_STEP_KEY = 2,  /* element_key_string (map key) */
	CO_STEP_INDEX = 3 /* element_key_int (list/tuple index) */
} co_step_kind;

typedef struct co_step {
	co_step_kind kind;
	const char *name; /* ATTR and KEY */
	int64_t index;    /* INDEX */
} co_step;

typedef struct co_path {
	size_t n;
	co_step steps[12];
} co_path;

typedef struct co_diag {
	co_diag_severity severity;
	const char *summary;
	const char *detail;
	bool has_path;
	co_path path;
	struct co_diag *next;
} co_diag;

typedef struct co_diags {
	co_arena *arena;
	co_diag *head, *tail;
	size_t errors;
} co_diags;

void co_diags_init(co_diags *d, co_arena *a);

/* Adds a diagnostic; detail is printf-formatted. path may be NULL. */
void co_diag_add(co_diags *d, co_diag_severity sev, const co_path *path,
    const char *summary, const char *detail_fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define co_diag_error(d, path, summary, ...) \
	co_diag_add((d), CO_DIAG_ERROR, (path), (summary), __VA_ARGS__)
#define co_diag_warn(d, path, summary, ...) \
	co_diag_add((d), CO_DIAG_WARNING, (path), (summary), __VA_ARGS__)

static inline bool co_diags_has_error(const co_diags *d)
{
	return d->errors > 0;
}

/* Path builders: co_path_attr("rule") then co_path_index(p, 2) then
 * co_path_attr_push(p, "glacier_after_days") gives rule[2].glacier_after_days.
 * Steps past the fixed capacity are dropped (the path stays a prefix). */
co_path co_path_attr(const char *name);
co_path co_path_push_attr(co_path p, const char *name);
co_path co_path_push_key(co_path p, const char *key);
co_path co_path_push_index(co_path p, int64_t index);

/* Renders a path as HCL-ish text (rule[2].glacier_after_days) into the
 * arena, for log lines and messages. */
const char *co_path_string(co_arena *a, const co_path *p);

#endif
