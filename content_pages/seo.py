"""schema.org data for search engines, built from the same objects the page shows."""

from django.urls import reverse


def breadcrumb_list(request, trail):
    """trail: [(name, path)]; the last item is the current page."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": request.build_absolute_uri(path)}
            for i, (name, path) in enumerate(trail, start=1)
        ],
    }


def video_object(request, video, poster_url=None):
    data = {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": video.title,
        "description": video.description or video.title,
        "embedUrl": video.embed_url.split("?")[0],
        "contentUrl": video.url,
        "uploadDate": video.created.isoformat(),
    }
    if poster_url:
        data["thumbnailUrl"] = request.build_absolute_uri(poster_url)
    if video.duration:
        data["duration"] = video.iso_duration
    return data


def citation(ref):
    data = {"@type": "Book", "name": ref.title, "author": ref.authors}
    if ref.edition:
        data["bookEdition"] = ref.edition
    if ref.publisher:
        data["publisher"] = {"@type": "Organization", "name": ref.publisher}
    if ref.year:
        data["datePublished"] = str(ref.year)
    if ref.url:
        data["url"] = ref.url
    return data


def article_data(request, article, citations, site_name):
    modified = article.last_reviewed.isoformat() if article.last_reviewed else article.updated.isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.meta_title,
        "description": article.meta_description,
        "datePublished": article.publish_at.isoformat(),
        "dateModified": max(modified, article.updated.isoformat()),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "publisher": {"@type": "Organization", "name": site_name},
        "citation": [citation(ref) for ref in citations],
    }
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    if article.hero_image:
        data["image"] = request.build_absolute_uri(article.hero_image.url)
    return data


def article_page_data(request, article, citations, videos, site_name):
    return [
        article_data(request, article, citations, site_name),
        breadcrumb_list(
            request,
            [
                ("Home", "/"),
                ("Learn", reverse("content_pages:article-list")),
                (article.title, article.get_absolute_url()),
            ],
        ),
        *[video_object(request, video, video.poster.url if video.poster else None) for video in videos],
    ]
