#define _GNU_SOURCE
/* The transport and protocols against a tiny HTTP server on 127.0.0.1 that
 * replies with canned responses: retries, error decoding, cancellation,
 * and what each protocol puts on the wire. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/aws.h"
#include "aws/aws_private.h"

#define MAX_CANNED 8
#define MAX_SEEN 64
#define REQ_MAX 65536

typedef struct {
	int status;
	const char *headers; /* extra header lines, each ending in \r\n */
	const char *body;
} canned;

typedef struct {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t mu;
	canned replies[MAX_CANNED]; /* the last one repeats */
	int n_replies;
	int served;
	char *seen[MAX_SEEN]; /* raw requests, headers and body */
	atomic_int stop;
} server;

static void server_reply(server *s, int fd)
{
	char *req = calloc(1, REQ_MAX + 1);
	size_t len = 0;
	size_t want = 0;
	while (len < REQ_MAX) {
		ssize_t n = recv(fd, req + len, REQ_MAX - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = '\0';
		char *end = strstr(req, "\r\n\r\n");
		if (!end)
			continue;
		if (!want) {
			const char *cl = strcasestr(req, "\r\nContent-Length:");
			size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0;
			want = (size_t)(end + 4 - req) + body;
		}
		if (len >= want)
			break;
	}
	pthread_mutex_lock(&s->mu);
	int i = s->served < s->n_replies ? s->served : s->n_replies - 1;
	if (s->served < MAX_SEEN)
		s->seen[s->served] = req;
	else
		free(req);
	s->served++;
	canned r = s->replies[i];
	pthread_mutex_unlock(&s->mu);

	char head[1024];
	const char *body = r.body ? r.body : "";
	int hl = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "%s\r\n",
	    r.status, strlen(body), r.headers ? r.headers : "");
	(void)!write(fd, head, (size_t)hl);
	(void)!write(fd, body, strlen(body));
	close(fd);
}

static void *server_main(void *arg)
{
	server *s = arg;
	while (!s->stop) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int fd = accept(s->fd, NULL, NULL);
		if (fd >= 0)
			server_reply(s, fd);
	}
	return NULL;
}

