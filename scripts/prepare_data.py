#!/usr/bin/env python3
"""Builds the default model's corpus from Debian packages (called by scripts/prepare_data.sh, which installs them).

Everything is decoded to 16 kHz mono 16-bit WAV. The split is fixed (sorted names, no randomness), so every machine
gets the same files:

  OUT/train/prompts/{en,es,ru,es-co}   telephone-menu prompts; every 10th prompt of each voice goes to valid/
  OUT/train/voices/<package>-<lang>    words, letters and syllables by volunteers (ktuberling, klettres)
  OUT/train/music/{opsound,wesnoth}    music on hold; a 45 s excerpt of each orchestral track
  OUT/valid/prompts/...                held-out prompts of the training voices ("training-like")
  OUT/valid/unseen/<lang>              whole languages never trained on, from both volunteer packages
  OUT/valid/music/...                  one music-on-hold piece and three orchestral excerpts never trained on

Clips shorter than a few seconds (most volunteer recordings are single words under 1 s) are joined, in sorted order
and within one speaker folder, into files of at least MIN_JOINED_SECONDS with short silences between them, so that
every file can feed a training crop and every evaluated file is long enough for STOI. Byte-identical recordings
(the package ships some languages under several names) are kept once.
"""
import hashlib
import os
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RATE = 16000
MIN_JOINED_SECONDS = 4.0
GAP_SECONDS = 0.15
MUSIC_EXCERPT_SECONDS = 45.0

# Languages held out of training entirely, in every package: the unseen-speaker split.
UNSEEN_LANGUAGES = {"de", "el", "hu", "he", "sl", "cs", "it"}
HELD_OUT_MOH = {"reno_project-system"}
HELD_OUT_WESNOTH = {"battle-epic", "journeys_end", "the_king_is_dead"}
AUDIO_SUFFIXES = {".ogg", ".wav", ".opus", ".g722", ".gsm"}


def package_files(package):
    listing = subprocess.run(["dpkg", "-L", package], check=True, capture_output=True, text=True).stdout
    return sorted(p for p in listing.splitlines() if Path(p).suffix in AUDIO_SUFFIXES and Path(p).is_file())


def decode(src, start=None, seconds=None):
    """Any file ffmpeg reads -> 16 kHz mono int16 PCM bytes (soxr resampling)."""
    fmt = {".g722": ["-f", "g722"], ".gsm": ["-f", "gsm", "-ar", "8000"]}.get(Path(src).suffix, [])
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error"]
    if start is not None:
        cmd += ["-ss", str(start)]
    cmd += fmt + ["-i", src]
    if seconds is not None:
        cmd += ["-t", str(seconds)]
    cmd += ["-af", "aresample=resampler=soxr", "-ar", str(RATE), "-ac", "1", "-f", "s16le", "-c:a", "pcm_s16le", "-"]
    return subprocess.run(cmd, check=True, capture_output=True).stdout


def duration(src):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", src],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip())


def write_wav(path, pcm):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    os.replace(tmp, path)


class Corpus:
    def __init__(self, out):
        self.out = Path(out)
        self.seen_hashes = set()
        self.jobs = []  # (destination, function returning PCM)

    def unique(self, src):
        digest = hashlib.md5(Path(src).read_bytes()).hexdigest()
        if digest in self.seen_hashes:
            return False
        self.seen_hashes.add(digest)
        return True

    def add(self, dest, make_pcm):
        dest = self.out / dest
        if not dest.exists():
            self.jobs.append((dest, make_pcm))
        return dest

    def add_file(self, dest, src):
        return self.add(dest, lambda: decode(src))

    def add_joined(self, folder, stem, sources):
        """Joins short clips of one speaker into files of at least MIN_JOINED_SECONDS."""
        groups, current, length = [], [], 0.0
        for src, seconds in sources:
            current.append(src)
            length += seconds + GAP_SECONDS
            if length >= MIN_JOINED_SECONDS:
                groups.append(current)
                current, length = [], 0.0
        if current:
            if groups and length < MIN_JOINED_SECONDS / 2:
                groups[-1] += current
            else:
                groups.append(current)
        gap = b"\0\0" * int(GAP_SECONDS * RATE)
        for i, group in enumerate(groups):
            self.add(f"{folder}/{stem}-{i:03d}.wav", lambda g=group: gap.join(decode(s) for s in g))

    def run(self, workers):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done, _ in enumerate(pool.map(lambda job: write_wav(job[0], job[1]()), self.jobs), 1):
                if done % 200 == 0 or done == len(self.jobs):
                    print(f"prepare_data: {done}/{len(self.jobs)} files written", file=sys.stderr)


