#!/usr/bin/env python3
"""make_sounds.py - generates the client's sound effects (assets/sounds/*.wav).

Owns: the recipe of every sound effect. Each is synthesised from sine
sweeps, shaped noise and envelopes with a fixed random seed, so running this
again writes the same files. Python 3 standard library only.

    python3 tools/make_sounds.py            # writes assets/sounds/*.wav
    python3 tools/make_sounds.py --out DIR  # writes them into DIR instead

Output: 16-bit mono PCM WAV at 22050 Hz, each normalised to a peak well
below full scale (no clipping), with short fades at both ends (no clicks).
The sounds are this project's own, released CC0 (see assets/sounds/LICENSE.txt).
"""
import argparse
import math
import os
import random
import struct
import wave

RATE = 22050
TWO_PI = 2.0 * math.pi


# ---- building blocks -------------------------------------------------------

def frames(seconds):
    return int(round(seconds * RATE))


def sweep_phase(n, f0, f1):
    """Phases of an exponential frequency sweep from f0 to f1 Hz over n samples."""
    out, phase = [], 0.0
    for i in range(n):
        f = f0 * (f1 / f0) ** (i / max(1, n - 1))
        out.append(phase)
        phase += TWO_PI * f / RATE
    return out


def lowpass(xs, cutoff):
    """One-pole low-pass; cutoff is a number or a list (Hz per sample)."""
    out, y = [], 0.0
    for i, x in enumerate(xs):
        fc = cutoff[i] if isinstance(cutoff, list) else cutoff
        a = 1.0 - math.exp(-TWO_PI * fc / RATE)
        y += a * (x - y)
        out.append(y)
    return out


def highpass(xs, cutoff):
    lp = lowpass(xs, cutoff)
    return [x - l for x, l in zip(xs, lp)]


def noise(rng, n):
    return [rng.uniform(-1.0, 1.0) for _ in range(n)]


def attack_decay(t, attack, tau):
    """Linear attack over `attack` s, then exponential decay with time constant tau."""
    if t < attack:
        return t / attack
    return math.exp(-(t - attack) / tau)


def fades(xs, fade_in=0.003, fade_out=0.012):
    """Raised-cosine fades at both ends so nothing starts or stops with a click."""
    n = len(xs)
    a, b = max(1, frames(fade_in)), max(1, frames(fade_out))
    out = list(xs)
    for i in range(min(a, n)):
        out[i] *= 0.5 - 0.5 * math.cos(math.pi * i / a)
    for i in range(min(b, n)):
        out[n - 1 - i] *= 0.5 - 0.5 * math.cos(math.pi * i / b)
    return out


def normalise(xs, peak):
    m = max(abs(x) for x in xs) or 1.0
    return [x * peak / m for x in xs]


# ---- the sounds ------------------------------------------------------------

def fire(rng):
    """Rail gun zap, 0.25 s: a buzzy sweep from 2.2 kHz down to 180 Hz over a noise crack."""
    n = frames(0.25)
    ph = sweep_phase(n, 2200.0, 180.0)
    crack = highpass(noise(rng, n), 2500.0)
    xs = []
    for i in range(n):
        t = i / RATE
        tone = math.tanh(2.2 * math.sin(ph[i])) + 0.35 * math.sin(2.0 * ph[i] + 1.3 * math.sin(ph[i]))
        xs.append(tone * attack_decay(t, 0.002, 0.07) + 0.9 * crack[i] * math.exp(-t / 0.012))
    return normalise(fades(lowpass(xs, 7000.0)), 0.6)


def rocket(rng):
    """Launch whoosh, 0.4 s: band-passed noise whose band rises then falls, over a low rumble."""
    n = frames(0.4)
    T = n / RATE
    centre = []
    for i in range(n):
        u = i / max(1, n - 1)
        centre.append(350.0 + 2200.0 * math.sin(math.pi * min(1.0, u * 1.4)) ** 2)
    nz = noise(rng, n)
    band = [h - l for h, l in zip(lowpass(nz, [c * 1.6 for c in centre]), lowpass(nz, [c * 0.5 for c in centre]))]
    ph = sweep_phase(n, 65.0, 110.0)
    xs = []
    for i in range(n):
        t = i / RATE
        env = min(1.0, t / 0.04) * (1.0 - (t / T) ** 2)
        xs.append((2.2 * band[i] + 0.35 * math.sin(ph[i]) + 0.12 * math.sin(2 * ph[i])) * env)
    return normalise(fades(highpass(xs, 30.0), 0.005, 0.03), 0.5)


