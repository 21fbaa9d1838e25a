/* log.c - timestamped log lines on standard error (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "clock.h"

LOG_PRINTF(2, 0) static void log_line(const char *level, const char *fmt, va_list ap) {
    char when[40], msg[1024];
    clock_format_wall(when, sizeof when);
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "%s %-5s %s\n", when, level, msg);
    fflush(stderr);
}

static log_level min_level = LOG_LEVEL_INFO;

void log_set_level(log_level min) { min_level = min; }

#define LOG_FN(name, level, text)            \
    void name(const char *fmt, ...) {        \
        if (level < min_level) return;       \
        va_list ap;                          \
        va_start(ap, fmt);                   \
        log_line(text, fmt, ap);             \
        va_end(ap);                          \
    }

LOG_FN(log_info, LOG_LEVEL_INFO, "INFO")
LOG_FN(log_warn, LOG_LEVEL_WARN, "WARN")
LOG_FN(log_error, LOG_LEVEL_ERROR, "ERROR")
