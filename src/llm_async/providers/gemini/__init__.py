"""Google Gemini (the Generative Language API, ``v1beta``), sans-I/O.

``provider`` holds the provider class, ``options`` the validated options,
``request`` the request bodies, ``schema`` the JSON schema rewrite, ``response``
the stream parser and whole answers, ``models`` the model catalogue.
"""
