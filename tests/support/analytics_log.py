"""Analytics day-file records written by hand, for tests that need a log no server could make in
their time (sessions, clicks, days ago): the format of docs/analytics.md#storage."""
import struct
import zlib


def log_record(kind, when, query_id, site, session="", query="", results=0, position=0, url=""):
    """One framed record: kind 1 search, 2 suggest, 3 click; `when` in Unix seconds."""
    payload = struct.pack("<BBqQqII", kind, 0, when, query_id, 0, results, position)
    for text in (site, session, query, url):
        data = text.encode()
        payload += struct.pack("<H", len(data)) + data
    return struct.pack("<II", len(payload), zlib.crc32(payload)) + payload
