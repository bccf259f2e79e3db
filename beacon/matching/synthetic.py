"""Synthetic images, made from a seed: gradients, shapes, noise and text. Beacon's tests, demo
data and benchmarks use these and nothing else: never real material, and a "known" bank is made
of the hashes of other synthetic images."""

import io
import random

import numpy as np
from PIL import Image, ImageDraw


def synthetic_image(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A distinct RGB picture for each seed, with enough structure for PDQ's quality to be high."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    for y in range(height):
        t = y / max(height - 1, 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(rng.randrange(16, 28)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = x0 + rng.randrange(width // 10, width // 2)
        y1 = y0 + rng.randrange(height // 10, height // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice(("ellipse", "rectangle", "line"))
        if shape == "ellipse":
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        elif shape == "rectangle":
            draw.rectangle([x0, y0, x1, y1], fill=colour)
        else:
            draw.line([x0, y0, x1, y1], fill=colour, width=rng.randrange(3, 15))
    draw.text((rng.randrange(width // 2), rng.randrange(height // 2)), f"SYNTHETIC {seed}",
              fill=(255, 255, 255))  # fmt: skip
    # Seeded noise (Pillow's effect_noise is not): the same seed gives the same bytes.
    grain = np.random.default_rng(seed).normal(128, 24, (height, width)).clip(0, 255)
    noise = Image.fromarray(grain.astype(np.uint8), mode="L").convert("RGB")
    return Image.blend(image, noise, 0.12)


def encoded(image: Image.Image, format: str = "JPEG", **options) -> bytes:
    """The image's bytes in a file format (JPEG quality 90 unless told)."""
    buffer = io.BytesIO()
    if format == "JPEG":
        options.setdefault("quality", 90)
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def synthetic_jpeg(seed: int, size: tuple[int, int] = (640, 480), quality: int = 90) -> bytes:
    return encoded(synthetic_image(seed, size), "JPEG", quality=quality)
