from wyoming_kokoro.speech.cache import AudioCache


def test_least_recently_used_goes_first_and_the_bound_holds() -> None:
    cache = AudioCache(max_bytes=10)
    cache.put("a", [b"1234"])
    cache.put("b", [b"12", b"34"])
    assert cache.get("a") == [b"1234"]  # now "b" is the oldest
    cache.put("c", [b"123456"])
    assert cache.get("b") is None
    assert cache.get("a") == [b"1234"] and cache.get("c") == [b"123456"]
    assert cache.size == 10


def test_a_zero_bound_keeps_nothing() -> None:
    cache = AudioCache(max_bytes=0)
    cache.put("a", [b"1"])
    assert cache.get("a") is None and cache.size == 0
