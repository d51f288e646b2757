"""core/ed25519.py, the pure-Python Ed25519 check of rule-pack signatures (RFC 8032 §5.1.7), which
replaced `cryptography` at run time: every RFC 8032 §7.1 Ed25519 test vector, the negative cases
(wrong key, a flipped bit anywhere, a non-canonical S or point, wrong lengths), side by side with
`cryptography` (what verified before, and what still signs) on random keys and messages, the PEM
key files, and a pack signed by the current tooling verified in a process that cannot import
cryptography at all."""

import base64
import datetime as dt
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from core import ed25519 as ours
from core import resources_dir
from core.ed25519 import KeyFormatError, L, NotEd25519Key, P, public_key_from_pem, verify
from core.rulepacks import MANIFEST, PackRefused, build_pack, generate_keypair, key_id, read_pack

ROOT = Path(__file__).resolve().parent.parent

# RFC 8032 §7.1, "Test Vectors for Ed25519": (name, SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE), hex.
# test_the_vectors_are_what_cryptography_signs re-derives each public key and signature from the
# secret key with `cryptography`, so a digit mistyped here cannot pass unnoticed.
RFC8032 = [
    ("TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ("TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5", "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
        "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
        "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
        "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
        "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
        "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
        "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
        "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
        "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
        "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
        "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
        "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
        "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
        "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
        "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
        "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
        "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
        "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
        "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
        "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
        "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
        "c60c905c15fc910840b94c00a0b9d0",
        "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"),
    ("TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
]


def _vectors():
    return [pytest.param(bytes.fromhex(pk), bytes.fromhex(sig), bytes.fromhex(msg), id=name)
            for name, _, pk, msg, sig in RFC8032]


def _raw(pub: ed25519.Ed25519PublicKey) -> bytes:
    return pub.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)


def _pem(pub) -> bytes:
    return pub.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)


def _theirs(pk: bytes, sig: bytes, msg: bytes) -> bool:
    """What the app answered before: cryptography's (OpenSSL's) verification."""
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
    except (InvalidSignature, ValueError):
        return False
    return True


def test_the_vectors_are_what_cryptography_signs():
    assert len(RFC8032) == 5 and [v[0] for v in RFC8032][-1] == "TEST SHA(abc)"
    for name, sk, pk, msg, sig in RFC8032:
        key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(sk))
        assert _raw(key.public_key()).hex() == pk, name
        assert key.sign(bytes.fromhex(msg)).hex() == sig, name


@pytest.mark.parametrize(("pk", "sig", "msg"), _vectors())
def test_every_rfc8032_vector_verifies(pk, sig, msg):
    assert verify(pk, sig, msg) is True
    assert verify(bytearray(pk), memoryview(sig), bytearray(msg)) is True  # any bytes-like


@pytest.mark.parametrize(("pk", "sig", "msg"), _vectors())
def test_a_flipped_bit_anywhere_fails(pk, sig, msg):
    rnd = random.Random(sig)
    for i in range(64):  # one bit in every byte of R and of S
        bad = bytearray(sig)
        bad[i] ^= 1 << rnd.randrange(8)
        assert verify(pk, bytes(bad), msg) is False, i
        assert _theirs(pk, bytes(bad), msg) is False
    for i in range(32):  # and of the key
        bad = bytearray(pk)
        bad[i] ^= 1 << rnd.randrange(8)
        assert verify(bytes(bad), sig, msg) is False, i
    bad_msg = bytearray(msg or b"\x00")
    bad_msg[rnd.randrange(len(bad_msg))] ^= 1 << rnd.randrange(8)
    assert verify(pk, sig, bytes(bad_msg)) is False
    assert verify(pk, sig, msg + b"\x00") is False


def test_a_signature_under_another_key_fails():
    (_, _, pk1, msg1, sig1), (_, _, pk2, _, _) = RFC8032[0], RFC8032[1]
    assert verify(bytes.fromhex(pk2), bytes.fromhex(sig1), bytes.fromhex(msg1)) is False
    assert verify(bytes.fromhex(pk1), bytes.fromhex(sig1), bytes.fromhex(msg1)) is True


