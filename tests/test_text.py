"""Sentence splitting: boundaries a careful reader accepts, and exact character offsets."""

from __future__ import annotations

import pytest

from classifier import SentenceSplitter
from classifier._punkt import _PERIOD_CONTEXT
from conftest import DATA
from training.splitter import boundary_scores, read_gold

SPLITTER = SentenceSplitter()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Yusov met Gen. Goita. The junta denied it.",
            ["Mr. Yusov met Gen. Goita.", "The junta denied it."],
        ),
        (
            "The U.S. Treasury acted on Jan. 5 at 9 a.m. local time. Markets fell.",
            ["The U.S. Treasury acted on Jan. 5 at 9 a.m. local time.", "Markets fell."],
        ),
        (
            "The talks ended at 5 p.m. No statement was issued.",
            ["The talks ended at 5 p.m.", "No statement was issued."],
        ),
        (
            "He lives at No. 10 Downing Street. He left.",
            ["He lives at No. 10 Downing Street.", "He left."],
        ),
        (
            "Shares of Acme Inc. rose 3.5% to $1.25. Rivals fell 0.4 points.",
            ["Shares of Acme Inc. rose 3.5% to $1.25.", "Rivals fell 0.4 points."],
        ),
        (
            "George W. Bush met J. K. Rowling. They talked.",
            ["George W. Bush met J. K. Rowling.", "They talked."],
        ),
        ('He said, "We will win." Then he left.', ['He said, "We will win."', "Then he left."]),
        (
            "“We will not go into details,” he said. “You will see more.”",
            ["“We will not go into details,” he said.", "“You will see more.”"],
        ),
        (
            '"Will they win?" she asked. Nobody knew.',
            ['"Will they win?" she asked.', "Nobody knew."],
        ),
        (
            "“Why now?” Diop asked reporters. He did not wait.",
            ["“Why now?” Diop asked reporters.", "He did not wait."],
        ),
        (
            "Output rose (up from 2.1%). Analysts were surprised.",
            ["Output rose (up from 2.1%).", "Analysts were surprised."],
        ),
        (
            "Mali cuts ties with Ukraine\nMali has cut ties with Kyiv.",
            ["Mali cuts ties with Ukraine", "Mali has cut ties with Kyiv."],
        ),
        (
            "The rebels said the attack\nwas repelled. The army disagreed.",
            ["The rebels said the attack\nwas repelled.", "The army disagreed."],
        ),
    ],
)
def test_splits_where_a_careful_reader_would(text, expected):
    assert [s.text for s in SPLITTER.split(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "  Leading spaces. And “curly quotes,” she said.\n\n  Indented paragraph here.  ",
        "Decimals 3.14 and 2.5% stay. Ellipses… stay too. Is it so? Yes!",
        "\u00a0Non-breaking space first. Then tabs\tinside. Emoji 🙂 count as one char.",
    ],
)
def test_offsets_give_back_each_sentence(text):
    sentences = SPLITTER.split(text)
    assert sentences, "expected at least one sentence"
    for i, s in enumerate(sentences):
        assert s.index == i
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))


def test_boundary_f1_on_wire_news_gold_set_is_at_least_097():
    scores = boundary_scores(SPLITTER, read_gold(DATA / "split_gold.txt"))
    assert scores["boundaries"] > 300
    assert scores["f1"] >= 0.97, scores["errors"]


def test_one_very_long_line_is_split_without_timing_out():
    text = "The convoy moved north on the main road and the patrol followed it. " * 4000
    sentences = SPLITTER.split(text)
    assert len(sentences) == 4000
    assert (
        sentences[-1].text == "The convoy moved north on the main road and the patrol followed it."
    )


def test_text_without_sentences_gives_none():
    assert SPLITTER.split(" \n\t\n ") == []


def test_learned_parameters_round_trip_through_the_model(tiny_model):
    params = tiny_model.splitter.params
    assert {"abbrev_types", "collocations", "sent_starters", "ortho_context"} <= set(params)
    assert SentenceSplitter(params).split("Col. Maiga spoke. He left.")[1].text == "He left."


