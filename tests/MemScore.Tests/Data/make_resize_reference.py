"""Expected values for ImageResamplerTests: PIL's BILINEAR resize (what torchvision's Resize
does to PIL images) of deterministic greyscale patterns. Run with /usr/bin/python3 (Pillow 9.4)."""
import base64
from PIL import Image


def pattern(width, height, f):
    image = Image.new("L", (width, height))
    image.putdata([f(x, y) % 256 for y in range(height) for x in range(width)])
    return image


def show(name, image):
    print(name, image.size, base64.b64encode(bytes(image.getdata())).decode())


show("down 7x5 -> 3x2", pattern(7, 5, lambda x, y: x * 37 + y * 91).resize((3, 2), Image.BILINEAR))
show("up 3x2 -> 5x4", pattern(3, 2, lambda x, y: x * 100 + y * 50).resize((5, 4), Image.BILINEAR))
show("celeba-like 148x148 -> 32x32", pattern(148, 148, lambda x, y: x * x + 3 * y).resize((32, 32), Image.BILINEAR))
