"""The issuer's Ed25519 keys, and the public keys trusted to verify stamps.

A key folder (a setting: ``ocop --keys DIR``, ``OCOP_KEYS``, by default
``~/.local/share/ocop/keys``) holds::

    issuer.key          the private key, PKCS#8 PEM, mode 0600, optionally passphrase-encrypted
    issuer.pub          its public key, SubjectPublicKeyInfo PEM
    trusted/<id>.pub    every public key whose stamps verify (the issuer's own among them)
    retired/<id>.key    issuer keys replaced by ``rotate``; their public keys stay trusted

A key id is the first four bytes of the SHA-256 of the raw 32-byte public key, written as
eight hex digits; stamps carry it, so that a verifier holding several trusted keys (a key
rotation, or the keys of several communes) knows which one to check the signature with.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ocop.errors import StampError

__all__ = ["KEY_ID_BYTES", "IssuerKey", "KeyStore", "PublicKey", "TrustedKeys", "key_id"]

KEY_ID_BYTES = 4


def key_id(raw_public: bytes) -> bytes:
    """The id of a raw 32-byte Ed25519 public key: the first bytes of its SHA-256."""
    return hashlib.sha256(raw_public).digest()[:KEY_ID_BYTES]


@dataclass(frozen=True)
class PublicKey:
    """A public key: its id, raw bytes and PEM text; it checks signatures."""

    id: bytes
    raw: bytes

    @classmethod
    def from_raw(cls, raw: bytes) -> PublicKey:
        """The public key of 32 raw bytes."""
        if len(raw) != 32:
            raise StampError("bad_key", "An Ed25519 public key is 32 bytes.")
        return cls(key_id(raw), raw)

    @classmethod
    def from_pem(cls, data: bytes, *, source: str = "the key") -> PublicKey:
        """The public key in a PEM (or OpenSSH ``ssh-ed25519``) text."""
        loaded: object
        try:
            if data.lstrip().startswith(b"ssh-ed25519"):
                loaded = serialization.load_ssh_public_key(data)
            else:
                loaded = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise StampError(
                "bad_key", f"{source} is not a PEM public key: {exc}", path=source
            ) from None
        if not isinstance(loaded, Ed25519PublicKey):
            raise StampError("bad_key", f"{source} is not an Ed25519 public key.", path=source)
        return cls.from_raw(loaded.public_bytes_raw())

    @property
    def hex_id(self) -> str:
        """The key id as eight hex digits."""
        return self.id.hex()

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of the raw key in hex, for comparing keys over the telephone."""
        return hashlib.sha256(self.raw).hexdigest()

    def pem(self) -> str:
        """The key as SubjectPublicKeyInfo PEM text."""
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def base64(self) -> str:
        """The raw key in base64 (44 characters)."""
        return base64.b64encode(self.raw).decode("ascii")

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class TrustedKeys(Mapping[bytes, PublicKey]):
    """The public keys whose stamps verify, by key id."""

    def __init__(self, keys: Mapping[bytes, PublicKey] | None = None) -> None:
        self._keys = dict(keys or {})

    @classmethod
    def of(cls, *keys: PublicKey) -> TrustedKeys:
        """A set made of the keys given."""
        return cls({k.id: k for k in keys})

    def __getitem__(self, kid: bytes) -> PublicKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True)
class IssuerKey:
    """The issuer's private key, loaded: it signs stamps."""

    private: Ed25519PrivateKey
    public: PublicKey

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self.private.sign(message)


