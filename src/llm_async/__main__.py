"""``python -m llm_async`` / ``python -m llm_sync``: the ``llm-async`` command line."""

from llm_async.cli import main

if __name__ == "__main__":
    main()
