/* The client and its transport: libcurl easy handles that share one
 * connection and DNS cache (so RPC threads reuse keep-alive connections),
 * SigV4 on every attempt, retries with capped exponential backoff and full
 * jitter, cancellation, and turning AWS error responses into co_aws_error. */
#include "aws_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <jansson.h>

#include "../util/log.h"

#define DEFAULT_MAX_RETRIES 25 /* terraform-provider-aws's default */
#define DEFAULT_TIMEOUT_MS 60000L
#define CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_RETRY_BASE_MS 100L
#define RETRY_CAP_MS 20000L
#define MAX_HEADER_VALUE 128
#define URL_LIMIT ((size_t)64 << 10)
#define NON_AWS_SNIPPET 200

/* ---- errors ---------------------------------------------------------- */

void co_aws_error_set(co_aws_error *err, const char *code, const char *fmt,
    ...)
{
	snprintf(err->code, sizeof(err->code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

bool co_aws_error_is(const co_aws_error *err, const char *code)
{
	if (!err || !code || !err->code[0])
		return false;
	size_t clen = strlen(err->code);
	const char *p = code;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == clen && strncmp(p, err->code, len) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

bool co_aws_code_retryable(const char *code)
{
	/* The throttling and transient codes the AWS SDKs retry
	 * (aws-sdk-go-v2 aws/retry/throttle_error.go and
	 * retryable_error.go). LimitExceededException is left out: for
	 * most services it means a quota, which waiting does not lift. */
	static const char *const codes[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "SlowDown",
		"PriorRequestNotComplete", "EC2ThrottledException",
		"RequestTimeout", "RequestTimeoutException",
		"IDPCommunicationError",
	};
	if (!code)
		return false;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

/* "aws.protocoltests#FooError:http://..." -> "FooError". */
static void set_code(co_aws_error *err, const char *raw)
{
	const char *hash = strrchr(raw, '#');
	const char *s = hash ? hash + 1 : raw;
	size_t len = strcspn(s, ":");
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= sizeof(err->code))
		len = sizeof(err->code) - 1;
	memcpy(err->code, s, len);
	err->code[len] = '\0';
}

static const char *json_str(json_t *o, const char *a, const char *b,
    const char *c)
{
	const char *keys[] = {a, b, c};
	for (size_t i = 0; i < 3; i++) {
		if (!keys[i])
			continue;
		const char *v = json_string_value(json_object_get(o, keys[i]));
		if (v && *v)
			return v;
	}
	return NULL;
}

/* Keeps a printable one-line excerpt of a body that is not AWS's. */
static void snippet(char *out, size_t cap, const char *body, size_t len)
{
	size_t n = len < NON_AWS_SNIPPET ? len : NON_AWS_SNIPPET;
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)body[i];
		out[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	out[n] = '\0';
}

void co_aws_error_from_response(co_aws_error *err, long status,
    const char *body, size_t len, const char *error_type_header,
    const char *request_id_header)
{
	err->http_status = status;
	err->code[0] = '\0';
	err->message[0] = '\0';
	if (request_id_header && *request_id_header)
		snprintf(err->request_id, sizeof(err->request_id), "%s",
		    request_id_header);
	/* REST-JSON services name the error in this header; it wins over
	 * the body, as in the SDKs. */
	if (error_type_header && *error_type_header)
		set_code(err, error_type_header);

	size_t skip = 0;
	while (skip < len && (body[skip] == ' ' || body[skip] == '\n' ||
		body[skip] == '\r' || body[skip] == '\t'))
		skip++;
	if (skip < len && body[skip] == '{') {
		json_t *o = json_loadb(body, len, 0, NULL);
		if (json_is_object(o)) {
			const char *code = json_str(o, "__type", "code", "Code");
			const char *msg = json_str(o, "message", "Message",
			    "errorMessage");
			if (code && !err->code[0])
				set_code(err, code);
			if (msg)
				snprintf(err->message, sizeof(err->message),
				    "%s", msg);
		}
		json_decref(o);
	} else if (skip < len && body[skip] == '<') {
		co_xml *x = co_xml_parse(body, len);
		/* Query services wrap the error in ErrorResponse, S3 sends a
		 * bare Error, EC2 uses Response/Errors/Error. */
		static const char *const roots[] = {"ErrorResponse/Error",
			"Error", "Response/Errors/Error"};
		for (size_t i = 0; x && i < 3; i++) {
			const co_xml *e = co_xml_find(x, roots[i]);
			const char *code = e ? co_xml_text(e, "Code") : NULL;
			if (!code)
				continue;
			if (!err->code[0])
				set_code(err, code);
			const char *msg = co_xml_text(e, "Message");
			if (msg)
				snprintf(err->message, sizeof(err->message),
				    "%s", msg);
			break;
		}
		const char *rid = NULL;
		if (x && !(rid = co_xml_text(x, "ErrorResponse/RequestId")) &&
		    !(rid = co_xml_text(x, "Error/RequestId")))
			rid = co_xml_text(x, "Response/RequestID");
		if (rid && *rid && !err->request_id[0])
			snprintf(err->request_id, sizeof(err->request_id), "%s",
			    rid);
		co_xml_free(x);
	}
	if (!err->code[0]) {
		/* Not an AWS error body: moto's 500 for an operation it
		 * lacks, a proxy's HTML page, or nothing at all. */
		snprintf(err->code, sizeof(err->code), "HTTP%ld", status);
		if (len > skip)
			snippet(err->message, sizeof(err->message), body + skip,
			    len - skip);
		else
			snprintf(err->message, sizeof(err->message),
			    "HTTP %ld with an empty body", status);
	}
}

/* ---- client lifecycle --------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access,
    void *userptr)
{
	co_aws_client *c = userptr;
	(void)h;
	(void)access;
	if ((int)data >= 0 && (int)data < 8)
		pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr)
{
	co_aws_client *c = userptr;
	(void)h;
	if ((int)data >= 0 && (int)data < 8)
		pthread_mutex_unlock(&c->share_locks[data]);
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	return errno || *end || n < 0 ? dflt : n;
}

int co_aws_client_new(co_aws_client **out, const co_aws_config *cfg,
    co_buf *err)
{
	co_aws_client *c = NULL;
	*out = NULL;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		co_buf_printf(err, "libcurl failed to initialise: %s.",
		    curl_easy_strerror(curl_init_rc));
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		co_buf_puts(err, "Out of memory creating the AWS client.");
		return -1;
	}
	for (int i = 0; i < 8; i++)
		pthread_mutex_init(&c->share_locks[i], NULL);
	pthread_mutex_init(&c->wake_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&c->cancelled, false);

	c->max_retries = cfg->max_retries < 0 ? DEFAULT_MAX_RETRIES :
	    cfg->max_retries;
	c->s3_use_path_style = cfg->s3_use_path_style;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	/* Tests shrink the backoff so retry paths run in milliseconds. */
	c->retry_base_ms = env_long("COSTOPS_RETRY_BASE_MS",
	    DEFAULT_RETRY_BASE_MS);
	c->retry_cap_ms = RETRY_CAP_MS;

	if (co_aws_identity_resolve(&c->id, cfg, err))
		goto fail;
	c->urls = calloc(co_aws_service_count(), sizeof(*c->urls));
	if (!c->urls) {
		co_buf_puts(err, "Out of memory creating the AWS client.");
		goto fail;
	}
	if (co_aws_endpoints_resolve(c->urls, cfg, c->id.region, err))
		goto fail;

	CURLSH *sh = curl_share_init();
	if (!sh) {
		co_buf_puts(err, "Out of memory creating the AWS client.");
		goto fail;
	}
	c->share = sh;
	curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(sh, CURLSHOPT_USERDATA, c);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	if (curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) !=
	    CURLSHE_OK)
		co_debug("libcurl cannot share connections; each request "
		    "opens its own");
	co_info("AWS client ready: region %s, credentials from %s, "
	    "max_retries %d", c->id.region, c->id.source, c->max_retries);
	*out = c;
	return 0;
fail:
	co_aws_client_free(c);
	return -1;
}

void co_aws_client_free(co_aws_client *c)
{
	if (!c)
		return;
	if (c->share)
		curl_share_cleanup(c->share);
	if (c->urls)
		for (size_t i = 0; i < co_aws_service_count(); i++)
			free(c->urls[i]);
	free(c->urls);
	co_aws_identity_clear(&c->id);
	for (int i = 0; i < 8; i++)
		pthread_mutex_destroy(&c->share_locks[i]);
	pthread_mutex_destroy(&c->wake_lock);
	pthread_cond_destroy(&c->wake);
	free(c);
}

const char *co_aws_client_region(const co_aws_client *c)
{
	return c->id.region;
}

const char *co_aws_client_credential_source(const co_aws_client *c)
{
	return c->id.source;
}

void co_aws_client_cancel(co_aws_client *c)
{
	atomic_store(&c->cancelled, true);
	pthread_mutex_lock(&c->wake_lock);
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->wake_lock);
}

bool co_aws_client_cancelled(const co_aws_client *c)
{
	return atomic_load(&c->cancelled);
}

int co_aws_sleep(co_aws_client *c, long ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	pthread_mutex_lock(&c->wake_lock);
	while (!atomic_load(&c->cancelled)) {
		if (pthread_cond_timedwait(&c->wake, &c->wake_lock,
			&deadline) == ETIMEDOUT)
			break;
	}
	if (atomic_load(&c->cancelled))
		rc = -1;
	pthread_mutex_unlock(&c->wake_lock);
	return rc;
}

/* ---- one attempt ----------------------------------------------------- */

typedef struct {
	co_buf *body;
	bool too_big;
	char request_id[MAX_HEADER_VALUE];
	char error_type[MAX_HEADER_VALUE];
	co_aws_client *client;
} attempt_state;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	attempt_state *st = ud;
	size_t n = size * nmemb;
	if (co_buf_append(st->body, ptr, n)) {
		st->too_big = true;
		return 0;
	}
	return n;
}

