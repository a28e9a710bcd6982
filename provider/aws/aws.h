/* The AWS client: credentials and region as the SDKs resolve them, endpoints,
 * our own SigV4 signer, a libcurl transport with connection reuse, retries
 * with backoff and jitter, and the four wire protocols (JSON 1.1, REST-JSON,
 * REST-XML, Query). Knows nothing of Terraform.
 *
 * Thread safety: one co_aws_client is shared by all RPC threads; every call
 * below may run concurrently. */
#ifndef CO_AWS_H
#define CO_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../util/buf.h"

/* ---- configuration ---------------------------------------------------- */

typedef struct co_aws_endpoint {
	const char *service; /* provider key: "logs", "s3", "eks", ... */
	const char *url;     /* "http://127.0.0.1:5000" */
} co_aws_endpoint;

typedef struct co_aws_config {
	/* Each may be NULL: then resolved from the environment and the shared
	 * files, as the AWS SDKs do. */
	const char *region;
	const char *profile;
	const char *access_key;
	const char *secret_key; /* secret: never logged */
	const char *token;      /* secret: never logged */
	const co_aws_endpoint *endpoints;
	size_t n_endpoints;
	int max_retries;        /* < 0: default (25, as terraform-provider-aws) */
	bool s3_use_path_style;
	long timeout_ms;        /* per HTTP attempt; 0: default 60 s */
} co_aws_config;

typedef struct co_aws_client co_aws_client;

/* Builds a client: resolves credentials and region. On failure returns -1
 * and writes a human sentence (what is missing and how to provide it) into
 * err. Does not call AWS. */
int co_aws_client_new(co_aws_client **out, const co_aws_config *cfg,
    co_buf *err);
void co_aws_client_free(co_aws_client *c);

const char *co_aws_client_region(const co_aws_client *c);
/* Where the credentials came from ("provider arguments", "environment",
 * "shared credentials file, profile x"), for log lines. */
const char *co_aws_client_credential_source(const co_aws_client *c);

/* Cancels every in-flight request and every co_aws_sleep (StopProvider).
 * Later calls fail at once with code "RequestCanceled". */
void co_aws_client_cancel(co_aws_client *c);
bool co_aws_client_cancelled(const co_aws_client *c);

/* Sleeps up to ms, waking early on cancel. 0, or -1 when cancelled. */
int co_aws_sleep(co_aws_client *c, long ms);

/* ---- errors ----------------------------------------------------------- */

typedef struct co_aws_error {
	long http_status;     /* 0 when no HTTP response arrived */
	char code[128];       /* AWS error code, e.g. "ResourceNotFoundException";
				 "RequestError" for transport failures,
				 "RequestCanceled" after cancel */
	char message[1024];
	char request_id[128];
	int attempts;         /* how many attempts were made */
} co_aws_error;

/* True when err's code is one of the given codes: code is one code or
 * several separated by '|' ("NotFoundException|ResourceNotFoundException"). */
bool co_aws_error_is(const co_aws_error *err, const char *code);

/* ---- protocols -------------------------------------------------------- */

/* AWS JSON 1.1 (Logs, ECR, SageMaker, Budgets, Tagging, ...).
 * service: provider endpoint key ("logs"); target: X-Amz-Target value
 * ("Logs_20140328.DescribeLogGroups"). request is borrowed (NULL means {}).
 * On success *response is a new reference (an empty object for an empty
 * body). Returns 0, or -1 with err filled. Retries what is retryable. */
int co_aws_json_call(co_aws_client *c, const char *service,
    const char *target, json_t *request, json_t **response,
    co_aws_error *err);

/* REST-JSON (EKS, Scheduler, Lambda). path must already be URI-encoded
 * (use co_aws_uri_encode for each segment); query may be NULL or
 * "a=b&c=d" with encoded values. body may be NULL. */
int co_aws_rest_json_call(co_aws_client *c, const char *service,
    const char *method, const char *path, const char *query, json_t *body,
    json_t **response, co_aws_error *err);