def explosion(rng):
    """Explosion, 0.6 s: a burst of darkening noise with a decaying low thump."""
    n = frames(0.6)
    cut = [180.0 + 3500.0 * math.exp(-(i / RATE) / 0.12) for i in range(n)]
    rumble = lowpass(lowpass(noise(rng, n), cut), cut)
    ph = sweep_phase(n, 95.0, 32.0)
    xs = []
    for i in range(n):
        t = i / RATE
        body = 3.0 * rumble[i] * attack_decay(t, 0.003, 0.17)
        thump = 0.8 * math.sin(ph[i]) * attack_decay(t, 0.004, 0.11)
        xs.append(body + thump)
    return normalise(fades(highpass(xs, 25.0), 0.002, 0.06), 0.85)


def hit(rng):
    """Hit confirm tick, 0.08 s: a bright, very short bell partial pair."""
    n = frames(0.08)
    xs = []
    for i in range(n):
        t = i / RATE
        s = math.sin(TWO_PI * 1760.0 * t) + 0.45 * math.sin(TWO_PI * 2637.0 * t) + 0.2 * math.sin(TWO_PI * 4186.0 * t)
        xs.append(s * attack_decay(t, 0.001, 0.016))
    return normalise(fades(xs, 0.001, 0.01), 0.45)


def hurt(rng):
    """Being hit, 0.15 s: a short dull falling grunt with a little grit."""
    n = frames(0.15)
    ph = sweep_phase(n, 330.0, 170.0)
    grit = lowpass(noise(rng, n), 1800.0)
    xs = []
    for i in range(n):
        t = i / RATE
        tone = math.tanh(1.6 * math.sin(ph[i])) + 0.3 * math.sin(2 * ph[i])
        xs.append((tone + 0.5 * grit[i]) * attack_decay(t, 0.004, 0.055))
    return normalise(fades(highpass(lowpass(xs, 2200.0), 40.0), 0.002, 0.02), 0.5)


def death(rng):
    """Death, 0.5 s: a falling tone from 520 Hz to 90 Hz with a slow wobble."""
    n = frames(0.5)
    T = n / RATE
    xs, phase = [], 0.0
    for i in range(n):
        t = i / RATE
        u = i / max(1, n - 1)
        f = 520.0 * (90.0 / 520.0) ** u * (1.0 + 0.03 * math.sin(TWO_PI * 7.0 * t))
        phase += TWO_PI * f / RATE
        s = math.sin(phase) + 0.3 * math.sin(2 * phase) + 0.15 * math.sin(3 * phase)
        env = min(1.0, t / 0.01) * (1.0 - t / T) ** 1.5
        xs.append(s * env)
    return normalise(fades(lowpass(xs, 3000.0), 0.003, 0.03), 0.42)


def pickup(rng):
    """Pickup, 0.2 s: a rising chirp from 700 Hz to 1.6 kHz."""
    n = frames(0.2)
    ph = sweep_phase(n, 700.0, 1600.0)
    T = n / RATE
    xs = []
    for i in range(n):
        t = i / RATE
        s = math.sin(ph[i]) + 0.25 * math.sin(2 * ph[i])
        env = min(1.0, t / 0.005) * (1.0 - 0.6 * t / T)
        xs.append(s * env)
    return normalise(fades(xs, 0.003, 0.04), 0.35)


def join(rng):
    """Player joined, 0.2 s: a two-note chime, E5 then A5."""
    n = frames(0.2)
    notes = ((0.0, 659.25), (0.085, 880.0))
    xs = []
    for i in range(n):
        t = i / RATE
        s = 0.0
        for start, f in notes:
            if t >= start:
                u = t - start
                bell = math.sin(TWO_PI * f * u) + 0.3 * math.sin(TWO_PI * 2 * f * u) + 0.08 * math.sin(TWO_PI * 3 * f * u)
                s += bell * attack_decay(u, 0.002, 0.06)
        xs.append(s)
    return normalise(fades(xs, 0.002, 0.03), 0.45)


SOUNDS = (
    ("fire", fire, 101),
    ("rocket", rocket, 102),
    ("explosion", explosion, 103),
    ("hit", hit, 104),
    ("hurt", hurt, 105),
    ("death", death, 106),
    ("pickup", pickup, 107),
    ("join", join, 108),
)


def write_wav(path, xs):
    ints = [max(-32768, min(32767, int(round(x * 32767.0)))) for x in xs]
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack("<%dh" % len(ints), *ints))
    return ints


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate assets/sounds/*.wav")
    ap.add_argument("--out", default=os.path.join(here, "..", "assets", "sounds"), help="output folder")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, make, seed in SOUNDS:
        xs = make(random.Random(seed))
        path = os.path.join(args.out, name + ".wav")
        ints = write_wav(path, xs)
        peak = max(abs(v) for v in ints)
        rms = math.sqrt(sum(v * v for v in ints) / len(ints))
        print("%-14s %.3f s  %5d frames  peak %5d (%5.1f dBFS)  rms %5.1f dBFS" %
              (name + ".wav", len(ints) / RATE, len(ints), peak, 20 * math.log10(peak / 32768.0),
               20 * math.log10(max(rms, 1e-9) / 32768.0)))


if __name__ == "__main__":
    main()
