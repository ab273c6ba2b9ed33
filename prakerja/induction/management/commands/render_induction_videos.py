"""Draw the shipped induction videos (CRD-2) from slides.py: Pillow frames, H.264 by imageio-ffmpeg.

A developer's tool, not a runtime one: imageio-ffmpeg is in
requirements-dev.txt only, and the output (induction/data/*.mp4, *.vtt) is
committed, so `make run` needs no ffmpeg. Small on purpose: 640x360 at 2
frames a second, still slides, so each file is far under 1 MB for a phone
on a slow network.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw, ImageFont

from prakerja.induction.media import DATA_DIR
from prakerja.induction.slides import VIDEOS, ShippedVideo

WIDTH, HEIGHT, FPS = 640, 360, 2
MAX_BYTES = 1024 * 1024
BRAND, INK, MUTED, PAPER, TRACK = (11, 92, 173), (29, 36, 51), (91, 100, 117), (255, 255, 255), (216, 221, 230)
# H.264 main profile, yuv420p and the index at the front ("faststart"): plays
# in every phone browser and starts before the whole file is loaded. A key
# frame every 2 seconds keeps seeking back cheap. bitexact and no metadata:
# the same slides give the same bytes, so a re-render shows no diff.
OUTPUT_PARAMS = ["-profile:v", "main", "-level", "3.0", "-preset", "veryslow", "-tune", "stillimage",
                 "-crf", "30", "-g", str(2 * FPS), "-threads", "1", "-movflags", "+faststart",
                 "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]


def _font(size: int):
    # Pillow's bundled font: the same frames on every machine, no system fonts needed.
    return ImageFont.load_default(size=size)


def _fit(draw, text: str, size: int, width: int):
    """The largest font up to ``size`` at which ``text`` fits in ``width`` pixels."""
    while size > 14 and draw.textlength(text, font=_font(size)) > width:
        size -= 2
    return _font(size)


def slide_image(video: ShippedVideo, index: int) -> Image.Image:
    slide = video.slides[index]
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 44), fill=BRAND)
    draw.text((20, 11), "Kartu Prakerja", font=_font(20), fill=PAPER)
    label = f"Video {video.position} dari {len(VIDEOS)} · {index + 1}/{len(video.slides)}"
    draw.text((WIDTH - 20, 11), label, font=_font(18), fill=PAPER, anchor="ra")
    heading = _fit(draw, slide.heading, 38, WIDTH - 60)
    draw.text((30, 60), slide.heading, font=heading, fill=BRAND, stroke_width=1, stroke_fill=BRAND)
    y = 116
    for line in slide.lines:
        draw.text((30, y), line, font=_fit(draw, line, 30, WIDTH - 60), fill=INK)
        y += 38
    # The lowest 80 pixels stay free: the browser draws the captions there.
    return image


def frames(video: ShippedVideo):
    total = video.duration_seconds * FPS
    done = 0
    for index, slide in enumerate(video.slides):
        base = slide_image(video, index)
        for _ in range(slide.seconds * FPS):
            frame = base.copy()
            draw = ImageDraw.Draw(frame)
            # A thin bar that fills as the video plays: a skip would show at once.
            draw.rectangle((0, HEIGHT - 6, WIDTH, HEIGHT), fill=TRACK)
            draw.rectangle((0, HEIGHT - 6, round(WIDTH * (done + 1) / total), HEIGHT), fill=MUTED)
            done += 1
            yield frame.tobytes()


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def captions(video: ShippedVideo) -> str:
    """WebVTT in Indonesian: each slide's captions spread evenly over its time."""
    lines, start, cue = ["WEBVTT", "Kind: captions", "Language: id", ""], 0.0, 0
    for slide in video.slides:
        step = slide.seconds / len(slide.captions)
        for n, text in enumerate(slide.captions):
            cue += 1
            lines += [str(cue), f"{timestamp(start + n * step)} --> {timestamp(start + (n + 1) * step)}", text, ""]
        start += slide.seconds
    return "\n".join(lines)


class Command(BaseCommand):
    help = ("Render the three shipped induction videos (CRD-2) and their Indonesian WebVTT captions from "
            "prakerja/induction/slides.py into prakerja/induction/data/. Needs imageio-ffmpeg "
            "(requirements-dev.txt). Commit the output.")

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(DATA_DIR), help="folder to write into (default: the app's data/)")
        parser.add_argument("--only", choices=[video.slug for video in VIDEOS], help="render one video")

    def handle(self, *args, out, only, **options):
        try:
            import imageio_ffmpeg
        except ImportError:
            raise CommandError("imageio-ffmpeg is not installed: pip install -r requirements-dev.txt")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for video in VIDEOS:
            if only and video.slug != only:
                continue
            path = folder / f"{video.slug}.mp4"
            writer = imageio_ffmpeg.write_frames(str(path), (WIDTH, HEIGHT), fps=FPS, codec="libx264",
                                                 pix_fmt_in="rgb24", pix_fmt_out="yuv420p", quality=None,
                                                 macro_block_size=8, output_params=OUTPUT_PARAMS,
                                                 ffmpeg_log_level="error")
            writer.send(None)  # start the encoder
            for frame in frames(video):
                writer.send(frame)
            writer.close()
            (folder / f"{video.slug}.vtt").write_text(captions(video), encoding="utf-8")
            size = path.stat().st_size
            if size >= MAX_BYTES:
                raise CommandError(f"{path} is {size} bytes, over the 1 MB a shipped video may have")
            self.stdout.write(f"{path.name}: {video.duration_seconds} s, {size:,} bytes; {video.slug}.vtt")
        self.stdout.write(self.style.SUCCESS(f"rendered into {folder}"))
