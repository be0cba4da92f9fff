"""The feed's artwork: a default cover drawn by code, or the user's from causerie.toml.

Podcast directories ask for a square JPEG or PNG of 1400 to 3000 pixels. The
default is drawn with numpy (two speech bubbles over a night-blue gradient,
a sound wave between them) and encoded as PNG with zlib, so no imaging
library is needed and no binary file lives in the repository.
"""

from __future__ import annotations

import functools
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UserError

SIZE = 1400
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}

__all__ = ["SIZE", "Cover", "default_cover_png", "encode_png", "resolve_cover"]


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str
    filename: str        # what the server calls it: its URL ends in .png or .jpg, as directories require


def encode_png(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 array as an 8-bit RGB PNG."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)   # filter 0 per row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9)) + chunk(b"IEND", b""))


def _coverage(distance: np.ndarray) -> np.ndarray:
    """Signed distance (pixels, negative inside) -> anti-aliased coverage in [0, 1]."""
    return np.clip(0.5 - distance, 0.0, 1.0)


def _paint(img: np.ndarray, alpha: np.ndarray, color: tuple[int, int, int]) -> None:
    img[:] = img * (1 - alpha[..., None]) + np.array(color, np.float32) * alpha[..., None]


def _bubble(x: np.ndarray, y: np.ndarray, cx: float, cy: float, r: float, tail_dx: float) -> np.ndarray:
    """A round speech bubble with a triangular tail under it, toward `tail_dx`."""
    disc = np.hypot(x - cx, y - cy) - r
    # The tail narrows linearly from the centre down to its tip; the disc covers its upper part.
    tip_x, tip_y = cx + tail_dx, cy + 1.35 * r
    u = (y - cy) / (tip_y - cy)                      # 0 at the centre, 1 at the tip
    along = cx + (tip_x - cx) * u
    half = 0.42 * r * (1 - u)
    tail = np.maximum(np.abs(x - along) - half, np.maximum(-(y - cy), y - tip_y))
    return np.minimum(disc, tail)


@functools.lru_cache(maxsize=1)
def default_cover_png(size: int = SIZE) -> bytes:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    s = size / 1400
    t = (y / size)[..., None]
    top, bottom = np.array([24, 33, 74], np.float32), np.array([19, 92, 110], np.float32)
    img = top * (1 - t) + bottom * t
    glow = np.exp(-(((x - 0.72 * size) ** 2 + (y - 0.25 * size) ** 2) / (2 * (0.35 * size) ** 2)))
    img += glow[..., None] * np.array([60, 40, 20], np.float32)

    left = _bubble(x, y, 520 * s, 600 * s, 330 * s, -170 * s)
    right = _bubble(x, y, 900 * s, 820 * s, 270 * s, 150 * s)
    _paint(img, _coverage(left), (244, 162, 97))
    _paint(img, _coverage(right - 18 * s), (24, 33, 74))     # a navy rim keeps the overlap readable
    _paint(img, _coverage(right), (250, 237, 214))

    # A sound wave across the orange bubble: rounded bars whose heights follow a bell.
    heights = [0.18, 0.34, 0.56, 0.78, 0.56, 0.34, 0.18]
    for k, hgt in enumerate(heights):
        bx = (520 + (k - 3) * 70) * s
        half = hgt * 190 * s
        d = np.hypot(np.abs(x - bx), np.maximum(np.abs(y - 600 * s) - half, 0)) - 20 * s     # a capsule
        _paint(img, _coverage(d), (24, 33, 74))
    # Three dots in the cream bubble: the other host answering.
    for k in range(3):
        d = np.hypot(x - (900 + (k - 1) * 95) * s, y - 820 * s) - 30 * s
        _paint(img, _coverage(d), (19, 92, 110))
    return encode_png(np.clip(img + 0.5, 0, 255).astype(np.uint8))


def resolve_cover(configured: str | None) -> Cover:
    """The cover named by `[feed] cover` in causerie.toml (relative to the current folder), else the default."""
    if not configured:
        return Cover(default_cover_png(), "image/png", "cover.png")
    path = Path(configured).expanduser()
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None:
        raise UserError(f"[feed] cover = {configured!r}: podcast apps need a .png or .jpg image")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"[feed] cover = {configured!r}: cannot read it ({exc.strerror}); "
                        f"fix the path in causerie.toml") from None
    return Cover(data, mime, "cover" + (".png" if mime == "image/png" else ".jpg"))
