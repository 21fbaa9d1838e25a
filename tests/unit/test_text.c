/* test_text.c - shared/text.c: text_sanitize and text_is_clean.
 *
 * Covers: plain ASCII kept; C0 controls, DEL, C1 controls (as UTF-8) and
 * bidi/line-separator characters dropped; tab and NBSP count as space;
 * invalid UTF-8 (lone continuation, overlong, surrogate, > U+10FFFF,
 * truncated, bad lead bytes) dropped byte by byte; multibyte characters
 * kept; whitespace runs collapsed and ends trimmed; the max_bytes cut never
 * splits a character; all-junk input gives 0; text_is_clean agrees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "text.h"

/* Sanitizes `in` with max_bytes and checks the result and its length. The
 * output buffer is guarded to catch writes past max_bytes + 1. */
static void check_sanitize(const char *in, size_t max_bytes, const char *expect) {
    char out[300];
    memset(out, 0x7e, sizeof out);
    assert_true(max_bytes + 1 < sizeof out);
    size_t n = text_sanitize(in, out, max_bytes);
    if (strcmp(out, expect) != 0 || n != strlen(expect))
        fail_msg("sanitize(\"%s\", %zu) gave \"%s\" (%zu), expected \"%s\"", in, max_bytes, out, n, expect);
    assert_true(n <= max_bytes);
    for (size_t i = max_bytes + 1; i < sizeof out; i++)
        if (out[i] != 0x7e) fail_msg("sanitize wrote byte %zu past max_bytes %zu", i, max_bytes);
    /* the output is a fixed point: clean, and sanitizing it again changes nothing */
    if (n > 0) assert_true(text_is_clean(out, max_bytes));
    char again[300];
    assert_int_equal(text_sanitize(out, again, max_bytes), n);
    assert_string_equal(again, out);
}

static void test_ascii_kept(void **state) {
    (void)state;
    check_sanitize("Alice", 16, "Alice");
    check_sanitize("a-b_c.d!~{}", 16, "a-b_c.d!~{}");
    check_sanitize("x", 1, "x");
    /* every printable ASCII byte survives */
    char all[96];
    for (int c = 0x21; c < 0x7f; c++) all[c - 0x21] = (char)c;
    all[0x7f - 0x21] = '\0';
    check_sanitize(all, 200, all);
}

static void test_control_chars_dropped(void **state) {
    (void)state;
    check_sanitize("a\x01" "b", 16, "ab");
    check_sanitize("\x1b[31mred", 16, "[31mred");
    check_sanitize("del\x7f", 16, "del");
    check_sanitize("\x7f" "x\x7f", 16, "x");
    /* newline and carriage return are C0 controls: dropped, not spaces */
    check_sanitize("a\nb", 16, "ab");
    check_sanitize("a\r\nb", 16, "ab");
    /* every C0 control except tab is dropped */
    for (int c = 1; c < 0x20; c++) {
        char in[4] = {'p', (char)c, 'q', '\0'};
        check_sanitize(in, 16, c == '\t' ? "p q" : "pq");
    }
}

static void test_tab_is_space(void **state) {
    (void)state;
    check_sanitize("a\tb", 16, "a b");
    check_sanitize("\ta\t", 16, "a");
    check_sanitize("a \t \tb", 16, "a b");
    /* U+00A0 no-break space is a space too */
    check_sanitize("a\xc2\xa0" "b", 16, "a b");
}

static void test_c1_controls_dropped(void **state) {
    (void)state;
    /* U+0080..U+009F, encoded as C2 80 .. C2 9F */
    for (int c = 0x80; c <= 0x9f; c++) {
        char in[5] = {'a', (char)0xc2, (char)c, 'b', '\0'};
        check_sanitize(in, 16, "ab");
    }
    /* U+00A1 (first printable after NBSP) is kept */
    check_sanitize("\xc2\xa1" "ola", 16, "\xc2\xa1" "ola");
}

