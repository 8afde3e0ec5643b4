"""The built-in models: the only code that knows both facades.

Registered with the plugin registry like any plugin (``plugin.py``); each
provider's sync and async model objects are made in ``openai.py`` and
``local.py``.
"""
