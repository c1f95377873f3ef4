"""Helpers shared by the tests and the benchmarks: the real server as a process and
a Wyoming client for it (`server`), and Whisper listening to voices (`intelligibility`).

Neither tests/ nor bench/ imports the other; both import this.
"""
