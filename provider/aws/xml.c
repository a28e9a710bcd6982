/* A small DOM over expat for REST-XML and Query responses. The whole tree
 * lives in one arena owned by the document node. */
#include "aws.h"

#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "../util/arena.h"

/* AWS responses nest a handful of levels; a deeper document is hostile. */
#define XML_MAX_DEPTH 64
#define XML_MAX_NODES 1000000
#define XML_MAX_TEXT ((size_t)16 << 20)

typedef struct {
	co_xml node; /* first: co_xml_free casts back */
	co_arena *arena;
} xml_doc;

typedef struct {
	xml_doc *doc;
	co_xml *stack[XML_MAX_DEPTH + 1];
	co_xml *last_child[XML_MAX_DEPTH + 1];
	co_buf text[XML_MAX_DEPTH + 1];
	int depth; /* stack[0] is the document node */
	size_t nodes;
	bool failed;
	XML_Parser parser;
} xml_state;

static void fail(xml_state *st)
{
	st->failed = true;
	XML_StopParser(st->parser, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name,
    const XML_Char **attrs)
{
	xml_state *st = ud;
	(void)attrs;
	if (st->failed)
		return;
	if (st->depth >= XML_MAX_DEPTH || ++st->nodes > XML_MAX_NODES) {
		fail(st);
		return;
	}
	/* Names arrive as written; "ns:Tag" becomes "Tag". */
	const char *colon = strrchr(name, ':');
	co_xml *n = co_arena_alloc(st->doc->arena, sizeof(*n));
	n->name = co_arena_strdup(st->doc->arena, colon ? colon + 1 : name);
	n->text = "";
	co_xml *parent = st->stack[st->depth];
	if (st->last_child[st->depth])
		st->last_child[st->depth]->next = n;
	else
		parent->child = n;
	st->last_child[st->depth] = n;
	st->depth++;
	st->stack[st->depth] = n;
	st->last_child[st->depth] = NULL;
	co_buf_reset(&st->text[st->depth]);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	xml_state *st = ud;
	(void)name;
	if (st->failed || st->depth == 0)
		return;
	co_buf *t = &st->text[st->depth];
	const char *s = co_buf_cstr(t);
	size_t len = t->len;
	while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	st->stack[st->depth]->text = co_arena_strndup(st->doc->arena, s, len);
	st->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	xml_state *st = ud;
	if (st->failed || st->depth == 0 || len <= 0)
		return;
	if (co_buf_append(&st->text[st->depth], s, (size_t)len))
		fail(st);
}

/* AWS never sends a DTD; refusing entity declarations rules out entity
 * expansion attacks whatever expat's own limits are. */
static void XMLCALL on_entity_decl(void *ud, const XML_Char *name,
    int is_param, const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *system_id, const XML_Char *public_id,
    const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)system_id;
	(void)public_id;
	(void)notation;
	fail(ud);
}

co_xml *co_xml_parse(const char *data, size_t len)
{
	xml_state st;
	memset(&st, 0, sizeof(st));
	xml_doc *doc = NULL;
	co_xml *result = NULL;
	if (!data || len > (size_t)0x7fffffff)
		return NULL;
	for (int i = 0; i <= XML_MAX_DEPTH; i++)
		co_buf_init(&st.text[i], XML_MAX_TEXT);
	st.parser = XML_ParserCreate("UTF-8");
	if (!st.parser)
		goto done;
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		goto done;
	doc->arena = co_arena_new();
	if (!doc->arena)
		goto done;
	doc->node.name = "";
	doc->node.text = "";
	st.doc = doc;
	st.stack[0] = &doc->node;
	XML_SetUserData(st.parser, &st);
	XML_SetElementHandler(st.parser, on_start, on_end);
	XML_SetCharacterDataHandler(st.parser, on_text);
	XML_SetEntityDeclHandler(st.parser, on_entity_decl);
	if (XML_Parse(st.parser, data, (int)len, XML_TRUE) != XML_STATUS_OK ||
	    st.failed || !doc->node.child)
		goto done;
	result = &doc->node;
done:
	if (st.parser)
		XML_ParserFree(st.parser);
	for (int i = 0; i <= XML_MAX_DEPTH; i++)
		co_buf_free(&st.text[i]);
	if (!result && doc) {
		co_arena_free(doc->arena);
		free(doc);
	}
	return result;
}

void co_xml_free(co_xml *x)
{
	if (!x)
		return;
	xml_doc *doc = (xml_doc *)x;
	co_arena_free(doc->arena);
	free(doc);
}

/* Depth-first: the first node in document order that the whole path
 * reaches, so "Contents/Key" skips a Contents without a Key. */
static const co_xml *find_path(const co_xml *parent, const char *path)
{
	const char *slash = strchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : strlen(path);
	for (const co_xml *c = parent->child; c; c = c->next) {
		if (strlen(c->name) != len || strncmp(c->name, path, len) != 0)
			continue;
		if (!slash)
			return c;
		const co_xml *r = find_path(c, slash + 1);
		if (r)
			return r;
	}
	return NULL;
}

const co_xml *co_xml_find(const co_xml *x, const char *path)
{
	if (!x || !path || !*path)
		return NULL;
	return find_path(x, path);
}

const char *co_xml_text(const co_xml *x, const char *path)
{
	const co_xml *n = co_xml_find(x, path);
	return n ? n->text : NULL;
}