static void keep_header(char *dst, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
		v[len - 1] == ' '))
		len--;
	if (len >= MAX_HEADER_VALUE)
		len = MAX_HEADER_VALUE - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	attempt_state *st = ud;
	size_t n = size * nitems;
	const char *colon = memchr(buf, ':', n);
	if (!colon)
		return n;
	size_t name_len = (size_t)(colon - buf);
	const char *v = colon + 1;
	size_t vlen = n - name_len - 1;
	if ((name_len == 16 && strncasecmp(buf, "x-amzn-RequestId", 16) == 0) ||
	    (name_len == 16 && strncasecmp(buf, "x-amz-request-id", 16) == 0))
		keep_header(st->request_id, v, vlen);
	else if (name_len == 16 && strncasecmp(buf, "x-amzn-ErrorType", 16) == 0)
		keep_header(st->error_type, v, vlen);
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	attempt_state *st = ud;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&st->client->cancelled) ? 1 : 0;
}

/* Splits "https://host:port/base" into the authority (default ports
 * dropped, so what we sign is what curl sends) and the base path. */
static int split_url(const char *url, co_buf *scheme, co_buf *authority,
    co_buf *base_path)
{
	const char *p = strstr(url, "://");
	if (!p)
		return -1;
	co_buf_append(scheme, url, (size_t)(p - url));
	p += 3;
	const char *slash = strchr(p, '/');
	size_t alen = slash ? (size_t)(slash - p) : strlen(p);
	const char *colon = memchr(p, ':', alen);
	bool https = strcmp(co_buf_cstr(scheme), "https") == 0;
	if (colon && ((https && strncmp(colon, ":443", 4) == 0 &&
			 (size_t)(colon - p) + 4 == alen) ||
		(!https && strncmp(colon, ":80", 3) == 0 &&
		    (size_t)(colon - p) + 3 == alen)))
		alen = (size_t)(colon - p);
	co_buf_append(authority, p, alen);
	if (slash)
		co_buf_puts(base_path, slash);
	return authority->len ? 0 : -1;
}

