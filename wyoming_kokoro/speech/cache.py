"""Audio of recent answers, for the ones Home Assistant repeats ("Turned on the lights")."""

from collections import OrderedDict
from collections.abc import Hashable


class AudioCache:
    """Least recently used PCM, bounded in bytes; a bound of 0 keeps nothing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, list[bytes]] = OrderedDict()

    def get(self, key: Hashable) -> list[bytes] | None:
        chunks = self._entries.get(key)
        if chunks is not None:
            self._entries.move_to_end(key)
        return chunks

    def put(self, key: Hashable, chunks: list[bytes]) -> None:
        size = sum(map(len, chunks))
        if size > self.max_bytes or key in self._entries:
            return
        self._entries[key] = chunks
        self.size += size
        while self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= sum(map(len, evicted))
