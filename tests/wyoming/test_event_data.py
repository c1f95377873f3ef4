"""Event data checked field by field: a wrong field is named, a right one passes."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wyoming.event import Event

from wyoming_kokoro.wyoming import event_data
from wyoming_kokoro.wyoming.event_data import BadEventError, VoiceChoice

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
READERS = {
    "synthesize": event_data.synthesize,
    "synthesize-start": event_data.synthesize_start,
    "synthesize-chunk": event_data.synthesize_chunk,
}


@pytest.mark.parametrize("event_type", list(READERS))
@given(data=st.dictionaries(st.sampled_from(["text", "voice", "context", "x"]), JSON))
def test_any_data_is_read_or_refused_with_the_field_named(
    event_type: str, data: dict[str, Any]
) -> None:
    try:
        READERS[event_type](Event(event_type, data))
    except BadEventError as err:
        assert str(err).startswith(f"{event_type}: the field '")


def test_what_home_assistant_sends_is_read() -> None:
    data = {"text": "Hi.", "voice": {"name": "jf_alpha", "speaker": None}}
    assert event_data.synthesize(Event("synthesize", data)) == ("Hi.", VoiceChoice("jf_alpha"))
    start = Event("synthesize-start", {"voice": {"language": "en_US"}})
    assert event_data.synthesize_start(start) == VoiceChoice(language="en_US")
    assert event_data.synthesize_start(Event("synthesize-start", {})) == VoiceChoice()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "'text' is missing"),
        ({"text": 3}, "'text' must be a string, not int 3"),
        ({"text": "x", "voice": "jf_alpha"}, "'voice' must be an object"),
        ({"text": "x", "voice": {"language": 1}}, "'voice.language' must be a string"),
    ],
)
def test_a_wrong_field_is_named(data: dict[str, Any], message: str) -> None:
    with pytest.raises(BadEventError, match=message):
        event_data.synthesize(Event("synthesize", data))
