/* AWS Signature Version 4 with the Authorization header, checked byte for
 * byte against the AWS signing test suite (tests/testdata/aws-sigv4-suite).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html */
#include "aws.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"

/* Caps on what the signer builds from caller input: a request with more
 * headers, or longer canonical forms, is not one we ever send. */
#define SIGV4_MAX_HEADERS 128
#define SIGV4_MAX_PARAMS 1024
#define SIGV4_PART_LIMIT ((size_t)1 << 20)

static const char hexdigits[] = "0123456789abcdef";

static void hex_encode(char *out, const unsigned char *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void co_aws_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	/* EVP_Digest cannot fail for SHA-256 short of memory exhaustion;
	 * a zeroed digest would then fail verification server-side. */
	if (!EVP_Digest(len ? data : "", len, md, &mdlen, EVP_sha256(), NULL))
		memset(md, 0, sizeof(md));
	hex_encode(out, md, 32);
}

static int hmac_sha256(unsigned char out[32], const void *key, size_t keylen,
    const void *msg, size_t msglen)
{
	unsigned int outlen = 0;
	if (!HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &outlen) ||
	    outlen != 32)
		return -1;
	return 0;
}

static bool is_unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
	    ch == '~';
}

static void uri_encode_n(co_buf *out, const char *s, size_t n, bool keep_slash)
{
	static const char upper[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (is_unreserved(ch) || (keep_slash && ch == '/')) {
			co_buf_putc(out, (char)ch);
		} else {
			char esc[3] = {'%', upper[ch >> 4], upper[ch & 15]};
			co_buf_append(out, esc, 3);
		}
	}
}

void co_aws_uri_encode(co_buf *out, const char *s, bool keep_slash)
{
	uri_encode_n(out, s, strlen(s), keep_slash);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decodes %XX escapes (not '+': SigV4 treats '+' as a literal plus). */
static void uri_decode_n(co_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			co_buf_putc(out,
			    (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			co_buf_putc(out, s[i]);
		}
	}
}

/* Removes "." and ".." segments and empty segments (RFC 3986 section
 * 5.2.4 plus the slash collapsing AWS applies), keeping a trailing slash. */
static int normalize_path(co_buf *out, const char *path)
{
	size_t n = strlen(path);
	size_t *starts = calloc(n / 2 + 2, sizeof(*starts));
	if (!starts)
		return -1;
	size_t depth = 0;
	bool trailing = false;
	co_buf_reset(out);
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p) {
			trailing = true;
			break;
		}
		const char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - seg);
		trailing = false;
		if (len == 1 && seg[0] == '.') {
			trailing = true;
			continue;
		}
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (depth > 0)
				out->len = starts[--depth];
			if (out->data)
				out->data[out->len] = '\0';
			trailing = true;
			continue;
		}
		starts[depth++] = out->len;
		co_buf_putc(out, '/');
		co_buf_append(out, seg, len);
	}
	if (out->len == 0 || trailing)
		co_buf_putc(out, '/');
	free(starts);
	return 0;
}

typedef struct {
	char *name;   /* lowercase */
	co_buf value; /* trimmed, inner whitespace runs collapsed */
	size_t order; /* keeps duplicate headers in their original order */
} canon_header;

