import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from prakerja.core.http import client_ip
from prakerja.induction import selectors, services
from prakerja.induction.errors import InductionError
from prakerja.induction.media import media_open, media_size


def _page_context(user, video) -> dict:
    videos = selectors.induction_progress(user)
    mine = next(v for v in videos if v["slug"] == video.slug)
    # The next video still to watch after this one (or before it, if the later ones are done).
    following = selectors.next_unwatched(sorted((v for v in videos if v["slug"] != video.slug),
                                                key=lambda v: (v["position"] < video.position, v["position"])))
    return {"video": video, "progress": mine, "videos": videos, "next_video": following,
            "next_url": reverse("induction_video", args=[following["slug"]]) if following else reverse("dashboard"),
            "version": int(video.updated_at.timestamp())}


@login_required
@require_GET
def video_list(request):
    """CRD-2: the three videos with this person's progress."""
    if not selectors.induction_allowed(request.user):
        return redirect("dashboard")
    videos = selectors.induction_progress(request.user)
    return render(request, "induction/list.html", {"videos": videos, "next_video": selectors.next_unwatched(videos)})


@login_required
@require_GET
def video_page(request, slug):
    """CRD-2: one video with its Indonesian captions; player.js reports progress and stops skipping."""
    if not selectors.induction_allowed(request.user):
        return redirect("dashboard")
    video = selectors.video_by_slug(slug)
    if video is None:
        raise Http404
    return render(request, "induction/video.html", _page_context(request.user, video))


@login_required
@require_POST
def progress(request, slug):
    """CRD-2: "the player is at second p". The answer is what the server accepted (services.py)."""
    exceeded = services.progress_rate_check(user=request.user, client=client_ip(request))
    if exceeded is not None:
        return JsonResponse({"error": "too_many"}, status=429, headers={"Retry-After": "10"})
    if not selectors.induction_allowed(request.user):
        raise Http404
    video = selectors.video_by_slug(slug)
    if video is None:
        raise Http404
    try:
        result = services.video_progress_report(user=request.user, video=video, position=request.POST.get("position"))
    except InductionError as error:
        return JsonResponse({"error": error.code, "message": str(error.message)}, status=400)
    answer = {"accepted": result.accepted, "duration": result.duration, "complete": result.complete}
    if result.complete:
        context = _page_context(request.user, video)
        answer["next_url"] = context["next_url"]
        answer["next_title"] = context["next_video"]["title"] if context["next_video"] else None
    return JsonResponse(answer)


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _chunks(file, length: int):
    try:
        while length > 0:
            data = file.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        file.close()


def _serve(request, name: str, content_type: str):
    """A stored file with byte ranges: a browser seeks in a video by asking for ranges."""
    try:
        size = media_size(name)
    except (FileNotFoundError, OSError):
        raise Http404
    start, end, status = 0, size - 1, 200
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match[1] or match[2]):
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:  # the last n bytes
            start = max(0, size - int(match[2]))
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    # Anything else (several ranges, nonsense) gets the whole file, as RFC 9110 allows.
    file = media_open(name)
    file.seek(start)
    response = StreamingHttpResponse(_chunks(file, end - start + 1), status=status, content_type=content_type)
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    # The URL carries the row's version (?v=), so a replacement is a new URL.
    response["Cache-Control"] = "private, max-age=86400"
    # Already compressed, and gzip would break the byte ranges: GZipMiddleware
    # compresses only for a client that says it accepts gzip.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    return response


@login_required
@require_safe
def video_file(request, slug):
    """The MP4, shipped or replaced. The videos are not secret: any signed-in person (operators preview them)."""
    video = selectors.video_by_slug(slug)
    if video is None:
        raise Http404
    return _serve(request, video.video.name, "video/mp4")


@login_required
@require_safe
def captions_file(request, slug):
    video = selectors.video_by_slug(slug)
    if video is None:
        raise Http404
    return _serve(request, video.captions.name, "text/vtt; charset=utf-8")
