#!/usr/bin/env python3
"""Record, with numpy and zlib, the array-file fixtures of SymGradArrayFilesTests.

Purpose
-------
The module SymGradArrayFiles (Sources/SymGradArrayFiles) reads numpy's .npy and .npz
formats, JSON point files and raw DEFLATE streams with its own code. These fixtures are
written by the reference implementations (numpy's `np.save`/`np.savez`/
`np.savez_compressed`/`numpy.lib.format.write_array`, Python's `zipfile`, zlib), so the
tests check the Swift readers against what users' files actually contain. No test runs
Python: the tests read the files written here and the manifest of expected values.

How to run
----------
From the repository root:  python3 Scripts/record_array_fixtures.py   (numpy 2.x; a
second).  Output is deterministic for a given numpy/zlib (numpy's archives carry the fixed
date 1980-01-01).

What it writes (Tests/Fixtures/arrays/)
---------------------------------------
* `*.npy`: every supported dtype (float64, float32, float16, int64, int32, int16, int8,
  uint64, uint32, uint16, uint8, bool), both byte orders, C and Fortran order, 0-d, empty,
  3-D, format versions 1.0, 2.0 and 3.0; and `reject_*.npy`, valid numpy files the reader
  must refuse (int64/uint64 beyond 2^53, complex, structured dtypes).
* `*.npz`: `np.savez` (stored entries), `np.savez_compressed` (deflate), an archive written
  to a non-seekable stream (data descriptors), one with a ZIP64 end record and ZIP64 extra
  fields in the central directory (Python's ZIP64 thresholds lowered), an empty archive, `large.npz` (a 64 x 1000
  float64 array with structure, 512,000 bytes deflated to about 12 KB with dynamic Huffman
  blocks and long matches; its values are the formula `large_value` below, which the test
  recomputes), and `reject_*.npz` (duplicate names, a non-.npy entry, bzip2 compression,
  an entry that is not a .npy file).
* `points.json`: a JSON point file (numbers, non-finite strings, Python's bare NaN and
  Infinity tokens, booleans, nested lists).
* `deflate/input.bin` and `deflate/*.raw`: raw DEFLATE streams (zlib, wbits=-15) of that
  input at levels 0 (stored blocks), 1, 6 and 9, and with the strategies Z_FIXED (fixed
  Huffman blocks), Z_HUFFMAN_ONLY (literals only) and Z_RLE (distance-1 matches).
* `expected.txt`: one line per array, tab-separated:
  file, entry (`-` for a .npy; the archive entry or JSON name otherwise), element type,
  shape (comma-separated, empty for 0-d), then the row-major values as the hexadecimal
  bit patterns of IEEE binary64 (so -0.0 and NaN are exact), space-separated -- or, for
  `large.npz`, `fnv1a64:<hex>`, the FNV-1a 64 hash of the little-endian bytes of those
  bit patterns.
"""

import io
import os
import zipfile
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "arrays")

ELEMENT = {
    "f8": "float64", "f4": "float32", "f2": "float16",
    "i8": "int64", "i4": "int32", "i2": "int16", "i1": "int8",
    "u8": "uint64", "u4": "uint32", "u2": "uint16", "u1": "uint8", "b1": "bool",
}

manifest = []


def bits(values):
    """The row-major values as binary64 bit patterns in hex."""
    flat = np.ascontiguousarray(values).astype("<f8").reshape(-1)
    return " ".join("%016x" % b for b in flat.view("<u8"))


def expect(file, entry, array):
    array = np.asarray(array)
    element = ELEMENT[array.dtype.str[1:]]
    shape = ",".join(str(d) for d in array.shape)
    manifest.append("\t".join([file, entry, element, shape, bits(array)]))


def path(name):
    return os.path.join(OUT, name)


def save(name, array, version=None):
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


def npy(name, array, version=None):
    save(name, array, version)
    expect(name, "-", array)


