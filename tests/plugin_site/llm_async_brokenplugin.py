"""A test plugin that fails on import."""

raise ImportError("this plugin is broken on purpose")
