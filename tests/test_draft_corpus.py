"""The draft benchmark (benchmarks/draft_corpus.py): its keys are the documents' words, and its scoring counts right."""

from pathlib import Path

import pytest

from benchmarks.draft_corpus import (
    CORPUS,
    FORMATS,
    INVENTED,
    KeyFileError,
    _pdf,
    corpus,
    key_strings,
    load_key,
    measure,
    normalise,
    pieces,
    render,
    scale_document,
    score,
    text_of,
)
from graph.draft import Draft

FIXTURE = Path(__file__).parent / "data" / "draft-corpus"
ENTRIES = corpus(CORPUS)
INVENTED_ENTRIES = corpus(INVENTED)


def test_the_corpus_holds_the_luton_summary_first_and_keys_it_by_hand():
    assert ENTRIES and ENTRIES[0].slug == "luton-pws"
    key = ENTRIES[0].key
    # From the source text: one priority, five target outcomes, 22 work streams, the board that drives it.
    assert (len(key["priorities"]), len(key["outcomes"]), len(key["actions"])) == (1, 5, 22)
    assert key["title"] == "Population and Wellbeing Strategy 2023 to 2028"
    assert [o["name"] for o in key["owners"]] == ["Health and Wellbeing Board"]
    assert "targets" not in key


@pytest.mark.parametrize("entry", ENTRIES + INVENTED_ENTRIES, ids=[e.slug for e in ENTRIES + INVENTED_ENTRIES])
def test_every_key_names_its_source_and_every_string_in_it_is_the_documents_words(entry):
    invented = entry in INVENTED_ENTRIES
    addresses = entry.key["modelled_on" if invented else "sources"]
    assert addresses and all(s.startswith(("https://", "http://")) for s in addresses)
    assert (entry.key.get("invented") is True) == invented
    if invented:  # titled as invented where a reader starts
        assert entry.document.read_text(encoding="utf-8").startswith("<!-- Invented: a plan of no real place")
    text = text_of(entry.document)
    strings = key_strings(entry.key)
    assert len(strings) > 5
    missing = [(where, words) for where, words in strings if " ".join(words.split()) not in text]
    assert not missing, f"{entry.slug}: not the document's words: {missing}"


def test_the_luton_summary_drafts_every_element_of_its_key_in_every_format(tmp_path):
    """Issue 27's table: the packaged Luton summary drafts 'everything'; measured against the hand-written key."""
    for kind in FORMATS:
        result = measure(ENTRIES[0], kind, tmp_path)
        assert (result.recall(), result.precision(), result.role_accuracy()) == (1.0, 1.0, 1.0), kind
        assert result.invented == [] and result.failed == [], kind


def test_a_key_that_lacks_a_field_or_names_no_document_is_refused_naming_the_file(tmp_path):
    (tmp_path / "key.toml").write_text('family = "x"\nsplit = "tune"\ndocument = "d.md"\ntitle = "T"\n', encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"key\.toml: 'sources' is missing or empty; expected a list"):
        load_key(tmp_path)
    (tmp_path / "key.toml").write_text('sources = ["https://example.org/"]\nfamily = "council or corporate plan"\n'
                                       'split = "tune"\ndocument = "d.md"\ntitle = "T"\n', encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"'document' names 'd.md', which is not a file beside it"):
        load_key(tmp_path)


def test_a_key_of_a_family_not_in_the_issues_list_is_refused_naming_the_families(tmp_path):
    (tmp_path / "d.md").write_text("# T\n", encoding="utf-8")
    (tmp_path / "key.toml").write_text('sources = ["https://example.org/"]\nfamily = "council plan"\nsplit = "tune"\n'
                                       'document = "d.md"\ntitle = "T"\n', encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"'family' is 'council plan'; expected one of .*council or corporate plan"):
        load_key(tmp_path)


def test_an_invented_documents_key_names_the_published_plans_it_follows_not_a_source(tmp_path):
    (tmp_path / "d.md").write_text("# T\n", encoding="utf-8")
    head = 'family = "Welsh well-being plan"\nsplit = "held-out"\ndocument = "d.md"\ntitle = "T"\ninvented = true\n'
    (tmp_path / "key.toml").write_text(head, encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"key\.toml: 'modelled_on' is missing or empty; expected a list"):
        load_key(tmp_path)
    (tmp_path / "key.toml").write_text(head + 'modelled_on = ["a plan I read"]\n', encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"'modelled_on' must hold http or https addresses"):
        load_key(tmp_path)
    (tmp_path / "key.toml").write_text(head + 'modelled_on = ["https://example.org/plan"]\n', encoding="utf-8")
    assert load_key(tmp_path)["modelled_on"] == ["https://example.org/plan"]


def test_the_normalisation_drops_white_space_and_trailing_punctuation_and_keeps_case():
    assert normalise("  Healthy\n lives. ") == "Healthy lives"
    assert normalise("fewer young people smoke; and") == "fewer young people smoke"
    assert normalise("Health and Wellbeing board") != normalise("Health and Wellbeing Board")


def _row(**cells) -> dict:
    return {"source": "https://example.org/ashdown/community-plan", **cells}


