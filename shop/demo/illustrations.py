"""Product illustrations drawn with Pillow at seed time, so the demo needs no downloads."""

import functools
import io
import math

from PIL import Image, ImageDraw, ImageFont

TEAL = (11, 85, 99)
TEAL_DARK = (8, 63, 73)
ORANGE = (240, 138, 75)
SAND = (251, 248, 244)
PEACH = (255, 217, 184)
INK = (29, 43, 48)


def _canvas(size, top=SAND, bottom=(255, 241, 230)):
    """A soft vertical gradient background."""
    width, height = size
    image = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image, draw


def _font(size):
    return ImageFont.load_default(size=size)


def _claw(draw, cx, cy, scale, colour=TEAL, knob=ORANGE):
    """The tool seen from the side: a wide base, an arched arm and three rounded knobs."""
    s = scale
    draw.rounded_rectangle([cx - 300 * s, cy + 120 * s, cx + 300 * s, cy + 190 * s], radius=35 * s, fill=TEAL_DARK)
    points = []
    for i in range(0, 181, 6):
        angle = math.radians(180 - i)
        points.append((cx + 250 * s * math.cos(angle), cy + 130 * s - 230 * s * math.sin(angle)))
    draw.line(points, fill=colour, width=int(70 * s), joint="curve")
    for dx, dy in ((-150, -95), (0, -140), (150, -95)):
        r = 48 * s
        x, y = cx + dx * s, cy + dy * s
        draw.ellipse([x - r, y - r, x + r, y + r], fill=knob, outline=TEAL_DARK, width=int(6 * s))


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@functools.cache
def product_hero(size=1200):
    image, draw = _canvas((size, size))
    scale = size / 1200
    draw.ellipse([size * 0.12, size * 0.72, size * 0.88, size * 0.84], fill=(232, 222, 212))
    _claw(draw, size / 2, size * 0.55, scale * 1.3)
    draw.text((size / 2, size * 0.1), "QL Claw", fill=TEAL_DARK, font=_font(int(96 * scale)), anchor="mm")
    return _png(image)


@functools.cache
def product_in_use(size=1200):
    """Lying face down on the tool, which sits under the belly beside the navel."""
    image, draw = _canvas((size, size), top=(233, 244, 246), bottom=SAND)
    s = size / 1200
    floor = size * 0.74
    draw.rectangle([0, floor, size, size], fill=(214, 200, 186))
    _claw(draw, size * 0.5, floor - 150 * s * 0.55, s * 0.55)
    body_y = floor - 185 * s
    draw.rounded_rectangle([size * 0.2, body_y - 70 * s, size * 0.82, body_y + 55 * s], radius=60 * s, fill=INK)
    draw.ellipse([size * 0.08, body_y - 95 * s, size * 0.22, body_y + 40 * s], fill=INK)
    draw.line([(size * 0.8, body_y), (size * 0.95, floor - 10 * s)], fill=INK, width=int(60 * s))
    draw.line([(size * 0.16, body_y + 20 * s), (size * 0.2, floor - 10 * s)], fill=INK, width=int(40 * s))
    font = _font(int(54 * s))
    draw.text((size / 2, size * 0.12), "Face down, slow breaths,", fill=TEAL_DARK, font=font, anchor="mm")
    draw.text((size / 2, size * 0.19), "rock gently side to side", fill=TEAL_DARK, font=font, anchor="mm")
    return _png(image)


