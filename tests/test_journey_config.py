"""The journey file (config/journey.yaml): read as the owner writes it, refused with the place
of the mistake when it cannot be read."""

import pytest

from dagster_project.journey import JourneyError, journey_frame, load_journey
from tests.conftest import ROOT


def test_the_default_journey_maps_every_kind_of_feedback():
    stages = load_journey(ROOT / "config" / "journey.yaml")
    assert [s.id for s in stages] == ["discover", "visit", "order", "receive", "get_help"]
    frame = journey_frame(stages)
    assert set(frame["source"]) == {"review", "nps", "ticket"}
    receive = frame.filter(frame["stage"] == "receive")
    assert sorted(receive["source_filter"]) == ["catering", "delivery"]
    assert receive["stage_position"].to_list() == [4, 4]
    discover = frame.filter(frame["stage"] == "discover")
    assert discover["source_filter"].to_list() == [None]  # every review


def test_no_journey_file_means_no_stages(tmp_path):
    assert load_journey(tmp_path / "journey.yaml") == []
    assert journey_frame([]).height == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stages:\n  - id: visit\n    sources: [weather]\n", "unknown source 'weather'"),
        ("stages:\n  - id: visit\n    sources: []\n", "sources must be a non-empty list"),
        ("stages:\n  - label: Visit\n    sources: [review]\n", "stage 1 has no id"),
        ("stages:\n  - id: Visit Shop\n    sources: [review]\n", "lower-case letters"),
        (
            "stages:\n  - id: a\n    sources: [review]\n  - id: a\n    sources: [ticket]\n",
            "defined twice",
        ),
        (
            "stages:\n  - id: a\n    sources: [{nps: {stores: [x]}}]\n",
            "source 'nps' has no option {'stores'}",
        ),
        ("stages:\n  - id: a\n    sources: [{nps: in_store}]\n", "are a mapping"),
    ],
)
def test_a_journey_file_with_a_mistake_is_refused_with_where(tmp_path, text, message):
    path = tmp_path / "journey.yaml"
    path.write_text(text)
    with pytest.raises(JourneyError, match=message) as err:
        load_journey(path)
    assert str(path) in str(err.value)
