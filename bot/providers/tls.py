"""One TLS context per process for the model clients.

httpx builds a new context for every client it creates, loading the whole CA bundle each time (10–20 ms of CPU);
the providers share this one instead. It trusts what httpx would: `SSL_CERT_FILE` or `SSL_CERT_DIR` when set,
else certifi's bundle.
"""

from __future__ import annotations

import functools
import os
import ssl


@functools.cache
def client_tls() -> ssl.SSLContext:
    if cafile := os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=cafile)
    if capath := os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())
