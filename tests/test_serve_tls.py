"""``dv serve --tls-cert/--tls-key`` for real: uvicorn serving HTTPS with a certificate made by
openssl, the cookies marked Secure, Strict-Transport-Security sent, plain HTTP refused on that
port, and a clean stop on SIGTERM (the way a service manager stops it)."""

from __future__ import annotations

import shutil
import signal
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.support.portal import start_dv_serve

pytest.importorskip("uvicorn")
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")


@pytest.fixture
def https_portal(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False  # the certificate names the address, not a host name
    proc, url, port = start_dv_serve(
        tmp_path / "portal", "--tls-cert", str(cert), "--tls-key", str(key), context=context
    )
    yield proc, url, port, context
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_the_portal_serves_https_with_secure_cookies_and_stops_cleanly_on_sigterm(https_portal):
    proc, url, port, context = https_portal
    with urllib.request.urlopen(url + "/admin/login", timeout=5, context=context) as response:
        assert response.status == 200
        cookies = [v.lower() for k, v in response.headers.items() if k.lower() == "set-cookie"]
        hsts = response.headers.get("strict-transport-security")
        page = response.read().decode("utf-8")
    assert hsts == "max-age=31536000"  # the browser keeps to HTTPS from now on
    assert cookies and all("secure" in c and "httponly" in c and "samesite=strict" in c for c in cookies)
    assert "Đăng nhập" in page or "đăng nhập" in page.lower()
    # The same port does not answer plain HTTP with a page.
    with pytest.raises((urllib.error.URLError, OSError, http_error())):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login", timeout=5).read()
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)
    said = proc.stdout.read().decode("utf-8", "replace")
    assert "Traceback" not in said, said
    assert proc.returncode in (0, 128 + signal.SIGTERM), (proc.returncode, said)


def http_error() -> type[Exception]:
    import http.client

    return http.client.HTTPException