static bool curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static bool status_retryable(long status)
{
	return status == 429 || (status >= 500 && status != 501);
}

static void amz_now(char out[17])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int slist_add(struct curl_slist **l, const char *line)
{
	struct curl_slist *n = curl_slist_append(*l, line);
	if (!n)
		return -1;
	*l = n;
	return 0;
}

/* The headers curl sends: the signed ones exactly as signed, then the
 * date, the signature and the session token. */
static int build_headers(struct curl_slist **hl, const co_sigv4_header *hs,
    size_t nh, const char *date, const co_sigv4_result *sig,
    const char *token, const co_aws_http_request *req)
{
	int rc = -1;
	co_buf line;
	co_buf_init(&line, URL_LIMIT);
	for (size_t i = 0; i < nh; i++) {
		co_buf_reset(&line);
		if (co_buf_printf(&line, "%s: %s", hs[i].name, hs[i].value) ||
		    slist_add(hl, co_buf_cstr(&line)))
			goto done;
	}
	co_buf_reset(&line);
	if (co_buf_printf(&line, "X-Amz-Date: %s", date) ||
	    slist_add(hl, co_buf_cstr(&line)))
		goto done;
	co_buf_reset(&line);
	if (co_buf_printf(&line, "Authorization: %s",
		co_buf_cstr(&sig->authorization)) ||
	    slist_add(hl, co_buf_cstr(&line)))
		goto done;
	if (token) {
		co_buf_reset(&line);
		if (co_buf_printf(&line, "X-Amz-Security-Token: %s", token) ||
		    slist_add(hl, co_buf_cstr(&line)))
			goto done;
	}
	/* No "Expect: 100-continue" round trip for bodies over 1 KiB. */
	if (slist_add(hl, "Expect:"))
		goto done;
	bool has_ct = false;
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, "Content-Type") == 0)
			has_ct = true;
	/* curl would label any POST body form-urlencoded otherwise. */
	if (!has_ct && slist_add(hl, "Content-Type:"))
		goto done;
	rc = 0;