@pytest.mark.parametrize(("pk", "sig", "msg"), _vectors())
def test_a_non_canonical_s_is_refused_as_before(pk, sig, msg):
    """S and S + L satisfy the same group equation; RFC 8032 §5.1.7 step 1 refuses S >= L (no
    malleable signatures), and so did cryptography."""
    s = int.from_bytes(sig[32:], "little")
    for bad_s in (s + L, s + 2 * L, L, 2**256 - 1):
        if bad_s >= 2**256:
            continue
        bad = sig[:32] + bad_s.to_bytes(32, "little")
        assert verify(pk, bad, msg) is False
        assert _theirs(pk, bad, msg) is False


def test_wrong_lengths_are_false_not_errors():
    _, _, pk, msg, sig = RFC8032[0]
    pk, sig, msg = bytes.fromhex(pk), bytes.fromhex(sig), bytes.fromhex(msg)
    for s in (b"", sig[:63], sig + b"\x00", sig * 2):
        assert verify(pk, s, msg) is False
    for k in (b"", pk[:31], pk + b"\x00"):
        assert verify(k, sig, msg) is False


def test_point_decoding_is_strict():
    """RFC 8032 §5.1.3: y >= p, no x for this y, and x = 0 with the sign bit set are not points."""
    enc = lambda y, sign=0: (y | (sign << 255)).to_bytes(32, "little")  # noqa: E731
    assert ours._decode_point(enc(1)) is not None  # the neutral element (0, 1)
    assert ours._decode_point(enc(1, sign=1)) is None  # x = 0 has no negative
    assert ours._decode_point(enc(P - 1)) is not None  # (0, -1), of order 2
    assert ours._decode_point(enc(P - 1, sign=1)) is None
    for y in (P, P + 1, 2**255 - 1):  # non-canonical y (the reduced y = 0 and 1 are points)
        assert ours._decode_point(enc(y)) is None
    assert ours._decode_point(enc(2)) is None  # y = 2: (y^2 - 1)/(d y^2 + 1) is no square
    assert not ours.valid_public_key(enc(2)) and ours.valid_public_key(enc(1))
    # a signature whose R is a non-point is false, never an exception
    _, _, pk, msg, sig = RFC8032[1]
    assert verify(bytes.fromhex(pk), enc(2) + bytes.fromhex(sig)[32:], bytes.fromhex(msg)) is False
    assert verify(enc(2), bytes.fromhex(sig), bytes.fromhex(msg)) is False


def test_the_base_point_and_constants_are_rfc8032s():
    """§5.1: B = (15112221349535400772501151409588531511454012693041857206046113283949847762202,
    46316835694926478169428394003475163141307993866256225615783033603165251855960); [L]B = 0."""
    x, y, z, _ = ours.B
    assert x * pow(z, P - 2, P) % P == 15112221349535400772501151409588531511454012693041857206046113283949847762202
    assert y * pow(z, P - 2, P) % P == 46316835694926478169428394003475163141307993866256225615783033603165251855960
    assert ours._equal(ours._double_scalar_mult(L, ours.B, 0, ours.IDENTITY), ours.IDENTITY)
    assert not ours._equal(ours._double_scalar_mult(L - 1, ours.B, 0, ours.IDENTITY), ours.IDENTITY)


def test_side_by_side_with_cryptography_on_random_keys_and_messages():
    rnd = random.Random(8032)
    for n in range(40):
        key = ed25519.Ed25519PrivateKey.from_private_bytes(rnd.randbytes(32))
        pk = _raw(key.public_key())
        msg = rnd.randbytes(rnd.choice([0, 1, 31, 32, 64, 1000, 5000]))
        sig = key.sign(msg)
        assert verify(pk, sig, msg) is True, n
        bad = bytearray(sig)
        bad[rnd.randrange(64)] ^= 1 << rnd.randrange(8)
        assert verify(pk, bytes(bad), msg) is _theirs(pk, bytes(bad), msg) is False, n


# -- the key files ----------------------------------------------------------------------------------
def test_a_pem_written_by_the_signing_side_reads_back():
    key = ed25519.Ed25519PrivateKey.generate()
    pem = _pem(key.public_key())
    assert public_key_from_pem(pem) == _raw(key.public_key())
    assert public_key_from_pem(pem.replace(b"\n", b"\r\n")) == _raw(key.public_key())  # a Windows editor
    assert public_key_from_pem(b"a comment\n" + pem + b"trailing\n") == _raw(key.public_key())


