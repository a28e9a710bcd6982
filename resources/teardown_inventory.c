/* costops_teardown: the pure parts (item lists, tag matching, ARN parsing,
 * request bodies, the report) and the run helpers every service engine
 * shares (pacing, waiting, recording what was found). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "provider/util/log.h"
#include "resources/teardown.h"

/* ---- lists ------------------------------------------------------------------ */

int co_td_list_add(co_arena *a, co_td_list *l, const char *type,
    const char *name, const char *arn, const char *note)
{
	if (l->n >= CO_TD_MAX_ITEMS)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		co_td_item *items = co_arena_alloc(a, cap * sizeof(*items));
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	co_td_item *it = &l->items[l->n++];
	it->type = co_arena_strdup(a, type ? type : "");
	it->name = co_arena_strdup(a, name ? name : "");
	it->arn = co_arena_strdup(a, arn ? arn : "");
	it->note = note ? co_arena_strdup(a, note) : NULL;
	return 0;
}

long co_td_list_find(const co_td_list *l, const char *type, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].type, type) == 0 &&
		    strcmp(l->items[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int item_cmp(const void *x, const void *y)
{
	const co_td_item *a = x, *b = y;
	size_t ra = co_td_kind_rank(a->type), rb = co_td_kind_rank(b->type);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	int c = strcmp(a->type, b->type);
	return c ? c : strcmp(a->name, b->name);
}

void co_td_list_sort(co_td_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), item_cmp);
}

/* ---- tags and names ---------------------------------------------------------- */

int co_td_parse_tag(co_arena *a, const char *s, co_td_tag *out)
{
	const char *eq = s ? strchr(s, '=') : NULL;
	if (!eq || eq == s)
		return -1;
	out->key = co_arena_strndup(a, s, (size_t)(eq - s));
	out->value = co_arena_strdup(a, eq + 1);
	return 0;
}

json_t *co_td_tags_object(json_t *aws_tags)
{
	json_t *obj = json_object();
	if (json_is_object(aws_tags)) {
		const char *k;
		json_t *v;
		json_object_foreach(aws_tags, k, v)
		{
			if (json_is_string(v))
				json_object_set(obj, k, v);
		}
		return obj;
	}
	size_t i;
	json_t *t;
	json_array_foreach(aws_tags, i, t)
	{
		json_t *k = json_object_get(t, "Key");
		json_t *v = json_object_get(t, "Value");
		if (!k) {
			k = json_object_get(t, "key");
			v = json_object_get(t, "value");
		}
		if (json_is_string(k))
			json_object_set_new(obj, json_string_value(k),
			    json_string(json_is_string(v) ? json_string_value(v)
							   : ""));
	}
	return obj;
}

static bool has_tag(json_t *tags, const co_td_tag *t)
{
	const char *v = json_string_value(json_object_get(tags, t->key));
	return v && strcmp(v, t->value) == 0;
}

bool co_td_tags_match(const co_td_selection *sel, json_t *tags)
{
	if (!sel->n_filter || !json_is_object(tags))
		return false;
	for (size_t i = 0; i < sel->n_filter; i++)
		if (!has_tag(tags, &sel->filter[i]))
			return false;
	return true;
}

bool co_td_tags_protected(const co_td_selection *sel, json_t *tags)
{
	return sel->protect.key && json_is_object(tags) &&
	       has_tag(tags, &sel->protect);
}

bool co_td_has_prefix(const co_td_strs *prefixes, const char *name)
{
	for (size_t i = 0; i < prefixes->n; i++)
		if (prefixes->v[i][0] &&
		    strncmp(name, prefixes->v[i], strlen(prefixes->v[i])) == 0)
			return true;
	return false;
}

bool co_td_contains(const co_td_strs *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->v[i], name) == 0)
			return true;
	return false;
}

