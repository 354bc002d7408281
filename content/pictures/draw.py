"""Draw the procedure pictures: simple, high-contrast illustrations made for Yorisoi, no text.

Run `python content/pictures/draw.py` to regenerate every PNG in this folder. The output is deterministic
(same Pillow version → same bytes): shapes only, drawn at 2× and downsampled, saved with a small palette.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT, SCALE = 640, 480, 2
INK = (26, 26, 26)
PAPER = (255, 255, 255)
PALE = (236, 243, 250)
BLUE = (47, 111, 176)
SKY = (200, 222, 244)
YELLOW = (246, 205, 70)
GREEN = (30, 132, 73)
RED = (192, 57, 43)
SKIN = (246, 214, 182)
GREY = (170, 170, 170)
LINE = 8  # outline width in final pixels


class Pen:
    """Draws in 640×480 coordinates on a 2× canvas with thick dark outlines."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), PALE)
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, box):
        return [v * SCALE for v in box]

    def rect(self, box, fill=PAPER, radius=18, width=LINE):
        """A rounded rectangle."""
        self.draw.rounded_rectangle(self._xy(box), radius=radius * SCALE, fill=fill, outline=INK, width=width * SCALE)

    def ellipse(self, box, fill=PAPER, width=LINE):
        """An ellipse inside the box."""
        self.draw.ellipse(self._xy(box), fill=fill, outline=INK, width=width * SCALE)

    def poly(self, points, fill=PAPER, width=LINE):
        """A closed polygon with a thick outline."""
        pts = [(x * SCALE, y * SCALE) for x, y in points]
        self.draw.polygon(pts, fill=fill)
        self.draw.line([*pts, pts[0]], fill=INK, width=width * SCALE, joint="curve")

    def line(self, points, width=LINE, fill=INK):
        """An open thick line."""
        self.draw.line([(x * SCALE, y * SCALE) for x, y in points], fill=fill, width=width * SCALE, joint="curve")

    def block(self, box, fill=INK):
        """A filled rectangle with no outline."""
        self.draw.rectangle(self._xy(box), fill=fill)

    def save(self, path: Path) -> None:
        """Downsample, reduce to a small palette and write the PNG."""
        small = self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        small.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


def _phone(p: Pen, x=220, y=60, w=200, h=360, screen=PAPER):
    p.rect((x, y, x + w, y + h), fill=INK, radius=30)
    p.rect((x + 16, y + 40, x + w - 16, y + h - 50), fill=screen, radius=8, width=4)
    p.ellipse((x + w / 2 - 14, y + h - 40, x + w / 2 + 14, y + h - 12), fill=GREY, width=3)


def _card(p: Pen, x=150, y=140, w=340, h=210, fill=SKY, chip=True):
    p.rect((x, y, x + w, y + h), fill=fill, radius=20)
    p.ellipse((x + w - 120, y + 40, x + w - 30, y + 130), fill=PAPER, width=5)  # face photo
    p.ellipse((x + w - 96, y + 58, x + w - 54, y + 100), fill=SKIN, width=4)
    if chip:
        p.rect((x + 30, y + 60, x + 90, y + 110), fill=YELLOW, radius=8, width=5)  # IC chip
    p.line([(x + 30, y + 150), (x + 200, y + 150)], width=6)
    p.line([(x + 30, y + 178), (x + 160, y + 178)], width=6)


def _finder(p: Pen, x, y, s):
    p.block((x, y, x + s, y + s))
    p.block((x + s / 7, y + s / 7, x + 6 * s / 7, y + 6 * s / 7), fill=PAPER)
    p.block((x + 2 * s / 7, y + 2 * s / 7, x + 5 * s / 7, y + 5 * s / 7))


def _qr(p: Pen, x=200, y=120, s=240):
    p.rect((x - 20, y - 20, x + s + 20, y + s + 20), fill=PAPER, radius=10)
    f = s * 0.3
    for fx, fy in ((x, y), (x + s - f, y), (x, y + s - f)):
        _finder(p, fx, fy, f)
    cell = s / 12
    for i in range(12):
        for j in range(12):
            inside_finder = (i < 4 and j < 4) or (i > 7 and j < 4) or (i < 4 and j > 7)
            if not inside_finder and (i * 7 + j * 3 + i * j) % 5 < 2:
                p.block((x + i * cell, y + j * cell, x + (i + 1) * cell, y + (j + 1) * cell))


def _hand(p: Pen, tip_x, tip_y):
    """A hand pointing up with its index fingertip at (tip_x, tip_y)."""
    p.rect((tip_x - 20, tip_y, tip_x + 20, tip_y + 120), fill=SKIN, radius=20)
    p.rect((tip_x - 30, tip_y + 90, tip_x + 90, tip_y + 220), fill=SKIN, radius=40)
    for k in range(3):
        p.line([(tip_x + 25 + k * 22, tip_y + 105), (tip_x + 25 + k * 22, tip_y + 140)], width=5)


