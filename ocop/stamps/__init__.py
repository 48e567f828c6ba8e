"""OCOP e-stamps: signed QR codes for certified products, verified offline and online.

The model is the signed health certificate in a QR code: a stamp's payload carries its own
Ed25519 signature, so anyone holding the issuer's public key checks it offline, and the
public page (:mod:`ocop.web`) adds what only the registry knows.

One module per concern:

* :mod:`ocop.stamps.keys`: the issuer's key pair and the trusted public keys (rotation);
* :mod:`ocop.stamps.payload`: what a stamp states, its binary form, its text in a URL;
* :mod:`ocop.stamps.issue`: N stamps for a dossier whose certificate is in force, recorded;
* :mod:`ocop.stamps.sheet`: QR codes and printable sheets (SVG, PNG, PDF);
* :mod:`ocop.stamps.verify`: the offline check, and reading QR codes from images;
* :mod:`ocop.stamps.live`: the registry's status of a stamp, and its scan count;
* :mod:`ocop.stamps.store`: the register of issued stamps (``ocop_stamps``).

For example::

    from datetime import UTC, datetime
    from ocop.stamps.keys import KeyStore
    from ocop.stamps.issue import issue_stamps
    from ocop.stamps.verify import verify

    keys = KeyStore("keys")
    keys.init()
    now = datetime(2026, 12, 2, 3, tzinfo=UTC)
    [stamp] = issue_stamps(registry, keys.issuer(), 7, count=1, actor=officer,
                           base_url="https://ocop.example.vn", now=now)
    verify(stamp.url, keys.trusted(), now=now).outcome   # Outcome.GENUINE

The submodules import ``cryptography``, ``segno`` and Pillow; this package imports nothing.
"""
