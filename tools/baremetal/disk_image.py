#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bare-metal guest's disk images (see tools/baremetal/disks.c).

  disk_image.py make IMAGE SECTORS   write the initial pattern
  disk_image.py check IMAGE LOG      compare IMAGE byte for byte with
                                     what the guest's LOG says it wrote

Byte i of 512-byte sector s is (s*13 + (s>>8)*31 + 0x5a + 7*i) & 0xff
initially and (s*29 + (s>>8)*17 + 0xc3 + 3*i) & 0xff once written; the
guest prints "wrote sectors A-B" (inclusive) for every write that
succeeded. Exit status 0 when the image is exactly as expected.
"""
import re
import sys

SECTOR = 512
INIT_ROWS = [bytes((c + 7 * i) & 0xFF for i in range(SECTOR)) for c in range(256)]
NEW_ROWS = [bytes((c + 3 * i) & 0xFF for i in range(SECTOR)) for c in range(256)]


def init_row(s):
    return INIT_ROWS[(s * 13 + (s >> 8) * 31 + 0x5A) & 0xFF]


def new_row(s):
    return NEW_ROWS[(s * 29 + (s >> 8) * 17 + 0xC3) & 0xFF]


def make(path, sectors):
    with open(path, "wb") as f:
        f.write(b"".join(init_row(s) for s in range(sectors)))


def check(path, log):
    written = set()
    with open(log, errors="replace") as f:
        for m in re.finditer(r"wrote sectors (\d+)-(\d+)", f.read()):
            written.update(range(int(m.group(1)), int(m.group(2)) + 1))
    with open(path, "rb") as f:
        img = f.read()
    if len(img) % SECTOR:
        print(f"{path}: size {len(img)} is not a whole number of sectors")
        return 1
    sectors = len(img) // SECTOR
    bad = []
    for s in range(sectors):
        want = new_row(s) if s in written else init_row(s)
        if img[s * SECTOR:(s + 1) * SECTOR] != want:
            bad.append(s)
    if bad or max(written, default=0) >= sectors:
        print(f"{path}: {len(bad)} sectors differ (first {bad[:8]}), "
              f"{len(written)} written")
        return 1
    print(f"{path}: all {sectors} sectors as expected, {len(written)} written")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "make":
        make(argv[2], int(argv[3]))
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