def test_scoring_an_invented_draft_gives_the_figures_worked_out_by_hand():
    """The fixture's key holds 9 elements; this draft, made by hand, holds 11, of which 8 are the key's."""
    (entry,) = corpus(FIXTURE)
    drafted = Draft({
        "Strategy": [_row(id="s", title="Ashdown Community Plan 2024 to 2030", start="2024", end="2030")],
        "Priorities": [_row(id="p1", priority="Thriving places"), _row(id="p2", priority="Healthy lives.")],
        "Outcomes": [_row(id="o1", outcome="fewer children living in poverty", priority="p1"),
                     _row(id="o2", outcome="more adults in good work", priority="p2"),  # under the wrong priority
                     _row(id="o3", outcome="open a jobs hub in every town", priority="")],  # an action, as an outcome
        "Workstreams": [_row(id="w1", **{"work stream": "Our outcomes"}),  # the document's words, not the key's
                        _row(id="w2", **{"work stream": "a jobs hub for Ashdown"})],  # not the document's words
        "Contributions": [],
        "Organisations": [_row(id="a", name="Ashdown Partnership", kind="partnership")],
        "Targets": [_row(id="t", kind="change", value="halve", date="2030", **{"for": "o1"},
                         quote="By 2030 we will halve the number of children living in poverty.")],
    })
    result = score(entry.key, drafted, text_of(entry.document))
    # Found: title, period, both priorities ("Healthy lives." once its full stop goes), both outcomes, the target,
    # the owner: 8 of the key's 9 (not the action); 8 of the 11 drafted (not o3, w1, w2).
    assert (result.recall(), result.precision()) == (8 / 9, 8 / 11)
    assert (result.recall("outcome"), result.precision("outcome")) == (1.0, 2 / 3)
    assert (result.recall("action"), result.precision("action")) == (0.0, 0.0)
    # In some role: the title, the priorities, the outcomes, the action (as an outcome), the owner, the target: 8;
    # all but the action in the right one.
    assert (result.found_anywhere, result.right_role) == (8, 7)
    # The outcomes' priorities (o2's is wrong) and the target's outcome.
    assert (result.links, result.right_links) == (3, 2)
    assert result.invented == ["action: 'a jobs hub for Ashdown'"]
    nothing = score(entry.key, None, text_of(entry.document))
    assert (nothing.recall(), nothing.precision(), nothing.role_accuracy()) == (0.0, None, None)


def test_a_document_is_rendered_with_its_structure_in_every_format(tmp_path):
    """The fixture's headings, lists and paragraphs, as the drafter reads each format back."""
    from graph.draft.document import read_document

    (entry,) = corpus(FIXTURE)
    markdown = entry.document.read_text(encoding="utf-8")
    assert [(p.kind, p.text) for p in pieces(markdown)][:3] == [
        ("heading", "Ashdown Community Plan 2024 to 2030"), ("paragraph", "The plan is led by the Ashdown Partnership."),
        ("paragraph", "Our priorities are:")]
    for kind in FORMATS:
        blocks, _ = read_document(render(markdown, kind, tmp_path / "plan"))
        assert [(b.kind, b.text) for b in blocks if b.kind != "paragraph" or b.text.startswith("By 2030")] == [
            ("heading", "Ashdown Community Plan 2024 to 2030"), ("item", "Thriving places"), ("item", "Healthy lives."),
            ("item", "fewer children living in poverty"), ("item", "more adults in good work"),
            ("paragraph", "By 2030 we will halve the number of children living in poverty."),
            ("item", "open a jobs hub in every town")], kind


def test_the_scale_pdf_stops_at_its_page_count_and_drafts_its_invented_structure(tmp_path):
    """The benchmark's 120-page PDF, made here with 3 pages: its headings, lists and paragraphs read back as such."""
    from pypdf import PdfReader

    from graph.draft import draft

    pdf = tmp_path / "scale.pdf"
    written = _pdf(pieces(scale_document()), pdf, pages=3)
    assert len(PdfReader(str(pdf)).pages) == 3
    assert 0 < len(written) < len(pieces(scale_document()))
    assert "Test data, invented" in scale_document().splitlines()[2]
    drafted = draft(pdf)
    sections = sum(1 for p in written if p.kind == "heading" and p.text.startswith("Priority "))
    assert sections >= 3
    assert [r["priority"] for r in drafted.rows["Priorities"]][:2] == [
        "Invented priority number 1 for a large plan", "Invented priority number 2 for a large plan"]
    assert (drafted.rows["Strategy"][0]["start"], drafted.rows["Strategy"][0]["end"]) == ("2025", "2035")


def test_a_targets_value_is_compared_by_its_number_and_unit_and_its_date_by_year_and_month():
    from benchmarks.draft_corpus import _date, _same_value

    assert _same_value("10%", "reduce by 10%") and _same_value("1,500", "1500 more") and _same_value("75%", "75")
    assert _same_value("5 percentage points", "increase by 5 percentage points") and _same_value("Net zero", "0")
    assert not _same_value("10%", "reduce by 10 percentage points")  # both give a unit, and not the same one
    assert not _same_value("6%", "60") and not _same_value("halve", "double")
    assert _date("FY2029") == _date("2029") and _date("2025/26") == _date("2025")
    assert _date("March 2025") == _date("2025-03-31") and _date("March 2025") != _date("2025")
