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

void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
