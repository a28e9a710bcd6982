/* Logging as go-hclog JSON lines on stderr, which the CLIs re-log under
 * provider.terraform-provider-costops when TF_LOG or TF_LOG_PROVIDER is set.
 * Never write secrets here. Thread-safe. */
#ifndef CO_LOG_H
#define CO_LOG_H

typedef enum {
	CO_LOG_TRACE = 0,
	CO_LOG_DEBUG,
	CO_LOG_INFO,
	CO_LOG_WARN,
	CO_LOG_ERROR,
	CO_LOG_OFF
} co_log_level;

/* Reads TF_LOG_PROVIDER, else TF_LOG, to set the minimum level. */
void co_log_init(void);

/* Sets the minimum level explicitly (tests). */
void co_log_set_level(co_log_level level);

int co_log_enabled(co_log_level level);

/* Logs one printf-formatted line (JSON-escaped) with @level, @message,
 * @timestamp (six fractional digits, as hclog writes it) and @module. */
void co_log(co_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define co_trace(...) co_log(CO_LOG_TRACE, __VA_ARGS__)
#define co_debug(...) co_log(CO_LOG_DEBUG, __VA_ARGS__)
#define co_info(...) co_log(CO_LOG_INFO, __VA_ARGS__)
#define co_warn(...) co_log(CO_LOG_WARN, __VA_ARGS__)
#define co_error(...) co_log(CO_LOG_ERROR, __VA_ARGS__)

#endif