def every_tenth_held_out(index):
    return index % 10 == 5


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "data"
    workers = max(1, os.cpu_count() or 1)
    corpus = Corpus(out)

    # Prompts: the three Asterisk voices (G.722, already wideband) and the Colombian Spanish voice (GSM, 8 kHz).
    for lang in ("en", "es", "ru"):
        for i, src in enumerate(package_files(f"asterisk-core-sounds-{lang}-g722")):
            rel = src.split("/sounds/", 1)[1].split("/", 1)[1]  # below sounds/<speaker>/
            split = "valid" if every_tenth_held_out(i) else "train"
            if corpus.unique(src):
                corpus.add_file(f"{split}/prompts/{lang}/{rel[: -len('.g722')]}.wav", src)
    for i, src in enumerate(package_files("asterisk-prompt-es-co")):
        split = "valid" if every_tenth_held_out(i) else "train"
        if corpus.unique(src):
            corpus.add_file(f"{split}/prompts/es-co/{Path(src).stem}.wav", src)

    # Volunteer voices: one folder per package and language (klettres: letters and syllables kept apart).
    speakers = {}
    for src in package_files("ktuberling-data"):
        lang = src.split("/sounds/", 1)[1].split("/", 1)[0].split("@")[0]
        speakers.setdefault(("ktuberling", lang, ""), []).append(src)
    for src in package_files("klettres-data"):
        parts = src.split("/usr/share/klettres/", 1)[1].split("/")
        speakers.setdefault(("klettres", parts[0], parts[1] if len(parts) > 2 else ""), []).append(src)
    for (package, lang, part), files in sorted(speakers.items()):
        files = [f for f in files if corpus.unique(f)]
        if not files:
            continue
        sources = [(f, duration(f)) for f in files]
        stem = f"{package}-{lang}" + (f"-{part}" if part else "")
        folder = f"valid/unseen/{lang}" if lang in UNSEEN_LANGUAGES else f"train/voices/{package}-{lang}"
        corpus.add_joined(folder, stem, sources)

    # Music: the music-on-hold pieces whole, the orchestral tracks as excerpts from their middle.
    for src in package_files("asterisk-moh-opsound-g722"):
        name = Path(src).stem
        split = "valid" if name in HELD_OUT_MOH else "train"
        corpus.add_file(f"{split}/music/opsound/{name}.wav", src)
    for src in package_files("wesnoth-1.16-music"):
        name = Path(src).stem
        split = "valid" if name in HELD_OUT_WESNOTH else "train"
        start = max(0.0, duration(src) / 2 - MUSIC_EXCERPT_SECONDS / 2)
        corpus.add(f"{split}/music/wesnoth/{name}.wav",
                   lambda s=src, t=start: decode(s, start=round(t, 3), seconds=MUSIC_EXCERPT_SECONDS))

    corpus.run(workers)
    root = Path(out)
    for split in ("train", "valid"):
        for group in sorted(p for p in (root / split).iterdir() if p.is_dir()):
            wavs = list(group.rglob("*.wav"))
            seconds = sum(w.stat().st_size - 44 for w in wavs) / 2 / RATE
            print(f"prepare_data: {split}/{group.name}: {len(wavs)} files, {seconds / 60:.1f} min")


if __name__ == "__main__":
    main()
