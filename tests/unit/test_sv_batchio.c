/* test_sv_batchio.c - the server's batched UDP under ENet (sv_batchio.c),
 * over loopback: ENet really calls this program's enet_socket_send and
 * enet_socket_receive; a window's datagrams to many clients go out in one
 * sendmmsg and every client gets its own; a burst of datagrams is read in
 * a few recvmmsg calls; an oversized datagram is dropped and counted
 * instead of failing enet_host_service; outside a window sends are not
 * held; and with the sender thread on, nothing is lost or duplicated, and
 * a small window queued while the sender sleeps is sent by the queuing
 * thread itself, a large one by the sender. */
#define _DEFAULT_SOURCE /* usleep */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "sv_batchio.h"

#define CLIENTS 10

static ENetHost *server, *clients[CLIENTS];
static ENetPeer *at_server[CLIENTS]; /* the server's peer of each client */

/* Services the server (inside a window, as gameserver does) and every
 * client once; returns the server's events' count of RECEIVEs. */
static int service_all(void) {
    int received = 0;
    ENetEvent ev;
    sv_batchio_begin();
    int r = enet_host_service(server, &ev, 0);
    assert_true(r >= 0);
    while (r > 0) {
        if (ev.type == ENET_EVENT_TYPE_CONNECT) {
            for (int i = 0; i < CLIENTS; i++)
                if (!at_server[i]) {
                    at_server[i] = ev.peer;
                    break;
                }
        }
        if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
            received++;
            enet_packet_destroy(ev.packet);
        }
        r = enet_host_check_events(server, &ev);
    }
    sv_batchio_end();
    for (int i = 0; i < CLIENTS; i++)
        while (enet_host_service(clients[i], &ev, 0) > 0)
            if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
    return received;
}

static int setup(void **state) {
    (void)state;
    if (enet_initialize() != 0) return -1;
    ENetAddress addr = {.port = 0};
    enet_address_set_host(&addr, "127.0.0.1");
    server = enet_host_create(&addr, CLIENTS + 4, 2, 0, 0);
    if (!server) return -1;
    sv_batchio_attach(server->socket);
    ENetAddress bound;
    enet_socket_get_address(server->socket, &bound);
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = enet_host_create(NULL, 1, 2, 0, 0);
        if (!clients[i]) return -1;
        enet_host_connect(clients[i], &bound, 2, 0);
    }
    double until = clock_now() + 5.0;
    int connected = 0;
    while (connected < CLIENTS && clock_now() < until) {
        service_all();
        connected = 0;
        for (int i = 0; i < CLIENTS; i++)
            connected += clients[i]->peers[0].state == ENET_PEER_STATE_CONNECTED && at_server[i] != NULL;
        usleep(1000);
    }
    return connected == CLIENTS ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    sv_batchio_attach(ENET_SOCKET_NULL);
    for (int i = 0; i < CLIENTS; i++) enet_host_destroy(clients[i]);
    enet_host_destroy(server);
    enet_deinitialize();
    return 0;
}

static void test_enet_comes_through_here(void **state) {
    (void)state;
    sv_batchio_stats st;
    sv_batchio_get_stats(&st);
    /* the handshakes went both ways through this file's functions */
    assert_true(st.send_calls > 0);
    assert_true(st.datagrams_sent >= CLIENTS);
    assert_true(st.recv_calls > 0);
    assert_true(st.datagrams_read >= CLIENTS);
    assert_int_equal(st.send_errors, 0);
}

/* One packet to every client in one window: one system call, CLIENTS
 * datagrams, and each client gets exactly its own. */
static void test_window_sends_in_one_call(void **state) {
    (void)state;
    service_all(); /* nothing pending */
    sv_batchio_stats a, b;
    sv_batchio_get_stats(&a);
    for (int i = 0; i < CLIENTS; i++) {
        uint8_t payload[32];
        memset(payload, 'a' + i, sizeof payload);
        enet_peer_send(at_server[i], 1, enet_packet_create(payload, sizeof payload, ENET_PACKET_FLAG_UNSEQUENCED));
    }
    sv_batchio_begin();
    enet_host_flush(server);
    sv_batchio_get_stats(&b);
    assert_int_equal(b.datagrams_sent, a.datagrams_sent); /* held until the window ends */
    sv_batchio_end();
    sv_batchio_get_stats(&b);
    assert_int_equal(b.send_calls - a.send_calls, 1);
    assert_int_equal(b.datagrams_sent - a.datagrams_sent, CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
        ENetEvent ev;
        int got = 0;
        double until = clock_now() + 2.0;
        while (!got && clock_now() < until) {
            if (enet_host_service(clients[i], &ev, 5) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) {
                assert_int_equal(ev.packet->dataLength, 32);
                assert_int_equal(ev.packet->data[0], 'a' + i);
                assert_int_equal(ev.packet->data[31], 'a' + i);
                enet_packet_destroy(ev.packet);
                got = 1;
            }
        }
        assert_true(got);
    }
}

