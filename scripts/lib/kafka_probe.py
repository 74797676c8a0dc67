#!/usr/bin/env python3
"""Readiness probe for a Kafka-protocol broker: sends ApiVersions v0 and checks the reply.

Usage: kafka_probe.py HOST PORT [TIMEOUT_SECONDS]
Exit 0 when the broker answers with error_code 0 (prints the number of supported APIs), 1 otherwise.
Standard library only, so it runs with any python3.
"""
import socket
import struct
import sys


def probe(host: str, port: int, timeout: float) -> int:
    client_id = b"stack-probe"
    correlation_id = 0x5EED
    # Request header v1: api_key=18 (ApiVersions), api_version=0, correlation_id, client_id; empty v0 body.
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(struct.pack(">i", len(body)) + body)
        size = struct.unpack(">i", _read(s, 4))[0]
        reply = _read(s, size)
    got_correlation, error_code, count = struct.unpack(">ihi", reply[:10])
    if got_correlation != correlation_id:
        raise RuntimeError(f"correlation id mismatch: {got_correlation}")
    if error_code != 0:
        raise RuntimeError(f"ApiVersions error_code {error_code}")
    return count


def _read(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    return buf


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    try:
        print(f"ApiVersions ok: {probe(host, port, timeout)} APIs")
    except Exception as e:  # noqa: BLE001 - any failure means "not ready"
        print(f"not ready: {e}", file=sys.stderr)
        sys.exit(1)