def _waves(p: Pen, cx, cy):
    for r in (30, 55, 80):
        p.draw.arc(
            [(cx - r) * SCALE, (cy - r) * SCALE, (cx + r) * SCALE, (cy + r) * SCALE],
            200,
            340,
            fill=BLUE,
            width=7 * SCALE,
        )


def draw_phone(p):
    _phone(p)
    for k in range(3):
        p.rect((250, 130 + k * 70, 390, 180 + k * 70), fill=SKY, radius=10, width=5)


def draw_card(p):
    _card(p)


def draw_card_on_phone(p):
    _phone(p, x=250, y=60)
    _card(p, x=90, y=170, w=300, h=190)
    _waves(p, 250, 150)


def draw_copier(p):
    p.rect((150, 130, 490, 440), fill=PAPER, radius=16)
    p.rect((130, 80, 510, 150), fill=GREY, radius=12)
    p.rect((210, 170, 430, 300), fill=SKY, radius=10)  # touch screen
    p.rect((230, 320, 330, 370), fill=YELLOW, radius=8, width=5)  # card reader
    p.rect((360, 320, 420, 400), fill=PAPER, radius=8, width=5)  # coin slot
    p.line([(380, 340), (400, 340)], width=6)
    p.rect((190, 400, 450, 430), fill=PALE, radius=6, width=5)  # paper tray


def draw_qr(p):
    _qr(p)


def draw_calendar(p):
    p.rect((150, 90, 490, 420), fill=PAPER)
    p.rect((150, 90, 490, 160), fill=RED, radius=18)
    for x in (220, 420):
        p.rect((x - 10, 60, x + 10, 120), fill=GREY, radius=8, width=5)
    for i in range(5):
        for j in range(4):
            x, y = 180 + i * 60, 185 + j * 56
            fill = YELLOW if (i, j) == (3, 2) else SKY
            p.rect((x, y, x + 40, y + 36), fill=fill, radius=6, width=4)


def draw_book(p):
    p.poly([(320, 130), (130, 100), (130, 390), (320, 420)], fill=SKY)
    p.poly([(320, 130), (510, 100), (510, 390), (320, 420)], fill=SKY)
    for k in range(4):
        y = 170 + k * 50
        p.line([(170, y - 4), (290, y + 12)], width=5)
        p.line([(350, y + 12), (470, y - 4)], width=5)


def draw_building(p):
    p.poly([(320, 50), (110, 150), (530, 150)], fill=SKY)
    p.rect((130, 150, 510, 410), fill=PAPER, radius=4)
    for x in (170, 250, 350, 430):
        p.rect((x, 180, x + 40, 330), fill=PALE, radius=4, width=5)
    p.rect((280, 340, 360, 410), fill=YELLOW, radius=4, width=5)
    p.rect((90, 405, 550, 430), fill=GREY, radius=4, width=5)


def draw_hand_touch(p):
    p.rect((120, 60, 520, 200), fill=GREEN, radius=30)
    p.line([(260, 130), (300, 165), (380, 95)], width=14, fill=PAPER)
    _hand(p, 320, 190)


def draw_keypad_hidden(p):
    p.rect((170, 40, 470, 120), fill=PAPER, radius=12)
    for k in range(4):
        p.ellipse((205 + k * 62, 65, 235 + k * 62, 95), fill=INK, width=2)
    for i in range(3):
        for j in range(3):
            p.rect((190 + i * 90, 150 + j * 80, 270 + i * 90, 210 + j * 80), fill=SKY, radius=10, width=5)
    p.poly([(400, 470), (330, 300), (370, 240), (470, 230), (560, 300), (600, 470)], fill=SKIN)  # shielding hand
    for k in range(3):
        p.line([(395 + k * 40, 250), (420 + k * 40, 320)], width=5)


def draw_payment_app(p):
    _phone(p, screen=PALE)
    p.rect((260, 140, 380, 260), fill=PAPER, radius=6, width=5)
    for cx, cy in ((260, 140), (380, 140), (260, 260), (380, 260)):
        dx, dy = (1 if cx < 320 else -1), (1 if cy < 200 else -1)
        p.line([(cx, cy + 30 * dy), (cx, cy), (cx + 30 * dx, cy)], width=10, fill=BLUE)
    p.line([(270, 200), (370, 200)], width=5, fill=RED)
    p.rect((250, 300, 390, 350), fill=GREEN, radius=14, width=5)


