#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void co_buf_init(co_buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit ? limit : CO_BUF_DEFAULT_LIMIT;
}

void co_buf_free(co_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void co_buf_reset(co_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int co_buf_append(co_buf *b, const void *data, size_t n)
{
	if (n > b->limit || b->len > b->limit - n)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return -1;
		b->data = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int co_buf_puts(co_buf *b, const char *s)
{
	return co_buf_append(b, s, strlen(s));
}

int co_buf_putc(co_buf *b, char c)
{
	return co_buf_append(b, &c, 1);
}

int co_buf_vprintf(co_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -1;
	char stackbuf[512];
	if ((size_t)n < sizeof(stackbuf)) {
		vsnprintf(stackbuf, sizeof(stackbuf), fmt, ap);
		return co_buf_append(b, stackbuf, (size_t)n);
	}
	char *tmp = malloc((size_t)n + 1);
	if (!tmp)
		return -1;
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	int rc = co_buf_append(b, tmp, (size_t)n);
	free(tmp);
	return rc;
}

int co_buf_printf(co_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = co_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *co_buf_cstr(const co_buf *b)
{
	return b->len ? b->data : "";
}

void co_set_err(char *err, size_t cap, const char *fmt, ...)
{
	if (!err || !cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}