const char *co_td_arn_bucket(co_arena *a, const char *arn)
{
	static const char pfx[] = ":s3:::";
	const char *p = arn ? strstr(arn, pfx) : NULL;
	if (!p || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	p += sizeof(pfx) - 1;
	/* An object ARN (bucket/key) is not a bucket. */
	if (!*p || strchr(p, '/'))
		return NULL;
	return co_arena_strdup(a, p);
}

const char *co_td_arn_log_group(co_arena *a, const char *arn)
{
	static const char pfx[] = ":log-group:";
	const char *p = arn ? strstr(arn, pfx) : NULL;
	if (!p || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	p += sizeof(pfx) - 1;
	size_t n = strlen(p);
	/* DescribeLogGroups' `arn` ends in ":*"; the tagging ARN does not. */
	if (n >= 2 && strcmp(p + n - 2, ":*") == 0)
		n -= 2;
	return n ? co_arena_strndup(a, p, n) : NULL;
}

/* ---- S3 DeleteObjects body ------------------------------------------------------ */

static int xml_escaped(co_buf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		int rc;
		switch (*p) {
		case '&': rc = co_buf_puts(out, "&amp;"); break;
		case '<': rc = co_buf_puts(out, "&lt;"); break;
		case '>': rc = co_buf_puts(out, "&gt;"); break;
		case '"': rc = co_buf_puts(out, "&quot;"); break;
		case '\'': rc = co_buf_puts(out, "&apos;"); break;
		case '\r': rc = co_buf_puts(out, "&#13;"); break;
		case '\n': rc = co_buf_puts(out, "&#10;"); break;
		default: rc = co_buf_putc(out, *p); break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int co_td_s3_delete_body(co_buf *out, const co_td_version *v, size_t n)
{
	if (n > CO_TD_S3_BATCH)
		return -1;
	if (co_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			     "<Delete xmlns=\"http://s3.amazonaws.com/doc/"
			     "2006-03-01/\"><Quiet>true</Quiet>") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (co_buf_puts(out, "<Object><Key>") < 0 ||
		    xml_escaped(out, v[i].key) < 0 ||
		    co_buf_puts(out, "</Key>") < 0)
			return -1;
		if (v[i].version_id &&
		    (co_buf_puts(out, "<VersionId>") < 0 ||
			xml_escaped(out, v[i].version_id) < 0 ||
			co_buf_puts(out, "</VersionId>") < 0))
			return -1;
		if (co_buf_puts(out, "</Object>") < 0)
			return -1;
	}
	return co_buf_puts(out, "</Delete>");
}

/* ---- report ------------------------------------------------------------------- */

static json_t *list_json(const co_td_list *l, const char *note_key)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const co_td_item *it = &l->items[i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "type", it->type,
		    "name", it->name, "arn", it->arn);
		if (note_key && it->note)
			json_object_set_new(o, note_key, json_string(it->note));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *co_td_report_json(const co_td_outcome *o)
{
	char when[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *r = json_object();
	json_object_set_new(r, "teardown", json_string(o->id ? o->id : ""));
	json_object_set_new(r, "result", json_string(o->result ? o->result : ""));
	json_object_set_new(r, "finished_at", json_string(when));
	json_object_set_new(r, "deleted", list_json(&o->deleted, NULL));
	json_object_set_new(r, "failed", list_json(&o->failed, "error"));
	json_object_set_new(r, "remaining", list_json(&o->remaining, "reason"));
	json_object_set_new(r, "left_after_verification",
	    list_json(&o->left, NULL));
	json_object_set_new(r, "new_not_deleted", list_json(&o->fresh, NULL));
	json_object_set_new(r, "skipped", list_json(&o->skipped, "reason"));
	json_object_set_new(r, "protected", list_json(&o->protect, NULL));
	return r;
}

const char *co_td_summary(co_arena *a, const co_td_outcome *o, size_t cap)
{
	co_buf b;
	co_buf_init(&b, cap);
	co_buf_printf(&b,
	    "costops teardown %s %s: %zu deleted, %zu failed, %zu remaining, "
	    "%zu protected, %zu skipped, %zu new (not deleted).",
	    o->id ? o->id : "", o->result ? o->result : "", o->deleted.n,
	    o->failed.n, o->remaining.n, o->protect.n, o->skipped.n,
	    o->fresh.n);
	for (size_t i = 0; i < o->failed.n; i++)
		if (co_buf_printf(&b, "\nFailed: %s %s: %s",
			o->failed.items[i].type, o->failed.items[i].name,
			o->failed.items[i].note ? o->failed.items[i].note : "") <
		    0)
			break;
	for (size_t i = 0; i < o->left.n; i++)
		if (co_buf_printf(&b, "\nStill exists: %s %s",
			o->left.items[i].type, o->left.items[i].name) < 0)
			break;
	/* On hitting the cap the text is cut where the last append failed;
	 * the counts in the first line are always there. */
	const char *s = co_arena_strdup(a, co_buf_cstr(&b));
	co_buf_free(&b);
	return s;
}

/* ---- run helpers ------------------------------------------------------------------ */

long co_td_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int co_td_pace(co_td_run *run, long interval_ms)
{
	if (interval_ms < run->pace_ms)
		interval_ms = run->pace_ms;
	long now = co_td_now_ms();
	long wait = run->last_call_ms + interval_ms - now;
	if (run->last_call_ms && wait > 0 && co_aws_sleep(run->aws, wait) < 0)
		return -1;
	run->last_call_ms = co_td_now_ms();
	return 0;
}

int co_td_wait_gone(co_td_run *run, const co_td_item *it, co_td_gone_fn gone,
    co_aws_error *err)
{
	long start = co_td_now_ms(), sleep_ms = 2000;
	for (int polls = 1;; polls++) {
		int rc = gone(run, it, err);
		if (rc != 0)
			return rc > 0 ? 0 : -1;
		long now = co_td_now_ms();
		if (run->deadline_ms && now + sleep_ms > run->deadline_ms) {
			memset(err, 0, sizeof(*err));
			snprintf(err->code, sizeof(err->code), "Timeout");
			snprintf(err->message, sizeof(err->message),
			    "%s %s still exists after %ld s (timeouts.delete)",
			    co_td_kind_of(it->type)->what, it->name,
			    (now - start) / 1000);
			return -1;
		}
		co_info("teardown: waiting for %s %s to be deleted (%ld s, "
			"poll %d)",
		    co_td_kind_of(it->type)->what, it->name,
		    (now - start) / 1000, polls);
		if (co_aws_sleep(run->aws, sleep_ms) < 0) {
			memset(err, 0, sizeof(*err));
			snprintf(err->code, sizeof(err->code), "RequestCanceled");
			snprintf(err->message, sizeof(err->message),
			    "stopped while waiting for %s", it->name);
			return -1;
		}
		if (sleep_ms < 15000)
			sleep_ms += sleep_ms / 2;
	}
}

int co_td_found(co_td_run *run, const char *type, const char *name,
    const char *arn, json_t *tags)
{
	co_td_list *l =
	    co_td_tags_protected(run->sel, tags) ? &run->protect : &run->found;
	/* Reached twice (a tag and a name rule): once is enough. */
	if (co_td_list_find(l, type, name) >= 0)
		return 0;
	if (co_td_list_add(run->ctx->arena, l, type, name, arn, NULL) < 0) {
		co_diag_error(run->ctx->diags, NULL, "Too many items to tear down",
		    "The selection matches more than %d items. Narrow "
		    "tag_filter or the name rules; a teardown this large is "
		    "most likely a filter that matches the whole account.",
		    CO_TD_MAX_ITEMS);
		return -1;
	}
	return 0;
}

int co_td_list_failed(co_td_run *run, const char *what, const co_aws_error *err)
{
	co_diag_aws(run->ctx, NULL, what, err);
	return -1;
}