static server *server_start(const canned *replies, int n)
{
	server *s = calloc(1, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	memcpy(s->replies, replies, (size_t)n * sizeof(*replies));
	s->n_replies = n;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	socklen_t al = sizeof(a);
	getsockname(s->fd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, server_main, s);
	return s;
}

static int server_served(server *s)
{
	pthread_mutex_lock(&s->mu);
	int n = s->served;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void server_stop(server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	for (int i = 0; i < MAX_SEEN; i++)
		free(s->seen[i]);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* A client whose every service points at the test server. */
static co_aws_client *client_for(int port, int max_retries, const char *token,
    bool path_style)
{
	static const char *const keys[] = {"logs", "eks", "sts", "s3",
		"budgets", "ec2"};
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	co_aws_endpoint eps[6];
	for (int i = 0; i < 6; i++)
		eps[i] = (co_aws_endpoint){keys[i], url};
	co_aws_config cfg = {
		.region = "eu-west-1",
		.access_key = "AKIDTEST",
		.secret_key = "secret-test-key",
		.token = token,
		.endpoints = eps,
		.n_endpoints = 6,
		.max_retries = max_retries,
		.s3_use_path_style = path_style,
		.timeout_ms = 5000,
	};
	co_aws_client *c = NULL;
	co_buf err;
	co_buf_init(&err, 0);
	int rc = co_aws_client_new(&c, &cfg, &err);
	if (rc)
		fprintf(stderr, "client: %s\n", co_buf_cstr(&err));
	assert_int_equal(rc, 0);
	co_buf_free(&err);
	return c;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- retries ------------------------------------------------------------ */

static void test_5xx_retried_then_success(void **state)
{
	(void)state;
	canned r[] = {
		{503, NULL, "<html>busy</html>"},
		{503, NULL, "<html>busy</html>"},
		{200, "x-amzn-RequestId: req-ok\r\n", "{\"logGroups\":[]}"},
	};
	server *s = server_start(r, 3);
	co_aws_client *c = client_for(s->port, 5, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	int rc = co_aws_json_call(c, "logs", "Logs_20140328.DescribeLogGroups",
	    NULL, &resp, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(err.attempts, 3);
	assert_int_equal(server_served(s), 3);
	assert_true(json_is_array(json_object_get(resp, "logGroups")));
	json_decref(resp);
	co_aws_client_free(c);
	server_stop(s);
}

static void test_throttling_code_retried(void **state)
{
	(void)state;
	canned r[] = {
		{400, NULL, "{\"__type\":\"ThrottlingException\","
		    "\"message\":\"Rate exceeded\"}"},
		{200, NULL, ""},
	};
	server *s = server_start(r, 2);
	co_aws_client *c = client_for(s->port, 3, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), 0);
	assert_int_equal(err.attempts, 2);
	assert_string_equal(err.code, "");
	/* An empty body decodes as an empty object. */
	assert_true(json_is_object(resp));
	assert_int_equal(json_object_size(resp), 0);
	json_decref(resp);
	co_aws_client_free(c);
	server_stop(s);
}

static void test_validation_error_not_retried(void **state)
{
	(void)state;
	canned r[] = {
		{400, "x-amzn-RequestId: rid-1\r\n",
		    "{\"__type\":\"com.amazonaws.logs#InvalidParameterException\","
		    "\"message\":\"bad retention\"}"},
		{200, NULL, "{}"},
	};
	server *s = server_start(r, 2);
	co_aws_client *c = client_for(s->port, 5, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	assert_null(resp);
	assert_string_equal(err.code, "InvalidParameterException");
	assert_string_equal(err.message, "bad retention");
	assert_string_equal(err.request_id, "rid-1");
	assert_int_equal(err.http_status, 400);
	assert_int_equal(err.attempts, 1);
	assert_int_equal(server_served(s), 1);
	co_aws_client_free(c);
	server_stop(s);
}

static void test_retries_exhausted(void **state)
{
	(void)state;
	canned r[] = {{502, NULL, "bad gateway"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 2, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	assert_int_equal(err.attempts, 3);
	assert_int_equal(server_served(s), 3);
	assert_string_equal(err.code, "HTTP502");
	assert_string_equal(err.message, "bad gateway");
	co_aws_client_free(c);
	server_stop(s);
}

static void test_501_not_retried(void **state)
{
	(void)state;
	canned r[] = {{501, NULL, ""}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 3, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	assert_int_equal(err.attempts, 1);
	assert_string_equal(err.code, "HTTP501");
	co_aws_client_free(c);
	server_stop(s);
}

static void test_connection_refused_fails_fast(void **state)
{
	(void)state;
	/* A port that was just free: nothing listens there. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	socklen_t al = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	co_aws_client *c = client_for(ntohs(a.sin_port), 0, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	assert_string_equal(err.code, "RequestError");
	assert_int_equal(err.http_status, 0);
	assert_int_equal(err.attempts, 1);
	co_aws_client_free(c);

	/* With retries, a refused connection is retried. */
	c = client_for(ntohs(a.sin_port), 2, NULL, true);
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	assert_int_equal(err.attempts, 3);
	co_aws_client_free(c);
}

/* ---- error decoding ----------------------------------------------------- */

static void test_rest_json_error_header(void **state)
{
	(void)state;
	canned r[] = {{404,
	    "X-Amzn-ErrorType: ResourceNotFoundException:http://internal/\r\n",
	    "{\"message\":\"No cluster found for name: x.\"}"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 3, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_rest_json_call(c, "eks", "GET", "/clusters/x",
	    NULL, NULL, &resp, &err), -1);
	assert_string_equal(err.code, "ResourceNotFoundException");
	assert_string_equal(err.message, "No cluster found for name: x.");
	assert_int_equal(err.http_status, 404);
	assert_true(co_aws_error_is(&err, "NotFoundException|"
	    "ResourceNotFoundException"));
	assert_false(co_aws_error_is(&err, "ResourceNotFound"));
	co_aws_client_free(c);
	server_stop(s);
}

static void test_non_aws_500(void **state)
{
	(void)state;
	canned r[] = {{500, "Content-Type: text/html\r\n",
	    "<!doctype html>\n<html><title>500 Internal Server Error</title>"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 0, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "budgets",
	    "AWSBudgetServiceGateway.UpdateBudget", NULL, &resp, &err), -1);
	assert_string_equal(err.code, "HTTP500");
	assert_non_null(strstr(err.message, "500 Internal Server Error"));
	assert_null(strchr(err.message, '\n'));
	co_aws_client_free(c);
	server_stop(s);
}

static void test_error_parser(void **state)
{
	(void)state;
	co_aws_error e;
	const char *q = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/"
	    "2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
	    "<Message>Role x not found</Message></Error>"
	    "<RequestId>abc-123</RequestId></ErrorResponse>";
	memset(&e, 0, sizeof(e));
	co_aws_error_from_response(&e, 404, q, strlen(q), "", "");
	assert_string_equal(e.code, "NoSuchEntity");
	assert_string_equal(e.message, "Role x not found");
	assert_string_equal(e.request_id, "abc-123");

	const char *s3 = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code>"
	    "<Message>The specified bucket does not exist</Message>"
	    "<BucketName>b</BucketName><RequestId>r9</RequestId></Error>";
	memset(&e, 0, sizeof(e));
	co_aws_error_from_response(&e, 404, s3, strlen(s3), NULL, NULL);
	assert_string_equal(e.code, "NoSuchBucket");
	assert_string_equal(e.request_id, "r9");

	const char *ec2 = "<Response><Errors><Error><Code>"
	    "InvalidInstanceID.NotFound</Code><Message>nope</Message></Error>"
	    "</Errors><RequestID>e1</RequestID></Response>";
	memset(&e, 0, sizeof(e));
	co_aws_error_from_response(&e, 400, ec2, strlen(ec2), NULL, NULL);
	assert_string_equal(e.code, "InvalidInstanceID.NotFound");
	assert_string_equal(e.request_id, "e1");

	const char *js = "{\"code\":\"ValidationException\","
	    "\"Message\":\"m\"}";
	memset(&e, 0, sizeof(e));
	co_aws_error_from_response(&e, 400, js, strlen(js), NULL, NULL);
	assert_string_equal(e.code, "ValidationException");
	assert_string_equal(e.message, "m");

	memset(&e, 0, sizeof(e));
	co_aws_error_from_response(&e, 404, "", 0, NULL, NULL);
	assert_string_equal(e.code, "HTTP404");

	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&e, 0, sizeof(e));
	co_aws_error_from_response(&e, 502, big, strlen(big), NULL, NULL);
	assert_int_equal(strlen(e.message), 200);

	assert_true(co_aws_code_retryable("ThrottlingException"));
	assert_true(co_aws_code_retryable("SlowDown"));
	assert_false(co_aws_code_retryable("LimitExceededException"));
	assert_false(co_aws_code_retryable("ValidationException"));
}

/* ---- what goes on the wire ---------------------------------------------- */

static void test_json_wire_format(void **state)
{
	(void)state;
	canned r[] = {{200, NULL, "{}"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 0, "session-tok", true);
	json_t *req = json_pack("{s:s}", "logGroupName", "g");
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs",
	    "Logs_20140328.CreateLogGroup", req, &resp, &err), 0);
	json_decref(req);
	json_decref(resp);
	const char *raw = s->seen[0];
	assert_non_null(strstr(raw, "POST / HTTP/1.1\r\n"));
	assert_non_null(strcasestr(raw, "\r\nContent-Type: "
	    "application/x-amz-json-1.1\r\n"));
	assert_non_null(strcasestr(raw, "\r\nX-Amz-Target: "
	    "Logs_20140328.CreateLogGroup\r\n"));
	assert_non_null(strcasestr(raw, "\r\nX-Amz-Security-Token: "
	    "session-tok\r\n"));
	assert_non_null(strstr(raw, "/eu-west-1/logs/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token;x-amz-target, Signature="));
	char host[64];
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%d\r\n", s->port);
	assert_non_null(strcasestr(raw, host));
	assert_non_null(strstr(raw, "\r\n\r\n{\"logGroupName\":\"g\"}"));
	/* The secret never travels. */
	assert_null(strstr(raw, "secret-test-key"));
	co_aws_client_free(c);
	server_stop(s);
}

static void test_global_service_signing_region(void **state)
{
	(void)state;
	canned r[] = {{200, NULL, "{}"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 0, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "budgets",
	    "AWSBudgetServiceGateway.DescribeBudgets", NULL, &resp, &err), 0);
	json_decref(resp);
	assert_non_null(strstr(s->seen[0], "/us-east-1/budgets/aws4_request"));
	assert_non_null(strstr(s->seen[0], "\r\n\r\n{}"));
	co_aws_client_free(c);
	server_stop(s);
}

static void test_query_wire_format(void **state)
{
	(void)state;
	canned r[] = {{200, NULL,
	    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
	    "2011-06-15/\"><GetCallerIdentityResult><Account>123456789012"
	    "</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 0, NULL, true);
	const char *params[] = {"Action", "GetCallerIdentity", "Version",
		"2011-06-15", "Tag.1.Value", "a b&c", NULL};
	co_xml *x = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_query_call(c, "sts", params, &x, &err), 0);
	assert_string_equal(co_xml_text(x, "GetCallerIdentityResponse/"
	    "GetCallerIdentityResult/Account"), "123456789012");
	co_xml_free(x);
	const char *raw = s->seen[0];
	assert_non_null(strcasestr(raw, "\r\nContent-Type: "
	    "application/x-www-form-urlencoded; charset=utf-8\r\n"));
	assert_non_null(strstr(raw, "\r\n\r\nAction=GetCallerIdentity&"
	    "Version=2011-06-15&Tag.1.Value=a%20b%26c"));
	assert_non_null(strstr(raw, "/eu-west-1/sts/aws4_request"));
	co_aws_client_free(c);
	server_stop(s);
}

static void test_s3_wire_format(void **state)
{
	(void)state;
	canned r[] = {{200, "x-amz-request-id: s3r\r\n", ""}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 0, NULL, true);
	const char *body = "<LifecycleConfiguration/>";
	co_xml *x = (co_xml *)1;
	co_aws_error err;
	assert_int_equal(co_aws_s3_call(c, "PUT", "my-bucket", "/a%20b",
	    "lifecycle", body, strlen(body), &x, &err), 0);
	assert_null(x);
	const char *raw = s->seen[0];
	assert_non_null(strstr(raw, "PUT /my-bucket/a%20b?lifecycle "
	    "HTTP/1.1\r\n"));
	char sha[65];
	co_aws_sha256_hex(sha, body, strlen(body));
	char line[128];
	snprintf(line, sizeof(line), "\r\nx-amz-content-sha256: %s\r\n", sha);
	assert_non_null(strcasestr(raw, line));
	assert_non_null(strcasestr(raw, "\r\nContent-MD5: "));
	assert_null(strcasestr(raw, "application/x-www-form-urlencoded"));
	assert_non_null(strstr(raw, "SignedHeaders=content-md5;host;"
	    "x-amz-content-sha256;x-amz-date"));
	co_aws_client_free(c);

	/* Virtual-hosted: with an IP endpoint the SDKs fall back to
	 * path style, so the bucket stays in the path here too. */
	c = client_for(s->port, 0, NULL, false);
	assert_int_equal(co_aws_s3_call(c, "GET", "my-bucket", "",
	    "list-type=2", NULL, 0, &x, &err), 0);
	assert_non_null(strstr(s->seen[1], "GET /my-bucket?list-type=2 "));
	assert_null(strcasestr(s->seen[1], "Content-MD5"));
	co_aws_client_free(c);
	server_stop(s);
}

static void test_rest_json_wire_format(void **state)
{
	(void)state;
	canned r[] = {{200, NULL, "{\"nodegroup\":{\"status\":\"ACTIVE\"}}"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 0, NULL, true);
	json_t *body = json_pack("{s:{s:i}}", "scalingConfig", "minSize", 1);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_rest_json_call(c, "eks", "POST",
	    "/clusters/my%20c/node-groups/ng/update-config", "x=1", body,
	    &resp, &err), 0);
	json_decref(body);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    resp, "nodegroup"), "status")), "ACTIVE");
	json_decref(resp);
	const char *raw = s->seen[0];
	assert_non_null(strstr(raw, "POST /clusters/my%20c/node-groups/ng/"
	    "update-config?x=1 HTTP/1.1\r\n"));
	assert_non_null(strcasestr(raw, "\r\nContent-Type: application/json"
	    "\r\n"));
	assert_non_null(strstr(raw, "/eu-west-1/eks/aws4_request"));

	/* A body-less POST must not be labelled as a form. */
	assert_int_equal(co_aws_rest_json_call(c, "eks", "DELETE",
	    "/clusters/a", NULL, NULL, &resp, &err), 0);
	json_decref(resp);
	assert_non_null(strstr(s->seen[1], "DELETE /clusters/a HTTP/1.1"));
	assert_null(strcasestr(s->seen[1], "Content-Type"));
	assert_int_equal(co_aws_rest_json_call(c, "eks", "POST",
	    "/clusters/a/untag", NULL, NULL, &resp, &err), 0);
	json_decref(resp);
	assert_null(strcasestr(s->seen[2], "Content-Type"));
	assert_non_null(strcasestr(s->seen[2], "Content-Length: 0"));
	co_aws_client_free(c);
	server_stop(s);
}

typedef struct {
	co_aws_client *c;
	int ok;
} worker_arg;

static void *worker(void *p)
{
	worker_arg *w = p;
	for (int i = 0; i < 5; i++) {
		json_t *resp = NULL;
		co_aws_error err;
		if (co_aws_json_call(w->c, "logs", "Logs_20140328.X", NULL,
			&resp, &err) == 0)
			w->ok++;
		json_decref(resp);
	}
	return NULL;
}

static void test_concurrent_calls(void **state)
{
	(void)state;
	canned r[] = {{200, NULL, "{}"}};
	server *s = server_start(r, 1);
	co_aws_client *c = client_for(s->port, 3, NULL, true);
	pthread_t t[4];
	worker_arg w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (worker_arg){c, 0};
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].ok, 5);
	}
	assert_int_equal(server_served(s), 20);
	co_aws_client_free(c);
	server_stop(s);
}

/* ---- cancellation ------------------------------------------------------- */

static void *cancel_later(void *arg)
{
	usleep(150 * 1000);
	co_aws_client_cancel(arg);
	return NULL;
}

static void test_cancel_during_backoff(void **state)
{
	(void)state;
	canned r[] = {{503, NULL, "busy"}};
	server *s = server_start(r, 1);
	/* Long backoffs: the cancel must cut the wait short. */
	setenv("COSTOPS_RETRY_BASE_MS", "3000", 1);
	co_aws_client *c = client_for(s->port, 10, NULL, true);
	setenv("COSTOPS_RETRY_BASE_MS", "1", 1);
	pthread_t t;
	pthread_create(&t, NULL, cancel_later, c);
	long t0 = now_ms();
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	long elapsed = now_ms() - t0;
	pthread_join(t, NULL);
	assert_string_equal(err.code, "RequestCanceled");
	assert_true(elapsed < 2000);
	assert_true(co_aws_client_cancelled(c));

	/* Later calls fail at once, without touching the network. */
	int before = server_served(s);
	assert_int_equal(co_aws_json_call(c, "logs", "Logs_20140328.X", NULL,
	    &resp, &err), -1);
	assert_string_equal(err.code, "RequestCanceled");
	assert_int_equal(server_served(s), before);
	assert_int_equal(co_aws_sleep(c, 10000), -1);
	co_aws_client_free(c);
	server_stop(s);
}

static void test_sleep(void **state)
{
	(void)state;
	co_aws_client *c = client_for(1, 0, NULL, true);
	long t0 = now_ms();
	assert_int_equal(co_aws_sleep(c, 30), 0);
	long elapsed = now_ms() - t0;
	assert_true(elapsed >= 29 && elapsed < 1000);
	assert_false(co_aws_client_cancelled(c));
	co_aws_client_free(c);
}

static void test_unknown_service(void **state)
{
	(void)state;
	co_aws_client *c = client_for(1, 0, NULL, true);
	json_t *resp = NULL;
	co_aws_error err;
	assert_int_equal(co_aws_json_call(c, "nope", "X.Y", NULL, &resp, &err),
	    -1);
	assert_string_equal(err.code, "UnknownService");
	co_aws_client_free(c);
}

int main(void)
{
	static const char *const clear[] = {"AWS_ENDPOINT_URL", "AWS_PROFILE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
		"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
		"ALL_PROXY", "all_proxy"};
	for (size_t i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
		unsetenv(clear[i]);
	setenv("COSTOPS_RETRY_BASE_MS", "1", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_5xx_retried_then_success),
		cmocka_unit_test(test_throttling_code_retried),
		cmocka_unit_test(test_validation_error_not_retried),
		cmocka_unit_test(test_retries_exhausted),
		cmocka_unit_test(test_501_not_retried),
		cmocka_unit_test(test_connection_refused_fails_fast),
		cmocka_unit_test(test_rest_json_error_header),
		cmocka_unit_test(test_non_aws_500),
		cmocka_unit_test(test_error_parser),
		cmocka_unit_test(test_json_wire_format),
		cmocka_unit_test(test_global_service_signing_region),
		cmocka_unit_test(test_query_wire_format),
		cmocka_unit_test(test_s3_wire_format),
		cmocka_unit_test(test_rest_json_wire_format),
		cmocka_unit_test(test_concurrent_calls),
		cmocka_unit_test(test_cancel_during_backoff),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_unknown_service),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
