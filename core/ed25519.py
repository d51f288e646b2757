"""Ed25519 signature *verification* (RFC 8032 §5.1.7), in pure Python: what the app needs to check
a rule pack's signature, without a compiled cryptography package in the bundle.

Only public data goes through here (the public key, the signature, the signed bytes), so nothing
needs to run in constant time. Signing and key generation are maintainer commands and stay with
the `cryptography` package (core/rulepacks.py; a dev dependency, not in the frozen app).

The check follows RFC 8032 §5.1.7 step by step:

1. The signature is 64 bytes: ENC(R) || ENC(S). S is a little-endian integer that must be below
   L (a non-canonical S is refused: no malleability). A and R are decoded per §5.1.3, strictly:
   y >= p, an x that does not exist, or x = 0 with the sign bit set, each make the decoding and so
   the signature fail.
2. k = SHA-512(ENC(R) || ENC(A) || M) as a little-endian integer (PureEdDSA: no dom2 prefix).
3. The group equation without the cofactor, which §5.1.7 says is sufficient: [S]B = R + [k]A.
   This is the check OpenSSL (behind `cryptography`) makes, so a signature made by
   `python -m core rules pack build` verifies here exactly when it verified there.

`public_key_from_pem` reads the SubjectPublicKeyInfo PEM the signing side writes (RFC 8410).
Tested against every RFC 8032 §7.1 Ed25519 vector, negative cases, and side by side with
`cryptography` on random keys and messages (tests/test_ed25519.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

__all__ = ["KeyFormatError", "NotEd25519Key", "public_key_from_pem", "valid_public_key", "verify"]

# -- the curve (RFC 8032 §5.1) ----------------------------------------------------------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
ORDER_8L = 8 * L  # the order of the whole curve group: [k]X = [k mod 8L]X for every point X

Point = tuple[int, int, int, int]  # extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z
IDENTITY: Point = (0, 1, 1, 0)


def _add(p: Point, q: Point) -> Point:
    """Point addition (RFC 8032 §5.1.4, the complete formulas for a = -1)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _double(p: Point) -> Point:
    """Point doubling (RFC 8032 §5.1.4)."""
    x1, y1, z1, _ = p
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return e * f % P, g * h % P, f * g % P, e * h % P


def _neg(p: Point) -> Point:
    x, y, z, t = p
    return (-x) % P, y, z, (-t) % P