@functools.cache
def product_targets(size=1200):
    """A back view with the five muscle groups the tool is shaped for."""
    image, draw = _canvas((size, size), top=SAND, bottom=(233, 244, 246))
    s = size / 1200
    cx = size / 2
    draw.ellipse([cx - 90 * s, 130 * s, cx + 90 * s, 310 * s], fill=PEACH)
    draw.rounded_rectangle([cx - 230 * s, 300 * s, cx + 230 * s, 820 * s], radius=120 * s, fill=PEACH)
    draw.rounded_rectangle([cx - 220 * s, 780 * s, cx - 30 * s, 1150 * s], radius=70 * s, fill=PEACH)
    draw.rounded_rectangle([cx + 30 * s, 780 * s, cx + 220 * s, 1150 * s], radius=70 * s, fill=PEACH)
    draw.line([(cx, 320 * s), (cx, 800 * s)], fill=(214, 170, 140), width=int(10 * s))
    font = _font(int(40 * s))
    targets = [  # label, dot (x offset from the spine, y), label position (x offset, y)
        ("Paraspinals", (45, 480), (270, 430)),
        ("Quadratus lumborum", (-130, 640), (-560, 560)),
        ("Psoas (front)", (90, 700), (260, 640)),
        ("Iliacus", (-150, 770), (-560, 760)),
        ("Gluteus medius", (150, 830), (260, 900)),
    ]
    for label, (dx, dy), (tdx, tdy) in targets:
        x, y, tx, ty = cx + dx * s, dy * s, cx + tdx * s, tdy * s
        r = 26 * s
        draw.ellipse([x - r, y - r, x + r, y + r], fill=ORANGE, outline=TEAL_DARK, width=int(5 * s))
        end_x = tx + draw.textlength(label, font=font) + 8 * s if tdx < 0 else tx - 8 * s
        draw.line([(x, y), (end_x, ty + 22 * s)], fill=TEAL_DARK, width=int(4 * s))
        draw.text((tx, ty), label, fill=TEAL_DARK, font=font)
    draw.text((cx, 70 * s), "Five muscles, one tool", fill=TEAL_DARK, font=_font(int(60 * s)), anchor="mm")
    return _png(image)


@functools.cache
def carry_bag(size=1000):
    image, draw = _canvas((size, size))
    s = size / 1000
    draw.arc([300 * s, 140 * s, 700 * s, 520 * s], start=180, end=360, fill=TEAL_DARK, width=int(36 * s))
    draw.rounded_rectangle([170 * s, 320 * s, 830 * s, 860 * s], radius=60 * s, fill=TEAL)
    draw.rounded_rectangle([250 * s, 420 * s, 750 * s, 520 * s], radius=30 * s, fill=TEAL_DARK)
    draw.text((500 * s, 690 * s), "QL Claw", fill=PEACH, font=_font(int(80 * s)), anchor="mm")
    return _png(image)


@functools.cache
def grip_pads(size=1000):
    image, draw = _canvas((size, size))
    s = size / 1000
    for x in (330, 670):
        r = 170 * s
        box = [x * s - r, 500 * s - r, x * s + r, 500 * s + r]
        draw.ellipse(box, fill=ORANGE, outline=TEAL_DARK, width=int(12 * s))
        for ring in (110, 60):
            rr = ring * s
            draw.ellipse([x * s - rr, 500 * s - rr, x * s + rr, 500 * s + rr], outline=(214, 110, 50), width=int(8 * s))
    draw.text((500 * s, 830 * s), "Set of 2", fill=TEAL_DARK, font=_font(int(70 * s)), anchor="mm")
    return _png(image)


def _wrap(draw, text, font, width):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line]


@functools.cache
def video_poster(title, width=1280, height=720):
    """A 16:9 poster for a tutorial video: the title over the brand colours, and a small claw."""
    image, draw = _canvas((width, height), top=TEAL, bottom=TEAL_DARK)
    s = width / 1280
    # The title sits in the top band, clear of the play button the page draws in the middle.
    font = _font(int(56 * s))
    y = height * 0.08
    for line in _wrap(draw, title, font, width * 0.86):
        draw.text((70 * s, y), line, fill=(255, 255, 255), font=font)
        y += 68 * s
    draw.text((70 * s, height - 110 * s), "QL Claw tutorial", fill=PEACH, font=_font(int(36 * s)))
    _claw(draw, width * 0.8, height * 0.68, s * 0.5, colour=PEACH, knob=ORANGE)
    return _png(image)


@functools.cache
def article_hero(title, width=1600, height=900):
    image, draw = _canvas((width, height), top=SAND, bottom=(233, 244, 246))
    s = width / 1600
    _claw(draw, width * 0.72, height * 0.55, s * 0.9)
    font = _font(int(70 * s))
    y = height * 0.25
    for line in _wrap(draw, title, font, width * 0.45):
        draw.text((90 * s, y), line, fill=TEAL_DARK, font=font)
        y += 88 * s
    return _png(image)
