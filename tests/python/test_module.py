"""nwave (Python) against the nwave command and against itself: tokens, encode, decode, detokenize, streaming,
batches, errors, the GIL, the missing default model, and examples/tokens.py."""
import ctypes
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import nwave
from conftest import SOURCE_DIR, as_wav16, read_wav, write_wav

BITRATES = [None, 2.5]  # None: the default, 6.25 kbps


def kbps_args(kbps):
    return [] if kbps is None else ["--bitrate", kbps]


@pytest.mark.parametrize("name", ["mono16k", "stereo44k"])
@pytest.mark.parametrize("kbps", BITRATES)
def test_tokens_equal_the_commands_npy(model, nwave_cli, wav_files, tmp_path, name, kbps):
    path, samples, rate = wav_files[name]
    nwave_cli("tokens", path, tmp_path / "t.npy", *kbps_args(kbps))
    expected = np.load(tmp_path / "t.npy")
    codes = model.tokens(samples, sample_rate=rate, kbps=kbps)
    assert codes.dtype == np.int16 and codes.shape == expected.shape
    assert codes.shape[0] == (5 if kbps is None else 2)
    np.testing.assert_array_equal(codes, expected)
    # float input holding the same values as the int16 file reads the same
    as_float = samples.astype(np.float32) / 32768
    np.testing.assert_array_equal(model.tokens(as_float, rate, kbps), expected)


