/* cl_audio.h - sound effects through the SDL2 audio device.
 *
 * Owns: the audio device (opened once, S16 mono at 22050 Hz or whatever
 * rate the device insists on), the sound effects (assets/sounds/NAME.wav,
 * converted to the device's format once at load time), and at most
 * CL_AUDIO_VOICES sounds playing at once, mixed in SDL's audio callback.
 * Sound is optional: when cl_audio_init fails the game carries on silent
 * and every other cl_audio_* call does nothing.
 *
 * The mixing arithmetic (cl_audio_mix, cl_audio_start_voice) uses no SDL so
 * the unit tests can drive it directly.
 */
#ifndef CL_AUDIO_H
#define CL_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SOUND_FIRE,      /* rail gun zap */
    SOUND_ROCKET,    /* rocket launch whoosh */
    SOUND_EXPLOSION,
    SOUND_HIT,       /* tick: we hit someone */
    SOUND_HURT,      /* we were hit */
    SOUND_DEATH,
    SOUND_PICKUP,
    SOUND_JOIN,      /* a player joined */
    SOUND_COUNT
} cl_sound;

#define CL_AUDIO_VOICES 8    /* sounds playing at once; the oldest is cut for a new one */
#define CL_AUDIO_RATE 22050  /* the rate asked of the device (and of the WAV files) */

/* One playing sound. Free when samples is NULL. */
typedef struct {
    const int16_t *samples; /* mono, at the device's rate */
    int length;             /* frames */
    int pos;                /* next frame to mix */
    float volume;           /* 0..1 */
    uint32_t started;       /* serial of cl_audio_start_voice: lower is older */
} cl_voice;

typedef struct {
    int16_t *samples; /* SDL_malloc'd, mono S16 at the device's rate */
    int length;       /* frames */
} cl_sound_data;

/* Keep it at one address between init and free (the audio thread holds a
 * pointer to it): a static or heap object. */
typedef struct {
    bool ok;            /* init succeeded; everything else is a no-op when false */
    bool subsystem;     /* we started SDL's audio subsystem */
    uint32_t device;    /* SDL_AudioDeviceID */
    int freq;           /* the device's rate */
    cl_sound_data sounds[SOUND_COUNT];
    cl_voice voices[CL_AUDIO_VOICES];
    uint32_t serial;
} cl_audio;

/* Opens the default audio device and loads every sound. False with a
 * message in err when there is no audio device or a sound file is missing
 * or unreadable; the caller logs it once and carries on without sound. */
bool cl_audio_init(cl_audio *a, char *err, size_t err_cap);

/* Starts sound s at volume 0..1 on a free voice (or the oldest one).
 * Safe from the main thread while the device plays. */
void cl_audio_play(cl_audio *a, cl_sound s, float volume);

/* Closes the device and frees the sounds; safe after a failed init and
 * twice. Call before SDL_Quit. */
void cl_audio_free(cl_audio *a);

/* ---- pure mixing (no SDL) ------------------------------------------------ */

/* Writes `frames` samples into out: the sum of the n voices, each scaled by
 * its volume, rounded and saturated to int16 (no wrap-around). Advances
 * every playing voice and frees it (samples = NULL) once its sound ends;
 * with nothing playing the output is silence (zeros). */
void cl_audio_mix(cl_voice *voices, int n, int16_t *out, int frames);

/* Starts a sound of `length` frames on a free voice among n, or, when all
 * are busy, on the one started longest ago. volume is clamped to 0..1;
 * *serial counts starts (it orders the voices by age). Returns the voice
 * index, or -1 when there is nothing to play (no samples, length <= 0, or
 * n <= 0). */
int cl_audio_start_voice(cl_voice *voices, int n, uint32_t *serial, const int16_t *samples, int length,
                         float volume);

#endif