static int header_cmp(const void *a, const void *b)
{
	const canon_header *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void put_trimmed(co_buf *out, const char *v)
{
	while (is_space(*v))
		v++;
	bool pending_space = false;
	for (; *v; v++) {
		if (is_space(*v)) {
			pending_space = true;
			continue;
		}
		if (pending_space)
			co_buf_putc(out, ' ');
		pending_space = false;
		co_buf_putc(out, *v);
	}
}

typedef struct {
	co_buf key, value; /* encoded */
} canon_param;

static int param_cmp(const void *a, const void *b)
{
	const canon_param *x = a, *y = b;
	int c = strcmp(co_buf_cstr(&x->key), co_buf_cstr(&y->key));
	if (c)
		return c;
	return strcmp(co_buf_cstr(&x->value), co_buf_cstr(&y->value));
}

/* The query as sent may be raw (the suite) or already encoded (our
 * callers); decoding then encoding gives the one canonical form for both. */
static int canonical_query(co_buf *out, const char *query)
{
	int rc = -1;
	size_t n = 0;
	canon_param *params = NULL;
	co_buf tmp;
	co_buf_init(&tmp, SIGV4_PART_LIMIT);
	if (!query || !*query)
		return 0;
	size_t max = 1;
	for (const char *q = query; *q; q++)
		if (*q == '&')
			max++;
	if (max > SIGV4_MAX_PARAMS)
		goto done;
	params = calloc(max, sizeof(*params));
	if (!params)
		goto done;
	const char *p = query;
	while (*p) {
		const char *end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		if (end > p) {
			const char *eq = memchr(p, '=', (size_t)(end - p));
			const char *kend = eq ? eq : end;
			canon_param *cp = &params[n++];
			co_buf_init(&cp->key, SIGV4_PART_LIMIT);
			co_buf_init(&cp->value, SIGV4_PART_LIMIT);
			co_buf_reset(&tmp);
			uri_decode_n(&tmp, p, (size_t)(kend - p));
			uri_encode_n(&cp->key, tmp.data ? tmp.data : "", tmp.len,
			    false);
			if (eq) {
				co_buf_reset(&tmp);
				uri_decode_n(&tmp, eq + 1, (size_t)(end - eq - 1));
				uri_encode_n(&cp->value, tmp.data ? tmp.data : "",
				    tmp.len, false);
			}
		}
		p = *end ? end + 1 : end;
	}
	qsort(params, n, sizeof(*params), param_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			co_buf_putc(out, '&');
		co_buf_puts(out, co_buf_cstr(&params[i].key));
		co_buf_putc(out, '=');
		co_buf_puts(out, co_buf_cstr(&params[i].value));
	}
	rc = 0;
done:
	for (size_t i = 0; i < n; i++) {
		co_buf_free(&params[i].key);
		co_buf_free(&params[i].value);
	}
	free(params);
	co_buf_free(&tmp);
	return rc;
}

static bool has_header(const co_sigv4_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return true;
	return false;
}

static int add_header(canon_header *hs, size_t *n, const char *name,
    const char *value)
{
	if (*n >= SIGV4_MAX_HEADERS)
		return -1;
	canon_header *h = &hs[*n];
	h->name = strdup(name);
	if (!h->name)
		return -1;
	for (char *c = h->name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	co_buf_init(&h->value, SIGV4_PART_LIMIT);
	put_trimmed(&h->value, value ? value : "");
	h->order = *n;
	(*n)++;
	return 0;
}

/* Derives the signing key (kSecret -> kDate -> kRegion -> kService ->
 * kSigning) and signs string_to_sign. The key material is wiped. */
static int compute_signature(char out[65], const co_sigv4_params *p,
    const char *date8, const co_buf *string_to_sign)
{
	int rc = -1;
	unsigned char k[32];
	size_t slen = strlen(p->secret_key);
	char *ksecret = malloc(slen + 5);
	if (!ksecret)
		return -1;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, p->secret_key, slen + 1);
	if (hmac_sha256(k, ksecret, slen + 4, date8, strlen(date8)) ||
	    hmac_sha256(k, k, 32, p->region, strlen(p->region)) ||
	    hmac_sha256(k, k, 32, p->service, strlen(p->service)) ||
	    hmac_sha256(k, k, 32, "aws4_request", 12))
		goto done;
	unsigned char sig[32];
	if (hmac_sha256(sig, k, 32, co_buf_cstr(string_to_sign),
		string_to_sign->len))
		goto done;
	hex_encode(out, sig, 32);
	rc = 0;
done:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(ksecret, slen + 4);
	free(ksecret);
	return rc;
}

int co_sigv4_sign(const co_sigv4_request *req, const co_sigv4_params *p,
    co_sigv4_result *out)
{
	int rc = -1;
	canon_header *hs = NULL;
	size_t nh = 0;
	co_buf path, signed_headers;
	co_buf_init(&path, SIGV4_PART_LIMIT);
	co_buf_init(&signed_headers, SIGV4_PART_LIMIT);
	co_buf_init(&out->canonical_request, 0);
	co_buf_init(&out->string_to_sign, 0);
	co_buf_init(&out->authorization, 0);
	out->signature[0] = '\0';

	if (!req->method || !p->access_key || !p->secret_key || !p->region ||
	    !p->service || !p->amz_date || strlen(p->amz_date) < 8)
		goto done;

	co_buf *cr = &out->canonical_request;
	co_buf_puts(cr, req->method);
	co_buf_putc(cr, '\n');

	/* Canonical URI. */
	const char *raw_path = req->path && *req->path ? req->path : "/";
	if (p->normalize_path) {
		if (normalize_path(&path, raw_path))
			goto done;
	} else {
		co_buf_puts(&path, raw_path);
	}
	if (p->single_encode_path)
		co_buf_puts(cr, co_buf_cstr(&path));
	else
		uri_encode_n(cr, co_buf_cstr(&path), path.len, true);
	co_buf_putc(cr, '\n');

	if (canonical_query(cr, req->query))
		goto done;
	co_buf_putc(cr, '\n');

	/* Canonical headers: ours (x-amz-date, and the session token when
	 * it is to be signed) plus the caller's, sorted by lowercase name,
	 * duplicates joined with ',' in the order they were given. */
	hs = calloc(req->n_headers + 2, sizeof(*hs));
	if (!hs || req->n_headers > SIGV4_MAX_HEADERS)
		goto done;
	for (size_t i = 0; i < req->n_headers; i++)
		if (add_header(hs, &nh, req->headers[i].name,
			req->headers[i].value))
			goto done;
	if (!has_header(req, "x-amz-date") &&
	    add_header(hs, &nh, "x-amz-date", p->amz_date))
		goto done;
	if (p->token && *p->token && p->token_in_signature &&
	    !has_header(req, "x-amz-security-token") &&
	    add_header(hs, &nh, "x-amz-security-token", p->token))
		goto done;
	qsort(hs, nh, sizeof(*hs), header_cmp);
	for (size_t i = 0; i < nh; i++) {
		bool same_as_prev = i > 0 && strcmp(hs[i].name, hs[i - 1].name) == 0;
		if (same_as_prev) {
			co_buf_putc(cr, ',');
		} else {
			if (i > 0)
				co_buf_putc(cr, '\n');
			co_buf_puts(cr, hs[i].name);
			co_buf_putc(cr, ':');
			if (signed_headers.len)
				co_buf_putc(&signed_headers, ';');
			co_buf_puts(&signed_headers, hs[i].name);
		}
		co_buf_puts(cr, co_buf_cstr(&hs[i].value));
	}
	co_buf_puts(cr, "\n\n");
	co_buf_puts(cr, co_buf_cstr(&signed_headers));
	co_buf_putc(cr, '\n');

	char body_hash[65];
	const char *payload_hash = req->payload_hash;
	if (!payload_hash) {
		co_aws_sha256_hex(body_hash, req->body, req->body_len);
		payload_hash = body_hash;
	}
	co_buf_puts(cr, payload_hash);

	/* String to sign. */
	char date8[9];
	memcpy(date8, p->amz_date, 8);
	date8[8] = '\0';
	char cr_hash[65];
	co_aws_sha256_hex(cr_hash, co_buf_cstr(cr), cr->len);
	co_buf_printf(&out->string_to_sign, "%s\n%s\n%s/%s/%s/aws4_request\n%s",
	    SIGV4_ALGORITHM, p->amz_date, date8, p->region, p->service, cr_hash);

	if (compute_signature(out->signature, p, date8, &out->string_to_sign))
		goto done;
	co_buf_printf(&out->authorization,
	    "%s Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
	    "Signature=%s",
	    SIGV4_ALGORITHM, p->access_key, date8, p->region, p->service,
	    co_buf_cstr(&signed_headers), out->signature);

	if (out->authorization.len == 0)
		goto done;
	rc = 0;
done:
	for (size_t i = 0; i < nh; i++) {
		free(hs[i].name);
		co_buf_free(&hs[i].value);
	}
	free(hs);
	co_buf_free(&path);
	co_buf_free(&signed_headers);
	if (rc)
		co_sigv4_result_free(out);
	return rc;
}

void co_sigv4_result_free(co_sigv4_result *r)
{
	if (!r)
		return;
	co_buf_free(&r->canonical_request);
	co_buf_free(&r->string_to_sign);
	co_buf_free(&r->authorization);
	OPENSSL_cleanse(r->signature, sizeof(r->signature));
}