def _equal(p: Point, q: Point) -> bool:
    """Projective equality: x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    x1, y1, z1, _ = p
    x2, y2, z2, _ = q
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y: int, sign: int) -> int | None:
    """x from y and x's sign bit (RFC 8032 §5.1.3 steps 2-4); None when no such point exists."""
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decode_point(s: bytes) -> Point | None:
    """ENC(X) -> X (RFC 8032 §5.1.3); None when the 32 bytes are not the encoding of a point."""
    if len(s) != 32:
        return None
    n = int.from_bytes(s, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    x = _recover_x(y, sign)
    if x is None:
        return None
    return x, y, 1, x * y % P


_BY = 4 * pow(5, P - 2, P) % P
_BX = _recover_x(_BY, 0)
assert _BX is not None
B: Point = (_BX, _BY, 1, _BX * _BY % P)


def _double_scalar_mult(a: int, p: Point, b: int, q: Point) -> Point:
    """[a]P + [b]Q by one left-to-right double-and-add over both scalars (Straus/Shamir)."""
    pq = _add(p, q)
    r = IDENTITY
    for i in range(max(a.bit_length(), b.bit_length()) - 1, -1, -1):
        r = _double(r)
        bits = ((a >> i) & 1, (b >> i) & 1)
        if bits == (1, 1):
            r = _add(r, pq)
        elif bits == (1, 0):
            r = _add(r, p)
        elif bits == (0, 1):
            r = _add(r, q)
    return r


def valid_public_key(public_key: bytes) -> bool:
    """True when the 32 bytes decode to a point of the curve (RFC 8032 §5.1.3)."""
    return _decode_point(bytes(public_key)) is not None


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True exactly when `signature` is a valid Ed25519 signature of `message` by `public_key`
    (32 raw bytes), per RFC 8032 §5.1.7 (cofactorless equation). Never raises for bad input of the
    right types: a wrong length, a non-canonical S or an undecodable point is simply False."""
    public_key, signature, message = bytes(public_key), bytes(signature), bytes(message)
    if len(public_key) != 32 or len(signature) != 64:
        return False
    r_enc, s_enc = signature[:32], signature[32:]
    s = int.from_bytes(s_enc, "little")
    if s >= L:  # step 1: S must be in {0, ..., L-1}
        return False
    a = _decode_point(public_key)
    r = _decode_point(r_enc)
    if a is None or r is None:
        return False
    k = int.from_bytes(hashlib.sha512(r_enc + public_key + message).digest(), "little")  # step 2
    # step 3: [S]B = R + [k]A, computed as [S]B + [k](-A) == R; k mod 8L leaves [k]A unchanged
    # for any point A, so this is the RFC's equation with the unreduced k
    return _equal(_double_scalar_mult(s, B, k % ORDER_8L, _neg(a)), r)


# -- the public key file (SubjectPublicKeyInfo PEM, RFC 8410 §4) ---------------------------------------
class KeyFormatError(ValueError):
    """Not a PEM public key (no PEM block, bad base64, not a SubjectPublicKeyInfo)."""


class NotEd25519Key(KeyFormatError):
    """A well-formed public key of another algorithm (RSA, EC, Ed448...)."""


_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)
_ED25519_OID = bytes.fromhex("06032b6570")  # 1.3.101.112


def _der(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """One DER element at `pos`: (tag, contents, the position after it)."""
    if pos + 2 > len(data):
        raise KeyFormatError("truncated DER")
    tag, n = data[pos], data[pos + 1]
    pos += 2
    if n & 0x80:
        count = n & 0x7F
        if not 1 <= count <= 2 or pos + count > len(data):
            raise KeyFormatError("bad DER length")
        n = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + n > len(data):
        raise KeyFormatError("truncated DER")
    return tag, data[pos:pos + n], pos + n


def public_key_from_pem(pem: bytes) -> bytes:
    """The 32 raw bytes of the Ed25519 public key in a `-----BEGIN PUBLIC KEY-----` PEM.
    KeyFormatError when it is not a PEM public key, NotEd25519Key when it is one of another
    algorithm or its point is not on the curve."""
    m = _PEM.search(bytes(pem))
    if not m:
        raise KeyFormatError("no PEM block")
    label, body = m.group(1), m.group(2)
    if label == b"RSA PUBLIC KEY":  # PKCS#1: a public key, but RSA
        raise NotEd25519Key("an RSA public key")
    if label != b"PUBLIC KEY":
        raise KeyFormatError(f"a PEM {label.decode('ascii', 'replace')}, not a PUBLIC KEY")
    try:
        der = base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("the PEM body is not base64") from None
    tag, spki, end = _der(der, 0)
    if tag != 0x30 or end != len(der):
        raise KeyFormatError("not a SubjectPublicKeyInfo")
    tag, alg, pos = _der(spki, 0)
    if tag != 0x30:
        raise KeyFormatError("not a SubjectPublicKeyInfo")
    tag, bits, end = _der(spki, pos)
    if tag != 0x03 or end != len(spki) or not bits:
        raise KeyFormatError("not a SubjectPublicKeyInfo")
    tag, oid, end = _der(alg, 0)
    if tag != 0x06:
        raise KeyFormatError("not a SubjectPublicKeyInfo")
    if _ED25519_OID != alg[:end]:
        raise NotEd25519Key("another algorithm")
    if end != len(alg):  # RFC 8410 §3: the parameters MUST be absent
        raise KeyFormatError("Ed25519 key with parameters")
    if bits[0] != 0 or len(bits) != 33:
        raise KeyFormatError("an Ed25519 key is 32 bytes")
    raw = bits[1:]
    if not valid_public_key(raw):
        raise NotEd25519Key("not a point of the curve")
    return raw


# -- a known-answer check (the self-test of an installation, gui/selftest.py) -------------------------
# RFC 8032 §7.1 TEST 2 and TEST 3: (public key, message, signature), hex.
_KNOWN = (
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
)


def known_answers() -> list[str]:
    """What is wrong with this build's verifier (empty when nothing): RFC 8032 vectors must verify,
    the same with one bit flipped or under the other vector's key must not."""
    problems = []
    for i, (pk, msg, sig) in enumerate(_KNOWN):
        pk_b, msg_b, sig_b = bytes.fromhex(pk), bytes.fromhex(msg), bytes.fromhex(sig)
        other = bytes.fromhex(_KNOWN[1 - i][0])
        flipped = sig_b[:40] + bytes([sig_b[40] ^ 0x10]) + sig_b[41:]
        if not verify(pk_b, sig_b, msg_b):
            problems.append(f"RFC 8032 vector {i + 2} does not verify")
        if verify(pk_b, flipped, msg_b) or verify(other, sig_b, msg_b):
            problems.append(f"RFC 8032 vector {i + 2} verifies when changed")
    return problems
