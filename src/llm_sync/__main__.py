# Generated from src/llm_async/__main__.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""``python -m llm_async`` / ``python -m llm_sync``: the ``llm-async`` command line."""

from llm_async.cli import main

if __name__ == "__main__":
    main()
