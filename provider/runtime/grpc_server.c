/* gRPC C core (Debian's 1.51): a generic server that receives every method
 * through grpc_server_request_call, serves unary calls on worker threads and
 * answers everything else UNIMPLEMENTED at once (an unrequested call would
 * otherwise wait 30 s in the server's queue, and Terraform calls
 * GetResourceIdentitySchemas synchronously). */
#include "grpc_server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "../util/log.h"

/* terraform-plugin-go's limits; Terraform assumes them. */
#define CO_GRPC_MAX_MESSAGE (256 << 20)
/* Calls that may be waiting to be picked up at once; Terraform runs 10 in
 * parallel by default. */
#define CO_GRPC_SLOTS 32

typedef struct slot {
	co_grpc_server *server;
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array request_metadata;
	grpc_completion_queue *call_cq; /* pluck queue for this call */
} slot;

struct co_grpc_server {
	grpc_server *server;
	grpc_completion_queue *cq;
	co_rpc_handler handler;
	pthread_t loop_thread;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done;
	atomic_bool stopping;
	atomic_int active_workers;
};

static void *shutdown_tag = (void *)&shutdown_tag;

static gpr_timespec forever(void)
{
	return gpr_inf_future(GPR_CLOCK_REALTIME);
}

static int arm_slot(co_grpc_server *s)
{
	slot *sl = calloc(1, sizeof(*sl));
	if (!sl)
		return -1;
	sl->server = s;
	grpc_call_details_init(&sl->details);
	grpc_metadata_array_init(&sl->request_metadata);
	sl->call_cq = grpc_completion_queue_create_for_pluck(NULL);
	grpc_call_error e = grpc_server_request_call(s->server, &sl->call,
	    &sl->details, &sl->request_metadata, sl->call_cq, s->cq, sl);
	if (e != GRPC_CALL_OK) {
		grpc_completion_queue_shutdown(sl->call_cq);
		grpc_completion_queue_destroy(sl->call_cq);
		grpc_call_details_destroy(&sl->details);
		grpc_metadata_array_destroy(&sl->request_metadata);
		free(sl);
		return -1;
	}
	return 0;
}

static void slot_free(slot *sl)
{
	if (sl->call)
		grpc_call_unref(sl->call);
	grpc_completion_queue_shutdown(sl->call_cq);
	/* A pluck queue must be drained of its shutdown event first. */
	grpc_completion_queue_pluck(sl->call_cq, NULL,
	    gpr_inf_past(GPR_CLOCK_REALTIME), NULL);
	grpc_completion_queue_destroy(sl->call_cq);
	grpc_call_details_destroy(&sl->details);
	grpc_metadata_array_destroy(&sl->request_metadata);
	free(sl);
}

/* Runs one batch and waits for it. */
static bool run_batch(slot *sl, const grpc_op *ops, size_t n)
{
	void *tag = (void *)ops;
	grpc_call_error e = grpc_call_start_batch(sl->call, ops, n, tag, NULL);
	if (e != GRPC_CALL_OK) {
		co_warn("grpc_call_start_batch failed: %d", (int)e);
		return false;
	}
	grpc_event ev =
	    grpc_completion_queue_pluck(sl->call_cq, tag, forever(), NULL);
	return ev.type == GRPC_OP_COMPLETE && ev.success;
}

static void finish(slot *sl, int status, const char *message,
    const co_buf *body)
{
	grpc_op ops[4];
	size_t n = 0;
	grpc_byte_buffer *out = NULL;
	int cancelled = 0;
	memset(ops, 0, sizeof(ops));
	if (status == GRPC_STATUS_OK && body) {
		grpc_slice sl_body =
		    grpc_slice_from_copied_buffer(body->data ? body->data : "",
			body->len);
		out = grpc_raw_byte_buffer_create(&sl_body, 1);
		grpc_slice_unref(sl_body);
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n].data.send_message.send_message = out;
		n++;
	}
	grpc_slice details = grpc_slice_from_static_string(message ? message : "");
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = (grpc_status_code)status;
	ops[n].data.send_status_from_server.status_details = &details;
	ops[n].data.send_status_from_server.trailing_metadata_count = 0;
	n++;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n].data.recv_close_on_server.cancelled = &cancelled;
	n++;
	run_batch(sl, ops, n);
	if (out)
		grpc_byte_buffer_destroy(out);
}

static void *serve_call(void *arg)
{
	slot *sl = arg;
	co_grpc_server *s = sl->server;
	char *method = grpc_slice_to_c_string(sl->details.method);
	grpc_byte_buffer *in = NULL;
	co_rpc_result res;
	memset(&res, 0, sizeof(res));
	co_buf_init(&res.body, (size_t)CO_GRPC_MAX_MESSAGE);

	grpc_op ops[2];
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[0].data.send_initial_metadata.count = 0;
	ops[1].op = GRPC_OP_RECV_MESSAGE;
	ops[1].data.recv_message.recv_message = &in;
	/* Even a method we refuse is read first: gRPC core only sees the
	 * client's half-close, and so only completes the call, once its
	 * message has been consumed. */
	if (!run_batch(sl, ops, 2)) {
		co_debug("rpc %s: could not read the request", method);
		goto done;
	}
	uint8_t *req = NULL;
	size_t req_len = 0;
	if (in) {
		grpc_byte_buffer_reader reader;
		if (grpc_byte_buffer_reader_init(&reader, in)) {
			grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
			req_len = GRPC_SLICE_LENGTH(all);
			req = malloc(req_len ? req_len : 1);
			if (req && req_len)
				memcpy(req, GRPC_SLICE_START_PTR(all), req_len);
			grpc_slice_unref(all);
			grpc_byte_buffer_reader_destroy(&reader);
		}
	}
	if (in && !req) {
		/* Out of memory copying the request: never hand the handler a
		 * length its buffer does not have. */
		finish(sl, GRPC_STATUS_RESOURCE_EXHAUSTED,
		    "out of memory reading the request", NULL);
	} else if (!s->handler(method, req ? req : (const uint8_t *)"",
		       req_len, &res)) {
		co_trace("rpc %s: not served", method);
		finish(sl, GRPC_STATUS_UNIMPLEMENTED, "method not implemented",
		    NULL);
	} else {
		finish(sl, res.status, res.message, &res.body);
	}
	free(req);
	if (res.shutdown)
		co_grpc_server_stop(s);
done:
	if (in)
		grpc_byte_buffer_destroy(in);
	co_buf_free(&res.body);
	gpr_free(method);
	slot_free(sl);
	atomic_fetch_sub(&s->active_workers, 1);
	return NULL;
}

