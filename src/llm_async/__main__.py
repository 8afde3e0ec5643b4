"""``python -m llm_async``: the ``llm-async`` command line."""

from llm_async.cli import main

if __name__ == "__main__":
    main()
