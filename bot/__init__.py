"""moviebot's platform-neutral core: store, titles, rich text, recommendations, commands, feed."""

__version__ = "0.1.0"
