/* udp_echo.c - test helper for netsim's relay_smoke.sh: a UDP echo server
 * on 127.0.0.1. Prints `udp_echo listening on UDP port N` as its first
 * stdout line, then sends every datagram back to its sender until SIGINT,
 * SIGTERM or --duration (default 120 s) so it can never outlive a test. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
    fputs("usage: udp_echo [--port N] [--duration SECONDS]\n"
          "Echoes UDP datagrams on 127.0.0.1:N (default 0: the OS picks). The first\n"
          "stdout line is `udp_echo listening on UDP port N`. Stops on SIGINT/SIGTERM\n"
          "or after SECONDS (default 120, at most 3600).\n",
          f);
}

int main(int argc, char **argv)
{
    long port = 0, duration_s = 120;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535) {
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc) {
            duration_s = strtol(argv[++i], &end, 10);
            if (*end || duration_s < 1 || duration_s > 3600) {
                usage(stderr);
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((unsigned short)port);
    int buf = 1 << 21;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    }
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "udp_echo: cannot bind 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    socklen_t slen = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &slen);
    printf("udp_echo listening on UDP port %u\n", (unsigned)ntohs(sa.sin_port));
    fflush(stdout);

    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);

    static unsigned char data[65536];
    long long deadline = mono_ms() + duration_s * 1000;
    unsigned long echoed = 0;
    while (!g_stop && mono_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, 200) <= 0 || !(p.revents & POLLIN)) {
            continue;
        }
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(fd, data, sizeof data, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            continue;
        }
        if (sendto(fd, data, (size_t)n, 0, (struct sockaddr *)&from, flen) == n) {
            echoed++;
        }
    }
    fprintf(stderr, "udp_echo: echoed %lu datagrams\n", echoed);
    close(fd);
    return 0;
}
