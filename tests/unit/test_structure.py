"""Turns, speakers and shorthand sections."""

from __future__ import annotations

from notewell.bootstrap import App
from tests.factories import make_session


def roles(app: App, text: str, **kw: object) -> list[tuple[str, str | None]]:
    doc = app.extractor.document(make_session(text, **kw))  # type: ignore[arg-type]
    return [(t.role, t.speaker) for t in doc.turns]


def test_t_c_labels_are_therapist_and_client(app: App) -> None:
    assert roles(app, "T: How was the week?\nC: Long.") == [("therapist", "T"), ("client", "C")]


def test_full_labels_are_recognised(app: App) -> None:
    assert [r for r, _ in roles(app, "Therapist: Hello.\nClient: Hi.\nCounselor: Okay.")] == [
        "therapist",
        "client",
        "therapist",
    ]


def test_named_speakers_come_from_the_session_file(app: App) -> None:
    text = "Therapist: Who wants to start?\nMom: I will.\nJules: Fine."
    got = roles(app, text, session_type="family", participants=("Jules", "Mom"), client_name="Jules")
    assert got == [("therapist", "Therapist"), ("other", "Mom"), ("client", "Jules")]


def test_both_partners_are_the_client_in_couples_work(app: App) -> None:
    got = roles(
        app,
        "Therapist: Go ahead.\nLee: Okay.\nKim: Sure.",
        session_type="couples",
        participants=("Lee", "Kim"),
    )
    assert [r for r, _ in got] == ["therapist", "client", "client"]


def test_a_couples_client_named_as_one_partner_is_that_partner(app: App) -> None:
    got = roles(
        app,
        "Therapist: Go ahead.\nLee: Okay.\nKim: Sure.",
        session_type="couples",
        participants=("Lee", "Kim"),
        client_name="Lee",
    )
    assert [r for r, _ in got] == ["therapist", "client", "other"]


def test_the_one_other_named_speaker_of_a_one_to_one_transcript_is_the_clinician(app: App) -> None:
    text = "Adebayo: How was the week?\nLena: Rough.\nAdebayo: Rough how?\nLena: I barely slept."
    got = roles(app, text, client_name="Lena")
    assert [r for r, _ in got] == ["therapist", "client", "therapist", "client"]
    # a second named speaker: the file has to say who is who
    text += "\nMarta: She did sleep on Sunday.\nMarta: I checked."
    assert next(r for r, _ in roles(app, text, client_name="Lena")) != "therapist"


def test_shorthand_labels_are_sections_not_speakers(app: App) -> None:
    doc = app.extractor.document(make_session("S: Mood 4/10.\nRisk: Denies SI.\nP: Thought record daily."))
    assert [t.role for t in doc.turns] == ["narrative"] * 3
    assert [s.section for s in doc.sentences] == ["subjective", "risk", "plan"]


def test_inline_heading_switches_section_mid_line(app: App) -> None:
    doc = app.extractor.document(make_session("Practiced PMR in session. HW: PMR nightly; worry log."))
    sections = [s.section for s in doc.sentences]
    assert sections[0] is None and sections[-1] == "homework"


def test_sentences_never_cross_lines_and_are_trimmed(app: App) -> None:
    text = "C: I slept badly\nT: How badly?  \n"
    doc = app.extractor.document(make_session(text))
    for s in doc.sentences:
        piece = text[s.start : s.end]
        assert "\n" not in piece and piece == piece.strip()


def test_clinical_abbreviations_do_not_end_a_sentence(app: App) -> None:
    doc = app.extractor.document(make_session("RTC 11/26 to begin ph. 3-4 if the calm place holds."))
    assert len(doc.sentences) == 1


def test_goal_stems_are_right_when_many_threads_draft_at_once() -> None:
    """The web app drafts in a thread pool: stemming must not mix up words across threads."""
    from concurrent.futures import ThreadPoolExecutor

    from notewell.extraction import goals

    words = [
        f"{w}{suffix}"
        for w in ("worry", "sleep", "panic", "avoid", "connect")
        for suffix in ("", "ing", "ed")
    ]
    words += [f"zq{i}ing" for i in range(400)]  # unseen words: the stemmer itself runs, not the cache
    expected = [goals._STEMMER.stemWord(w) for w in words]
    goals.stem.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: [goals.stem(w) for w in words], range(16)))
    assert all(r == expected for r in results)


