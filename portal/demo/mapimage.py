"""A made-up neighbourhood map, drawn with Pillow, for the demo summit and the end-to-end journey."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 900


def _font(size: int):
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def neighbourhood_map_png() -> bytes:
    """A PNG of streets, a park, the school, the bus station and the underpass between them."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (238, 236, 228))
    draw = ImageDraw.Draw(image)
    label = _font(26)
    small = _font(20)
    # The park and the canal.
    draw.rectangle((60, 80, 420, 380), fill=(190, 220, 170))
    draw.text((150, 210), "Victoria Park", fill=(40, 80, 40), font=label)
    draw.line((0, 640, WIDTH, 560), fill=(150, 190, 230), width=40)
    draw.text((900, 600), "Canal towpath", fill=(30, 60, 110), font=small)
    # Streets.
    for x in (480, 820):
        draw.rectangle((x, 0, x + 50, HEIGHT), fill=(255, 255, 255))
    for y in (440, 780):
        draw.rectangle((0, y, WIDTH, y + 50), fill=(255, 255, 255))
    draw.text((490, 20), "High Street", fill=(60, 60, 60), font=small)
    draw.text((20, 452), "Station Road", fill=(60, 60, 60), font=small)
    # The school, the bus station, the shops.
    draw.rectangle((560, 90, 790, 400), fill=(240, 210, 160), outline=(120, 90, 40), width=4)
    draw.text((585, 225), "Riverside", fill=(90, 60, 20), font=label)
    draw.text((585, 260), "Academy", fill=(90, 60, 20), font=label)
    draw.rectangle((880, 120, 1150, 380), fill=(205, 205, 225), outline=(80, 80, 120), width=4)
    draw.text((905, 235), "Bus station", fill=(40, 40, 90), font=label)
    draw.rectangle((60, 500, 420, 740), fill=(230, 200, 200), outline=(130, 70, 70), width=4)
    draw.text((120, 600), "Retail park", fill=(110, 40, 40), font=label)
    # The underpass under the ring road.
    draw.rectangle((840, 470, 1150, 520), fill=(120, 120, 120))
    draw.text((880, 478), "Underpass", fill=(255, 255, 255), font=small)
    draw.rectangle((560, 830, 790, 890), fill=(215, 230, 240), outline=(70, 100, 130), width=3)
    draw.text((590, 845), "Youth centre", fill=(30, 60, 90), font=small)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
