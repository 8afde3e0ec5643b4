"""The built-in tools ``llm_version`` and ``llm_time`` (as in ``llm``)."""

from __future__ import annotations

import datetime
import time

from llm_async._core.types import JSONObject

__all__ = ["llm_time", "llm_version"]


def llm_version() -> str:
    "Return the installed version of llm-async"
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llm-async")
    except PackageNotFoundError:
        return "unknown (not installed as a distribution)"


def llm_time() -> JSONObject:
    "Returns the current time, as local time and UTC"
    utc = datetime.datetime.now(datetime.timezone.utc)
    local = utc.astimezone()
    offset = local.utcoffset() or datetime.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return {
        "utc_time": utc.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "utc_time_iso": utc.isoformat(),
        "local_timezone": local.tzname() or "",
        "local_time": local.strftime("%Y-%m-%d %H:%M:%S"),
        "timezone_offset": f"UTC{sign}{hours:02d}:{mins:02d}",
        "is_dst": bool(time.localtime().tm_isdst),
    }
