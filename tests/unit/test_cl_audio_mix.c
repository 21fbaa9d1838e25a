/* test_cl_audio_mix.c - client/cl_audio.c: the pure mixer and voice
 * allocation (no audio device).
 *
 * Covers: one voice copied sample for sample at volume 1 and scaled at
 * volume 0.5 (rounded to nearest); two voices summed; saturation at +32767
 * and -32768 with no wrap-around; voices advancing across several mix calls,
 * retiring when their sound ends, and silence after; a mix with nothing
 * playing all zeros (over a dirty buffer); volume clamped to 0..1; free
 * voices used first, then the oldest stolen when all CL_AUDIO_VOICES are
 * busy (also across a wrap of the start serial); nothing started for an
 * empty sound; and every cl_audio_* call a no-op on an audio that never
 * initialised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cl_audio.h"

static const int16_t RAMP[6] = {1000, -2000, 3001, -4001, 32767, -32768};

static void mix_one_voice_copies_scaled(void **state) {
    (void)state;
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, RAMP, 6, 1.0f), 0);
    int16_t out[6];
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 6);
    for (int i = 0; i < 6; i++) assert_int_equal(out[i], RAMP[i]);

    memset(v, 0, sizeof v);
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, RAMP, 6, 0.5f);
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 6);
    const int16_t half[6] = {500, -1000, 1501, -2001, 16384, -16384}; /* halves rounded away from zero */
    for (int i = 0; i < 6; i++) assert_int_equal(out[i], half[i]);
}

static void mix_two_voices_sum(void **state) {
    (void)state;
    const int16_t a[4] = {100, 200, -300, 400};
    const int16_t b[4] = {1, -2000, -3, 4000};
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, a, 4, 1.0f), 0);
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, b, 4, 0.25f), 1);
    int16_t out[4];
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 4);
    assert_int_equal(out[0], 100);  /* 100 + 0.25 rounds to 100 */
    assert_int_equal(out[1], -300); /* 200 - 500 */
    assert_int_equal(out[2], -301); /* -300 - 0.75 */
    assert_int_equal(out[3], 1400); /* 400 + 1000 */
}

static void mix_saturates_without_wrapping(void **state) {
    (void)state;
    const int16_t loud[5] = {30000, -30000, 32767, -32768, 20000};
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    for (int k = 0; k < CL_AUDIO_VOICES; k++) cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, loud, 5, 1.0f);
    int16_t out[5];
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 5);
    assert_int_equal(out[0], 32767);
    assert_int_equal(out[1], -32768);
    assert_int_equal(out[2], 32767);
    assert_int_equal(out[3], -32768);
    assert_int_equal(out[4], 32767);

    /* Just over the edge on each side, with two voices. */
    const int16_t pos[2] = {16384, -16385};
    memset(v, 0, sizeof v);
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, pos, 2, 1.0f);
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, pos, 2, 1.0f);
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 2);
    assert_int_equal(out[0], 32767);  /* 32768 */
    assert_int_equal(out[1], -32768); /* -32770 */
    /* Exactly at the edges: kept as they are. */
    const int16_t edge[2] = {16383, -16384};
    memset(v, 0, sizeof v);
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, edge, 2, 1.0f);
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, edge, 2, 1.0f);
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 2);
    assert_int_equal(out[0], 32766);
    assert_int_equal(out[1], -32768);
}

static void voices_retire_at_end_then_silence(void **state) {
    (void)state;
    const int16_t s[5] = {10, 20, 30, 40, 50};
    const int16_t t[2] = {7, 8};
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    int a = cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, s, 5, 1.0f);
    int b = cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, t, 2, 1.0f);
    int16_t out[3];
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 3); /* the short one ends inside this call */
    assert_int_equal(out[0], 17);
    assert_int_equal(out[1], 28);
    assert_int_equal(out[2], 30);
    assert_null(v[b].samples);
    assert_non_null(v[a].samples);
    assert_int_equal(v[a].pos, 3);

    int16_t rest[6];
    memset(rest, 0x55, sizeof rest);
    cl_audio_mix(v, CL_AUDIO_VOICES, rest, 6); /* picks up where it left off, then silence */
    assert_int_equal(rest[0], 40);
    assert_int_equal(rest[1], 50);
    for (int i = 2; i < 6; i++) assert_int_equal(rest[i], 0);
    assert_null(v[a].samples);

    cl_audio_mix(v, CL_AUDIO_VOICES, rest, 6);
    for (int i = 0; i < 6; i++) assert_int_equal(rest[i], 0);

    /* The retired voice is free again: the next start takes the first one. */
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, t, 2, 1.0f), 0);
}

