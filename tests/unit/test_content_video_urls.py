import pytest
from django.core.exceptions import ValidationError

from content_pages.video import VIMEO, YOUTUBE, parse_video_url


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL123",
        "http://m.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ",
        "youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "  https://youtu.be/dQw4w9WgXcQ  ",
    ],
)
def test_youtube_shapes_normalise_to_one_id(url):
    ref = parse_video_url(url)
    assert (ref.provider, ref.video_id) == (YOUTUBE, "dQw4w9WgXcQ")
    assert ref.watch_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert ref.embed_url.startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?")


@pytest.mark.parametrize(
    "url", ["https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871", "https://vimeo.com/channels/staff/76979871"]
)
def test_vimeo_shapes(url):
    ref = parse_video_url(url)
    assert (ref.provider, ref.video_id) == (VIMEO, "76979871")
    assert ref.embed_url.startswith("https://player.vimeo.com/video/76979871?")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url at all",
        "https://evil.example.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>",
        "https://www.youtube.com/channel/UC123",
        "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
        "ftp://youtu.be/dQw4w9WgXcQ",
        "https://vimeo.com/abc",
        "https://player.vimeo.com/other/76979871",
        "https://youtu.be/" + "a" * 600,
        "https://[::1/",
    ],
)
def test_foreign_or_malformed_urls_are_rejected_with_a_message(url):
    with pytest.raises(ValidationError) as exc:
        parse_video_url(url)
    assert exc.value.messages[0]