/* Outside a window a send goes out at once, as with ENet's own. */
static void test_no_window_no_holding(void **state) {
    (void)state;
    sv_batchio_stats a, b;
    sv_batchio_get_stats(&a);
    enet_peer_send(at_server[0], 1, enet_packet_create("x", 1, ENET_PACKET_FLAG_UNSEQUENCED));
    enet_host_flush(server);
    sv_batchio_get_stats(&b);
    assert_int_equal(b.send_calls, a.send_calls); /* not through the batch */
    ENetEvent ev;
    int got = 0;
    double until = clock_now() + 2.0;
    while (!got && clock_now() < until)
        if (enet_host_service(clients[0], &ev, 5) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) {
            enet_packet_destroy(ev.packet);
            got = 1;
        }
    assert_true(got);
}

static int raw_socket_to_server(struct sockaddr_in *to) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    ENetAddress bound;
    enet_socket_get_address(server->socket, &bound);
    *to = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(bound.port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return fd;
}

/* 150 datagrams from each of the clients (real ENet packets): read in a
 * few calls, and all of them arrive as events. */
static void test_burst_read_in_batches(void **state) {
    (void)state;
    service_all();
    sv_batchio_stats a, b;
    sv_batchio_get_stats(&a);
    for (int k = 0; k < 15; k++)
        for (int i = 0; i < CLIENTS; i++) {
            enet_peer_send(&clients[i]->peers[0], 1, enet_packet_create("in", 2, ENET_PACKET_FLAG_UNSEQUENCED));
            enet_host_flush(clients[i]); /* one datagram each */
        }
    usleep(20000);
    int received = 0;
    double until = clock_now() + 3.0;
    while (received < 15 * CLIENTS && clock_now() < until) received += service_all();
    sv_batchio_get_stats(&b);
    assert_int_equal(received, 15 * CLIENTS);
    assert_true(b.datagrams_read - a.datagrams_read >= 15 * CLIENTS);
    /* 64 at a time: the kernel had them all queued */
    assert_true(b.recv_calls - a.recv_calls <= 6);
    printf("150 datagrams read in %llu recvmmsg calls\n", (unsigned long long)(b.recv_calls - a.recv_calls));
}

/* A datagram longer than any ENet packet: dropped and counted; service
 * goes on (ENet's own receive would make enet_host_service return -1). */
static void test_oversized_dropped(void **state) {
    (void)state;
    sv_batchio_stats a, b;
    sv_batchio_get_stats(&a);
    struct sockaddr_in to;
    int fd = raw_socket_to_server(&to);
    static uint8_t big[ENET_PROTOCOL_MAXIMUM_MTU + 500];
    memset(big, 0x55, sizeof big);
    assert_int_equal(sendto(fd, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)sizeof big);
    close(fd);
    usleep(20000);
    ENetEvent ev;
    sv_batchio_begin();
    assert_true(enet_host_service(server, &ev, 0) >= 0);
    sv_batchio_end();
    sv_batchio_get_stats(&b);
    assert_int_equal(b.oversized - a.oversized, 1);
    /* and the connections still work */
    test_window_sends_in_one_call(state);
}

/* With the sender thread: a window's datagrams are handed over at its
 * end and sent by the thread (the calling thread makes no system call for
 * them), every client still gets exactly its own, in order, and many
 * windows in a row lose nothing. Last: the thread stays on until the
 * teardown's sv_batchio_attach stops it. */
static void test_sender_thread(void **state) {
    (void)state;
    service_all();
    assert_true(sv_batchio_start_sender());
    assert_true(sv_batchio_threaded());
    sv_batchio_stats a, b;
    sv_batchio_get_stats(&a);
    enum { ROUNDS = 40 };
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < CLIENTS; i++) {
            uint8_t payload[48];
            memset(payload, 'a' + i, sizeof payload);
            payload[0] = (uint8_t)round;
            enet_peer_send(at_server[i], 1, enet_packet_create(payload, sizeof payload, ENET_PACKET_FLAG_RELIABLE));
        }
        sv_batchio_begin();
        enet_host_flush(server);
        sv_batchio_end();
    }
    sv_batchio_drain();
    sv_batchio_get_stats(&b);
    assert_true(b.datagrams_sent - a.datagrams_sent >= ROUNDS * CLIENTS);
    /* in batches: windows that came while the thread was sending go together */
    assert_true(b.send_calls - a.send_calls >= 1);
    assert_true(b.send_calls - a.send_calls <= b.datagrams_sent - a.datagrams_sent);
    assert_int_equal(b.send_errors, a.send_errors);
    assert_int_equal(b.queue_full, a.queue_full);
    for (int i = 0; i < CLIENTS; i++) {
        int next = 0;
        double until = clock_now() + 3.0;
        while (next < ROUNDS && clock_now() < until) {
            ENetEvent ev;
            sv_batchio_begin(); /* the server takes acknowledgements and resends, through the thread */
            while (enet_host_service(server, &ev, 0) > 0)
                if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
            sv_batchio_end();
            while (next < ROUNDS && enet_host_service(clients[i], &ev, 1) > 0) {
                if (ev.type != ENET_EVENT_TYPE_RECEIVE) continue;
                assert_int_equal(ev.packet->dataLength, 48);
                assert_int_equal(ev.packet->data[0], next); /* reliable: in order, each once */
                assert_int_equal(ev.packet->data[47], 'a' + i);
                enet_packet_destroy(ev.packet);
                next++;
            }
        }
        assert_int_equal(next, ROUNDS);
    }
}

