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

#define LOG_FN(name, level)                 \
    void name(const char *fmt, ...) {        \
        va_list ap;                          \
        va_start(ap, fmt);                   \
        log_line(level, fmt, ap);            \
        va_end(ap);                          \
    }

LOG_FN(log_info, "INFO")
LOG_FN(log_warn, "WARN")
LOG_FN(log_error, "ERROR")
