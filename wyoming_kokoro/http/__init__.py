"""The optional HTTP side: routes, OpenAI's speech API and its wire format, audio
encodings, Prometheus metrics.

May import `core` and `speech`.
"""
