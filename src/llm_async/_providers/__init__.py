"""Sans-I/O provider adapters: prompt → ``httpx.Request``, bytes → stream events."""