@pytest.mark.parametrize("name", ["mono16k", "stereo44k"])
@pytest.mark.parametrize("kbps", BITRATES)
def test_encode_bytes_equal_the_commands_nwv(model, nwave_cli, wav_files, tmp_path, name, kbps):
    path, samples, rate = wav_files[name]
    nwave_cli("encode", path, tmp_path / "x.nwv", *kbps_args(kbps))
    blob = model.encode(samples, sample_rate=rate, kbps=kbps)
    assert isinstance(blob, bytes)
    assert blob == (tmp_path / "x.nwv").read_bytes()
    info = nwave.stream_info(blob)
    assert (info["original_rate"], info["original_channels"]) == (rate, np.atleast_2d(samples).shape[0])
    n = np.atleast_2d(samples).shape[1]
    assert info["samples"] == (n * 16000 + rate // 2) // rate  # the resampler's length: rounded, halves up


@pytest.mark.parametrize("name", ["mono16k", "stereo44k"])
def test_decode_equals_the_commands_wav(model, nwave_cli, wav_files, tmp_path, name):
    path, samples, rate = wav_files[name]
    nwave_cli("encode", path, tmp_path / "x.nwv")
    nwave_cli("decode", tmp_path / "x.nwv", tmp_path / "y.wav")
    expected, out_rate = read_wav(tmp_path / "y.wav")
    audio = model.decode((tmp_path / "x.nwv").read_bytes())
    assert out_rate == 16000 and audio.dtype == np.float32
    assert len(audio) == len(expected) == nwave.stream_info((tmp_path / "x.nwv").read_bytes())["samples"]
    np.testing.assert_array_equal(as_wav16(audio), expected)
    # a lower bitrate drops codebooks, as `nwave decode --bitrate`
    nwave_cli("decode", tmp_path / "x.nwv", tmp_path / "z.wav", "--bitrate", 2.5)
    low, _ = read_wav(tmp_path / "z.wav")
    np.testing.assert_array_equal(as_wav16(model.decode((tmp_path / "x.nwv").read_bytes(), kbps=2.5)), low)


@pytest.mark.parametrize("kbps", BITRATES)
def test_detokenize_equals_decode_of_the_same_stream(model, wav_files, kbps):
    _, samples, rate = wav_files["stereo44k"]
    codes = model.tokens(samples, rate, kbps)
    blob = model.encode(samples, rate, kbps)
    decoded = model.decode(blob)
    full = model.detokenize(codes)
    assert full.dtype == np.float32 and len(full) == codes.shape[1] * model.hop
    np.testing.assert_array_equal(model.detokenize(codes, length=len(decoded)), decoded)
    np.testing.assert_array_equal(full[: len(decoded)], decoded)


def test_the_command_decodes_tokens(model, nwave_cli, wav_files, tmp_path):
    path, samples, rate = wav_files["stereo44k"]
    nwave_cli("encode", path, tmp_path / "x.nwv")
    nwave_cli("decode", tmp_path / "x.nwv", tmp_path / "from_nwv.wav")
    from_nwv, _ = read_wav(tmp_path / "from_nwv.wav")
    # .npz: codes + length + fingerprint + sample_rate; decodes to the original length, as the .nwv
    nwave_cli("tokens", path, tmp_path / "t.npz")
    z = np.load(tmp_path / "t.npz")
    assert sorted(z.files) == ["codes", "fingerprint", "length", "sample_rate"]
    np.testing.assert_array_equal(z["codes"], model.tokens(samples, rate))
    assert int(z["length"]) == len(from_nwv) and int(z["fingerprint"]) == model.fingerprint
    assert int(z["sample_rate"]) == 16000
    nwave_cli("decode", tmp_path / "t.npz", tmp_path / "from_npz.wav")
    np.testing.assert_array_equal(read_wav(tmp_path / "from_npz.wav")[0], from_nwv)
    # the .nwv's tokens as .npz: the same file
    nwave_cli("tokens", tmp_path / "x.nwv", tmp_path / "u.npz")
    for key in z.files:
        np.testing.assert_array_equal(np.load(tmp_path / "u.npz")[key], z[key])
    # a plain .npy decodes too, at frames * hop samples
    nwave_cli("tokens", path, tmp_path / "t.npy")
    nwave_cli("decode", tmp_path / "t.npy", tmp_path / "from_npy.wav")
    from_npy, _ = read_wav(tmp_path / "from_npy.wav")
    assert len(from_npy) == z["codes"].shape[1] * model.hop
    np.testing.assert_array_equal(from_npy[: len(from_nwv)], from_nwv)
    # what Python writes: np.savez_compressed with int32 codes, Fortran order, and tokens of a lower bitrate
    codes = model.tokens(samples, rate, kbps=2.5)
    np.savez_compressed(tmp_path / "p.npz", codes=np.asfortranarray(codes.astype(np.int32)),
                        length=np.int64(len(from_nwv)), fingerprint=np.uint64(model.fingerprint),
                        sample_rate=np.int64(16000))
    nwave_cli("decode", tmp_path / "p.npz", tmp_path / "p.wav")
    np.testing.assert_array_equal(read_wav(tmp_path / "p.wav")[0],
                                  as_wav16(model.detokenize(codes, length=len(from_nwv))))
    # --bitrate keeps the coarsest codebooks of tokens too
    nwave_cli("decode", tmp_path / "t.npz", tmp_path / "low.wav", "--bitrate", 2.5)
    np.testing.assert_array_equal(read_wav(tmp_path / "low.wav")[0],
                                  as_wav16(model.detokenize(z["codes"][:2], length=len(from_nwv))))


def test_the_command_refuses_bad_tokens(model, nwave_cli, tmp_path):
    cases = {
        "out_of_range.npy": lambda p: np.save(p, np.full((2, 10), model.codebook_size, np.int16)),
        "three_d.npy": lambda p: np.save(p, np.zeros((1, 2, 10), np.int16)),
        "floats.npy": lambda p: np.save(p, np.zeros((2, 10), np.float32)),
        "too_many_codebooks.npy": lambda p: np.save(p, np.zeros((model.num_codebooks + 1, 10), np.int16)),
        "other_model.npz": lambda p: np.savez(p, codes=np.zeros((2, 10), np.int16), length=np.int64(1000),
                                              fingerprint=np.uint64(model.fingerprint ^ 1), sample_rate=np.int64(16000)),
        "long.npz": lambda p: np.savez(p, codes=np.zeros((2, 10), np.int16), length=np.int64(10 * 128 + 1),
                                       fingerprint=np.uint64(model.fingerprint), sample_rate=np.int64(16000)),
        "no_codes.npz": lambda p: np.savez(p, other=np.zeros(3)),
    }
    for name, write in cases.items():
        write(tmp_path / name)
        data = (tmp_path / name).read_bytes()
        (tmp_path / ("truncated_" + name)).write_bytes(data[: len(data) * 2 // 3])
    for name in sorted(os.listdir(tmp_path)):
        if name.endswith(".wav"):
            continue
        result = nwave_cli("decode", tmp_path / name, tmp_path / (name + ".wav"), check=False)
        assert result.returncode == 1, name
        assert result.stderr.startswith("nwave: error:") and result.stderr.count("\n") == 1, result.stderr
        assert not (tmp_path / (name + ".wav")).exists()
    result = nwave_cli("decode", tmp_path / "other_model.npz", tmp_path / "forced.wav", "--force")
    assert result.returncode == 0


def test_streaming_equals_offline(model, speech):
    codes = model.tokens(speech, 16000)
    encoder = nwave.StreamingEncoder(model)
    decoder = nwave.StreamingDecoder(model)
    x = speech.astype(np.float32) / 32768
    rng = np.random.default_rng(1)
    got, audio, at = [], [], 0
    while at < len(x):
        n = int(rng.integers(1, 700))
        chunk_codes = encoder.push(x[at : at + n])
        got.append(chunk_codes)
        audio.append(decoder.push(chunk_codes))
        at += n
    got.append(encoder.flush())
    audio.append(decoder.push(got[-1]))
    audio.append(decoder.flush())
    streamed = np.concatenate(got, axis=1)
    np.testing.assert_array_equal(streamed, codes)
    np.testing.assert_array_equal(np.concatenate(audio), model.detokenize(codes))
    assert decoder.delay_frames == 1 and encoder.num_codebooks == 5


def test_batches_are_lists(model, wav_files):
    items = [wav_files["mono16k"][1], wav_files["mono16k"][1][:3000]]
    codes = model.tokens(items, 16000)
    assert [c.shape[1] for c in codes] == [-(-len(a) // 128) for a in items]
    for a, c in zip(items, codes):
        np.testing.assert_array_equal(c, model.tokens(a, 16000))
    blobs = model.encode(items, 16000)
    assert blobs == [model.encode(a, 16000) for a in items]
    decoded = model.decode(blobs)
    assert [len(d) for d in decoded] == [len(a) for a in items]
    audio = model.detokenize(codes, length=[len(a) for a in items])
    for d, a in zip(decoded, audio):
        np.testing.assert_array_equal(d, a)
    with pytest.raises(nwave.Error, match="length is a list of 1 for a batch of 2"):
        model.detokenize(codes, length=[len(items[0])])


def expect_error(code, function, *args, **kwargs):
    with pytest.raises(nwave.Error) as info:
        function(*args, **kwargs)
    assert info.value.code == code, str(info.value)
    assert isinstance(info.value, ValueError) and str(info.value) and "\n" not in str(info.value)
    return str(info.value)


def test_bad_input_raises_the_librarys_error(model, speech):
    bad_arg, corrupt = -1, -4
    x = speech.astype(np.float32) / 32768
    assert "outside" in expect_error(bad_arg, model.tokens, x, 16000, kbps=0)
    assert "outside" in expect_error(bad_arg, model.tokens, x, 16000, kbps=11)
    expect_error(bad_arg, model.encode, x, 16000, kbps=0.5)
    expect_error(bad_arg, model.tokens, x, 0)
    expect_error(bad_arg, model.tokens, x, 16000.0)
    expect_error(bad_arg, model.tokens, x.astype(np.int32), 16000)
    expect_error(bad_arg, model.tokens, x.reshape(1, 1, -1), 16000)
    assert "[samples, channels]" in expect_error(bad_arg, model.tokens, np.zeros((1000, 2), np.float32), 16000)
    nan = x.copy()
    nan[100] = np.nan
    expect_error(-3, model.tokens, nan, 44100)  # NWAVE_BAD_AUDIO, as a file with NaN
    codes = model.tokens(x, 16000)
    too_big = codes.copy()
    too_big[1, 3] = model.codebook_size
    assert "outside the codebook" in expect_error(bad_arg, model.detokenize, too_big)
    expect_error(bad_arg, model.detokenize, -codes - 1)
    expect_error(bad_arg, model.detokenize, codes.astype(np.float32))
    expect_error(bad_arg, model.detokenize, codes[0])
    expect_error(bad_arg, model.detokenize, np.zeros((model.num_codebooks + 1, 4), np.int16))
    expect_error(bad_arg, model.detokenize, codes, length=codes.shape[1] * 128 + 1)
    blob = bytearray(model.encode(x, 16000))
    blob[len(blob) // 2] ^= 0x40
    assert "corrupt" in expect_error(corrupt, model.decode, bytes(blob))
    expect_error(corrupt, model.decode, b"")
    expect_error(corrupt, model.decode, b"NWVQ" + bytes(40))
    expect_error(bad_arg, model.decode, "not bytes")
    expect_error(bad_arg, model.decode, model.encode(x, 16000, kbps=2.5), kbps=5)
    expect_error(bad_arg, nwave.StreamingEncoder, model, kbps=0)
    decoder = nwave.StreamingDecoder(model, kbps=2.5)
    expect_error(bad_arg, decoder.push, codes)  # 5 codebooks into a 2-codebook decoder
    expect_error(bad_arg, nwave.StreamingEncoder(model).push, np.zeros((2, 100), np.float32))
    expect_error(-2, nwave.Model, "/nonexistent/model.safetensors")  # NWAVE_IO_ERROR


def test_the_gil_is_released_and_threads_share_a_model(model, wav_files):
    # ctypes releases the GIL around every call into a CDLL (a PyDLL would keep it)
    assert type(nwave._native.lib) is ctypes.CDLL
    _, samples, rate = wav_files["stereo44k"]
    expected = model.tokens(samples, rate)
    results = [None] * 4

    def work(i):
        results[i] = model.tokens(samples, rate)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_threads_give_the_same_results(model, speech):
    # 8.5 s: more than 3 of the shortest parallel blocks (8 x the decoder's 42-frame warm-up, docs/API.md "Threads"),
    # so 2 and 3 threads really cut the signal into 2 and 3 blocks, each warmed up on the frames before it
    x = np.tile(speech, 13)[:136000]
    codes = model.tokens(x, 16000)
    blob = model.encode(x, 16000)
    audio = model.decode(blob)
    for threads in (2, 3):
        np.testing.assert_array_equal(model.tokens(x, 16000, threads=threads), codes)
        assert model.encode(x, 16000, threads=threads) == blob
        np.testing.assert_array_equal(model.decode(blob, threads=threads), audio)
        np.testing.assert_array_equal(model.detokenize(codes, len(x), threads=threads), audio)


def test_batches_on_threads_keep_their_order(model, speech):
    items = [speech[: 1000 * (i + 1)] for i in range(5)]
    codes = model.tokens(items, 16000)
    blobs = model.encode(items, 16000)
    audio = model.decode(blobs)
    for threads in (2, 3, 0):
        for got, want in zip(model.tokens(items, 16000, threads=threads), codes, strict=True):
            np.testing.assert_array_equal(got, want)
        assert model.encode(items, 16000, threads=threads) == blobs
        for got, want in zip(model.decode(blobs, threads=threads), audio, strict=True):
            np.testing.assert_array_equal(got, want)
        lengths = [len(a) for a in items]
        for got, want in zip(model.detokenize(codes, lengths, threads=threads), audio, strict=True):
            np.testing.assert_array_equal(got, want)
    # a failing item fails the batch with its own error, whatever the thread count
    broken = blobs[:2] + [b"NWVQ" + bytes(40)] + blobs[3:]
    expect_error(-4, model.decode, broken, threads=3)


def test_bad_thread_counts_are_refused(model, speech):
    x = speech.astype(np.float32) / 32768
    codes = model.tokens(x, 16000)
    blob = model.encode(x, 16000)
    for threads in (-1, 257, 1000, 1.5, "2", None, True):
        assert "threads must be 1 to 256" in expect_error(-1, model.tokens, x, 16000, threads=threads)
        expect_error(-1, model.tokens, [x, x], 16000, threads=threads)
        expect_error(-1, model.encode, x, 16000, threads=threads)
        expect_error(-1, model.decode, [blob], threads=threads)
        expect_error(-1, model.detokenize, codes, threads=threads)


def run_python(code, **env):
    environment = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)


def test_import_needs_no_model_and_no_libtorch():
    code = (
        "import nwave\n"
        "maps = open('/proc/self/maps').read()\n"
        "assert 'libtorch' not in maps and 'libc10' not in maps, 'LibTorch loaded'\n"
        "try:\n"
        "    nwave.Model()\n"
        "except nwave.Error as e:\n"
        "    print(e)\n"
    )
    result = run_python(code, NWAVE_MODEL="/nonexistent/dir/model.safetensors")
    assert result.returncode == 0, result.stderr
    assert "/nonexistent/dir/model.safetensors" in result.stdout and "NWAVE_MODEL" in result.stdout


def test_without_a_default_model_the_message_says_where_it_looked():
    # As Cli.WithoutAModelTheMessageSaysPassModel: only where the source tree has no shipped model (the library
    # also looks there, so a checkout with the model always finds one).
    if os.path.exists(os.path.join(SOURCE_DIR, "models", "nwave-16k.safetensors")):
        pytest.skip("a default model is present")
    result = run_python("import nwave\ntry:\n    nwave.Model()\nexcept nwave.Error as e:\n    print(e)\n",
                        NWAVE_MODEL="")
    assert result.returncode == 0, result.stderr
    assert "looked for" in result.stdout and "nwave.Model(path)" in result.stdout, result.stdout


def test_examples_tokens_py(tmp_path, wav_files):
    folder = tmp_path / "audio"
    folder.mkdir()
    for name, (path, samples, rate) in wav_files.items():
        write_wav(folder / f"{name}.wav", samples, rate)
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "tokens.py"), str(folder), str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in wav_files:
        assert f"{name}.wav" in result.stdout
        z = np.load(out / f"{name}.npz")
        assert z["codes"].shape[0] == 5
        decoded, rate = read_wav(out / f"{name}.decoded.wav")
        assert rate == 16000 and len(decoded) == int(z["length"])
