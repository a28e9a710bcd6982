/* Runs the AWS SigV4 test suite: `sigv4-suite <folder>` signs every case
 * folder's request.txt with its context.json and compares the canonical
 * request, string to sign and signature with the expected files byte for
 * byte. Pre-signed (query-*) files are not checked: we only sign with the
 * Authorization header. Exits non-zero on any mismatch, or when the folder
 * holds no case at all (a wrong path must not look like a pass). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "aws/aws.h"

#define MAX_FILE ((size_t)1 << 20)
#define MAX_HEADERS 64

static int read_file(co_buf *out, const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	co_buf_init(out, MAX_FILE);
	char chunk[4096];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (co_buf_append(out, chunk, n)) {
			rc = -1;
			break;
		}
	fclose(f);
	if (rc)
		co_buf_free(out);
	return rc;
}

typedef struct {
	char *method, *path, *query;
	co_sigv4_header headers[MAX_HEADERS];
	size_t n_headers;
	const char *body;
	size_t body_len;
	co_buf storage; /* owns every string above */
} parsed_request;

/* Splits a raw HTTP request: request line, headers (a line starting with
 * whitespace continues the previous header, and the suite signs each such
 * line as another value of that header), blank line, body. The strings
 * point into req->storage, which is edited in place. */
static int parse_request(parsed_request *req, co_buf *raw)
{
	memset(req, 0, sizeof(*req));
	req->storage = *raw;
	memset(raw, 0, sizeof(*raw));
	char *s = req->storage.data;
	if (!s)
		return -1;
	char *end = s + req->storage.len;

	char *eol = strchr(s, '\n');
	if (!eol)
		eol = end;
	char *next = eol < end ? eol + 1 : end;
	if (eol > s && eol[-1] == '\r')
		eol--;
	*eol = '\0';
	char *sp = strchr(s, ' ');
	char *last = strrchr(s, ' ');
	if (!sp || last == sp)
		return -1;
	*sp = '\0';
	*last = '\0';
	req->method = s;
	req->path = sp + 1;
	char *q = strchr(req->path, '?');
	if (q) {
		*q = '\0';
		req->query = q + 1;
	}

	s = next;
	while (s < end) {
		eol = memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			eol = end;
		next = eol < end ? eol + 1 : end;
		if (eol > s && eol[-1] == '\r')
			eol--;
		*eol = '\0';
		if (*s == '\0') {
			s = next;
			req->body = s;
			req->body_len = (size_t)(end - s);
			return 0;
		}
		if (req->n_headers >= MAX_HEADERS)
			return -1;
		if (*s == ' ' || *s == '\t') {
			if (req->n_headers == 0)
				return -1;
			req->headers[req->n_headers].name =
			    req->headers[req->n_headers - 1].name;
			req->headers[req->n_headers].value = s;
		} else {
			char *colon = strchr(s, ':');
			if (!colon)
				return -1;
			*colon = '\0';
			req->headers[req->n_headers].name = s;
			req->headers[req->n_headers].value = colon + 1;
		}
		req->n_headers++;
		s = next;
	}
	req->body = "";
	return 0;
}

/* "2015-08-30T12:36:00Z" -> "20150830T123600Z". */
static int amz_date(char out[17], const char *ts)
{
	size_t j = 0;
	for (const char *c = ts; *c && j < 16; c++)
		if (*c != '-' && *c != ':')
			out[j++] = *c;
	out[j] = '\0';
	return j == 16 ? 0 : -1;
}

static void diff_hint(const char *what, const char *want, const char *got)
{
	size_t i = 0;
	while (want[i] && want[i] == got[i])
		i++;
	size_t line = 1;
	for (size_t k = 0; k < i; k++)
		if (want[k] == '\n')
			line++;
	printf("    %s differs at byte %zu (line %zu)\n", what, i, line);
	printf("    expected:\n%s\n    got:\n%s\n", want, got);
}

static bool check(const char *dir, const char *file, const char *got,
    const char *what)
{
	co_buf want;
	if (read_file(&want, dir, file)) {
		printf("    missing %s\n", file);
		return false;
	}
	bool ok = strcmp(co_buf_cstr(&want), got) == 0;
	if (!ok)
		diff_hint(what, co_buf_cstr(&want), got);
	co_buf_free(&want);
	return ok;
}

