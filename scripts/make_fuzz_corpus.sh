#!/usr/bin/env bash
# Regenerates the small seed corpora under fuzz/corpus/ (committed; rerun only to change them).
#   nwv/:         valid .nwv files built byte by byte from docs/FORMAT.md (Python, zlib CRC-32), plus damaged ones;
#                 version 2 entropy-coded ones written by build-fuzz/fuzz_nwv (NWAVE_FUZZ_WRITE_SEEDS)
#   range/:       range-coder payloads with their layout, written by build-fuzz/fuzz_range
#   audio/:       tiny WAV (16-bit, float, stereo, 8 kHz), FLAC, OGG/Vorbis, MP3 made with ffmpeg
#   tokens/:      token files as NumPy writes them (np.save, np.savez, np.savez_compressed; int16/int32/uint16,
#                 Fortran order, big-endian) with Debian's /usr/bin/python3 (it has NumPy)
#   safetensors/: tiny safetensors files; a complete (micro) nwave model is written by fuzz_model itself
#                 (NWAVE_FUZZ_WRITE_SEED=path build-fuzz/fuzz_model) when that binary exists.
# The first byte of every audio seed picks the temporary file's extension in fuzz_audio (see fuzz/fuzz_audio.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
C=fuzz/corpus
mkdir -p "$C/nwv" "$C/audio" "$C/safetensors"

python3 - "$C" <<'PY'
import json, struct, sys, zlib, math
C = sys.argv[1]

