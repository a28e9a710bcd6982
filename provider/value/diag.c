#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/buf.h"

void co_diags_init(co_diags *d, co_arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
}

void co_diag_add(co_diags *d, co_diag_severity sev, const co_path *path,
    const char *summary, const char *detail_fmt, ...)
{
	co_diag *g = co_arena_alloc(d->arena, sizeof(*g));
	g->severity = sev;
	g->summary = co_arena_strdup(d->arena, summary);
	co_buf b;
	co_buf_init(&b, 60000);
	va_list ap;
	va_start(ap, detail_fmt);
	co_buf_vprintf(&b, detail_fmt, ap);
	va_end(ap);
	g->detail = co_arena_strdup(d->arena, co_buf_cstr(&b));
	co_buf_free(&b);
	if (path && path->n) {
		g->has_path = true;
		g->path = *path;
		for (size_t i = 0; i < path->n; i++)
			if (path->steps[i].name)
				g->path.steps[i].name = co_arena_strdup(
				    d->arena, path->steps[i].name);
	}
	if (d->tail)
		d->tail->next = g;
	else
		d->head = g;
	d->tail = g;
	if (sev == CO_DIAG_ERROR)
		d->errors++;
}

static co_path push(co_path p, co_step s)
{
	if (p.n < sizeof(p.steps) / sizeof(p.steps[0]))
		p.steps[p.n++] = s;
	return p;
}

co_path co_path_attr(const char *name)
{
	co_path p = {0};
	return co_path_push_attr(p, name);
}

co_path co_path_push_attr(co_path p, const char *name)
{
	return push(p, (co_step){.kind = CO_STEP_ATTR, .name = name});
}

co_path co_path_push_key(co_path p, const char *key)
{
	return push(p, (co_step){.kind = CO_STEP_KEY, .name = key});
}

co_path co_path_push_index(co_path p, int64_t index)
{
	return push(p, (co_step){.kind = CO_STEP_INDEX, .index = index});
}

const char *co_path_string(co_arena *a, const co_path *p)
{
	co_buf b;
	co_buf_init(&b, 4096);
	for (size_t i = 0; i < p->n; i++) {
		const co_step *s = &p->steps[i];
		switch (s->kind) {
		case CO_STEP_ATTR:
			co_buf_printf(&b, "%s%s", i ? "." : "", s->name);
			break;
		case CO_STEP_KEY:
			co_buf_printf(&b, "[\"%s\"]", s->name);
			break;
		case CO_STEP_INDEX:
			co_buf_printf(&b, "[%lld]", (long long)s->index);
			break;
		}
	}
	const char *r = co_arena_strdup(a, co_buf_cstr(&b));
	co_buf_free(&b);
	return r;
}
