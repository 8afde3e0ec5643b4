"""Tiny, valid media files built in code (no binary fixtures)."""

from __future__ import annotations

import struct
import zlib


def png_bytes() -> bytes:
    """A 1x1 PNG header (signature and IHDR chunk)."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def wav_bytes() -> bytes:
    """An empty 8 kHz mono PCM WAV file."""
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36)
        + b"WAVEfmt "
        + fmt
        + b"data"
        + struct.pack("<I", 0)
    )


PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