def nwv(bits, ncb, fpp, samples, codes_fn, hop=128, rate=16000, orate=16000, och=1, fp=0x0123456789abcdef):
    frames = -(-samples // hop)
    h = b"NWVQ" + struct.pack("<HBBIHHIHHQQQ", 1, bits, ncb, rate, hop, fpp, orate, och, 0, frames, samples, fp)
    h += struct.pack("<I", zlib.crc32(h))
    out = bytearray(h)
    index = 0
    for first in range(0, frames, fpp):
        n = min(fpp, frames - first)
        acc, nacc, payload = 0, 0, bytearray()
        for f in range(first, first + n):
            for c in range(ncb):
                acc |= (codes_fn(f, c) & ((1 << bits) - 1)) << nacc
                nacc += bits
                while nacc >= 8:
                    payload.append(acc & 0xFF); acc >>= 8; nacc -= 8
        if nacc: payload.append(acc & 0xFF)
        crc = zlib.crc32(payload, zlib.crc32(struct.pack("<I", index)))
        out += payload + struct.pack("<I", crc)
        index += 1
    return bytes(out)

seeds = {
    "empty_stream.nwv": nwv(10, 4, 250, 0, lambda f, c: 0),
    "tiny_4cb.nwv": nwv(10, 4, 250, 1000, lambda f, c: (f * 37 + c * 101) % 1024),
    "three_packets.nwv": nwv(6, 2, 4, 128 * 10 - 5, lambda f, c: (f + c) % 64),
    "wide_codes.nwv": nwv(16, 1, 3, 700, lambda f, c: (f * 4099) % 65536, hop=64),
    "one_bit.nwv": nwv(1, 3, 5, 300, lambda f, c: (f ^ c) & 1, hop=32),
}
good = seeds["tiny_4cb.nwv"]
seeds["truncated.nwv"] = good[:-3]
flipped = bytearray(good); flipped[60] ^= 0x10; seeds["bitflip_packet.nwv"] = bytes(flipped)
for name, data in seeds.items():
    open(f"{C}/nwv/{name}", "wb").write(data)

def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    if metadata: header["__metadata__"] = metadata
    for name, (dtype, shape, data) in sorted(tensors.items()):
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob

f32 = lambda xs: struct.pack(f"<{len(xs)}f", *xs)
open(f"{C}/safetensors/plain.safetensors", "wb").write(
    safetensors({"a": ("F32", [2, 2], f32([1, 2, 3, 4])), "b": ("I64", [1], struct.pack("<q", 7)),
                 "c": ("U8", [0], b"")}, {"format": "pt"}))
open(f"{C}/safetensors/config_only.safetensors", "wb").write(
    safetensors({"x": ("F16", [2], b"\x00\x3c\x00\x40")},
                {"nwave_config": json.dumps({"family": "spectral", "hop": 32, "analysis_fft": 32, "synthesis_fft": 32,
                                             "channels": 4, "latent_dim": 4, "num_codebooks": 1, "codebook_size": 2,
                                             "encoder_blocks": 0, "decoder_blocks": 0, "mlp_ratio": 1,
                                             "kernel_size": 1})}))
PY

# Audio: a 50 ms chirp in several containers. The first byte is fuzz_audio's extension selector:
# 0 .wav, 1 .flac, 2 .ogg, 3 .mp3 (see kExtensions in fuzz/fuzz_audio.cpp).
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gen() { ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=440:sample_rate=$1:duration=0.05" "${@:2}"; }
gen 16000 -c:a pcm_s16le "$tmp/s16.wav"
gen 8000 -ac 2 -c:a pcm_s16le "$tmp/stereo8k.wav"
gen 16000 -c:a pcm_f32le "$tmp/float.wav"
gen 16000 -c:a pcm_u8 "$tmp/u8.wav"
gen 16000 -c:a flac "$tmp/a.flac"
gen 16000 -c:a libvorbis -q:a 0 "$tmp/a.ogg" 2>/dev/null || gen 16000 -c:a vorbis -strict -2 -ac 2 "$tmp/a.ogg"
gen 16000 -c:a libmp3lame -b:a 32k "$tmp/a.mp3" 2>/dev/null || true
prefix() { { printf "\\x$(printf %02x "$1")"; cat "$2"; } > "$3"; }
prefix 0 "$tmp/s16.wav" "$C/audio/s16.wav.seed"
prefix 0 "$tmp/stereo8k.wav" "$C/audio/stereo8k.wav.seed"
prefix 0 "$tmp/float.wav" "$C/audio/float.wav.seed"
prefix 0 "$tmp/u8.wav" "$C/audio/u8.wav.seed"
prefix 1 "$tmp/a.flac" "$C/audio/a.flac.seed"
prefix 2 "$tmp/a.ogg" "$C/audio/a.ogg.seed"
[[ -f "$tmp/a.mp3" ]] && prefix 3 "$tmp/a.mp3" "$C/audio/a.mp3.seed"

# Version 2 (entropy-coded) .nwv seeds and range-coder payloads are written by the targets themselves (the range
# coder is not reimplemented in Python here; scripts/nwv_reference_decoder.py only decodes).
mkdir -p "$C/range"
[[ -x build-fuzz/fuzz_nwv ]] && NWAVE_FUZZ_WRITE_SEEDS="$C/nwv" build-fuzz/fuzz_nwv -runs=0 >/dev/null 2>&1 || true
[[ -x build-fuzz/fuzz_range ]] && NWAVE_FUZZ_WRITE_SEEDS="$C/range" build-fuzz/fuzz_range -runs=0 >/dev/null 2>&1 || true
if [[ -x build-fuzz/fuzz_model ]]; then
  NWAVE_FUZZ_WRITE_SEED="$C/safetensors/micro_model.safetensors" build-fuzz/fuzz_model -runs=0 >/dev/null 2>&1 || true
fi
mkdir -p "$C/tokens"
/usr/bin/python3 - "$C/tokens" <<'PY'
import sys, numpy as np
d = sys.argv[1]
codes = (np.arange(5 * 12).reshape(5, 12) * 37 % 1024).astype(np.int16)
meta = dict(length=np.int64(12 * 128 - 50), fingerprint=np.uint64(0xfedcba9876543210), sample_rate=np.int64(16000))
np.save(f"{d}/int16.npy", codes)
np.save(f"{d}/int32_fortran.npy", np.asfortranarray(codes.astype(np.int32)))
np.save(f"{d}/uint16_big_endian.npy", codes.astype(">u2"))
np.savez(f"{d}/with_metadata.npz", codes=codes, **meta)
np.savez_compressed(f"{d}/compressed.npz", codes=codes[:2], **meta)
np.savez(f"{d}/codes_only.npz", codes=codes[:1])
PY
ls -l "$C"/*