/* A parsed XML document (expat), for REST-XML and Query responses. */
typedef struct co_xml co_xml;
struct co_xml {
	const char *name; /* local name, namespace prefix stripped */
	const char *text; /* concatenated character data, trimmed */
	co_xml *child, *next;
};
/* Parses a document. NULL on malformed input. Free with co_xml_free. */
co_xml *co_xml_parse(const char *data, size_t len);
void co_xml_free(co_xml *x);
/* The first descendant reached by a '/'-separated path of element names
 * ("ListBucketResult/Contents/Key"), starting at x's children; NULL when
 * absent. */
const co_xml *co_xml_find(const co_xml *x, const char *path);
/* Text of co_xml_find, or NULL. */
const char *co_xml_text(const co_xml *x, const char *path);

/* REST-XML (S3). Adds x-amz-content-sha256 and, when body is non-NULL,
 * Content-MD5 (S3 requires a checksum on lifecycle and DeleteObjects).
 * bucket may be NULL (ListBuckets); key_path is the encoded path after the
 * bucket ("" or "/obj%20key"). Path-style or virtual-hosted according to
 * the config. *response_xml is NULL for an empty body. */
int co_aws_s3_call(co_aws_client *c, const char *method, const char *bucket,
    const char *key_path, const char *query, const char *body,
    size_t body_len, co_xml **response_xml, co_aws_error *err);

/* Query protocol (STS, IAM, SNS, EC2, ELBv2, Auto Scaling). params is a
 * NULL-terminated list of alternating names and values ("Action" and
 * "Version" included by the caller); values are encoded here. */
int co_aws_query_call(co_aws_client *c, const char *service,
    const char *const *params, co_xml **response_xml, co_aws_error *err);

/* RFC 3986 unreserved-only percent-encoding, as SigV4 wants it. When
 * keep_slash is true, '/' is left alone. */
void co_aws_uri_encode(co_buf *out, const char *s, bool keep_slash);

/* ---- SigV4 (exposed for the test suite) -------------------------------- */

typedef struct co_sigv4_header {
	const char *name;
	const char *value;
} co_sigv4_header;

typedef struct co_sigv4_request {
	const char *method;
	const char *path;   /* as sent, already encoded */
	const char *query;  /* raw query string without '?', may be NULL */
	const co_sigv4_header *headers;
	size_t n_headers;
	const void *body;
	size_t body_len;
	const char *payload_hash; /* hex; NULL: computed from body */
} co_sigv4_request;

typedef struct co_sigv4_params {
	const char *access_key, *secret_key, *token;
	const char *region, *service;
	const char *amz_date; /* "20150830T123600Z" */
	bool normalize_path;  /* false for S3 */
	bool token_in_signature; /* adds X-Amz-Security-Token to signed headers */
	/* Added: S3 signs the path exactly as sent; every other service
	 * URI-encodes it once more ("double encoding"). */
	bool single_encode_path;
} co_sigv4_params;

typedef struct co_sigv4_result {
	co_buf canonical_request;
	co_buf string_to_sign;
	char signature[65];
	co_buf authorization; /* full Authorization header value */
} co_sigv4_result;

/* Computes canonical request, string to sign, signature and the
 * Authorization header value. 0 or -1. Free the result with
 * co_sigv4_result_free. */
int co_sigv4_sign(const co_sigv4_request *req, const co_sigv4_params *p,
    co_sigv4_result *out);
void co_sigv4_result_free(co_sigv4_result *r);

/* Added: lowercase hex SHA-256 of data into out (64 digits and a NUL), the
 * form SigV4 uses for payload hashes. */
void co_aws_sha256_hex(char out[65], const void *data, size_t len);

/* ---- endpoints (added) -------------------------------------------------- */

/* Writes the base URL (scheme, host, optional port and path, no trailing
 * slash) a service key resolves to: the endpoints block, then
 * AWS_ENDPOINT_URL_<SERVICE_ID>, then AWS_ENDPOINT_URL, then the default
 * https host. Returns 0, or -1 with a sentence in err for an unknown key. */
int co_aws_client_endpoint(const co_aws_client *c, const char *service,
    co_buf *url, co_buf *err);

#endif
