# The paths of the pages that told CONTENT_PAGES_VIDEO_SHOWN they show a video.
video_pages = []


def video_shown(request):
    video_pages.append(request.path)
