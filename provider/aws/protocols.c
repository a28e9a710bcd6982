/* The four AWS wire protocols over co_aws_http_call: JSON 1.1, REST-JSON,
 * REST-XML (S3) and Query. Each builds the body and protocol headers, and
 * decodes a successful response; errors are decoded in http.c. */
#include "aws_private.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define REQUEST_BODY_LIMIT ((size_t)16 << 20)
#define MAX_QUERY_PARAMS 4096

static int decode_json(json_t **response, const co_buf *body,
    co_aws_error *err)
{
	if (body->len == 0) {
		*response = json_object();
		return *response ? 0 : -1;
	}
	json_error_t jerr;
	*response = json_loadb(body->data, body->len, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &jerr);
	if (!*response) {
		co_aws_error_set(err, "SerializationError", "the response is "
		    "not JSON (%s at byte %d)", jerr.text, jerr.position);
		return -1;
	}
	return 0;
}

static int decode_xml(co_xml **response_xml, const co_buf *body,
    co_aws_error *err)
{
	*response_xml = NULL;
	if (body->len == 0)
		return 0;
	*response_xml = co_xml_parse(body->data, body->len);
	if (!*response_xml) {
		co_aws_error_set(err, "SerializationError", "the response is "
		    "not well-formed XML");
		return -1;
	}
	return 0;
}

int co_aws_json_call(co_aws_client *c, const char *service,
    const char *target, json_t *request, json_t **response,
    co_aws_error *err)
{
	int rc = -1;
	char *payload = NULL;
	co_buf resp;
	co_buf_init(&resp, 0);
	co_aws_target t;
	*response = NULL;
	memset(err, 0, sizeof(*err));
	if (co_aws_client_target(c, service, &t, err))
		goto done;
	payload = request ? json_dumps(request, JSON_COMPACT) : strdup("{}");
	if (!payload) {
		co_aws_error_set(err, "SerializationError", "cannot encode the "
		    "request as JSON");
		goto done;
	}
	co_sigv4_header hs[] = {
		{"Content-Type", "application/x-amz-json-1.1"},
		{"X-Amz-Target", target},
	};
	co_aws_http_request req = {
		.target = &t,
		.method = "POST",
		.path = "/",
		.headers = hs,
		.n_headers = 2,
		.body = payload,
		.body_len = strlen(payload),
	};
	if (co_aws_http_call(c, &req, &resp, err))
		goto done;
	rc = decode_json(response, &resp, err);
done:
	free(payload);
	co_buf_free(&resp);
	return rc;
}

int co_aws_rest_json_call(co_aws_client *c, const char *service,
    const char *method, const char *path, const char *query, json_t *body,
    json_t **response, co_aws_error *err)
{
	int rc = -1;
	char *payload = NULL;
	co_buf resp;
	co_buf_init(&resp, 0);
	co_aws_target t;
	*response = NULL;
	memset(err, 0, sizeof(*err));
	if (co_aws_client_target(c, service, &t, err))
		goto done;
	co_sigv4_header hs[1];
	size_t nh = 0;
	if (body) {
		payload = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!payload) {
			co_aws_error_set(err, "SerializationError", "cannot "
			    "encode the request as JSON");
			goto done;
		}
		hs[nh++] = (co_sigv4_header){"Content-Type", "application/json"};
	}
	co_aws_http_request req = {
		.target = &t,
		.method = method,
		.path = path,
		.query = query,
		.headers = hs,
		.n_headers = nh,
		.body = payload,
		.body_len = payload ? strlen(payload) : 0,
	};
	if (co_aws_http_call(c, &req, &resp, err))
		goto done;
	rc = decode_json(response, &resp, err);
done:
	free(payload);
	co_buf_free(&resp);
	return rc;
}

static void md5_base64(char out[32], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(len ? data : "", len, md, &mdlen, EVP_md5(), NULL))
		mdlen = 0;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

/* Virtual-hosted addressing needs a bucket name that is a DNS label and a
 * host name endpoint; otherwise the SDKs fall back to path style, and so
 * do we. */
