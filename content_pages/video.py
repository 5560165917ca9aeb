"""Tutorial video URLs: recognise YouTube and Vimeo links in their usual shapes, reject the rest.

Every stored video is kept as (provider, id); the watch and embed URLs are derived from it, so a
pasted link can never smuggle in another host or extra parameters.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError

YOUTUBE = "youtube"
VIMEO = "vimeo"
PROVIDER_CHOICES = [(YOUTUBE, "YouTube"), (VIMEO, "Vimeo")]

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{6,12}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
# Where the players are framed from once the visitor presses play (see conf.VIDEO_SHOWN).
# youtube-nocookie and Vimeo's dnt=1 set no tracking cookies before the visitor plays.
YOUTUBE_PLAYER, VIMEO_PLAYER = "https://www.youtube-nocookie.com", "https://player.vimeo.com"
PLAYER_ORIGINS = (YOUTUBE_PLAYER, VIMEO_PLAYER)


@dataclass(frozen=True)
class VideoRef:
    provider: str
    video_id: str

    @property
    def watch_url(self):
        if self.provider == YOUTUBE:
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def embed_url(self):
        if self.provider == YOUTUBE:
            return f"{YOUTUBE_PLAYER}/embed/{self.video_id}?autoplay=1&rel=0"
        return f"{VIMEO_PLAYER}/video/{self.video_id}?autoplay=1&dnt=1"


def parse_video_url(url):
    """Return the VideoRef for a YouTube or Vimeo URL, or raise ValidationError saying why."""
    url = (url or "").strip()
    if not url:
        raise ValidationError("Paste the video's YouTube or Vimeo address.", code="required")
    if len(url) > 500:
        raise ValidationError("That address is too long to be a video link.", code="too_long")
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValidationError("That is not a valid web address.", code="invalid") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        raise ValidationError("Video links must start with https://.", code="scheme")
    segments = [s for s in parts.path.split("/") if s]

    if host == "youtu.be" and len(segments) == 1:
        return _youtube(segments[0])
    if host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            return _youtube((parse_qs(parts.query).get("v") or [""])[0])
        if len(segments) == 2 and segments[0] in ("embed", "shorts", "live", "v"):
            return _youtube(segments[1])
        raise ValidationError("This YouTube address does not point to a single video.", code="youtube_path")
    if host in _VIMEO_HOSTS:
        if host == "player.vimeo.com":
            if len(segments) == 2 and segments[0] == "video":
                return _vimeo(segments[1])
        elif segments:
            return _vimeo(segments[-1])
        raise ValidationError("This Vimeo address does not point to a single video.", code="vimeo_path")
    raise ValidationError("Only YouTube and Vimeo videos can be embedded.", code="provider")


def _youtube(video_id):
    if not _YOUTUBE_ID.match(video_id):
        raise ValidationError("That YouTube link has no valid video id (11 letters, digits, - or _).", code="id")
    return VideoRef(YOUTUBE, video_id)


def _vimeo(video_id):
    if not _VIMEO_ID.match(video_id):
        raise ValidationError("That Vimeo link has no valid video number.", code="id")
    return VideoRef(VIMEO, video_id)
