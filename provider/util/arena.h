/* A bump allocator: one per RPC, released in one call when the response is
 * sent. Everything allocated from an arena lives until co_arena_free. */
#ifndef CO_ARENA_H
#define CO_ARENA_H

#include <stddef.h>

typedef struct co_arena co_arena;

/* Returns a new, empty arena, or NULL when out of memory. */
co_arena *co_arena_new(void);

/* Frees the arena and everything allocated from it. Accepts NULL. */
void co_arena_free(co_arena *a);

/* Zeroed memory of n bytes, aligned for any type. Never NULL: aborts on
 * out-of-memory, as every caller would have to abort anyway. */
void *co_arena_alloc(co_arena *a, size_t n);

/* A NUL-terminated copy of s (or of its first n bytes). */
char *co_arena_strdup(co_arena *a, const char *s);
char *co_arena_strndup(co_arena *a, const char *s, size_t n);

/* printf into the arena. */
char *co_arena_sprintf(co_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