def large_value():
    """The 64 x 1000 array of large.npz; SymGradArrayFilesTests recomputes it exactly."""
    i = np.arange(64)[:, None]
    j = np.arange(1000)[None, :]
    return ((j % 50) * (i % 7 + 1) - 3 * (i // 8)) / 4 + ((i * 1000 + j) % 997 == 0) * 0.125


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class NonSeekable(io.RawIOBase):
    """A write-only stream without seek: zipfile then writes data descriptors."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def seekable(self):
        return False

    def write(self, b):
        self.data += b
        return len(b)


def deflate_input():
    """About 24 KB: text with repeats (long and short matches), then skewed pseudo-random
    bytes (many distinct literals, so dynamic codes longer than 9 bits)."""
    text = "".join(
        "line %d: the quick brown fox %s jumps over %d lazy dogs\n" % (k, "very " * (k % 5), k * k % 97)
        for k in range(300)
    ).encode()
    state = 12345
    noise = bytearray()
    for _ in range(6000):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        r = state >> 16
        # Skewed: small values often, every byte value sometimes.
        noise.append(r % 8 if r % 3 else r % 256)
    return text + bytes(noise) + text[:2000]


def raw_deflate(data, level, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(path("deflate"), exist_ok=True)

    # --- .npy: every dtype, both byte orders -------------------------------------------
    f8 = np.array([1.5, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308, 0.1]).reshape(2, 4)
    npy("float64_le.npy", f8.astype("<f8"))
    npy("float64_be.npy", f8.astype(">f8"))
    f4 = np.array([0.1, -2.5, np.inf, np.nan, 3.4028235e38, 1e-45], dtype="<f4")
    npy("float32_le.npy", f4)
    npy("float32_be.npy", f4.astype(">f4"))
    f2 = np.array([1, -0.5, 65504, 6e-8, np.inf, np.nan, -0.0, 0.1], dtype="<f2")
    npy("float16_le.npy", f2)
    npy("float16_be.npy", f2.astype(">f2"))
    i8 = np.array([0, -1, 2**53, -(2**53), 123456789012345, -9007199254740991]).reshape(3, 2)
    npy("int64_le.npy", i8.astype("<i8"))
    npy("int64_be.npy", i8.astype(">i8"))
    i4 = np.array([-(2**31), 2**31 - 1, 0, 7]).reshape(2, 2)
    npy("int32_le.npy", i4.astype("<i4"))
    npy("int32_be.npy", i4.astype(">i4"))
    npy("int16_le.npy", np.array([-32768, 32767, -2], dtype="<i2"))
    npy("int16_be.npy", np.array([-32768, 32767, -2], dtype=">i2"))
    npy("int8.npy", np.array([-128, 127, 0, -1], dtype="i1"))
    npy("uint8.npy", np.array([0, 255, 128], dtype="u1"))
    npy("uint16_be.npy", np.array([0, 65535, 258], dtype=">u2"))
    npy("uint32_le.npy", np.array([0, 4294967295, 65536], dtype="<u4"))
    npy("uint64_le.npy", np.array([0, 2**53, 12345], dtype="<u8"))
    npy("uint64_be.npy", np.array([0, 2**53, 12345], dtype=">u8"))
    npy("bool.npy", np.array([[True, False, True], [False, False, True]]))

    # --- layouts: Fortran order, 3-D, 0-d, empty, versions ------------------------------
    fortran = np.asfortranarray(np.arange(6.0).reshape(2, 3) + 0.5)
    assert fortran.flags.f_contiguous and not fortran.flags.c_contiguous
    npy("fortran_2d.npy", fortran)
    fortran3 = np.asfortranarray(np.arange(24).reshape(2, 3, 4)).astype(">i4")
    assert fortran3.flags.f_contiguous and not fortran3.flags.c_contiguous
    npy("fortran_3d_i4_be.npy", fortran3)
    npy("c_3d.npy", np.arange(24.0).reshape(2, 3, 4) * 0.25 - 1)
    npy("scalar.npy", np.array(3.25))
    npy("scalar_bool.npy", np.array(True))
    npy("empty.npy", np.zeros((0,)))
    npy("empty_3d.npy", np.zeros((2, 0, 3), dtype="<i4"))
    npy("version2.npy", np.array([[1.0, 2.0], [3.0, 4.0]]), version=(2, 0))
    npy("version3.npy", np.array([-1.0, 0.5], dtype=">f8"), version=(3, 0))

    # --- valid numpy files the reader must refuse ---------------------------------------
    save("reject_int64_beyond_2_53.npy", np.array([[1, 2], [3, 2**53 + 1]], dtype="<i8"))
    save("reject_uint64_beyond_2_53.npy", np.array([2**64 - 1], dtype=">u8"))
    save("reject_complex.npy", np.array([1 + 2j]))
    save("reject_structured.npy", np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]))
    save("reject_fortran_int64.npy", np.asfortranarray(np.array([[0, 1, 2], [3, 4, -(2**60)]], dtype="<i8")))

    # --- .npz ------------------------------------------------------------------------------
    arrays = {
        "weights": np.arange(12.0).reshape(3, 4) / 8,
        "bias": np.array([-1.0, np.inf, np.nan]),
        "count": np.array(7, dtype="<i8"),
        "mask": np.array([True, False]),
        "fortran": np.asfortranarray(np.arange(6, dtype=">i4").reshape(3, 2)),
    }
    np.savez(path("stored.npz"), **arrays)
    np.savez_compressed(path("compressed.npz"), **arrays)
    stream = NonSeekable()
    np.savez_compressed(stream, **arrays)
    with open(path("streamed.npz"), "wb") as f:
        f.write(stream.data)
    for file in ("stored.npz", "compressed.npz", "streamed.npz"):
        for name, a in arrays.items():
            expect(file, name, a)
    with zipfile.ZipFile(path("streamed.npz")) as z:
        assert all(i.flag_bits & 0x08 for i in z.infolist()), "streamed.npz needs data descriptors"
    np.savez(path("empty_archive.npz"))
    # A ZIP64 end-of-central-directory record and locator, and ZIP64 extra fields in the
    # central directory (sizes and local header offsets), which Python writes only past
    # 65,535 entries or 4 GiB: lower its thresholds for this one archive.
    limits = (zipfile.ZIP_FILECOUNT_LIMIT, zipfile.ZIP64_LIMIT)
    zipfile.ZIP_FILECOUNT_LIMIT, zipfile.ZIP64_LIMIT = 1, 0
    try:
        np.savez(path("zip64_everywhere.npz"), **arrays)
    finally:
        zipfile.ZIP_FILECOUNT_LIMIT, zipfile.ZIP64_LIMIT = limits
    with open(path("zip64_everywhere.npz"), "rb") as f:
        assert b"PK\x06\x06" in f.read(), "zip64_everywhere.npz needs a ZIP64 end record"
    for name, a in arrays.items():
        expect("zip64_everywhere.npz", name, a)

    big = large_value()
    np.savez_compressed(path("large.npz"), big=big)
    digest = fnv1a64(big.astype("<f8").view("<u8").astype("<u8").tobytes())
    manifest.append("\t".join(["large.npz", "big", "float64", "64,1000", "fnv1a64:%016x" % digest]))

    def npy_bytes(a):
        b = io.BytesIO()
        np.lib.format.write_array(b, a)
        return b.getvalue()

    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(path("reject_duplicate.npz"), "w") as z:
            z.writestr("a.npy", npy_bytes(np.arange(2.0)))
            z.writestr("a.npy", npy_bytes(np.arange(3.0)))
    with zipfile.ZipFile(path("reject_not_npy.npz"), "w") as z:
        z.writestr("a.npy", npy_bytes(np.arange(2.0)))
        z.writestr("notes.txt", b"not an array\n")
    with zipfile.ZipFile(path("reject_bzip2.npz"), "w", compression=zipfile.ZIP_BZIP2) as z:
        z.writestr("a.npy", npy_bytes(np.arange(2.0)))
    with zipfile.ZipFile(path("reject_bad_entry.npz"), "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("good.npy", npy_bytes(np.arange(2.0)))
        z.writestr("bad.npy", b"\x93NUMPY\x01\x00\x10\x00[1, 2]         \n")

    # --- JSON point file -----------------------------------------------------------------
    points = (
        '{\n'
        '  "x": 1.5,\n'
        '  "y": -2,\n'
        '  "tenth": 0.1,\n'
        '  "third": 0.3333333333333333,\n'
        '  "big": 1.7976931348623157e308,\n'
        '  "tiny": 5e-324,\n'
        '  "exponent": -12.5E-3,\n'
        '  "pinf": "inf",\n'
        '  "ninf": "-inf",\n'
        '  "nan": "nan",\n'
        '  "spellings": ["+inf", "Infinity", "-Infinity", "NaN", "INF"],\n'
        '  "python": [NaN, Infinity, -Infinity],\n'
        '  "flag": true,\n'
        '  "mask": [true, false, true],\n'
        '  "mixed": [1, false],\n'
        '  "m": [[1, 2, 3], [4, 5, 6]],\n'
        '  "t": [[[1, 2], [3, 4]], [[5, "nan"], [7, 8e-1]]],\n'
        '  "empty": [],\n'
        '  "empty_rows": [[], []],\n'
        '  "caf\\u00e9 \\ud83d\\ude00": 0\n'
        '}\n'
    )
    with open(path("points.json"), "w") as f:
        f.write(points)
    json_expected = [
        ("x", np.array(1.5)), ("y", np.array(-2.0)), ("tenth", np.array(0.1)),
        ("third", np.array(0.3333333333333333)), ("big", np.array(1.7976931348623157e308)),
        ("tiny", np.array(5e-324)), ("exponent", np.array(-12.5e-3)),
        ("pinf", np.array(np.inf)), ("ninf", np.array(-np.inf)), ("nan", np.array(np.nan)),
        ("spellings", np.array([np.inf, np.inf, -np.inf, np.nan, np.inf])),
        ("python", np.array([np.nan, np.inf, -np.inf])),
        ("flag", np.array(True)), ("mask", np.array([True, False, True])),
        ("mixed", np.array([1.0, 0.0])),
        ("m", np.array([[1.0, 2, 3], [4, 5, 6]])),
        ("t", np.array([[[1.0, 2], [3, 4]], [[5, np.nan], [7, 0.8]]])),
        ("empty", np.zeros((0,))), ("empty_rows", np.zeros((2, 0))),
        ("caf\u00e9 \U0001F600", np.array(0.0)),
    ]
    for name, a in json_expected:
        expect("points.json", name, a)

    # --- raw DEFLATE streams -------------------------------------------------------------
    data = deflate_input()
    with open(path("deflate/input.bin"), "wb") as f:
        f.write(data)
    streams = {
        "stored.raw": raw_deflate(data, 0),
        "level1.raw": raw_deflate(data, 1),
        "level6.raw": raw_deflate(data, 6),
        "level9.raw": raw_deflate(data, 9),
        "fixed.raw": raw_deflate(data, 6, zlib.Z_FIXED),
        "huffman_only.raw": raw_deflate(data, 6, zlib.Z_HUFFMAN_ONLY),
        "rle.raw": raw_deflate(data, 6, zlib.Z_RLE),
    }
    for name, stream in streams.items():
        assert zlib.decompress(stream, -15) == data
        with open(path("deflate/" + name), "wb") as f:
            f.write(stream)

    with open(path("expected.txt"), "w") as f:
        f.write("# Written by Scripts/record_array_fixtures.py (numpy %s); see its header.\n" % np.__version__)
        f.write("# file\tentry\telement\tshape\tvalues (binary64 bit patterns, row-major)\n")
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
