"""shop.staticstorage.StaticStorage: WhiteNoise's manifest storage with each URL worked out once."""

import json

import pytest

from shop.staticstorage import StaticStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"shop/base.css": "shop/base.0123abcd.css"}, "version": "1.1", "hash": "h"})
    )
    return StaticStorage(location=str(tmp_path), base_url="/static/")


def test_a_url_is_the_hashed_name_and_is_worked_out_once(storage):
    assert storage.url("shop/base.css") == "/static/shop/base.0123abcd.css"
    storage.hashed_files["shop/base.css"] = "shop/base.changed.css"  # not read again in this process
    assert storage.url("shop/base.css") == "/static/shop/base.0123abcd.css"


def test_a_missing_file_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError):
            storage.url("shop/missing.css")


def test_with_debug_on_the_name_is_not_hashed(storage, settings):
    settings.DEBUG = True
    assert storage.url("shop/base.css") == "/static/shop/base.css"
