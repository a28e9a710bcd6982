/* Polling waiters for long AWS operations. */
#include "wait.h"

#include <stdlib.h>
#include <time.h>

#include "../util/log.h"

long co_wait_interval_ms(long interval_ms)
{
	/* Tests shrink the interval so a wait of several polls takes
	 * milliseconds, as COSTOPS_RETRY_BASE_MS does for retries. */
	const char *s = getenv("COSTOPS_POLL_INTERVAL_MS");
	if (s && *s) {
		char *end = NULL;
		long v = strtol(s, &end, 10);
		if (end && *end == '\0' && v > 0)
			return v;
	}
	return interval_ms > 0 ? interval_ms : 10000;
}

static long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long wait_now(const co_waiter *w)
{
	return w->now_ms ? w->now_ms(w->clock_payload) : monotonic_ms();
}

static int wait_sleep(co_ctx *ctx, const co_waiter *w, long ms)
{
	if (w->sleep_ms)
		return w->sleep_ms(ms, w->clock_payload);
	return co_aws_sleep(ctx->provider->aws, ms);
}

int co_wait(co_ctx *ctx, const co_waiter *w, int *polls, const char **last)
{
	int rc = -1;
	int n = 0;
	const char *status = "unknown";
	long interval = co_wait_interval_ms(w->interval_ms);
	long start = wait_now(w);
	long deadline = start + w->timeout_ms;
	int log_every = w->log_every > 0 ? w->log_every : 6;

	for (;;) {
		co_wait_state state = CO_WAIT_PENDING;
		const char *s = NULL;
		if (w->poll(ctx, &state, &s, w->payload) < 0)
			goto done;
		n++;
		if (s)
			status = s;
		if (state == CO_WAIT_DONE ||
		    (state == CO_WAIT_GONE && w->gone_is_done)) {
			co_info("waited for %s: %s after %d poll%s (%ld s)",
			    w->what, status, n, n == 1 ? "" : "s",
			    (wait_now(w) - start) / 1000);
			rc = 0;
			goto done;
		}
		if (state == CO_WAIT_GONE) {
			co_diag_error(ctx->diags, NULL, "Object disappeared",
			    "While waiting for %s it was deleted outside "
			    "Terraform. Run apply again to recreate it.",
			    w->what);
			goto done;
		}
		if (state == CO_WAIT_FAILED) {
			/* The poll function has usually added the AWS
			 * reason; this names the state it ended in. */
			co_diag_error(ctx->diags, NULL, "Operation failed",
			    "While waiting for %s, AWS reported status %s.",
			    w->what, status);
			goto done;
		}
		long now = wait_now(w);
		if (now >= deadline) {
			co_diag_error(ctx->diags, NULL, "Timed out",
			    "Gave up waiting for %s after %ld s and %d polls "
			    "(last status %s). The operation may still "
			    "finish in AWS; raise %s if it usually takes "
			    "longer, then run apply again.",
			    w->what, (now - start) / 1000, n, status,
			    w->timeout_attr ? w->timeout_attr : "the timeout");
			goto done;
		}
		if (n % log_every == 0)
			co_info("still waiting for %s: %s after %ld s "
				"(%d polls, gives up after %ld s)",
			    w->what, status, (now - start) / 1000, n,
			    w->timeout_ms / 1000);
		long nap = interval;
		if (nap > deadline - now)
			nap = deadline - now;
		if (wait_sleep(ctx, w, nap) < 0) {
			co_diag_error(ctx->diags, NULL, "Cancelled",
			    "Stopped waiting for %s (last status %s) because "
			    "Terraform asked the provider to stop. The "
			    "operation may still finish in AWS.",
			    w->what, status);
			goto done;
		}
	}
done:
	if (polls)
		*polls = n;
	if (last)
		*last = status;
	return rc;
}