def draw_moving_truck(p):
    p.poly([(80, 200), (180, 110), (280, 200)], fill=RED)
    p.rect((100, 200, 260, 330), fill=PAPER, radius=4)
    p.rect((160, 260, 200, 330), fill=YELLOW, radius=4, width=5)
    p.rect((300, 190, 480, 340), fill=SKY, radius=8)
    p.poly([(480, 230), (540, 230), (575, 280), (575, 340), (480, 340)], fill=PAPER)
    p.rect((495, 245, 535, 280), fill=PALE, radius=4, width=4)
    for cx in (350, 520):
        p.ellipse((cx - 35, 310, cx + 35, 380), fill=INK)
        p.ellipse((cx - 14, 331, cx + 14, 359), fill=GREY, width=3)
    p.line([(60, 390), (590, 390)], width=6)


def draw_health_card(p):
    _card(p, fill=PAPER, chip=False)
    p.block((200, 170, 230, 260), fill=GREEN)  # a plain cross for "health"
    p.block((170, 200, 260, 230), fill=GREEN)


def draw_checkmark(p):
    p.ellipse((160, 80, 480, 400), fill=GREEN, width=10)
    p.line([(235, 245), (300, 310), (410, 185)], width=30, fill=PAPER)


def draw_card_reader(p):
    p.rect((270, 300, 370, 420), fill=GREY, radius=10)
    p.rect((180, 70, 460, 320), fill=PAPER, radius=24)
    p.ellipse((300, 90, 340, 130), fill=INK, width=4)  # camera
    p.rect((220, 150, 420, 240), fill=SKY, radius=10, width=5)  # screen
    p.rect((230, 255, 410, 300), fill=YELLOW, radius=8, width=5)  # card place
    p.rect((170, 410, 470, 440), fill=GREY, radius=8, width=5)


def draw_atm(p):
    p.rect((140, 60, 500, 440), fill=PAPER, radius=16)
    p.rect((180, 100, 460, 240), fill=SKY, radius=10)
    for i in range(3):
        for j in range(2):
            p.rect((190 + i * 50, 270 + j * 50, 225 + i * 50, 305 + j * 50), fill=PALE, radius=6, width=4)
    p.rect((360, 270, 460, 300), fill=YELLOW, radius=6, width=5)  # card slot
    p.rect((340, 330, 470, 360), fill=INK, radius=6, width=2)  # bill slot
    p.rect((180, 390, 460, 420), fill=GREY, radius=6, width=4)


def draw_tax_bill(p):
    p.rect((110, 70, 530, 420), fill=PAPER, radius=6)
    for k in range(5):
        p.line([(150, 130 + k * 45), (320 - (k % 2) * 60, 130 + k * 45)], width=6)
    p.rect((150, 360, 330, 395), fill=PALE, radius=4, width=4)
    _qr(p, x=370, y=250, s=120)
    p.ellipse((400, 100, 490, 190), fill=BLUE, width=6)  # eL mark as a plain disc


def draw_counter(p):
    p.ellipse((270, 60, 370, 160), fill=SKIN)
    p.poly([(220, 260), (250, 175), (390, 175), (420, 260)], fill=BLUE)
    p.rect((80, 250, 560, 320), fill=YELLOW, radius=6)
    p.rect((100, 320, 540, 440), fill=PAPER, radius=4)
    p.rect((440, 200, 520, 250), fill=PAPER, radius=4, width=5)  # bell stand
    p.ellipse((465, 180, 495, 210), fill=YELLOW, width=5)


def draw_camera_face(p):
    _phone(p, screen=PALE)
    p.ellipse((265, 130, 375, 250), fill=SKIN)
    p.poly([(250, 320), (270, 265), (370, 265), (390, 320)], fill=BLUE)
    p.ellipse((295, 175, 310, 190), fill=INK, width=2)
    p.ellipse((330, 175, 345, 190), fill=INK, width=2)
    p.ellipse((290, 345, 350, 395), fill=RED)  # shutter


def draw_mail(p):
    p.rect((120, 110, 520, 380), fill=PAPER, radius=10)
    p.line([(125, 120), (320, 270), (515, 120)], width=8)
    p.ellipse((440, 70, 540, 170), fill=RED)


def draw_kiosk_buttons(p):
    for k in range(4):
        x = 40 + k * 150
        p.rect((x, 170, x + 120, 310), fill=PAPER, radius=16)
    p.line([(125, 240), (75, 240)], width=12)  # back arrow
    p.poly([(70, 240), (95, 215), (95, 265)], fill=INK)
    p.draw.arc([220 * SCALE, 205 * SCALE, 290 * SCALE, 275 * SCALE], 30, 330, fill=INK, width=12 * SCALE)
    p.poly([(282, 198), (296, 226), (270, 224)], fill=INK)  # repeat arrow head
    p.ellipse((390, 195, 430, 235), fill=SKIN, width=6)  # staff person
    p.poly([(375, 285), (385, 245), (435, 245), (445, 285)], fill=BLUE, width=6)
    x = 502
    for size in (18, 28, 38):  # three text sizes as squares
        p.rect((x, 285 - size, x + size, 285), fill=INK, radius=4, width=2)
        x += size + 8


