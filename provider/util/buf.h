/* A growable byte buffer with a hard cap, for anything that grows from
 * untrusted input (curl's dynbuf with its toobig limit). */
#ifndef CO_BUF_H
#define CO_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct co_buf {
	char *data;   /* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t limit; /* appends that would exceed this fail */
} co_buf;

/* 64 MiB: larger than any AWS response or plugin value we handle. */
#define CO_BUF_DEFAULT_LIMIT ((size_t)64 << 20)

void co_buf_init(co_buf *b, size_t limit);
void co_buf_free(co_buf *b);
void co_buf_reset(co_buf *b);

/* 0 on success, -1 when the limit would be exceeded or memory runs out. */
int co_buf_append(co_buf *b, const void *data, size_t n);
int co_buf_puts(co_buf *b, const char *s);
int co_buf_putc(co_buf *b, char c);
int co_buf_printf(co_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int co_buf_vprintf(co_buf *b, const char *fmt, va_list ap);

/* Formats a message into a caller's fixed error buffer (err may be NULL
 * or cap 0: then nothing is written). Truncates; never overruns. */
void co_set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The content as a C string ("" when empty). */
const char *co_buf_cstr(const co_buf *b);

#endif