done:
	if (line.data)
		OPENSSL_cleanse(line.data, line.cap);
	co_buf_free(&line);
	return rc;
}

enum attempt_outcome { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_FAIL };

static enum attempt_outcome attempt(co_aws_client *c,
    const co_aws_http_request *req, const char *url, const char *host,
    const char *signed_path, co_buf *resp, co_aws_error *err)
{
	enum attempt_outcome outcome = ATTEMPT_FAIL;
	CURL *h = NULL;
	struct curl_slist *hl = NULL;
	co_sigv4_result sig;
	memset(&sig, 0, sizeof(sig));
	attempt_state st = {.body = resp, .client = c};
	co_buf_reset(resp);

	/* A fresh date and signature on every attempt: a retried request
	 * keeps its old X-Amz-Date only at the risk of RequestExpired. */
	char date[17];
	amz_now(date);
	const char *token = c->id.token && *c->id.token ? c->id.token : NULL;
	co_sigv4_header hs[40];
	size_t nh = 0;
	hs[nh++] = (co_sigv4_header){"Host", host};
	for (size_t i = 0; i < req->n_headers && nh < 39; i++)
		hs[nh++] = req->headers[i];
	co_sigv4_request sr = {
		.method = req->method,
		.path = signed_path,
		.query = req->query,
		.headers = hs,
		.n_headers = nh,
		.body = req->body,
		.body_len = req->body_len,
		.payload_hash = req->payload_hash,
	};
	co_sigv4_params sp = {
		.access_key = c->id.access_key,
		.secret_key = c->id.secret_key,
		.token = token,
		.region = req->target->signing_region,
		.service = req->target->svc->signing_name,
		.amz_date = date,
		.normalize_path = !req->s3,
		.token_in_signature = true,
		.single_encode_path = req->s3,
	};
	if (co_sigv4_sign(&sr, &sp, &sig)) {
		co_aws_error_set(err, "RequestError", "signing the request "
		    "failed");
		goto done;
	}

	h = curl_easy_init();
	if (!h || build_headers(&hl, hs, nh, date, &sig, token, req)) {
		co_aws_error_set(err, "RequestError", "out of memory");
		goto done;
	}

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_SHARE, (CURLSH *)c->share);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT,
	    "terraform-provider-costops (libcurl)");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &st);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (req->body || strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    req->body ? (const char *)req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);

	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_ABORTED_BY_CALLBACK || atomic_load(&c->cancelled)) {
		co_aws_error_set(err, "RequestCanceled", "the request was "
		    "cancelled (provider stopping)");
		goto done;
	}
	if (st.too_big) {
		co_aws_error_set(err, "RequestError", "the response is larger "
		    "than %zu bytes", resp->limit);
		goto done;
	}
	if (rc != CURLE_OK) {
		err->http_status = 0;
		co_aws_error_set(err, "RequestError", "%s: %s", url,
		    curl_err[0] ? curl_err : curl_easy_strerror(rc));
		outcome = curl_retryable(rc) ? ATTEMPT_RETRY : ATTEMPT_FAIL;
		goto done;
	}
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	err->http_status = status;
	snprintf(err->request_id, sizeof(err->request_id), "%s",
	    st.request_id);
	if (status >= 200 && status < 300) {
		outcome = ATTEMPT_OK;
		goto done;
	}
	co_aws_error_from_response(err, status, co_buf_cstr(resp), resp->len,
	    st.error_type, st.request_id);
	outcome = status_retryable(status) || co_aws_code_retryable(err->code) ?
	    ATTEMPT_RETRY : ATTEMPT_FAIL;
