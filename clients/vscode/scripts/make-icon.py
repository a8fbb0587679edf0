"""Draws media/icon.png (128x128: an orchard tree) with the standard library only; run once."""

import struct
import zlib
from pathlib import Path

SIZE = 128


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    cx, cy = SIZE / 2, SIZE * 0.42
    for fx, fy in ((-14, -6), (12, 10), (-4, 16), (16, -12)):  # apples on the crown
        if (x - cx - fx) ** 2 + (y - cy - fy) ** 2 <= 36:
            return (214, 48, 49, 255)
    if (x - cx) ** 2 + (y - cy) ** 2 <= 40**2:
        return (46, 160, 67, 255)
    if abs(x - cx) <= 8 and cy < y <= SIZE - 10:
        return (121, 85, 61, 255)
    return (0, 0, 0, 0)


def png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    Path(__file__).parent.parent.joinpath("media", "icon.png").write_bytes(png())
