/* udp_probe.c - test helper for netsim's relay_smoke.sh: sends K numbered
 * datagrams at a fixed rate to a loopback HOST:PORT (an echo server, maybe
 * behind netsim), counts the echoes and measures round-trip times, then
 * prints one JSON line. --log FILE writes one line per probe:
 * `seq send_time_ms rtt_ms` (CLOCK_MONOTONIC ms; rtt -1 when no echo).
 * Bounded: at most 100000 probes, and it ends K/rate + linger after start. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 100000
#define MAX_SIZE 65000
#define NO_ECHO UINT64_MAX
#define MAX_SOURCES 512

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void usage(FILE *f)
{
    fputs("usage: udp_probe HOST:PORT [--count K] [--rate HZ] [--size BYTES] [--linger MS]\n"
          "                 [--full-linger] [--sources S] [--log FILE]\n"
          "Sends K numbered datagrams at HZ per second to HOST:PORT (an IPv4 address\n"
          "in 127.0.0.0/8, e.g. an echo server or netsim in front of one), counts the\n"
          "echoes and measures round-trip times.\n"
          "  --count K       datagrams to send, 1..100000 (default 100)\n"
          "  --rate HZ       sends per second, 1..100000 (default 100)\n"
          "  --size BYTES    datagram size, 8..65000 (default 32)\n"
          "  --linger MS     wait for late echoes after the last send, 0..60000\n"
          "                  (default 1000); ends early once all came back...\n"
          "  --full-linger   ...unless this is given (to count duplicate echoes)\n"
          "  --sources S     send from S sockets in turn (datagram i from socket i mod S),\n"
          "                  i.e. S client addresses, 1..512 (default 1)\n"
          "  --log FILE      one line per datagram: `seq send_mono_ms rtt_ms`\n"
          "                  (CLOCK_MONOTONIC; rtt -1 when no echo came back)\n"
          "Prints one JSON line (RTT fields -1 without echoes; misrouted counts echoes\n"
          "that came back to another socket than the one that sent them):\n"
          "  {\"sent\":K,\"echoed\":R,\"duplicates\":D,\"out_of_order\":O,\"misrouted\":W,\n"
          "   \"send_errors\":E,\"echo_pct\":P,\"rtt_min_ms\":A,\"rtt_median_ms\":M,\n"
          "   \"rtt_max_ms\":X,\"start_mono_ms\":T}\n",
          f);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static long arg_long(const char *s, long lo, long hi)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi) {
        fprintf(stderr, "udp_probe: bad value '%s' (want %ld..%ld)\n", s, lo, hi);
        usage(stderr);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *target = NULL, *log_path = NULL;
    long count = 100, rate = 100, size = 32, linger_ms = 1000;
    int full_linger = 0, nsrc = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--full-linger") == 0) {
            full_linger = 1;
        } else if (strncmp(a, "--", 2) != 0 && !target) {
            target = a;
        } else if (i + 1 >= argc) {
            usage(stderr);
            return 2;
        } else if (strcmp(a, "--count") == 0) {
            count = arg_long(argv[++i], 1, MAX_COUNT);
        } else if (strcmp(a, "--rate") == 0) {
            rate = arg_long(argv[++i], 1, 100000);
        } else if (strcmp(a, "--size") == 0) {
            size = arg_long(argv[++i], 8, MAX_SIZE);
        } else if (strcmp(a, "--linger") == 0) {
            linger_ms = arg_long(argv[++i], 0, 60000);
        } else if (strcmp(a, "--sources") == 0) {
            nsrc = (int)arg_long(argv[++i], 1, MAX_SOURCES);
        } else if (strcmp(a, "--log") == 0) {
            log_path = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!target) {
        usage(stderr);
        return 2;
    }
    char host[64];
    const char *colon = strrchr(target, ':');
    struct sockaddr_in dst;
    memset(&dst, 0, sizeof dst);
    dst.sin_family = AF_INET;
    if (!colon || (size_t)(colon - target) >= sizeof host) {
        usage(stderr);
        return 2;
    }
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = '\0';
    dst.sin_port = htons((unsigned short)arg_long(colon + 1, 1, 65535));
    if (inet_pton(AF_INET, host, &dst.sin_addr) != 1 || (ntohl(dst.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "udp_probe: HOST must be an IPv4 address in 127.0.0.0/8, got '%s'\n", host);
        return 2;
    }

    static struct pollfd pfds[MAX_SOURCES];
    for (int k = 0; k < nsrc; k++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in me;
        memset(&me, 0, sizeof me);
        me.sin_family = AF_INET;
        me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int bufsz = 1 << 21;
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
        }
        if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) != 0 ||
            connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
            fprintf(stderr, "udp_probe: socket %d: %s\n", k, strerror(errno));
            return 1;
        }
        pfds[k].fd = fd;
        pfds[k].events = POLLIN;
    }

    uint64_t *sent_us = calloc((size_t)count, sizeof *sent_us);
    uint64_t *rtt_us = calloc((size_t)count, sizeof *rtt_us);
    uint64_t *sorted = calloc((size_t)count, sizeof *sorted);
    unsigned char *out = calloc(1, (size_t)size);
    static unsigned char in[65536];
    if (!sent_us || !rtt_us || !sorted || !out) {
        fputs("udp_probe: out of memory\n", stderr);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        rtt_us[i] = NO_ECHO;
    }
    memcpy(out, "NSPR", 4);

    const uint64_t t0 = mono_us();
    const uint64_t interval_us = 1000000u / (uint64_t)rate;
    const uint64_t last_send_us = t0 + (uint64_t)(count - 1) * interval_us;
    const uint64_t hard_end_us = last_send_us + (uint64_t)linger_ms * 1000u;
    long next = 0, echoed = 0, duplicates = 0, out_of_order = 0, send_errors = 0;
    long max_seq = -1, misrouted = 0;

    for (;;) {
        uint64_t now = mono_us();
        while (next < count && t0 + (uint64_t)next * interval_us <= now) {
            uint32_t s = (uint32_t)next;
            out[4] = (unsigned char)(s >> 24);
            out[5] = (unsigned char)(s >> 16);
            out[6] = (unsigned char)(s >> 8);
            out[7] = (unsigned char)s;
            sent_us[next] = mono_us();
            if (send(pfds[next % nsrc].fd, out, (size_t)size, 0) != (ssize_t)size) {
                send_errors++;
            }
            next++;
        }
        if (now >= hard_end_us || (!full_linger && next >= count && echoed >= count)) {
            break;
        }
        uint64_t until = next < count ? t0 + (uint64_t)next * interval_us : hard_end_us;
        int timeout = until > now ? (int)((until - now + 999) / 1000) : 0;
        for (int k = 0; k < nsrc; k++) {
            pfds[k].revents = 0;
        }
        if (poll(pfds, (nfds_t)nsrc, timeout) <= 0) {
            continue;
        }
        for (int k = 0; k < nsrc; k++) {
            if (!(pfds[k].revents & (POLLIN | POLLERR))) {
                continue;
            }
            for (int m = 0; m < 1024; m++) { /* drain this socket */
                ssize_t n = recv(pfds[k].fd, in, sizeof in, MSG_DONTWAIT);
                if (n < 0) {
                    if (errno == ECONNREFUSED || errno == EINTR) {
                        continue; /* an ICMP error from an earlier send */
                    }
                    break; /* EAGAIN: drained */
                }
                uint64_t t = mono_us();
                if (n < 8 || memcmp(in, "NSPR", 4) != 0) {
                    continue;
                }
                long seq = (long)(((uint32_t)in[4] << 24) | ((uint32_t)in[5] << 16) |
                                  ((uint32_t)in[6] << 8) | (uint32_t)in[7]);
                if (seq >= next) {
                    continue; /* not sent (yet): not ours */
                }
                if (seq % nsrc != k) {
                    misrouted++; /* came back to another source socket */
                }
                if (rtt_us[seq] != NO_ECHO) {
                    duplicates++;
                    continue;
                }
                rtt_us[seq] = t - sent_us[seq];
                sorted[echoed++] = rtt_us[seq];
                if (seq < max_seq) {
                    out_of_order++;
                } else {
                    max_seq = seq;
                }
            }
        }
    }

    if (log_path) {
        FILE *f = fopen(log_path, "w");
        if (!f) {
            fprintf(stderr, "udp_probe: cannot write %s: %s\n", log_path, strerror(errno));
            return 1;
        }
        for (long i = 0; i < count; i++) {
            if (rtt_us[i] == NO_ECHO) {
                fprintf(f, "%ld %.3f -1\n", i, (double)sent_us[i] / 1000.0);
            } else {
                fprintf(f, "%ld %.3f %.3f\n", i, (double)sent_us[i] / 1000.0,
                        (double)rtt_us[i] / 1000.0);
            }
        }
        fclose(f);
    }
    double mn = -1, med = -1, mx = -1;
    if (echoed > 0) {
        qsort(sorted, (size_t)echoed, sizeof *sorted, cmp_u64);
        mn = (double)sorted[0] / 1000.0;
        mx = (double)sorted[echoed - 1] / 1000.0;
        med = echoed % 2 ? (double)sorted[echoed / 2] / 1000.0
                         : (double)(sorted[echoed / 2 - 1] + sorted[echoed / 2]) / 2000.0;
    }
    printf("{\"sent\":%ld,\"echoed\":%ld,\"duplicates\":%ld,\"out_of_order\":%ld,"
           "\"misrouted\":%ld,\"send_errors\":%ld,\"echo_pct\":%.2f,\"rtt_min_ms\":%.3f,\"rtt_median_ms\":%.3f,"
           "\"rtt_max_ms\":%.3f,\"start_mono_ms\":%.3f}\n",
           count, echoed, duplicates, out_of_order, misrouted, send_errors,
           100.0 * (double)echoed / (double)count, mn, med, mx, (double)t0 / 1000.0);
    free(sent_us);
    free(rtt_us);
    free(sorted);
    free(out);
    for (int k = 0; k < nsrc; k++) {
        close(pfds[k].fd);
    }
    return 0;
}
