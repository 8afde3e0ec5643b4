# Generated from tests/_async/__init__.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
