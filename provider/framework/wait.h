/* Polling waiters for long AWS operations (a node group becoming ACTIVE, a
 * training job stopping): poll, sleep, log progress every few polls, honour
 * the timeout and StopProvider, and turn a failure or a timeout into one
 * diagnostic that says what to do. */
#ifndef CO_WAIT_H
#define CO_WAIT_H

#include "resource.h"

typedef enum {
	CO_WAIT_PENDING = 0, /* not there yet: sleep and poll again */
	CO_WAIT_DONE,        /* reached the target state */
	CO_WAIT_GONE,        /* the object no longer exists */
	CO_WAIT_FAILED       /* a terminal state other than the target */
} co_wait_state;

/* One poll. Sets *state and *status (a short word for logs and messages,
 * e.g. "CREATING"; arena or static memory). Returns 0, or -1 after adding a
 * diagnostic when the poll itself failed (an AWS error). */
typedef int (*co_wait_poll_fn)(co_ctx *ctx, co_wait_state *state,
    const char **status, void *payload);

typedef struct co_waiter {
	const char *what;     /* "node group x in cluster y to become ACTIVE" */
	const char *timeout_attr; /* "timeouts.create", named in messages */
	long timeout_ms;
	long interval_ms;     /* between polls; COSTOPS_POLL_INTERVAL_MS
				 overrides it (tests) */
	int log_every;        /* a progress line every this many polls */
	/* What GONE means: false for a create or update wait (the object
	 * vanished: an error), true for a delete wait (success). */
	bool gone_is_done;
	co_wait_poll_fn poll;
	void *payload;
	/* Test seams: NULL means co_aws_sleep on the provider's client and
	 * the monotonic clock. */
	int (*sleep_ms)(long ms, void *clock_payload);
	long (*now_ms)(void *clock_payload);
	void *clock_payload;
} co_waiter;

/* Polls until DONE (or GONE when gone_is_done). Returns 0, or -1 with a
 * diagnostic on FAILED, timeout, cancel or a failed poll. *polls (may be
 * NULL) gets the number of polls made and *last the last status seen. */
int co_wait(co_ctx *ctx, const co_waiter *w, int *polls, const char **last);

/* The poll interval a waiter uses: interval_ms, or COSTOPS_POLL_INTERVAL_MS
 * when set to a positive number. */
long co_wait_interval_ms(long interval_ms);

#endif
