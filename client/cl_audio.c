/* cl_audio.c - SDL2 audio device, sound loading and the voice mixer (see
 * cl_audio.h). */
#include "cl_audio.h"

#include <SDL.h>
#include <stdio.h>
#include <string.h>

#include "assets.h"

static const char *const SOUND_FILES[SOUND_COUNT] = {
    [SOUND_FIRE] = "fire",     [SOUND_ROCKET] = "rocket", [SOUND_EXPLOSION] = "explosion",
    [SOUND_HIT] = "hit",       [SOUND_HURT] = "hurt",     [SOUND_DEATH] = "death",
    [SOUND_PICKUP] = "pickup", [SOUND_JOIN] = "join",
};

/* ---- pure mixing ----------------------------------------------------------- */

void cl_audio_mix(cl_voice *voices, int n, int16_t *out, int frames) {
    if (frames <= 0) return;
    memset(out, 0, (size_t)frames * sizeof *out);
    int playing = 0;
    for (int v = 0; v < n; v++) playing += voices[v].samples != NULL;
    if (playing == 0) return;
    for (int i = 0; i < frames; i++) {
        float acc = 0.0f;
        for (int v = 0; v < n; v++) {
            cl_voice *vo = &voices[v];
            if (!vo->samples) continue;
            acc += (float)vo->samples[vo->pos] * vo->volume;
            if (++vo->pos >= vo->length) vo->samples = NULL; /* retired */
        }
        if (acc >= 32767.0f) out[i] = INT16_MAX;
        else if (acc <= -32768.0f) out[i] = INT16_MIN;
        else out[i] = (int16_t)(acc >= 0.0f ? acc + 0.5f : acc - 0.5f);
    }
}

int cl_audio_start_voice(cl_voice *voices, int n, uint32_t *serial, const int16_t *samples, int length,
                         float volume) {
    if (!samples || length <= 0 || n <= 0) return -1;
    int pick = -1;
    for (int v = 0; v < n && pick < 0; v++)
        if (!voices[v].samples) pick = v;
    if (pick < 0) { /* all busy: the oldest (serials compared modulo 2^32) */
        pick = 0;
        for (int v = 1; v < n; v++)
            if ((int32_t)(voices[v].started - voices[pick].started) < 0) pick = v;
    }
    if (!(volume > 0.0f)) volume = 0.0f; /* also NaN */
    if (volume > 1.0f) volume = 1.0f;
    voices[pick] = (cl_voice){samples, length, 0, volume, (*serial)++};
    return pick;
}

/* ---- SDL ------------------------------------------------------------------- */

static void SDLCALL audio_callback(void *userdata, Uint8 *stream, int len) {
    cl_audio *a = userdata; /* SDL holds the device lock here */
    cl_audio_mix(a->voices, CL_AUDIO_VOICES, (int16_t *)(void *)stream, len / (int)sizeof(int16_t));
}

/* Loads one WAV and converts it to mono S16 at the device's rate. */
static bool load_sound(cl_audio *a, cl_sound s, char *err, size_t err_cap) {
    char rel[64], path[1200];
    snprintf(rel, sizeof rel, "sounds/%s.wav", SOUND_FILES[s]);
    if (!assets_find(rel, path, sizeof path)) {
        snprintf(err, err_cap, "sound assets/%s not found (set GAME_ASSETS to the assets folder)", rel);
        return false;
    }
    SDL_AudioSpec spec;
    Uint8 *buf = NULL;
    Uint32 len = 0;
    if (!SDL_LoadWAV(path, &spec, &buf, &len)) {
        snprintf(err, err_cap, "cannot load %s: %s", path, SDL_GetError());
        return false;
    }
    SDL_AudioCVT cvt;
    int need = SDL_BuildAudioCVT(&cvt, spec.format, spec.channels, spec.freq, AUDIO_S16SYS, 1, a->freq);
    if (need < 0 || len == 0 || len > (Uint32)SDL_MAX_SINT32 / 16) {
        snprintf(err, err_cap, "cannot convert %s: %s", path, need < 0 ? SDL_GetError() : "bad length");
        SDL_FreeWAV(buf);
        return false;
    }
    cvt.len = (int)len;
    cvt.buf = SDL_malloc((size_t)len * (size_t)(cvt.len_mult > 0 ? cvt.len_mult : 1));
    if (!cvt.buf) {
        snprintf(err, err_cap, "out of memory loading %s", path);
        SDL_FreeWAV(buf);
        return false;
    }
    memcpy(cvt.buf, buf, len);
    SDL_FreeWAV(buf);
    int out_len = (int)len;
    if (need == 1) {
        if (SDL_ConvertAudio(&cvt) != 0) {
            snprintf(err, err_cap, "cannot convert %s: %s", path, SDL_GetError());
            SDL_free(cvt.buf);
            return false;
        }
        out_len = cvt.len_cvt;
    }
    a->sounds[s].samples = (int16_t *)(void *)cvt.buf;
    a->sounds[s].length = out_len / (int)sizeof(int16_t);
    return true;
}

bool cl_audio_init(cl_audio *a, char *err, size_t err_cap) {
    memset(a, 0, sizeof *a);
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        snprintf(err, err_cap, "no sound: SDL audio: %s", SDL_GetError());
        return false;
    }
    a->subsystem = true;
    SDL_AudioSpec want, have;
    SDL_zero(want);
    want.freq = CL_AUDIO_RATE;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 512; /* about 23 ms at 22050 Hz */
    want.callback = audio_callback;
    want.userdata = a;
    SDL_AudioDeviceID dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, SDL_AUDIO_ALLOW_FREQUENCY_CHANGE);
    if (dev == 0) {
        snprintf(err, err_cap, "no sound: cannot open an audio device: %s", SDL_GetError());
        cl_audio_free(a);
        return false;
    }
    a->device = dev;
    a->freq = have.freq;
    if (have.format != AUDIO_S16SYS || have.channels != 1 || have.freq <= 0) {
        snprintf(err, err_cap, "no sound: the audio device gave an unexpected format");
        cl_audio_free(a);
        return false;
    }
    for (int s = 0; s < SOUND_COUNT; s++) {
        char why[1400];
        if (!load_sound(a, (cl_sound)s, why, sizeof why)) {
            snprintf(err, err_cap, "no sound: %s", why);
            cl_audio_free(a);
            return false;
        }
    }
    a->ok = true;
    SDL_PauseAudioDevice(dev, 0); /* start the callback */
    return true;
}

void cl_audio_play(cl_audio *a, cl_sound s, float volume) {
    if (!a || !a->ok || (int)s < 0 || s >= SOUND_COUNT) return;
    SDL_LockAudioDevice(a->device);
    cl_audio_start_voice(a->voices, CL_AUDIO_VOICES, &a->serial, a->sounds[s].samples, a->sounds[s].length, volume);
    SDL_UnlockAudioDevice(a->device);
}

void cl_audio_free(cl_audio *a) {
    if (!a) return;
    if (a->device) SDL_CloseAudioDevice(a->device); /* stops the callback first */
    a->device = 0;
    a->ok = false;
    for (int s = 0; s < SOUND_COUNT; s++) {
        if (a->sounds[s].samples) SDL_free(a->sounds[s].samples);
        a->sounds[s].samples = NULL;
        a->sounds[s].length = 0;
    }
    memset(a->voices, 0, sizeof a->voices);
    if (a->subsystem) SDL_QuitSubSystem(SDL_INIT_AUDIO);
    a->subsystem = false;
}
