/* What the files of the AWS client share and nobody else sees: the client
 * struct, the service table, resolved identity and the transport. */
#ifndef CO_AWS_PRIVATE_H
#define CO_AWS_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "aws.h"

/* ---- credentials.c ------------------------------------------------------ */

/* Credentials and region as resolved once at client creation. */
typedef struct co_aws_identity {
	char *access_key;
	char *secret_key; /* secret: never logged */
	char *token;      /* secret: never logged; NULL when none */
	char *region;
	char source[256]; /* "environment", "shared credentials file, profile x" */
} co_aws_identity;

/* Resolves credentials and region as the AWS SDKs do (see credentials.c).
 * 0, or -1 with a sentence in err saying what is missing and how to set it. */
int co_aws_identity_resolve(co_aws_identity *out, const co_aws_config *cfg,
    co_buf *err);
/* Wipes the secrets and frees. Accepts a zeroed identity. */
void co_aws_identity_clear(co_aws_identity *id);

/* ---- endpoints.c -------------------------------------------------------- */

typedef struct co_aws_service {
	const char *key;            /* endpoints block key: "logs" */
	const char *signing_name;   /* SigV4 credential scope: "logs" */
	const char *sdk_id;         /* AWS_ENDPOINT_URL_<sdk_id> */
	const char *host;           /* "logs.{region}.amazonaws.com" */
	const char *signing_region; /* fixed for global services, else NULL */
} co_aws_service;

size_t co_aws_service_count(void);
const co_aws_service *co_aws_service_at(size_t i);
/* The table entry for a provider key, or NULL. */
const co_aws_service *co_aws_service_find(const char *key);

/* Resolves one base URL per service table entry (same order) into
 * urls[co_aws_service_count()]. 0, or -1 with err for an unknown key in
 * the endpoints block or a malformed URL. */
int co_aws_endpoints_resolve(char **urls, const co_aws_config *cfg,
    const char *region, co_buf *err);

/* ---- http.c ------------------------------------------------------------- */

struct co_aws_client {
	co_aws_identity id;
	char **urls; /* per service table entry */
	int max_retries;
	bool s3_use_path_style;
	long timeout_ms;
	long retry_base_ms; /* first backoff ceiling; COSTOPS_RETRY_BASE_MS */
	long retry_cap_ms;  /* no single backoff is longer */
	void *share;        /* CURLSH *, connection and DNS cache */
	pthread_mutex_t share_locks[8];
	atomic_bool cancelled;
	pthread_mutex_t wake_lock;
	pthread_cond_t wake;
};

/* Where one call goes and how it is signed. */
typedef struct co_aws_target {
	const co_aws_service *svc;
	const char *url;            /* base URL, borrowed from the client */
	const char *signing_region;
} co_aws_target;

/* Looks up service key; on an unknown key fills err ("UnknownService"). */
int co_aws_client_target(const co_aws_client *c, const char *service,
    co_aws_target *t, co_aws_error *err);

typedef struct co_aws_http_request {
	const co_aws_target *target;
	const char *host_prefix; /* "bucket." for S3 virtual-hosted, or NULL */
	const char *method;
	const char *path;        /* encoded, starts with '/' */
	const char *query;       /* encoded, without '?', or NULL */
	const co_sigv4_header *headers;
	size_t n_headers;
	const void *body;
	size_t body_len;
	bool s3;                 /* single-encoded, unnormalized path */
	const char *payload_hash; /* hex, or NULL to hash the body */
} co_aws_http_request;

/* Sends req with signing, retries and cancellation. 0 on a 2xx answer with
 * the body in resp_body (caller-initialised); -1 with err filled otherwise. */
int co_aws_http_call(co_aws_client *c, const co_aws_http_request *req,
    co_buf *resp_body, co_aws_error *err);

/* Fills err's code, message and request id from a failed response:
 * X-Amzn-ErrorType, JSON __type/code, XML Error/Code, or "HTTP<status>". */
void co_aws_error_from_response(co_aws_error *err, long status,
    const char *body, size_t len, const char *error_type_header,
    const char *request_id_header);

/* Whether an AWS error code asks for a retry (throttling and the like). */
bool co_aws_code_retryable(const char *code);

/* Sets err to a code and printf message; http_status and attempts kept. */
void co_aws_error_set(co_aws_error *err, const char *code, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

#endif
