"""The one error of the e-stamps: :class:`StampError`, an :class:`~ocop.errors.OcopError`.

``code`` says what went wrong and ``params`` with what, so that the CLI and the web page can
say it in Vietnamese or English; the message is the English sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

from ocop.errors import OcopError

__all__ = ["StampError"]


class StampError(OcopError):
    """Keys or stamps refused: a missing or unreadable key file, a certificate not valid, …

    Codes: ``no_keys`` (no issuer key at ``path``), ``keys_exist`` (``keys init`` would
    overwrite one), ``passphrase`` (the key needs a passphrase, or another one), ``bad_key``
    (a file that is not an Ed25519 key), ``key_mode`` (a private key others may read),
    ``key_clash`` (two trusted keys with one id), ``no_such_key`` (no trusted key of that id),
    ``no_certificate``, ``certificate_revoked``, ``certificate_expired``,
    ``certificate_not_yet`` (the dossier's certificate cannot be stamped), ``count`` (the
    number of stamps asked for), ``too_long`` (the stamp does not fit its QR code),
    ``base_url`` (a base URL that is not http(s)), ``image`` (no stamp found in an image),
    ``format`` (a sheet file of another kind than .svg, .png, .pdf).
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params: Mapping[str, object] = params
