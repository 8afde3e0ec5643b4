"""Anthropic Messages (Claude), sans-I/O: options, requests, answers, models."""