static void *loop(void *arg)
{
	co_grpc_server *s = arg;
	for (;;) {
		grpc_event ev = grpc_completion_queue_next(s->cq, forever(), NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag == shutdown_tag) {
			grpc_completion_queue_shutdown(s->cq);
			continue;
		}
		slot *sl = ev.tag;
		if (!ev.success || atomic_load(&s->stopping)) {
			slot_free(sl);
			continue;
		}
		arm_slot(s);
		/* Every call, even one answered UNIMPLEMENTED, is finished on
		 * its own thread: finishing waits for the client to close its
		 * side, which a streaming client does only later. */
		atomic_fetch_add(&s->active_workers, 1);
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, serve_call, sl) != 0) {
			atomic_fetch_sub(&s->active_workers, 1);
			finish(sl, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "no thread for the call", NULL);
			slot_free(sl);
		}
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_broadcast(&s->done_cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int co_grpc_server_start(co_grpc_server **out, const co_grpc_options *opts)
{
	*out = NULL;
	co_grpc_server *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->done_cond, NULL);
	s->handler = opts->handler;
	grpc_init();

	grpc_arg args[3];
	memset(args, 0, sizeof(args));
	args[0].type = GRPC_ARG_INTEGER;
	args[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	args[0].value.integer = CO_GRPC_MAX_MESSAGE;
	args[1].type = GRPC_ARG_INTEGER;
	args[1].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
	args[1].value.integer = CO_GRPC_MAX_MESSAGE;
	/* A backstop: should an unanswered call ever wait, fail it fast. */
	args[2].type = GRPC_ARG_INTEGER;
	args[2].key = "grpc.server_max_unrequested_time_in_server";
	args[2].value.integer = 5;
	grpc_channel_args chargs = {.num_args = 3, .args = args};

	s->server = grpc_server_create(&chargs, NULL);
	s->cq = grpc_completion_queue_create_for_next(NULL);
	grpc_server_register_completion_queue(s->server, s->cq, NULL);

	grpc_server_credentials *creds;
	if (opts->client_ca_pem) {
		grpc_ssl_pem_key_cert_pair pair = {
		    .private_key = opts->server_key_pem,
		    .cert_chain = opts->server_cert_pem,
		};
		creds = grpc_ssl_server_credentials_create_ex(
		    opts->client_ca_pem, &pair, 1,
		    GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
		    NULL);
	} else {
		creds = grpc_insecure_server_credentials_create();
	}
	int port = grpc_server_add_http2_port(s->server, opts->address, creds);
	grpc_server_credentials_release(creds);
	if (port == 0) {
		co_error("cannot listen on %s", opts->address);
		grpc_server_destroy(s->server);
		grpc_completion_queue_shutdown(s->cq);
		grpc_completion_queue_destroy(s->cq);
		free(s);
		grpc_shutdown_blocking();
		return -1;
	}
	grpc_server_start(s->server);
	for (int i = 0; i < CO_GRPC_SLOTS; i++)
		arm_slot(s);
	if (pthread_create(&s->loop_thread, NULL, loop, s) != 0) {
		co_grpc_server_stop(s);
		return -1;
	}
	*out = s;
	return 0;
}

void co_grpc_server_stop(co_grpc_server *s)
{
	bool expected = false;
	if (!atomic_compare_exchange_strong(&s->stopping, &expected, true))
		return;
	grpc_server_shutdown_and_notify(s->server, s->cq, shutdown_tag);
	grpc_server_cancel_all_calls(s->server);
}

void co_grpc_server_wait(co_grpc_server *s)
{
	pthread_mutex_lock(&s->lock);
	while (!s->done)
		pthread_cond_wait(&s->done_cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->loop_thread, NULL);
	/* Workers finish their reply before exiting; give them a moment
	 * (the CLI kills us 2 s after Shutdown anyway). */
	for (int i = 0; i < 100 && atomic_load(&s->active_workers) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

bool co_grpc_server_idle(const co_grpc_server *s)
{
	return atomic_load(&((co_grpc_server *)s)->active_workers) == 0;
}

void co_grpc_server_free(co_grpc_server *s)
{
	if (!s)
		return;
	if (atomic_load(&s->active_workers) == 0) {
		grpc_server_destroy(s->server);
		grpc_completion_queue_destroy(s->cq);
		/* grpc_shutdown may finish its clean-up on another thread
		 * (grpc.h); returning from main meanwhile races exit() against
		 * it (a double free was seen under ASan). Wait for it. */
		grpc_shutdown_blocking();
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->done_cond);
	free(s);
}
