"""Reminders and e-mail: the part of ``ocop`` that makes sure no deadline passes unnoticed.

* :mod:`~ocop.notifications.rules` — reminder rules, pure functions of (dossiers, plan,
  calendar, now) → the reminders due now, each under a dedupe key;
* :mod:`~ocop.notifications.notices` — the messages a transition writes in its own transaction;
* :mod:`~ocop.notifications.render` — jinja2 templates (Vietnamese, English), text and HTML;
* :mod:`~ocop.notifications.transports` — SMTP by URL, or a folder of ``.eml`` files;
* :mod:`~ocop.notifications.delivery` — the sweep (reminders into the outbox) and the drain
  (the outbox to the mail server);
* :mod:`~ocop.notifications.daemon` — both on an APScheduler clock: ``ocop daemon``.

Nothing is imported here, so that ``import ocop`` stays light: jinja2, smtplib and APScheduler
load only when something is rendered, sent or scheduled.
"""
