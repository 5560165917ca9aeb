"""The pure parts of the benchmark and soak harness (scripts/): the load balancer's configuration,
wrk's output parsing, the ratios and the side-by-side table, the two-node soak's error split.
The benchmark and soak themselves are `make bench` and `make soak`, never part of the suite."""

import importlib
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def scripts_path():
    sys.path.insert(0, str(SCRIPTS))
    yield
    sys.path.remove(str(SCRIPTS))


@pytest.fixture
def bench(scripts_path):
    return importlib.import_module("bench")


@pytest.fixture
def loadbalancer(scripts_path):
    return importlib.import_module("loadbalancer")


@pytest.fixture
def soak(scripts_path):
    return importlib.import_module("soak")


def test_haproxy_config_balances_over_every_node_with_the_database_health_check(loadbalancer):
    config = loadbalancer.haproxy_config(8180, [("a", 8181), ("b", 8182)])
    lines = [line.strip() for line in config.splitlines()]
    assert "bind 127.0.0.1:8180" in lines
    assert "server a 127.0.0.1:8181 check" in lines
    assert "server b 127.0.0.1:8182 check" in lines
    assert "http-check send meth GET uri /health/?only=database ver HTTP/1.1 hdr Host 127.0.0.1" in lines
    assert "http-check expect status 200" in lines
    assert "option forwardfor" in lines  # the nodes count it as a proxy (TRUSTED_PROXY_COUNT=2)
    # A dead node's connections go to another node; a request a node received is never replayed.
    assert "option redispatch 1" in lines
    assert "retry-on conn-failure" in lines
    assert not any(line.startswith("retry-on") and "empty-response" in line for line in lines)
    # Every node busy at once: still served (unchecked backups), not a 503.
    assert "server a_last_resort 127.0.0.1:8181 backup" in lines
    assert "option allbackups" in lines


@pytest.mark.parametrize("nodes", [[], [("a", 1), ("a", 2)], [("a b", 1)]])
def test_haproxy_config_refuses_no_nodes_or_bad_names(loadbalancer, nodes):
    with pytest.raises(ValueError):
        loadbalancer.haproxy_config(8180, nodes)


WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:8290/
  2 threads and 8 connections
Requests/sec:   1234.56
Transfer/sec:      9.87MB
BENCH p50=4100 p99=12900 non2xx=0 errors=2 hits=90 misses=10 other=0 none=3
"""


def test_parse_wrk_reads_rps_and_the_lua_line(bench):
    result = bench.parse_wrk(WRK_OUTPUT)
    assert result == {"rps": 1234.56, "p50": 4100, "p99": 12900, "non2xx": 0, "errors": 2, "hits": 90,
                      "misses": 10, "other": 0, "none": 3}
    assert bench.hit_ratio(result) == pytest.approx(0.9)


def test_parse_wrk_without_the_lua_line_is_an_error(bench):
    with pytest.raises(ValueError):
        bench.parse_wrk("Requests/sec: 10.0\n")


def test_ratio_is_none_when_a_side_is_missing(bench):
    assert bench.ratio(300, 100) == 3
    assert bench.ratio(None, 100) is None
    assert bench.ratio(300, 0) is None
    assert bench.fmt_ratio(None) == "-"
    assert bench.fmt_ratio(1 / 3) == "0.33x"


def point(rps, p50=1000, p99=5000):
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": 0, "errors": 0}


def test_table_rows_give_ratios_to_stock_and_static_per_connection_level(bench):
    results = {
        ("cached", "product"): {1: point(600), 8: point(1200)},
        ("uncached", "product"): {1: point(90), 8: point(150)},
        ("stock", "product"): {1: point(30), 8: point(50)},
        ("cached", "search"): {1: point(40), 8: point(60)},
    }
    static = {1: point(1200), 8: point(4000)}
    rows = bench.table_rows(results, ["product", "search"], [1, 8], static)
    by_server = {(row[0], row[1]): row for row in rows}
    cached = by_server["product", "ours, page cache on"]
    # page, server, (req/s, p50, p99) x 2, x stock x 2, x static x 2, non-2xx
    assert cached[2:5] == ["600", "1.0", "5.0"]
    assert cached[8:10] == ["20.00x", "24.00x"]
    assert cached[10:12] == ["0.50x", "0.30x"]
    assert by_server["product", "ours, page cache off"][8:10] == ["3.00x", "3.00x"]
    assert by_server["product", "stock Oscar 4.2"][8:10] == ["", ""]
    # Search was never measured with the cache off (never cached) nor on stock: no ratio to stock.
    assert by_server["search", "ours (never page-cached)"][8:10] == ["-", "-"]
    table = bench.markdown_table(bench.table_header([1, 8]), rows)
    assert table.splitlines()[0].startswith("| page | server | req/s @1 |")
    assert len({line.count("|") for line in table.splitlines()}) == 1


def test_targets_are_met_missed_or_not_measured(bench):
    results = {
        ("cached", "product"): {8: point(1500)},
        ("uncached", "product"): {8: point(100)},
        ("stock", "product"): {8: point(50)},
        ("cached", "search"): {8: point(60, p99=350_000)},
    }
    found = {what: met for what, met, _ in bench.targets(results, {8: point(4000)}, 8)}
    assert found["cached product >= 1/3 of static @8"] is True
    assert found["cached home >= 1/3 of static @8"] is None
    assert found["product, page cache off >= 3x stock Oscar @8"] is False
    assert found["search p99 < 300 ms @8"] is False


def test_outage_errors_split_at_the_kill_during_the_outage_and_elsewhere(soak):
    tally = soak.Tally()
    tally.node_outages = [("b", 100.0, 130.0)]
    tally.error_times = [(50.0, "early"), (100.5, "in flight"), (102.9, "in flight too"), (110.0, "during"),
                         (134.0, "starting"), (200.0, "late")]
    at_kill, during, elsewhere = soak.outage_errors(tally, grace=3.0)
    assert at_kill == ["in flight", "in flight too"]
    assert during == ["during", "starting"]
    assert elsewhere == ["early", "late"]


def test_lighthouse_budget_failures_name_the_metrics_that_fell_short(scripts_path):
    lighthouse = importlib.import_module("lighthouse")
    audits = {
        "largest-contentful-paint": {"id": "largest-contentful-paint", "score": 0.7, "displayValue": "3.1 s",
                                     "scoreDisplayMode": "numeric"},
        "total-blocking-time": {"id": "total-blocking-time", "score": 1, "displayValue": "0 ms",
                                "scoreDisplayMode": "numeric"},
        "is-crawlable": {"id": "is-crawlable", "score": 0, "scoreDisplayMode": "binary"},
    }
    categories = {
        "performance": {"auditRefs": [{"id": "largest-contentful-paint", "weight": 25},
                                      {"id": "total-blocking-time", "weight": 30}]},
        "accessibility": {"auditRefs": []},
        "seo": {"auditRefs": [{"id": "is-crawlable", "weight": 1}]},
    }
    scores = {"performance": 90, "accessibility": 100, "seo": 60}
    budgets = {"performance": 95, "accessibility": 100}  # SEO not judged on this page
    failures = lighthouse.budget_failures("cart", scores, 0.0, budgets, False, audits, categories)
    assert failures == ["cart: performance 90 < 95 (short: largest-contentful-paint 3.1 s (0.7))"]
    assert lighthouse.budget_failures("home", {**scores, "performance": 99}, 0.01, budgets, True, audits,
                                      categories) == ["home: CLS 0.010 > 0"]
