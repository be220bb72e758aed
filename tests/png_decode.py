#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A PNG decoder independent of virtsim's writer, for test_display.

Reads an 8-bit RGB or RGBA, non-interlaced PNG with Python's zlib and
struct only, checks the signature, every chunk's CRC and the chunk
order, undoes all five row filters, and prints "WIDTH HEIGHT" on one
line followed by the raw RGB bytes. Exits non-zero with a message on
anything it does not accept.
"""
import struct
import sys
import zlib


def fail(msg):
    sys.stderr.write("png_decode: %s\n" % msg)
    sys.exit(1)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("bad signature")
    pos, chunks = 8, []
    while pos < len(data):
        if pos + 12 > len(data):
            fail("truncated chunk at %d" % pos)
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            fail("bad CRC in %r" % ctype)
        chunks.append((ctype, body))
        pos += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        fail("IHDR must come first and IEND last")
    width, height, depth, colour, comp, filt, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1])
    if depth != 8 or colour not in (2, 6) or comp or filt or interlace:
        fail("unsupported IHDR %r" % (chunks[0][1],))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(b for t, b in chunks if t == b"IDAT"))
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        fail("%d bytes of rows, want %d" % (len(raw), height * (stride + 1)))
    out, prev = bytearray(), bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            elif ftype == 4:
                pred = paeth(a, b, c)
            else:
                fail("bad filter type %d" % ftype)
            row[i] = (row[i] + pred) & 0xFF
        for x in range(width):
            out += row[x * bpp:x * bpp + 3]
        prev = row
    sys.stdout.buffer.write(b"%d %d\n" % (width, height))
    sys.stdout.buffer.write(bytes(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: png_decode.py FILE")
    main(sys.argv[1])