def draw_text_size(p):
    base = 380
    x = 90
    for size in (70, 120, 180):
        p.rect((x, base - size, x + size, base), fill=SKY, radius=14)
        p.line(
            [
                (x + size * 0.25, base - size * 0.3),
                (x + size / 2, base - size * 0.8),
                (x + size * 0.75, base - size * 0.3),
            ],
            width=max(6, int(size / 12)),
        )
        x += size + 40


def draw_yes_no(p):
    p.rect((60, 110, 300, 370), fill=PAPER, radius=24)
    p.ellipse((110, 160, 250, 300), fill=PAPER, width=18)
    p.rect((340, 110, 580, 370), fill=PAPER, radius=24)
    p.line([(400, 170), (520, 290)], width=18)
    p.line([(520, 170), (400, 290)], width=18)


def draw_search(p):
    p.ellipse((150, 80, 390, 320), fill=SKY, width=14)
    p.line([(360, 290), (480, 410)], width=36)


def draw_coins(p):
    for k, (x, y) in enumerate(((180, 260), (300, 220), (420, 260))):
        p.ellipse((x - 80, y - 80, x + 80, y + 80), fill=YELLOW if k != 1 else GREY)
        p.ellipse((x - 50, y - 50, x + 50, y + 50), fill=None, width=5)


def draw_wifi(p):
    _phone(p, x=60, y=60)
    p.rect((92, 130, 228, 190), fill=SKY, radius=10, width=5)  # the chosen network row
    p.rect((92, 215, 228, 255), fill=PALE, radius=10, width=4)
    p.rect((92, 275, 228, 315), fill=PALE, radius=10, width=4)
    cx, cy = 440, 330
    for r in (60, 120, 180):  # the fan-shaped Wi-Fi mark
        p.draw.arc(
            [(cx - r) * SCALE, (cy - r) * SCALE, (cx + r) * SCALE, (cy + r) * SCALE],
            225,
            315,
            fill=BLUE,
            width=22 * SCALE,
        )
    p.ellipse((cx - 22, cy - 22, cx + 22, cy + 22), fill=BLUE, width=5)


def draw_keyboard(p):
    _phone(p, x=170, y=30, w=240, h=420)
    p.rect((196, 90, 384, 140), fill=PAPER, radius=6, width=5)  # the text field
    p.line([(218, 102), (218, 128)], width=5, fill=BLUE)  # cursor
    for i in range(3):
        for j in range(4):
            fill = YELLOW if (i, j) == (0, 0) else SKY
            p.rect((196 + i * 66, 205 + j * 50, 252 + i * 66, 245 + j * 50), fill=fill, radius=8, width=4)
    p.line([(224, 222), (224, 178)], width=10, fill=RED)  # a flick upwards from the first key
    p.poly([(224, 158), (207, 184), (241, 184)], fill=RED, width=4)
    p.ellipse((450, 210, 590, 350), fill=PAPER, width=8)  # microphone button beside the phone
    p.rect((502, 232, 538, 300), fill=INK, radius=18, width=2)
    p.draw.arc([488 * SCALE, 250 * SCALE, 552 * SCALE, 322 * SCALE], 0, 180, fill=INK, width=7 * SCALE)
    p.line([(520, 322), (520, 336)], width=7)


def draw_app_install(p):
    _phone(p)
    for i in range(3):
        for j in range(2):
            p.rect((250 + i * 48, 120 + j * 60, 286 + i * 48, 156 + j * 60), fill=SKY, radius=8, width=4)
    p.rect((250, 260, 390, 310), fill=BLUE, radius=20, width=5)  # the install button
    p.line([(470, 110), (470, 250)], width=18, fill=GREEN)  # download arrow into the phone
    p.poly([(430, 240), (510, 240), (470, 300)], fill=GREEN, width=6)


PICTURES: dict[str, Callable[[Pen], None]] = {
    name[5:].replace("_", "-") + ".png": fn
    for name, fn in sorted(globals().items())
    if name.startswith("draw_") and callable(fn)
}
"""Every picture this script draws, by file name."""


def render(folder: Path) -> list[Path]:
    """Draw every picture into `folder` and return the written paths."""
    written = []
    for name, fn in PICTURES.items():
        pen = Pen()
        fn(pen)
        path = folder / name
        pen.save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for written_path in render(target):
        print(written_path.name, written_path.stat().st_size, "bytes")