static void test_bidi_and_separators_dropped(void **state) {
    (void)state;
    check_sanitize("abc\xe2\x80\xae" "def", 16, "abcdef"); /* U+202E RLO */
    check_sanitize("\xe2\x80\xaa" "x", 16, "x");           /* U+202A LRE */
    check_sanitize("x\xe2\x81\xa6" "y", 16, "xy");         /* U+2066 LRI */
    check_sanitize("x\xe2\x81\xa9" "y", 16, "xy");         /* U+2069 PDI */
    check_sanitize("x\xe2\x80\xa8" "y", 16, "xy");         /* U+2028 LINE SEPARATOR */
    check_sanitize("x\xe2\x80\xa9" "y", 16, "xy");         /* U+2029 PARAGRAPH SEPARATOR */
    /* neighbours of the dropped ranges are ordinary characters */
    check_sanitize("x\xe2\x80\xaf" "y", 16, "x\xe2\x80\xaf" "y"); /* U+202F */
    check_sanitize("x\xe2\x81\xaa" "y", 16, "x\xe2\x81\xaa" "y"); /* U+206A */
}

static void test_invalid_utf8_dropped(void **state) {
    (void)state;
    check_sanitize("a\x80" "b", 16, "ab");                 /* lone continuation   */
    check_sanitize("\xbf\xbf" "ok", 16, "ok");             /* several of them     */
    check_sanitize("a\xc0\xaf" "b", 16, "ab");             /* overlong '/'        */
    check_sanitize("a\xc1\xbf" "b", 16, "ab");             /* overlong U+007F     */
    check_sanitize("a\xe0\x80\xaf" "b", 16, "ab");         /* 3-byte overlong     */
    check_sanitize("a\xf0\x80\x80\xaf" "b", 16, "ab");     /* 4-byte overlong     */
    check_sanitize("a\xed\xa0\x80" "b", 16, "ab");         /* surrogate U+D800    */
    check_sanitize("a\xed\xbf\xbf" "b", 16, "ab");         /* surrogate U+DFFF    */
    check_sanitize("a\xf4\x90\x80\x80" "b", 16, "ab");     /* U+110000            */
    check_sanitize("a\xf7\xbf\xbf\xbf" "b", 16, "ab");     /* lead F7             */
    check_sanitize("a\xf8\x88\x80\x80\x80" "b", 16, "ab"); /* 5-byte form         */
    check_sanitize("a\xfe\xff" "b", 16, "ab");             /* never valid bytes   */
    check_sanitize("a\xe6\x97" "b", 16, "ab");             /* truncated 3-byte    */
    check_sanitize("a\xe6\x97", 16, "a");                  /* truncated at end    */
    check_sanitize("\xf0\x9f\x98", 16, "");                /* truncated 4-byte    */
    /* a broken sequence does not swallow the valid character after it */
    check_sanitize("\xe6\xe6\x97\xa5", 16, "\xe6\x97\xa5");
    /* the largest valid code point and the one just below the surrogates stay */
    check_sanitize("\xf4\x8f\xbf\xbf", 16, "\xf4\x8f\xbf\xbf");
    check_sanitize("\xed\x9f\xbf", 16, "\xed\x9f\xbf");
}

