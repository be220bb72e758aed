#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Images from the GPU tests, read with nothing of virtsim's: PNG through
Python's zlib and struct, X window dumps (xwd) through struct.

  gpu_image.py --check-pattern FRAME FILE W H [--except-cursor X Y]
      FILE is W x H and shows frame FRAME of the test pattern: the colour
      bars and the moving gradient exactly, the text band black and white
      with some text.
  gpu_image.py --compare A B [--except-cursor X Y]
      A and B have the same size and pixels.

With --except-cursor, pixels under the 64x64 box of a cursor at (X, Y)
(hotspot 1,1) are not looked at.
"""
import struct
import sys
import zlib


def read_png(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ValueError("bad CRC in " + kind.decode())
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("want 8-bit RGB or RGBA, not interlaced")
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
            elif f != 0:
                raise ValueError("bad filter %d" % f)
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def read_xwd(data):
    hdr = struct.unpack(">25I", data[:100])
    size, fmt, w, h = hdr[0], hdr[2], hdr[4], hdr[5]
    order, bits, line = hdr[7], hdr[11], hdr[12]
    masks, ncolors = hdr[14:17], hdr[19]
    if fmt != 2 or bits != 32:
        raise ValueError("want a 32-bit ZPixmap dump")
    pos = size + ncolors * 12
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    end = "<" if order == 0 else ">"
    rows = []
    for y in range(h):
        px = struct.unpack_from("%s%dI" % (end, w), data, pos + y * line)
        rows.append([tuple((p & m) >> s for m, s in zip(masks, shifts))
                     for p in px])
    return w, h, rows


def read_image(path):
    data = open(path, "rb").read()
    return read_png(data) if data[:4] == b"\x89PNG" else read_xwd(data)


BARS = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0),
        (255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0)]


def under_cursor(cursor, x, y):
    return cursor is not None and 0 <= x - cursor[0] + 1 < 64 and \
        0 <= y - cursor[1] + 1 < 64


def check_pattern(frame, path, want_w, want_h, cursor):
    w, h, rows = read_image(path)
    if (w, h) != (want_w, want_h):
        return "size %dx%d, want %dx%d" % (w, h, want_w, want_h)
    scale = 2 if h >= 480 else 1
    text_y = h - 9 * scale if h > 9 * scale else 0
    bars_h = text_y * 2 // 3
    for y in range(bars_h):
        for x in range(w):
            if not under_cursor(cursor, x, y) and rows[y][x] != BARS[x * 8 // w]:
                return "bar pixel (%d,%d) is %s" % (x, y, rows[y][x])
    for y in range(bars_h, text_y):
        b = (y - bars_h) * 255 // (text_y - bars_h)
        for x in range(w):
            v = (x * 256 // w + frame * 4) & 0xFF
            if not under_cursor(cursor, x, y) and rows[y][x] != (255 - v, v, b):
                return "gradient pixel (%d,%d) is %s, want %s" % (
                    x, y, rows[y][x], (255 - v, v, b))
    band = {p for y in range(text_y, h) for x, p in enumerate(rows[y])
            if not under_cursor(cursor, x, y)}
    if not band <= {(0, 0, 0), (255, 255, 255)} or (255, 255, 255) not in band:
        return "the text band is not white text on black: %s" % band
    return None


def compare(a, b, cursor):
    wa, ha, ra = read_image(a)
    wb, hb, rb = read_image(b)
    if (wa, ha) != (wb, hb):
        return "sizes differ: %dx%d and %dx%d" % (wa, ha, wb, hb)
    diff = 0
    for y in range(ha):
        for x in range(wa):
            diff += not under_cursor(cursor, x, y) and ra[y][x] != rb[y][x]
    return "%d pixels differ" % diff if diff else None


def main(argv):
    cursor = None
    if len(argv) > 3 and argv[-3] == "--except-cursor":
        cursor = (int(argv[-2]), int(argv[-1]))
        argv = argv[:-3]
    if argv[1:2] == ["--check-pattern"] and len(argv) == 6:
        why = check_pattern(int(argv[2]), argv[3], int(argv[4]),
                            int(argv[5]), cursor)
    elif argv[1:2] == ["--compare"] and len(argv) == 4:
        why = compare(argv[2], argv[3], cursor)
    else:
        sys.exit(__doc__)
    if why:
        print("gpu_image.py: " + why, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