/* Waits (at most 5 s) until the sender thread sleeps. */
static void wait_sender_asleep(void) {
    sv_batchio_drain();
    double until = clock_now() + 5.0;
    while (!sv_batchio_sender_asleep() && clock_now() < until) usleep(1000);
    assert_true(sv_batchio_sender_asleep());
}

/* Every client gets `per_client` packets of `size` bytes, each starting
 * with `tag`, within 3 s. */
static void expect_each_client_gets(int per_client, size_t size, uint8_t tag) {
    for (int i = 0; i < CLIENTS; i++) {
        int got = 0;
        double until = clock_now() + 3.0;
        while (got < per_client && clock_now() < until) {
            ENetEvent ev;
            if (enet_host_service(clients[i], &ev, 1) > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) {
                assert_int_equal(ev.packet->dataLength, size);
                assert_int_equal(ev.packet->data[0], tag);
                enet_packet_destroy(ev.packet);
                got++;
            }
        }
        assert_int_equal(got, per_client);
    }
}

/* ENet drops unreliable packets at random when a peer's round trip grows
 * (its packet throttle): under a slow build it did, two datagrams short.
 * Held at the maximum for the counts below. */
static void no_throttle(void) {
    for (int i = 0; i < CLIENTS; i++) at_server[i]->packetThrottle = ENET_PEER_PACKET_THROTTLE_SCALE;
}

/* With the sender thread asleep: a window of CLIENTS datagrams (at most 16)
 * goes out from this thread, one sendmmsg, counted as a direct window; one
 * of 2 x CLIENTS datagrams (packets too long to share a datagram) is handed
 * to the sender, not counted. Both arrive. */
static void test_small_window_sent_directly(void **state) {
    (void)state;
    assert_true(sv_batchio_threaded()); /* test_sender_thread started it */
    wait_sender_asleep();
    sv_batchio_stats a, b;
    sv_batchio_get_stats(&a);
    uint8_t payload[800];
    memset(payload, 's', sizeof payload);
    for (int i = 0; i < CLIENTS; i++)
        enet_peer_send(at_server[i], 1, enet_packet_create(payload, 40, ENET_PACKET_FLAG_UNSEQUENCED));
    no_throttle();
    sv_batchio_begin();
    enet_host_flush(server);
    sv_batchio_end();
    sv_batchio_get_stats(&b);
    assert_int_equal(b.direct_windows - a.direct_windows, 1);
    assert_int_equal(b.datagrams_sent - a.datagrams_sent, CLIENTS); /* sent by the time the window closed */
    assert_int_equal(b.send_calls - a.send_calls, 1);
    expect_each_client_gets(1, 40, 's');

    wait_sender_asleep();
    sv_batchio_get_stats(&a);
    memset(payload, 'L', sizeof payload);
    for (int i = 0; i < CLIENTS; i++)
        for (int k = 0; k < 2; k++)
            enet_peer_send(at_server[i], 1, enet_packet_create(payload, sizeof payload, ENET_PACKET_FLAG_UNSEQUENCED));
    no_throttle();
    sv_batchio_begin();
    enet_host_flush(server);
    sv_batchio_end();
    sv_batchio_drain();
    sv_batchio_get_stats(&b);
    assert_int_equal(b.direct_windows, a.direct_windows);
    assert_int_equal(b.datagrams_sent - a.datagrams_sent, 2 * CLIENTS);
    expect_each_client_gets(2, sizeof payload, 'L');
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enet_comes_through_here),
        cmocka_unit_test(test_window_sends_in_one_call),
        cmocka_unit_test(test_no_window_no_holding),
        cmocka_unit_test(test_burst_read_in_batches),
        cmocka_unit_test(test_oversized_dropped),
        cmocka_unit_test(test_sender_thread),
        cmocka_unit_test(test_small_window_sent_directly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
