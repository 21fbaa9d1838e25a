/* cl_colors.c - player colours by golden-ratio hue steps (see cl_colors.h). */
#include "cl_colors.h"

#include <math.h>

void cl_player_color(uint16_t id, uint8_t rgb[3]) {
    float h = fmodf((float)id * 0.618034f + 0.12f, 1.0f) * 6.0f;
    float s = 0.65f, v = 0.95f;
    int i = (int)h % 6;
    float f = h - floorf(h), p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    const float table[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
    for (int k = 0; k < 3; k++) rgb[k] = (uint8_t)(table[i][k] * 255.0f);
}
