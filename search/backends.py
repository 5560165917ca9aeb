"""Finding documents: PostgreSQL's full-text search, or a plain fallback on other databases.

Both take a parsed query (search.query: at most 10 words, all of which must match) and return
(kind, object_id, rank) for the visible documents that match, best first, at most MAX_HITS.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .documents import CONFIG
from .models import SearchDocument

MAX_HITS = 500  # a query matching more than this shows the best 500; counts say "500+"


def visible():
    now = timezone.now()
    return SearchDocument.objects.filter(is_public=True).filter(
        Q(visible_from__isnull=True) | Q(visible_from__lte=now)
    )


def postgres_hits(query):
    """websearch_to_tsquery never fails on odd input; the GIN index finds the rows, ts_rank
    weighs a title match (A) above keywords (B) and the body (C)."""
    tsquery = SearchQuery(query.text, search_type="websearch", config=CONFIG)
    return (
        visible()
        .filter(search_vector=tsquery)
        .annotate(rank=SearchRank(F("search_vector"), tsquery))
    )


# Points for a word found in each field: a title match ranks above a keyword, a keyword above the body.
FALLBACK_WEIGHTS = (("title", 10.0), ("keywords", 4.0), ("body", 1.0))


def fallback_hits(query):
    """Every word in the title, keywords or body (case-insensitive substring), ranked by where it was found."""
    documents = visible()
    rank = Value(0.0)
    for term in query.terms:
        documents = documents.filter(
            Q(title__icontains=term) | Q(keywords__icontains=term) | Q(body__icontains=term)
        )
        for field, weight in FALLBACK_WEIGHTS:
            rank = rank + Case(When(**{f"{field}__icontains": term}, then=Value(weight)), default=Value(0.0))
    return documents.annotate(rank=rank)


def find(query):
    if not query:
        return []
    hits = postgres_hits(query) if connection.vendor == "postgresql" else fallback_hits(query)
    rows = hits.order_by("-rank", "title", "pk").values_list("kind", "object_id", "rank")[:MAX_HITS]
    return [(kind, object_id, float(rank)) for kind, object_id, rank in rows]