def _write_private(path: Path, data: bytes) -> None:
    # Written under a temporary name created 0600 (never world-readable, even for a moment),
    # then renamed over: a crash leaves the old key or the new one, never half a key.
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _write_public(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="ascii")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class KeyStore:
    """The key folder at ``path`` (see the module's docstring)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.private_file = self.path / "issuer.key"
        self.public_file = self.path / "issuer.pub"
        self.trusted_dir = self.path / "trusted"
        self.retired_dir = self.path / "retired"

    def exists(self) -> bool:
        """Whether an issuer key is there."""
        return self.private_file.exists()

    def init(self, *, passphrase: bytes | None = None, rotate: bool = False) -> PublicKey:
        """Create the issuer's key pair; returns its public key.

        An existing key is never overwritten: with ``rotate`` it moves to ``retired/`` and its
        public key stays trusted, so stamps it signed still verify; without, it is an error.
        """
        old: PublicKey | None = None
        if self.exists():
            if not rotate:
                raise StampError(
                    "keys_exist",
                    f"An issuer key already exists in {self.path}; use rotate to replace it.",
                    path=str(self.path),
                )
            old = self.public()
        elif rotate:
            raise StampError(
                "no_keys", f"No issuer key in {self.path} to rotate.", path=str(self.path)
            )
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.path, 0o700)
        self.trusted_dir.mkdir(exist_ok=True)
        private = Ed25519PrivateKey.generate()
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        public = PublicKey.from_raw(private.public_key().public_bytes_raw())
        if old is not None:
            self.retired_dir.mkdir(exist_ok=True, mode=0o700)
            os.replace(self.private_file, self.retired_dir / f"{old.hex_id}.key")
        _write_private(self.private_file, pem)
        _write_public(self.public_file, public.pem())
        _write_public(self.trusted_dir / f"{public.hex_id}.pub", public.pem())
        return public

    def public(self) -> PublicKey:
        """The issuer's public key (no passphrase needed)."""
        try:
            data = self.public_file.read_bytes()
        except FileNotFoundError:
            raise self._missing() from None
        return PublicKey.from_pem(data, source=str(self.public_file))

    def issuer(self, passphrase: bytes | None = None) -> IssuerKey:
        """The issuer's private key, for signing; refused if others may read its file."""
        try:
            mode = self.private_file.stat().st_mode
            data = self.private_file.read_bytes()
        except FileNotFoundError:
            raise self._missing() from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise StampError(
                "key_mode",
                f"{self.private_file} may be read by others (mode {stat.filemode(mode)}); "
                f"make it private: chmod 600 {self.private_file}",
                path=str(self.private_file),
            )
        try:
            loaded = serialization.load_pem_private_key(data, password=passphrase or None)
        except TypeError:
            # The key is encrypted and no passphrase was given, or the reverse.
            needs = b"ENCRYPTED" in data
            raise StampError(
                "passphrase",
                "The issuer key is protected by a passphrase; give it."
                if needs
                else "The issuer key has no passphrase; give none.",
                path=str(self.private_file),
                needs=needs,
            ) from None
        except ValueError as exc:
            wrong = b"ENCRYPTED" in data
            raise StampError(
                "passphrase" if wrong else "bad_key",
                "The passphrase of the issuer key is wrong."
                if wrong
                else f"{self.private_file} is not a private key: {exc}",
                path=str(self.private_file),
                needs=wrong,
            ) from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise StampError(
                "bad_key",
                f"{self.private_file} is not an Ed25519 key.",
                path=str(self.private_file),
            )
        return IssuerKey(loaded, PublicKey.from_raw(loaded.public_key().public_bytes_raw()))

    def trusted(self) -> TrustedKeys:
        """Every trusted public key (an empty set when the folder has none)."""
        keys: dict[bytes, PublicKey] = {}
        if self.trusted_dir.is_dir():
            for file in sorted(self.trusted_dir.glob("*.pub")):
                key = PublicKey.from_pem(file.read_bytes(), source=str(file))
                keys[key.id] = key
        return TrustedKeys(keys)

    def trust(self, data: bytes, *, source: str = "the key") -> PublicKey:
        """Trust the public key in ``data`` (PEM); trusting a key twice changes nothing."""
        key = PublicKey.from_pem(data, source=source)
        known = self.trusted().get(key.id)
        if known is not None and known.raw != key.raw:
            raise StampError(
                "key_clash",
                f"Another trusted key already has the id {key.hex_id}; it cannot be told apart.",
                key_id=key.hex_id,
            )
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.trusted_dir.mkdir(exist_ok=True)
        _write_public(self.trusted_dir / f"{key.hex_id}.pub", key.pem())
        return key

    def distrust(self, hex_id: str) -> PublicKey:
        """Stop trusting the key with that id; stamps it signed no longer verify."""
        file = self.trusted_dir / f"{hex_id.lower()}.pub"
        if not file.exists():
            raise StampError("no_such_key", f"No trusted key has the id {hex_id}.", key_id=hex_id)
        key = PublicKey.from_pem(file.read_bytes(), source=str(file))
        file.unlink()
        return key

    def _missing(self) -> StampError:
        return StampError(
            "no_keys",
            f"No issuer key in {self.path}; create one first.",
            path=str(self.path),
        )
