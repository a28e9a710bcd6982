/* StopProvider (Ctrl-C in the CLI) must cancel AWS work in flight, also
 * while ConfigureProvider is still verifying credentials against an
 * endpoint that does not answer (which, with 25 retries of a 60 s request
 * timeout, would otherwise hold the CLI for many minutes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "provider/framework/framework.h"
#include "provider/runtime/dispatch.h"

typedef struct {
	co_arena *arena;
	co_diags diags;
	co_ctx ctx;
	co_value *config;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool finished;
} configure_run;

static void *configure_thread(void *arg)
{
	configure_run *run = arg;
	co_fw_configure(&run->ctx, run->config, "test");
	pthread_mutex_lock(&run->lock);
	run->finished = true;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->lock);
	return NULL;
}

/* A TCP listener that never accepts: the kernel completes the handshake
 * (backlog), curl sends its request and then waits for an answer. */
static int silent_listener(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static co_value *config_with_sts(co_arena *a, int port)
{
	co_value *config = co_schema_empty(a, &co_provider_schema);
	co_value_set_attr(config, "region", co_value_string(a, "eu-west-1"));
	co_value_set_attr(config, "access_key", co_value_string(a, "AKIDTEST"));
	co_value_set_attr(config, "secret_key", co_value_string(a, "secret"));
	const co_value *eps = co_value_attr(config, "endpoints");
	co_value *list = co_value_collection(a, eps->type);
	co_value *ep = co_value_object(a, eps->type->elem);
	co_value_set_attr(ep, "sts", co_value_string(a,
	    co_arena_sprintf(a, "http://127.0.0.1:%d", port)));
	co_value_append(a, list, ep);
	co_value_set_attr(config, "endpoints", list);
	return config;
}

static bool wait_finished(configure_run *run, int seconds)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&run->lock);
	while (!run->finished &&
	    pthread_cond_timedwait(&run->cond, &run->lock, &deadline) == 0)
		;
	bool done = run->finished;
	pthread_mutex_unlock(&run->lock);
	return done;
}

static void stop_provider_rpc(void)
{
	co_rpc_result res;
	memset(&res, 0, sizeof(res));
	co_buf_init(&res.body, 0);
	assert_true(co_dispatch("/tfplugin6.Provider/StopProvider",
	    (const uint8_t *)"", 0, &res));
	assert_int_equal(res.status, 0);
	co_buf_free(&res.body);
}

static void test_stop_cancels_configure(void **state)
{
	(void)state;
	int port = 0;
	int fd = silent_listener(&port);
	assert_true(fd >= 0);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_STS");

	configure_run run;
	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.cond, NULL);
	run.arena = co_arena_new();
	co_diags_init(&run.diags, run.arena);
	run.ctx.arena = run.arena;
	run.ctx.diags = &run.diags;
	run.ctx.provider = co_fw_provider();
	run.config = config_with_sts(run.arena, port);

	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, configure_thread, &run), 0);
	struct timespec nap = {0, 300 * 1000 * 1000};
	nanosleep(&nap, NULL); /* configure is now waiting on STS */
	stop_provider_rpc();

	if (!wait_finished(&run, 10)) {
		/* The thread is stuck in curl; leave it to process exit. */
		close(fd);
		fail_msg("ConfigureProvider still running 10 s after "
		    "StopProvider");
	}
	pthread_join(t, NULL);
	assert_true(co_diags_has_error(&run.diags));
	assert_false(co_fw_provider()->configured);
	co_fw_provider_shutdown();
	co_arena_free(run.arena);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_cancels_configure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
