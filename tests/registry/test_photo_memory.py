"""REG-4: decoding the two photos of a request costs under 100 MiB of memory.

Each case runs in a fresh interpreter, because the peak resident size is a
high-water mark: whatever this test process did before would hide the
growth. The child reads VmHWM, the peak of its own memory map, not
resource.getrusage().ru_maxrss: Linux carries ru_maxrss over exec from the
process that spawned it, so in the child it starts at pytest's own peak
(and the growth reads as 0). The files are the worst cases the limits in
prakerja.registry.photos allow; flat colours keep them small on disk, and
the decoders allocate by dimensions, not content.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from PIL import Image

BUDGET_KIB = 100 * 1024
SCRIPT = """
import sys
import django
django.setup()
from django.core.files import File
from prakerja.registry.photos import process_photo

def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

files = [File(open(path, "rb")) for path in sys.argv[1:]]
before = peak_kib()
for file in files:
    process_photo(file, field="ktp_photo")
print(before, peak_kib() - before)
"""


def photo(path, mode, size, fmt, **save):
    if path.exists():
        return str(path)
    colour = {"RGB": (200, 120, 40), "RGBA": (200, 120, 40, 128), "CMYK": (10, 20, 30, 40)}[mode]
    Image.new(mode, size, colour).save(path, format=fmt, **save)
    return str(path)


CASES = {
    # The largest picture libjpeg decodes at full scale (a side of 4000 or
    # more halves it), and 40 MP just under the limit with the aspect ratio
    # that keeps the most pixels at half scale.
    "baseline JPEG": [("ktp.jpg", "RGB", (3999, 3999), "JPEG", {}),
                      ("selfie.jpg", "RGB", (7999, 5000), "JPEG", {})],
    "RGBA PNG at the cap": [("ktp.png", "RGBA", (4000, 4000), "PNG", {})] * 2,
    # Coefficients and pixels just within the budget; 4:4:4 and CMYK are
    # the most coefficients a pixel.
    "progressive JPEG at the budget": [
        ("ktp.jpg", "RGB", (2588, 2588), "JPEG", {"progressive": True, "subsampling": 0}),
        ("selfie.jpg", "CMYK", (2360, 2360), "JPEG", {"progressive": True})],
}


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")
@pytest.mark.parametrize("case", CASES)
def test_peak_memory_of_a_request_with_two_photos(tmp_path, case):
    paths = [photo(tmp_path / name, mode, size, fmt, **save) for name, mode, size, fmt, save in CASES[case]]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *paths], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.settings"}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]  # every file is accepted: these are the limits
    before_kib, growth_kib = map(int, result.stdout.split()[-2:])
    print(f"{case}: peak {before_kib / 1024:.0f} MiB before, grew {growth_kib / 1024:.1f} MiB")  # pytest -s
    assert growth_kib < BUDGET_KIB
