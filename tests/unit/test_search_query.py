"""What a shopper types becomes at most 10 words and 200 characters, never an error, except input
so long that it can only be a robot's (over 1000 characters): that is refused."""

import pytest

from search.query import MAX_INPUT, MAX_LENGTH, MAX_TERMS, QueryTooLong, parse


def test_words_are_lowercased_and_kept_in_order():
    assert parse("Psoas  RELEASE tool").terms == ("psoas", "release", "tool")


def test_a_product_code_stays_one_word():
    assert parse("QLC-CLAW-01").terms == ("qlc-claw-01",)


def test_repeated_words_count_once():
    assert parse("psoas psoas PSOAS").terms == ("psoas",)


def test_at_most_ten_words_and_the_query_says_it_was_shortened():
    query = parse(" ".join(f"word{n}" for n in range(50)))
    assert len(query.terms) == MAX_TERMS
    assert query.terms[0] == "word0"
    assert query.shortened


def test_at_most_two_hundred_characters():
    query = parse("a" * 150 + " " + "b" * 150)
    assert query.terms == ("a" * 150,)
    assert query.shortened
    assert len(query.text) <= MAX_LENGTH


def test_a_short_query_is_not_marked_shortened():
    assert not parse("psoas release").shortened


SYMBOLS_ONLY = ["", "   ", "!!!", "%%%", "***", "<>", "'\"", "\x00\x00", "😀🙂", "--", "\u202e\u200b"]


@pytest.mark.parametrize("junk", SYMBOLS_ONLY)
def test_symbols_and_control_characters_leave_no_words(junk):
    assert not parse(junk)
    assert parse(junk).terms == ()


def test_nul_bytes_split_words_instead_of_reaching_the_database():
    assert parse("pso\x00as").terms == ("pso", "as")


def test_sql_text_is_only_words():
    assert parse("'; DROP TABLE search_searchdocument; --").terms == ("drop", "table", "search", "searchdocument")


def test_unicode_letters_are_words():
    assert parse("Müller Gesäß").terms == ("müller", "gesäß")


def test_over_a_thousand_characters_is_refused():
    assert parse("x" * MAX_INPUT).terms
    with pytest.raises(QueryTooLong):
        parse("x" * (MAX_INPUT + 1))


def test_none_is_an_empty_query():
    assert not parse(None)
