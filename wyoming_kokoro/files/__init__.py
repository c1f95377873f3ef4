"""Where the model and voices come from and how they are kept: verified
downloads, the data dir that heals, the model split and kept as front and decoder,
and the decoder the user chose made from the model's own.

May import `core`.
"""
