#!/usr/bin/env python3
"""An independent reader of .nwv files (versions 1 and 2), written from docs/FORMAT.md alone.

It exists to show that the format text is complete: tests/entropy_bitstream_test.cpp runs it on files written by
the C++ writer and compares the codes. Plain Python, no dependencies. Usage:
    nwv_reference_decoder.py FILE.nwv      prints one line per frame: the codes, space-separated
"""
import struct
import sys
import zlib


def read_header(data):
    if data[:4] != b"NWVQ":
        raise ValueError("not a .nwv file")
    (version,) = struct.unpack_from("<H", data, 4)
    if version not in (1, 2):
        raise ValueError(f"unsupported version {version}")
    if zlib.crc32(data[:48]) != struct.unpack_from("<I", data, 48)[0]:
        raise ValueError("header CRC mismatch")
    (_, b, n_cb, rate, hop, fpp, orate, och, flags, frames, samples, fp) = struct.unpack_from(
        "<HBBIHHIHHQQQ", data, 4)
    if version == 1 and flags != 0 or flags & ~1:
        raise ValueError("bad flags")
    if frames != -(-samples // hop):
        raise ValueError("frame_count does not match original_samples")
    return dict(version=version, bits=b, codebooks=n_cb, fpp=fpp, frames=frames, entropy=bool(flags & 1))


def unpack(payload, count, bits):
    x = int.from_bytes(payload, "little")
    if x >> (count * bits):
        raise ValueError("non-zero padding")
    return [(x >> (j * bits)) & ((1 << bits) - 1) for j in range(count)]


class RangeDecoder:
    def __init__(self, payload):
        if len(payload) < 4:
            raise ValueError("payload too short")
        self.data, self.pos = payload, 4
        self.range = 0xFFFFFFFF
        self.code = int.from_bytes(payload[:4], "big")

    def _normalize(self):
        while self.range < (1 << 24):
            if self.pos == len(self.data):
                raise ValueError("payload ends too early")
            self.range = (self.range << 8) & 0xFFFFFFFF
            self.code = ((self.code << 8) | self.data[self.pos]) & 0xFFFFFFFF
            self.pos += 1

    def bit(self, probs, i):
        p = probs[i]
        bound = (self.range >> 12) * p
        if self.code < bound:
            self.range, bit = bound, 0
            probs[i] = p + ((4096 - p) >> 4)
        else:
            self.code -= bound
            self.range -= bound
            bit = 1
            probs[i] = p - (p >> 4)
        self._normalize()
        return bit

    def symbol(self, counts, excluded):
        total = sum(counts) - (counts[excluded] if excluded is not None else 0)
        r = self.range // total
        v = self.code // r
        if v >= total:
            raise ValueError("impossible value")
        cum = 0
        for s, f in enumerate(counts):
            if s == excluded:
                continue
            if v < cum + f:
                self.code -= r * cum
                self.range = r * f
                self._normalize()
                return s
            cum += f
        raise AssertionError("unreachable")


def decode_range_packet(payload, n, n_cb, bits):
    dec = RangeDecoder(payload)
    probs = [[2048] * 9 for _ in range(n_cb)]  # index 3 * a + b
    counts = [[1] * (1 << bits) for _ in range(n_cb)]
    codes = []
    prev_state = [2] * n_cb
    for f in range(n):
        frame, state = [], []
        for c in range(n_cb):
            excluded = None
            if f > 0:
                a = state[c - 1] if c > 0 else 2
                if dec.bit(probs[c], 3 * a + prev_state[c]):
                    frame.append(codes[f - 1][c])
                    state.append(1)
                    continue
                excluded = codes[f - 1][c]
                state.append(0)
            else:
                state.append(2)
            s = dec.symbol(counts[c], excluded)
            frame.append(s)
            counts[c][s] += 4
            if sum(counts[c]) > 65536:
                counts[c] = [(k + 1) >> 1 for k in counts[c]]
        codes.append(frame)
        prev_state = state
    if dec.pos != len(payload):
        raise ValueError("bytes after the last code")
    return codes


def read_nwv(data):
    h = read_header(data)
    b, n_cb, fpp, frames = h["bits"], h["codebooks"], h["fpp"], h["frames"]
    pos, out = 52, []
    for i in range(-(-frames // fpp)):
        n = min(fpp, frames - i * fpp)
        fixed = -(-(n * n_cb * b) // 8)
        index = struct.pack("<I", i)
        if not h["entropy"]:
            payload = data[pos:pos + fixed]
            (crc,) = struct.unpack_from("<I", data, pos + fixed)
            if len(payload) != fixed or zlib.crc32(index + payload) != crc:
                raise ValueError(f"packet {i}: damaged")
            flat = unpack(payload, n * n_cb, b)
            out += [flat[f * n_cb:(f + 1) * n_cb] for f in range(n)]
            pos += fixed + 4
            continue
        length, coding = struct.unpack_from("<IB", data, pos)
        body = data[pos:pos + 5 + length]
        (crc,) = struct.unpack_from("<I", data, pos + 5 + length)
        if zlib.crc32(index, zlib.crc32(body)) != crc:
            raise ValueError(f"packet {i}: damaged")
        payload = body[5:]
        if coding == 0 and length == fixed:
            flat = unpack(payload, n * n_cb, b)
            out += [flat[f * n_cb:(f + 1) * n_cb] for f in range(n)]
        elif coding == 1 and 4 <= length < fixed and b <= 12:
            out += decode_range_packet(payload, n, n_cb, b)
        else:
            raise ValueError(f"packet {i}: impossible length or coding")
        pos += 5 + length + 4
    if pos != len(data):
        raise ValueError("bytes after the last packet")
    return out


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        for frame in read_nwv(f.read()):
            print(" ".join(map(str, frame)))