static void test_multibyte_kept(void **state) {
    (void)state;
    check_sanitize("Zo\xc3\xab", 16, "Zo\xc3\xab");                 /* Zoë     */
    check_sanitize("\xe6\x97\xa5\xe6\x9c\xac", 16, "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
    check_sanitize("\xf0\x9f\x98\x80!", 16, "\xf0\x9f\x98\x80!");   /* emoji   */
    check_sanitize("\xd0\x9c\xd0\xb8\xd1\x80", 16, "\xd0\x9c\xd0\xb8\xd1\x80"); /* Мир */
}

static void test_whitespace_collapse_and_trim(void **state) {
    (void)state;
    check_sanitize("  a   b  ", 16, "a b");
    check_sanitize("a  \t  b", 16, "a b");
    check_sanitize("   lead", 16, "lead");
    check_sanitize("trail   ", 16, "trail");
    check_sanitize("a b c", 16, "a b c");
    /* dropped characters between spaces do not create a second space */
    check_sanitize("a \x01 b", 16, "a b");
    check_sanitize("a \xe2\x80\xae b", 16, "a b");
    /* a dropped character does not act as a separator */
    check_sanitize("a\x01 \x01" "b", 16, "a b");
    check_sanitize(" \x01 ", 16, "");
}

static void test_cut_at_character_boundary(void **state) {
    (void)state;
    check_sanitize("abcdef", 4, "abcd");
    check_sanitize("abcdef", 0, "");
    /* "日本" is 6 bytes: with room for 5, only the first character fits */
    check_sanitize("\xe6\x97\xa5\xe6\x9c\xac", 5, "\xe6\x97\xa5");
    check_sanitize("\xe6\x97\xa5\xe6\x9c\xac", 4, "\xe6\x97\xa5");
    check_sanitize("\xe6\x97\xa5\xe6\x9c\xac", 3, "\xe6\x97\xa5");
    check_sanitize("\xe6\x97\xa5\xe6\x9c\xac", 2, "");
    check_sanitize("Zo\xc3\xab", 3, "Zo");
    check_sanitize("a\xf0\x9f\x98\x80", 4, "a");
    /* a pending space is never left dangling at the cut */
    check_sanitize("abc d", 4, "abc");
    check_sanitize("abc de", 5, "abc d");
    check_sanitize("abc \xe6\x97\xa5", 6, "abc");
    /* the cut stops the scan: later short characters are not squeezed in */
    check_sanitize("ab\xe6\x97\xa5" "c", 3, "ab");
    /* the 16-byte name limit */
    check_sanitize("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 16, "ABCDEFGHIJKLMNOP");
#define ZOE4 "Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab" /* 19 bytes */
    check_sanitize(ZOE4, 16, "Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab Z");
    check_sanitize(ZOE4, 15, "Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab");
    check_sanitize(ZOE4, 18, "Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab Zo"); /* 'ë' would need bytes 18-19 */
    check_sanitize(ZOE4, 19, ZOE4);
#undef ZOE4
}

static void test_all_junk_gives_zero(void **state) {
    (void)state;
    check_sanitize("", 16, "");
    check_sanitize("   ", 16, "");
    check_sanitize("\t\n\r\x01\x7f", 16, "");
    check_sanitize("\x80\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xff", 16, "");
    check_sanitize("\xe2\x80\xae\xc2\x85 \xc2\xa0", 16, "");
    char out[17] = "garbage";
    assert_int_equal(text_sanitize(" \x01\x80 ", out, 16), 0);
    assert_string_equal(out, "");
}

static void test_is_clean(void **state) {
    (void)state;
    assert_true(text_is_clean("Alice", 16));
    assert_true(text_is_clean("a b", 16));
    assert_true(text_is_clean("Zo\xc3\xab", 16));
    assert_true(text_is_clean("\xe6\x97\xa5\xe6\x9c\xac", 6));
    assert_true(text_is_clean("ABCDEFGHIJKLMNOP", 16));

    assert_false(text_is_clean("", 16));                    /* empty          */
    assert_false(text_is_clean("ABCDEFGHIJKLMNOPQ", 16));   /* 17 > 16        */
    assert_false(text_is_clean("\xe6\x97\xa5\xe6\x9c\xac", 5));
    assert_false(text_is_clean(" a", 16));                  /* leading space  */
    assert_false(text_is_clean("a ", 16));                  /* trailing space */
    assert_false(text_is_clean("a  b", 16));                /* run of spaces  */
    assert_false(text_is_clean("a\tb", 16));                /* tab            */
    assert_false(text_is_clean("a\xc2\xa0" "b", 16));       /* NBSP           */
    assert_false(text_is_clean("a\x01", 16));               /* C0             */
    assert_false(text_is_clean("a\x7f", 16));               /* DEL            */
    assert_false(text_is_clean("\xc2\x9b" "a", 16));        /* C1 (CSI)       */
    assert_false(text_is_clean("\xe2\x80\xae" "a", 16));    /* RLO            */
    assert_false(text_is_clean("a\xc0\xaf", 16));           /* overlong       */
    assert_false(text_is_clean("a\xed\xa0\x80", 16));       /* surrogate      */
    assert_false(text_is_clean("a\xe6\x97", 16));           /* truncated      */

    /* strings of 256 bytes or more are never clean (bounded scratch space) */
    char big[300];
    memset(big, 'a', sizeof big);
    big[255] = '\0';
    assert_true(text_is_clean(big, 255));
    big[255] = 'a';
    big[256] = '\0';
    assert_false(text_is_clean(big, 1000));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_kept),
        cmocka_unit_test(test_control_chars_dropped),
        cmocka_unit_test(test_tab_is_space),
        cmocka_unit_test(test_c1_controls_dropped),
        cmocka_unit_test(test_bidi_and_separators_dropped),
        cmocka_unit_test(test_invalid_utf8_dropped),
        cmocka_unit_test(test_multibyte_kept),
        cmocka_unit_test(test_whitespace_collapse_and_trim),
        cmocka_unit_test(test_cut_at_character_boundary),
        cmocka_unit_test(test_all_junk_gives_zero),
        cmocka_unit_test(test_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