@pytest.mark.parametrize(
    "text",
    [
        "The storm flattened approx. two dozen huts near Diffa.",
        "Turnout was est. 2,000 at the rally in Kano, organisers said.",
        "It pits the junta vs. the armed groups of the north.",
        "Police seized weapons incl. drones and rocket launchers.",
        "Several gov. officials were arrested on Tuesday.",
        "The health dept. of the region reported 14 new cases.",
        "Floods covered some 30 sq. km of rice fields.",
        "The bond pays 4% p.a. until 2031.",
        "A govt. spokesman declined to comment.",
        "Boats may carry max. forty people each.",
        "Output fell last yr. according to the ministry.",
        "Shares of Ardent P.L.C. slipped 2% in London.",
        '"We searched... there was nothing left," a farmer said.',
    ],
)
def test_no_sentence_ends_before_a_lower_case_word(text):
    assert [s.text for s in SPLITTER.split(text)] == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sales rose 4% in May. eBay gained most.",
            ["Sales rose 4% in May.", "eBay gained most."],
        ),
        (
            "Its app crashed. iPhone owners were hit hardest.",
            ["Its app crashed.", "iPhone owners were hit hardest."],
        ),
        (
            "Results go online on Monday. www.ceni.example will list them.",
            ["Results go online on Monday.", "www.ceni.example will list them."],
        ),
        (
            "The claim spread fast. bbc.com reported it first.",
            ["The claim spread fast.", "bbc.com reported it first."],
        ),
        ("he left early. she stayed on.", ["he left early.", "she stayed on."]),
        (
            "Arms, e.g. drones, were seized. Police said so.",
            ["Arms, e.g. drones, were seized.", "Police said so."],
        ),
    ],
)
def test_a_lower_case_sentence_start_still_splits_where_it_must(text, expected):
    assert [s.text for s in SPLITTER.split(text)] == expected


@pytest.mark.parametrize(
    ("text", "fast_path"),
    [
        ("Police seized weapons incl. drones on Monday.", True),  # a plain word: certain
        ("Shares of Ardent P.L.C. slipped 2% in London.", False),  # Punkt's own decision
    ],
)
def test_lower_case_rule_undoes_breaks_from_the_fast_path_and_from_punkt(text, fast_path):
    fast = SPLITTER._punkt
    (match,) = [m for m in _PERIOD_CONTEXT.finditer(text) if m.start() == text.index(". ")]
    assert fast._certain_break(text, match) is fast_path
    assert len(fast.spans(text)) == 2  # Punkt, fast or not, ends a sentence there
    assert [s.text for s in SPLITTER.split(text)] == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Economists at J.P. Morgan expect the cedi to weaken further.",
        "Shipping giant A.P. Moller-Maersk paused sailings through the strait.",
        "Miller Foods S.A. Chairman Jorge Pinto resigned on Monday.",
        "Brewer Van Doorn N.V. Group raised its forecast.",
        "Boatbuilder Harrow Ltd. said orders had doubled.",
        "Insurer Coldwater P.L.C. Holdings cut 300 jobs.",
        "Fund manager R.K. Balogun Partners bought the stake.",
        "Carmaker Lucenti S.p.A. denied the report.",
        "The broadcaster E.M. Sarr Co. lost its licence.",
        "Lawyers for D.J. Oyelaran Group filed the appeal.",
        "Telecoms group N.T. Bassey Holdings will list in Lagos.",
    ],
)
def test_no_split_after_initials_inside_a_company_name(text):
    assert [s.text for s in SPLITTER.split(text)] == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Mariam Kone, Ph.D., said the data were clear.",
        "She holds a Ph.D. in soil science from Niamey.",
        "Oumar Ba, M.D., led the team that treated the wounded.",
        "He earned an M.A. in history before entering politics.",
        "The minister has a B.Sc. in chemistry.",
        "After her LL.M. at Leiden she joined a firm in Dakar.",
        "Candidates need an M.B.A. or an M.Sc. in finance.",
        "A Ph.D. student filmed the protest on her phone.",
        "He wrote his D.Phil. thesis on Sahel grain markets.",
        "Her B.A. came from Accra and her M.Sc. from Nairobi.",
        "The envoy, who has an MBA. from Lyon, spoke first.",
        "A vet with a D.V.M. from Dakar examined the herd.",
    ],
)
def test_no_split_after_an_academic_degree_inside_a_sentence(text):
    assert [s.text for s in SPLITTER.split(text)] == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "She went on to earn a Ph.D. The ministry hired her in 2015.",
            ["She went on to earn a Ph.D.", "The ministry hired her in 2015."],
        ),
        (
            "Ouedraogo holds an M.D. He has worked in Kaya since 2009.",
            ["Ouedraogo holds an M.D.", "He has worked in Kaya since 2009."],
        ),
        (
            "The port contract went to Moreira S.A. Officials gave no value.",
            ["The port contract went to Moreira S.A.", "Officials gave no value."],
        ),
        (
            "He spent a decade at Verhoeven N.V. Since then he has advised governments.",
            ["He spent a decade at Verhoeven N.V.", "Since then he has advised governments."],
        ),
        (
            "She also has an LL.M. According to her office, she speaks four languages.",
            ["She also has an LL.M.", "According to her office, she speaks four languages."],
        ),
        (
            "Diallo has a B.Sc. Her brother studied law in Rabat.",
            ["Diallo has a B.Sc.", "Her brother studied law in Rabat."],
        ),
    ],
)
def test_split_after_a_degree_or_company_initials_before_a_sentence_starter(text, expected):
    assert [s.text for s in SPLITTER.split(text)] == expected
