#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 16384
#define ARENA_ALIGN 16

struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct co_arena {
	struct chunk *head;
};

co_arena *co_arena_new(void)
{
	return calloc(1, sizeof(co_arena));
}

void co_arena_free(co_arena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

void *co_arena_alloc(co_arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need < n)
		abort();
	struct chunk *c = a->head;
	if (!c || c->size - c->used < need) {
		size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		if (size > SIZE_MAX - sizeof(struct chunk))
			abort();
		struct chunk *fresh = malloc(sizeof(struct chunk) + size);
		if (!fresh)
			abort();
		fresh->used = 0;
		fresh->size = size;
		/* A big one-off allocation goes behind the current chunk so
		 * the current chunk's free space is not wasted. */
		if (c && need > ARENA_CHUNK) {
			fresh->next = c->next;
			c->next = fresh;
		} else {
			fresh->next = c;
			a->head = fresh;
		}
		c = fresh;
	}
	void *p = c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

char *co_arena_strndup(co_arena *a, const char *s, size_t n)
{
	char *d = co_arena_alloc(a, n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *co_arena_strdup(co_arena *a, const char *s)
{
	return co_arena_strndup(a, s, strlen(s));
}

char *co_arena_sprintf(co_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return co_arena_strdup(a, "");
	char *d = co_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}