def test_the_project_key_keeps_its_id():
    """key_id is the SHA-256 of the raw key, as before: what cryptography reads from the same file."""
    import hashlib

    for f in sorted((resources_dir() / "keys").glob("*.pem")):
        theirs = _raw(ser.load_pem_public_key(f.read_bytes()))
        assert public_key_from_pem(f.read_bytes()) == theirs
        assert key_id(f.read_bytes()) == hashlib.sha256(theirs).hexdigest()[:16]


def test_keys_of_another_kind_and_non_keys_are_told_apart():
    others = [rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key(),
              ec.generate_private_key(ec.SECP256R1()).public_key(),
              ed448.Ed448PrivateKey.generate().public_key()]
    for pub in others:
        with pytest.raises(NotEd25519Key):
            public_key_from_pem(_pem(pub))
        with pytest.raises(PackRefused, match="not an Ed25519 public key"):
            key_id(_pem(pub))
    pkcs1 = others[0].public_bytes(ser.Encoding.PEM, ser.PublicFormat.PKCS1)
    with pytest.raises(NotEd25519Key):
        public_key_from_pem(pkcs1)
    good = _pem(ed25519.Ed25519PrivateKey.generate().public_key())
    priv = ed25519.Ed25519PrivateKey.generate().private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8,
                                                              ser.NoEncryption())
    body = good.split(b"\n")[1]
    for not_a_key in (b"", b"hello", priv, good.replace(body, body[:-4]), good.replace(body, b"!!!!" + body[4:]),
                      good.replace(body, base64.b64encode(b"\x30\x03\x02\x01\x00")),
                      good.replace(b"-----END PUBLIC KEY-----", b"")):
        with pytest.raises(KeyFormatError):
            public_key_from_pem(not_a_key)
        with pytest.raises(ValueError):
            key_id(not_a_key)
    # the right shape around 32 bytes that are not a point of the curve
    der = base64.b64decode(body)
    off_curve = der[:-32] + (2).to_bytes(32, "little")
    pem = good.replace(body, base64.b64encode(off_curve))
    with pytest.raises(NotEd25519Key):
        public_key_from_pem(pem)


# -- a real pack ----------------------------------------------------------------------------------------
_WITHOUT_CRYPTOGRAPHY = r"""
import sys, time
sys.modules["cryptography"] = None  # any import of it now fails, as in the frozen app
from core.rulepacks import PackRefused, read_pack
t = time.perf_counter()
pack = read_pack(sys.argv[1], trust=[sys.argv[2]])
print("ok", pack.info.version, pack.info.key, f"{time.perf_counter() - t:.3f}")
try:
    read_pack(sys.argv[3], trust=[sys.argv[2]])
    print("tampered: accepted")
except PackRefused as e:
    print("tampered:", e)
assert not any(m == "cryptography" or m.startswith(("cryptography.", "_cffi")) for m in sys.modules
               if sys.modules[m] is not None)
"""


def test_a_pack_signed_by_the_current_tooling_verifies_without_cryptography(tmp_path):
    priv, pub = generate_keypair(tmp_path / "keys")  # the maintainer's tooling (cryptography)
    pack = tmp_path / "p.cprules"
    info = build_pack(pack, priv, version="2026.12.1", today=dt.date(2026, 11, 21))
    assert read_pack(pack, trust=[pub]).info.key == info.key == key_id(pub.read_bytes())
    tampered = tmp_path / "t.cprules"
    with zipfile.ZipFile(pack) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    m = json.loads(members[MANIFEST])
    m["app"]["below"] = "9.0.0"  # widen what the pack is for, keep the signature
    members[MANIFEST] = json.dumps(m, indent=2, sort_keys=True).encode() + b"\n"
    with zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    with pytest.raises(PackRefused, match="not signed by a key CertPath trusts"):
        read_pack(tampered, trust=[pub])
    out = subprocess.run([sys.executable, "-c", _WITHOUT_CRYPTOGRAPHY, str(pack), str(pub), str(tampered)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"ok 2026.12.1 {info.key} ")
    assert lines[1] == ("tampered: t.cprules is not signed by a key CertPath trusts (or it was changed after "
                        "signing).")


def test_signing_without_cryptography_says_what_is_missing(tmp_path):
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from core.rulepacks import PackRefused, generate_keypair\n"
        "try:\n    generate_keypair(sys.argv[1])\nexcept PackRefused as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "k")], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "signing rule packs needs the 'cryptography' package" in out.stdout
    assert "Checking a pack does not need it." in out.stdout
