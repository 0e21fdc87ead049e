"""Decompression bombs for the input-limit tests: tiny files that decode to absurd pixel counts."""

from __future__ import annotations

import io
import struct
import zlib


def png_bomb(width: int = 20000, height: int | None = None) -> bytes:
    """A valid 1-bit black PNG of ``width`` x ``height`` pixels (20000 x 20000: a few tens of KB)."""
    height = height or width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * min(1000, height - done)) for done in range(0, height, 1000)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def dicom_frames(single_frame: bytes, frames: int) -> bytes:
    """The DICOM file ``single_frame`` made into ``frames`` copies of its one frame (a multi-frame file)."""
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(single_frame))
    ds.NumberOfFrames = frames
    ds.PixelData = ds.PixelData * frames
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()
