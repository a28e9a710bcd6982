/* The gRPC server. Every gRPC C-core call of the project is in
 * grpc_server.c, since that API changes between versions. */
#ifndef CO_GRPC_SERVER_H
#define CO_GRPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"

/* What a handler returns for one unary call. */
typedef struct co_rpc_result {
	int status;          /* a grpc_status_code; 0 = OK */
	const char *message; /* status message (static), for non-OK */
	co_buf body;         /* serialized response message */
	bool shutdown;       /* stop the server after replying */
} co_rpc_result;

/* Handles one unary call. Returns false when the method is not served,
 * which is answered UNIMPLEMENTED at once. Runs on a worker thread;
 * several run concurrently. */
typedef bool (*co_rpc_handler)(const char *method, const uint8_t *req,
    size_t req_len, co_rpc_result *res);

typedef struct co_grpc_options {
	const char *address;          /* "unix:/tmp/x.sock" */
	const char *client_ca_pem;    /* PLUGIN_CLIENT_CERT; NULL: plaintext */
	const char *server_key_pem;
	const char *server_cert_pem;
	co_rpc_handler handler;
} co_grpc_options;

typedef struct co_grpc_server co_grpc_server;

/* Binds and starts serving on a background thread. -1 on failure. */
int co_grpc_server_start(co_grpc_server **out, const co_grpc_options *opts);

/* Blocks until a handler asked for shutdown (GRPCController/Shutdown) or
 * co_grpc_server_stop was called, then tears the server down. */
void co_grpc_server_wait(co_grpc_server *s);

/* Asks the server to stop (thread-safe, idempotent). */
void co_grpc_server_stop(co_grpc_server *s);

/* True when no call is being served (after co_grpc_server_wait). */
bool co_grpc_server_idle(const co_grpc_server *s);

/* Frees the server; while calls still run, gRPC's own objects are left
 * for process exit rather than destroyed under them. */
void co_grpc_server_free(co_grpc_server *s);

#endif
