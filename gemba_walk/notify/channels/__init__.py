"""How a delivery leaves: the in-app inbox (nothing to send), e-mail over SMTP, Web Push.

A channel's ``send`` raises ``Retry`` when trying again later may work (a server down),
``Gone`` when the address is dead for good (a push subscription answering 404/410).
"""


class Retry(Exception):
    """Try again later."""


class Gone(Exception):
    """The address is dead; do not try again."""
