/* test_sv_token.c - session tokens: drawn from the OS, never zero, never
 * repeated in a large sample, and compared exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sv_token.h"

#define SAMPLE 4096

static int cmp_token(const void *a, const void *b) { return memcmp(a, b, PROTO_TOKEN_BYTES); }

static void test_tokens_are_distinct_and_nonzero(void **state) {
    (void)state;
    static uint8_t tokens[SAMPLE][PROTO_TOKEN_BYTES];
    static const uint8_t zero[PROTO_TOKEN_BYTES];
    for (int i = 0; i < SAMPLE; i++) {
        assert_true(sv_token_generate(tokens[i]));
        assert_false(sv_token_equal(tokens[i], zero));
    }
    qsort(tokens, SAMPLE, PROTO_TOKEN_BYTES, cmp_token);
    for (int i = 1; i < SAMPLE; i++) assert_int_not_equal(memcmp(tokens[i - 1], tokens[i], PROTO_TOKEN_BYTES), 0);
}

/* Every bit is used: over the sample each bit position is set about half
 * the time (a counter or a clock would leave high bits fixed). */
static void test_token_bits_look_random(void **state) {
    (void)state;
    int ones[PROTO_TOKEN_BYTES * 8] = {0};
    for (int i = 0; i < SAMPLE; i++) {
        uint8_t t[PROTO_TOKEN_BYTES];
        assert_true(sv_token_generate(t));
        for (int b = 0; b < PROTO_TOKEN_BYTES * 8; b++) ones[b] += (t[b / 8] >> (b % 8)) & 1;
    }
    for (int b = 0; b < PROTO_TOKEN_BYTES * 8; b++) {
        /* 4096 fair coin flips: 2048 +- 128 is 8 standard deviations */
        assert_in_range(ones[b], SAMPLE / 2 - 256, SAMPLE / 2 + 256);
    }
}

static void test_token_compare(void **state) {
    (void)state;
    uint8_t a[PROTO_TOKEN_BYTES], b[PROTO_TOKEN_BYTES];
    assert_true(sv_token_generate(a));
    memcpy(b, a, sizeof b);
    assert_true(sv_token_equal(a, b));
    for (int bit = 0; bit < PROTO_TOKEN_BYTES * 8; bit++) { /* one bit off anywhere: not equal */
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(sv_token_equal(a, b));
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_are_distinct_and_nonzero),
        cmocka_unit_test(test_token_bits_look_random),
        cmocka_unit_test(test_token_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
