"""fetch_url's SSRF guard: which URLs and addresses may be reached (pure, table-tested)."""

from __future__ import annotations

import ipaddress

import pytest

from bot.tools.page_text import NotReadable, media_kind, readable_text
from bot.tools.url_guard import UrlRefused, address_refusal, check_addresses, checked_url, literal_address


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata services
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),  # unique local
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "public"),  # shared address space (carrier-grade NAT): not public
        ("192.0.2.1", "private"),  # documentation
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated)
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),  # Teredo whose client is 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused_with_a_reason(address, reason) -> None:
    refusal = address_refusal(ipaddress.ip_address(address))
    assert refusal is not None and reason in refusal


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1", "2002:0101:0101::1"]
)
def test_public_addresses_pass(address) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_one_private_address_refuses_the_whole_host() -> None:
    public, private = ipaddress.ip_address("1.1.1.1"), ipaddress.ip_address("10.0.0.5")
    check_addresses("ok.example", [public])
    with pytest.raises(UrlRefused, match=r"rebind\.example resolves to 10\.0\.0\.5, a private-network address"):
        check_addresses("rebind.example", [public, private])
    with pytest.raises(UrlRefused, match="no address"):
        check_addresses("void.example", [])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=c", ("https", "example.com", 443)),
        ("HTTP://Example.COM.:8080/", ("http", "example.com", 8080)),
        ("http://[::1]/", ("http", "::1", 80)),
    ],
)
def test_http_and_https_urls_are_taken_apart(url, expected) -> None:
    assert checked_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/x", "only http and https"),
        ("gopher://example.com:70/", "only http and https"),
        ("example.com/page", "without a scheme"),
        ("http:///nohost", "no host"),
        ("https://user:secret@example.com/", "user name or password"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
def test_other_urls_are_refused_with_a_reason(url, message) -> None:
    with pytest.raises(UrlRefused, match=message):
        checked_url(url)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("127.1", "127.0.0.1"),  # shorthand forms resolvers accept
        ("2130706433", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
    ],
)
def test_ip_literals_in_every_form_are_recognised(host, address) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == address


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("text/html; charset=utf-8", b"<p>x</p>", "html"),
        ("application/xhtml+xml", b"<html/>", "html"),
        ("text/plain", b"hello", "text"),
        ("application/json", b"{}", "text"),
        ("application/ld+json", b"{}", "text"),
        ("text/csv", b"a,b", "text"),
        ("image/png", b"\x89PNG\r\n", "other"),
        ("application/pdf", b"%PDF-1.7", "other"),
        ("", b"<!DOCTYPE html><html>", "html"),  # no type: sniffed
        ("application/octet-stream", b"plain words", "text"),
        ("", b"\x00\x01\x02binary", "other"),
    ],
)
def test_content_types_decide_how_a_body_is_read(content_type, body, kind) -> None:
    assert media_kind(content_type, body) == kind


def test_binary_content_is_refused_naming_its_type() -> None:
    with pytest.raises(NotReadable, match=r"image/png \(6 bytes read\), not a web page or text"):
        readable_text(b"\x89PNG\r\n", "image/png", None)


def test_text_is_decoded_with_the_servers_charset() -> None:
    assert readable_text("Grüße".encode("latin-1"), "text/plain", "iso-8859-1").text == "Grüße"
    assert readable_text(b"caf\xc3", "text/plain", None).text == "caf\ufffd"  # cut mid-character: no crash
    assert readable_text(b"x", "text/plain", "no-such-charset").text == "x"