done:
	curl_slist_free_all(hl);
	if (h)
		curl_easy_cleanup(h);
	co_sigv4_result_free(&sig);
	return outcome;
}

/* Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform delay in [0, min(cap, base * 2^(attempt-1))]. */
static long backoff_ms(const co_aws_client *c, int attempt_no,
    unsigned int *seed)
{
	long ceiling = c->retry_base_ms;
	for (int i = 1; i < attempt_no && ceiling < c->retry_cap_ms; i++)
		ceiling *= 2;
	if (ceiling > c->retry_cap_ms)
		ceiling = c->retry_cap_ms;
	if (ceiling <= 0)
		return 0;
	return (long)(rand_r(seed) % (unsigned long)(ceiling + 1));
}

int co_aws_http_call(co_aws_client *c, const co_aws_http_request *req,
    co_buf *resp_body, co_aws_error *err)
{
	int rc = -1;
	co_buf scheme, authority, base, url, host, path;
	co_buf_init(&scheme, 64);
	co_buf_init(&authority, URL_LIMIT);
	co_buf_init(&base, URL_LIMIT);
	co_buf_init(&url, URL_LIMIT);
	co_buf_init(&host, URL_LIMIT);
	co_buf_init(&path, URL_LIMIT);
	memset(err, 0, sizeof(*err));

	if (split_url(req->target->url, &scheme, &authority, &base)) {
		co_aws_error_set(err, "RequestError", "bad endpoint URL %s",
		    req->target->url);
		goto done;
	}
	if (req->host_prefix)
		co_buf_puts(&host, req->host_prefix);
	co_buf_puts(&host, co_buf_cstr(&authority));
	co_buf_puts(&path, co_buf_cstr(&base));
	co_buf_puts(&path, req->path && *req->path ? req->path : "/");
	if (co_buf_printf(&url, "%s://%s%s%s%s", co_buf_cstr(&scheme),
		co_buf_cstr(&host), co_buf_cstr(&path),
		req->query && *req->query ? "?" : "",
		req->query ? req->query : "")) {
		co_aws_error_set(err, "RequestError", "the request URL is too "
		    "long");
		goto done;
	}

	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	unsigned int seed = (unsigned int)(ts.tv_nsec ^ (long)ts.tv_sec ^
	    (long)(uintptr_t)&ts);
	for (int n = 1;; n++) {
		err->attempts = n;
		if (atomic_load(&c->cancelled)) {
			co_aws_error_set(err, "RequestCanceled", "the request "
			    "was cancelled (provider stopping)");
			goto done;
		}
		co_debug("AWS %s %s %s (attempt %d)", req->target->svc->key,
		    req->method, co_buf_cstr(&url), n);
		enum attempt_outcome o = attempt(c, req, co_buf_cstr(&url),
		    co_buf_cstr(&host), co_buf_cstr(&path), resp_body, err);
		if (o == ATTEMPT_OK) {
			/* Earlier failed attempts left their code behind. */
			err->code[0] = '\0';
			err->message[0] = '\0';
			rc = 0;
			goto done;
		}
		if (o == ATTEMPT_FAIL)
			goto done;
		if (n > c->max_retries) {
			co_warn("AWS %s %s: giving up after %d attempts: %s "
			    "(HTTP %ld)", req->target->svc->key, req->method, n,
			    err->code, err->http_status);
			goto done;
		}
		long delay = backoff_ms(c, n, &seed);
		/* The first retries are routine (throttling, a blip); from
		 * the third on, something is wrong enough to show. */
		co_log(n >= 3 ? CO_LOG_WARN : CO_LOG_DEBUG, "AWS %s %s: "
		    "attempt %d failed with %s (HTTP %ld); retrying in %ld ms",
		    req->target->svc->key, req->method, n, err->code,
		    err->http_status, delay);
		if (co_aws_sleep(c, delay)) {
			co_aws_error_set(err, "RequestCanceled", "the request "
			    "was cancelled (provider stopping) while waiting "
			    "to retry");
			goto done;
		}
	}
done:
	co_buf_free(&scheme);
	co_buf_free(&authority);
	co_buf_free(&base);
	co_buf_free(&url);
	co_buf_free(&host);
	co_buf_free(&path);
	return rc;
}