static bool virtual_host_ok(const char *bucket, const char *url)
{
	size_t n = strlen(bucket);
	if (n < 3 || n > 63)
		return false;
	for (const char *p = bucket; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '-'))
			return false;
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	if (host[0] == '[') /* IPv6 literal */
		return false;
	bool digits_and_dots = true;
	for (const char *p = host; *p && *p != ':' && *p != '/'; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			digits_and_dots = false;
	if (digits_and_dots || strncmp(host, "localhost", 9) == 0)
		return false;
	return true;
}

int co_aws_s3_call(co_aws_client *c, const char *method, const char *bucket,
    const char *key_path, const char *query, const char *body,
    size_t body_len, co_xml **response_xml, co_aws_error *err)
{
	int rc = -1;
	co_buf resp, path, prefix;
	co_buf_init(&resp, 0);
	co_buf_init(&path, (size_t)64 << 10);
	co_buf_init(&prefix, 512);
	co_aws_target t;
	*response_xml = NULL;
	memset(err, 0, sizeof(*err));
	if (co_aws_client_target(c, "s3", &t, err))
		goto done;
	if (!key_path)
		key_path = "";
	if (bucket && *bucket) {
		if (!c->s3_use_path_style && virtual_host_ok(bucket, t.url)) {
			co_buf_printf(&prefix, "%s.", bucket);
		} else {
			co_buf_putc(&path, '/');
			co_aws_uri_encode(&path, bucket, false);
		}
	}
	co_buf_puts(&path, key_path);
	if (path.len == 0)
		co_buf_putc(&path, '/');

	/* S3 wants the payload hash in x-amz-content-sha256 (and signs with
	 * it); Content-MD5 is required on lifecycle and DeleteObjects. */
	char sha[65];
	char md5[32];
	co_aws_sha256_hex(sha, body, body ? body_len : 0);
	co_sigv4_header hs[2];
	size_t nh = 0;
	hs[nh++] = (co_sigv4_header){"x-amz-content-sha256", sha};
	if (body) {
		md5_base64(md5, body, body_len);
		hs[nh++] = (co_sigv4_header){"Content-MD5", md5};
	}
	co_aws_http_request req = {
		.target = &t,
		.host_prefix = prefix.len ? co_buf_cstr(&prefix) : NULL,
		.method = method,
		.path = co_buf_cstr(&path),
		.query = query,
		.headers = hs,
		.n_headers = nh,
		.body = body,
		.body_len = body ? body_len : 0,
		.s3 = true,
		.payload_hash = sha,
	};
	if (co_aws_http_call(c, &req, &resp, err))
		goto done;
	rc = decode_xml(response_xml, &resp, err);
done:
	co_buf_free(&resp);
	co_buf_free(&path);
	co_buf_free(&prefix);
	return rc;
}

int co_aws_query_call(co_aws_client *c, const char *service,
    const char *const *params, co_xml **response_xml, co_aws_error *err)
{
	int rc = -1;
	co_buf resp, form;
	co_buf_init(&resp, 0);
	co_buf_init(&form, REQUEST_BODY_LIMIT);
	co_aws_target t;
	*response_xml = NULL;
	memset(err, 0, sizeof(*err));
	if (co_aws_client_target(c, service, &t, err))
		goto done;
	size_t n = 0;
	for (; params && params[n] && params[n + 1] &&
	    n < 2 * MAX_QUERY_PARAMS; n += 2) {
		if (n)
			co_buf_putc(&form, '&');
		co_aws_uri_encode(&form, params[n], false);
		co_buf_putc(&form, '=');
		co_aws_uri_encode(&form, params[n + 1], false);
	}
	if (form.len >= form.limit - 1) {
		co_aws_error_set(err, "SerializationError", "the request is "
		    "too large");
		goto done;
	}
	co_sigv4_header hs[] = {
		{"Content-Type",
		    "application/x-www-form-urlencoded; charset=utf-8"},
	};
	co_aws_http_request req = {
		.target = &t,
		.method = "POST",
		.path = "/",
		.headers = hs,
		.n_headers = 1,
		.body = co_buf_cstr(&form),
		.body_len = form.len,
	};
	if (co_aws_http_call(c, &req, &resp, err))
		goto done;
	rc = decode_xml(response_xml, &resp, err);
done:
	co_buf_free(&resp);
	co_buf_free(&form);
	return rc;
}
