# Generated from src/llm_async/_io/__init__.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