def test_a_group_note_header_names_the_client_among_first_name_speakers(app: App) -> None:
    text = (
        "Skills group, wk 2. Note for: Dana K.\n"
        "Leader: Any thoughts of suicide since last week?\n"
        "Dana: Not this week.\n"
        "Omar: Some, on Sunday.\n"
        "Dana: I used the breathing."
    )
    got = roles(app, text, session_type="group")
    assert got[1:] == [("therapist", "Leader"), ("client", "Dana"), ("other", "Omar"), ("client", "Dana")]


def test_a_header_names_the_client_in_capitals_in_a_capitals_transcript(app: App) -> None:
    text = (
        "IOP group, 6 present. Note for identified client: MARISOL.\n"
        "FACILITATOR: Safety check, anybody?\n"
        "MARISOL: Not me.\n"
        "DESMOND: I had a rough night."
    )
    got = roles(app, text, session_type="group")
    assert got[1:] == [("therapist", "FACILITATOR"), ("client", "MARISOL"), ("other", "DESMOND")]


def test_a_relation_in_the_opening_line_sets_the_parent_apart(app: App) -> None:
    text = (
        "Family session: Remy and his father, Anton.\n"
        "Therapist: Remy, how was it?\nRemy: Fine.\nAnton: Not fine."
    )
    assert roles(app, text, session_type="family")[1:] == [
        ("therapist", "Therapist"),
        ("client", "Remy"),
        ("other", "Anton"),
    ]


def test_unknown_names_stay_narrative_when_the_client_cannot_be_told(app: App) -> None:
    text = "Therapist: Who starts?\nRemy: Me.\nAnton: Then me."
    assert [r for r, _ in roles(app, text, session_type="family")] == ["therapist", "narrative", "narrative"]


def test_named_partners_in_a_couples_transcript_are_both_the_client(app: App) -> None:
    text = "Therapist: Has it ever gotten physical?\nJoss: No.\nMarek: Never."
    assert [r for r, _ in roles(app, text, session_type="couples")] == ["therapist", "client", "client"]


def test_repeated_shorthand_headings_are_not_speakers(app: App) -> None:
    text = "Therapist: Plan below.\nPlan: sleep log.\nPlan: walk daily."
    assert [r for r, _ in roles(app, text)] == ["therapist", "narrative", "narrative"]


def test_a_legend_in_the_opening_line_names_the_clinician_and_the_named_client_sets_members_apart(
    app: App,
) -> None:
    # without the key "F:" was the clinician's shorthand and JONAH's line the client's
    text = (
        "Skills group. Client of record: PRIYA. Also present: JONAH, LUIS. F = facilitator.\n"
        "F: Safety check, 0 to 5?\n"
        "JONAH: SI was a 3 this morning.\n"
        "PRIYA: Zero for SI."
    )
    got = roles(app, text, session_type="group", client_name="Priya")
    assert got[1:] == [("therapist", "F"), ("other", "JONAH"), ("client", "PRIYA")]


def test_a_couple_named_together_are_both_the_client(app: App) -> None:
    text = "Couples session.\nT: Where do we start?\nDANA: The phone thing.\nREGGIE: Here we go."
    got = roles(app, text, session_type="couples", client_name="Dana and Reggie")
    assert got[1:] == [("therapist", "T"), ("client", "DANA"), ("client", "REGGIE")]


def test_members_listed_in_capitals_in_the_opening_line_are_people_even_with_rare_names(app: App) -> None:
    text = (
        "Teen group. Client of record: TYLER. Other members: DEZ, KOA. F = facilitator.\n"
        "F: Check-in?\n"
        "DEZ: A year since I tried to hang myself.\n"
        "TYLER: Fine."
    )
    got = roles(app, text, session_type="group", client_name="Tyler")
    assert got[1:] == [("therapist", "F"), ("other", "DEZ"), ("client", "TYLER")]


def test_a_private_line_keeps_only_itself_out_while_a_private_heading_keeps_its_block(app: App) -> None:
    session = make_session(
        "Note to self: I suspect more is going on at home.\nDenies SI, HI.\n\n"
        "Process notes:\nFelt protective of her.\nBring to supervision.\n\nP: RTC 1 wk."
    )
    doc = app.extractor.document(session)  # private lines are blanked in the document's text
    private = [session.text[e.start : e.end] for e in doc.private]
    assert private == [
        "Note to self: I suspect more is going on at home.",
        "Process notes:",
        "Felt protective of her.",
        "Bring to supervision.",
    ]
    assert [doc.text[s.start : s.end] for s in doc.sentences] == ["Denies SI, HI.", "P: RTC 1 wk."]


