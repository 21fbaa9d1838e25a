/* log.h - timestamped log lines on standard error.
 *
 * Owns: the log format "YYYY-MM-DD HH:MM:SS.mmm LEVEL message". One line per
 * call, flushed at once so tests and operators see it immediately.
 */
#ifndef GAME_LOG_H
#define GAME_LOG_H

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

typedef enum { LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR, LOG_LEVEL_OFF } log_level;

/* Lines below `min` are dropped before formatting (default LOG_LEVEL_INFO:
 * all). For processes that run many clients (botswarm). */
void log_set_level(log_level min);

void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