/* Returns 1 on pass, 0 on fail. */
static int run_case(const char *dir)
{
	int pass = 0;
	json_t *ctx = NULL;
	co_buf raw, ctxbuf;
	parsed_request req;
	co_sigv4_result res;
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	memset(&raw, 0, sizeof(raw));
	memset(&ctxbuf, 0, sizeof(ctxbuf));

	if (read_file(&ctxbuf, dir, "context.json") ||
	    read_file(&raw, dir, "request.txt")) {
		printf("    cannot read context.json or request.txt\n");
		goto done;
	}
	json_error_t jerr;
	ctx = json_loadb(co_buf_cstr(&ctxbuf), ctxbuf.len, 0, &jerr);
	if (!ctx) {
		printf("    context.json: %s\n", jerr.text);
		goto done;
	}
	if (parse_request(&req, &raw)) {
		printf("    request.txt is malformed\n");
		goto done;
	}
	json_t *creds = json_object_get(ctx, "credentials");
	char date[17];
	if (amz_date(date, json_string_value(json_object_get(ctx,
				"timestamp")))) {
		printf("    bad timestamp\n");
		goto done;
	}
	co_sigv4_params p = {
		.access_key = json_string_value(json_object_get(creds,
		    "access_key_id")),
		.secret_key = json_string_value(json_object_get(creds,
		    "secret_access_key")),
		.token = json_string_value(json_object_get(creds, "token")),
		.region = json_string_value(json_object_get(ctx, "region")),
		.service = json_string_value(json_object_get(ctx, "service")),
		.amz_date = date,
		.normalize_path = json_is_true(json_object_get(ctx,
		    "normalize")),
		.token_in_signature = !json_is_true(json_object_get(ctx,
		    "omit_session_token")),
	};
	/* sign_body: the payload hash also goes into a signed
	 * x-amz-content-sha256 header, as S3 wants it. */
	char body_hash[65];
	co_aws_sha256_hex(body_hash, req.body, req.body_len);
	if (json_is_true(json_object_get(ctx, "sign_body"))) {
		if (req.n_headers >= MAX_HEADERS)
			goto done;
		req.headers[req.n_headers].name = "X-Amz-Content-Sha256";
		req.headers[req.n_headers].value = body_hash;
		req.n_headers++;
	}
	co_sigv4_request r = {
		.method = req.method,
		.path = req.path,
		.query = req.query,
		.headers = req.headers,
		.n_headers = req.n_headers,
		.body = req.body,
		.body_len = req.body_len,
		.payload_hash = body_hash,
	};
	if (co_sigv4_sign(&r, &p, &res)) {
		printf("    co_sigv4_sign failed\n");
		goto done;
	}
	bool ok = check(dir, "header-canonical-request.txt",
	    co_buf_cstr(&res.canonical_request), "canonical request");
	ok = check(dir, "header-string-to-sign.txt",
		 co_buf_cstr(&res.string_to_sign), "string to sign") && ok;
	ok = check(dir, "header-signature.txt", res.signature, "signature") &&
	    ok;
	pass = ok;
done:
	co_sigv4_result_free(&res);
	co_buf_free(&req.storage);
	co_buf_free(&raw);
	co_buf_free(&ctxbuf);
	json_decref(ctx);
	return pass;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <aws-sigv4-suite folder>\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 2;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char probe[4096];
		struct stat st;
		snprintf(probe, sizeof(probe), "%s/%s/context.json", argv[1],
		    e->d_name);
		if (stat(probe, &st) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				return 2;
			names = grown;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);

	size_t passed = 0;
	for (size_t i = 0; i < n; i++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], names[i]);
		int ok = run_case(dir);
		printf("%s %s\n", ok ? "PASS" : "FAIL", names[i]);
		passed += (size_t)ok;
		free(names[i]);
	}
	free(names);
	printf("%zu/%zu cases passed\n", passed, n);
	if (n == 0) {
		fprintf(stderr, "no cases found in %s\n", argv[1]);
		return 1;
	}
	return passed == n ? 0 : 1;
}