def test_a_name_marked_as_the_client_in_the_opening_line_is_the_client_even_if_a_word(app: App) -> None:
    # "Ava" is also a common word; "Ava, Mom" in a speaker list is not "Ava, the mother"
    text = (
        "Family session. Present: Ava (client, 15) and her mother. Speakers: T (therapist), Ava, Mom.\n"
        "T: Any thoughts of killing yourself?\n"
        "Ava: No.\n"
        "Mom: She's been okay."
    )
    got = roles(app, text, session_type="family")
    assert got[1:] == [("therapist", "T"), ("client", "Ava"), ("other", "Mom")]


def test_a_homework_line_reporting_last_weeks_work_does_not_make_the_session_homework(app: App) -> None:
    doc = app.extractor.document(
        make_session(
            'HW: mood log kept 5 of 7 days.\nRe: work, examined the thought "I\'ll be fired".\n'
            "HW: thought record x3 this week.\nAnd a walk on Sunday."
        )
    )
    assert [s.section for s in doc.sentences] == ["homework", None, "homework", "homework"]


def test_a_bracketed_private_aside_is_private(app: App) -> None:
    session = make_session(
        "Diary card reviewed, 7 of 7 days.\n"
        "(Note to self, not for chart: I keep wanting to fix things for her; take to consult.)\n"
        "Denies SI."
    )
    doc = app.extractor.document(session)
    private = [session.text[e.start : e.end] for e in doc.private]
    assert private == [
        "(Note to self, not for chart: I keep wanting to fix things for her; take to consult.)"
    ]
    assert "fix things" not in " ".join(h.text for h in app.extractor.extract(session).homework)


def test_a_couples_partners_words_are_the_sessions_evidence_but_not_the_clients_risk(app: App) -> None:
    session = make_session(
        "Therapist: What happens when she goes quiet?\n"
        "Lee: I'm fine.\n"
        "Kim: I know what she's thinking, that I don't care. Some nights I wish I was dead.",
        session_type="couples",
        participants=("Lee", "Kim"),
        client_name="Lee",
    )
    facts = app.extractor.extract(session)
    assert "mind_reading" in {d.type for d in facts.distortions}
    assert facts.risk["suicidal_ideation"].value == "not_assessed"


def turn_texts(app: App, text: str) -> list[str]:
    doc = app.extractor.document(make_session(text))
    return [doc.text[t.content_start : t.end] for t in doc.turns]


def test_a_hard_wrapped_paragraph_is_one_turn(app: App) -> None:
    text = (
        "He described a stretch in the winter of 2019, after the divorce, when he\n"
        "thought about driving his truck off an overpass; he never acted on it and\n"
        "says those thoughts stopped that winter. He denies any history of\n"
        "cutting or other self-injury.\n"
        "\n"
        "Plan: weekly sessions."
    )
    turns = turn_texts(app, text)
    assert len(turns) == 2
    assert turns[0].endswith("cutting or other self-injury.")


def test_shorthand_lists_and_form_answers_are_not_wrapped(app: App) -> None:
    shorthand = "Denies SI\nreports HI toward brother"  # short lines: items, not a wrap
    assert len(turn_texts(app, shorthand)) == 2
    bullets = (
        "- Reviewed the diary card for the week with the client and her\n"
        "- mother, who came in for the first ten minutes of the session"
    )
    assert len(turn_texts(app, bullets)) == 2
    form = (
        "In the past month, has your partner pushed, hit, or threatened to hurt you?   [x] No\n"
        "Do you ever feel afraid of your partner?   [x] No"
    )
    assert len(turn_texts(app, form)) == 2
    indented = (
        "Chain: urge 5/5 -> went to the bathroom, took the blade out of the razor -> cut\n"
        "   conseq: relief ~10 min, then shame, hid arm from roommate"
    )
    assert len(turn_texts(app, indented)) == 2


def test_a_wrapped_answer_still_answers_the_screening_question(app: App) -> None:
    text = (
        "T: Have you had any thoughts of killing yourself since we last met?\n"
        "C: No, not since the spring, and honestly I would not do that to my kids or\n"
        "my mother, not ever."
    )
    facts = app.extractor.extract(make_session(text))
    assert facts.risk["suicidal_ideation"].value == "denied"
    assert len(app.extractor.document(make_session(text)).turns) == 2