static void silent_mix_is_zeros(void **state) {
    (void)state;
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    int16_t out[512];
    memset(out, 0x7f, sizeof out);
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 512);
    for (int i = 0; i < 512; i++) assert_int_equal(out[i], 0);

    /* A voice at volume 0 plays (and ends) in silence. */
    uint32_t serial = 0;
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, RAMP, 6, 0.0f);
    memset(out, 0x7f, sizeof out);
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 512);
    for (int i = 0; i < 512; i++) assert_int_equal(out[i], 0);
    assert_null(v[0].samples);

    cl_audio_mix(v, CL_AUDIO_VOICES, out, 0); /* zero frames: nothing written, no crash */
}

static void volume_is_clamped(void **state) {
    (void)state;
    const int16_t s[1] = {1000};
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, s, 1, 5.0f);
    cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, s, 1, -3.0f);
    assert_true(v[0].volume == 1.0f);
    assert_true(v[1].volume == 0.0f);
    int16_t out[1];
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 1);
    assert_int_equal(out[0], 1000);
}

static void steals_oldest_when_all_busy(void **state) {
    (void)state;
    static int16_t sounds[CL_AUDIO_VOICES + 3][100];
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    for (int k = 0; k < CL_AUDIO_VOICES; k++)
        assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, sounds[k], 100, 1.0f), k);

    /* All busy: the ninth sound takes voice 0 (the oldest), from its start. */
    int16_t out[10];
    cl_audio_mix(v, CL_AUDIO_VOICES, out, 10);
    int k = cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, sounds[CL_AUDIO_VOICES], 100, 1.0f);
    assert_int_equal(k, 0);
    assert_ptr_equal(v[0].samples, sounds[CL_AUDIO_VOICES]);
    assert_int_equal(v[0].pos, 0);
    /* Then voice 1, which is now the oldest. */
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, sounds[CL_AUDIO_VOICES + 1], 100, 1.0f),
                     1);

    /* A voice that falls free is used before anything is stolen. */
    v[5].samples = NULL;
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, sounds[CL_AUDIO_VOICES + 2], 100, 1.0f),
                     5);
    /* Oldest now: voice 2. */
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, sounds[0], 100, 1.0f), 2);
}

static void steal_order_survives_serial_wrap(void **state) {
    (void)state;
    static int16_t snd[10];
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = UINT32_MAX - 3; /* wraps after four starts */
    for (int k = 0; k < CL_AUDIO_VOICES; k++) cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, snd, 10, 1.0f);
    assert_true(v[0].started > v[7].started); /* numerically, the oldest looks newest */
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, snd, 10, 1.0f), 0);
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, snd, 10, 1.0f), 1);
}

static void nothing_started_for_empty_sound(void **state) {
    (void)state;
    cl_voice v[CL_AUDIO_VOICES];
    memset(v, 0, sizeof v);
    uint32_t serial = 0;
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, NULL, 10, 1.0f), -1);
    assert_int_equal(cl_audio_start_voice(v, CL_AUDIO_VOICES, &serial, RAMP, 0, 1.0f), -1);
    assert_int_equal(cl_audio_start_voice(v, 0, &serial, RAMP, 6, 1.0f), -1);
    assert_int_equal(serial, 0);
    for (int k = 0; k < CL_AUDIO_VOICES; k++) assert_null(v[k].samples);
}

static void calls_are_noops_without_init(void **state) {
    (void)state;
    static cl_audio a; /* zeroed: as after a failed cl_audio_init */
    cl_audio_play(&a, SOUND_FIRE, 1.0f);
    cl_audio_play(&a, SOUND_COUNT, 1.0f);
    cl_audio_play(NULL, SOUND_JOIN, 1.0f);
    for (int k = 0; k < CL_AUDIO_VOICES; k++) assert_null(a.voices[k].samples);
    cl_audio_free(&a);
    cl_audio_free(&a);
    cl_audio_free(NULL);
    assert_false(a.ok);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mix_one_voice_copies_scaled),
        cmocka_unit_test(mix_two_voices_sum),
        cmocka_unit_test(mix_saturates_without_wrapping),
        cmocka_unit_test(voices_retire_at_end_then_silence),
        cmocka_unit_test(silent_mix_is_zeros),
        cmocka_unit_test(volume_is_clamped),
        cmocka_unit_test(steals_oldest_when_all_busy),
        cmocka_unit_test(steal_order_survives_serial_wrap),
        cmocka_unit_test(nothing_started_for_empty_sound),
        cmocka_unit_test(calls_are_noops_without_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
