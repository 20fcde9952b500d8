"""Drop-in for code written against the official ``alibabacloud_dypnsapi20170525`` SDK.

Only the imports change::

    from smsauth.compat.client import Client as Dypnsapi20170525Client
    from smsauth.compat import models as open_api_models           # Config
    from smsauth.compat import models as dypnsapi_20170525_models  # request models
    from smsauth.compat import models as util_models               # RuntimeOptions
    from smsauth.compat.util import Client as UtilClient           # assert_as_string

Differences from the official SDK, all on purpose:

- a service answer whose ``Code`` is not ``OK`` (``biz.FREQUENCY``, …) raises a typed
  :class:`smsauth.SmsAuthError` (with ``.code``, ``.message``, ``.request_id``) instead of
  returning a "successful" response you must remember to inspect;
- requests are validated before anything is sent (``InvalidInputError`` names the field);
- ``duplicate_check`` and ``early_warn`` (in the product's sample, rejected by SDK 2.0.0) are
  accepted and sent;
- ``response.headers`` is empty (the request id is in ``response.body.request_id``);
- retries follow smsauth's safe policy (never a second SMS) whatever ``RuntimeOptions`` says;
  ``RuntimeOptions.read_timeout`` / ``connect_timeout`` (milliseconds) are honoured, and
  TLS certificates are always checked (``ignore_ssl`` is ignored).
"""

from __future__ import annotations

from . import client, models, util

__all__ = ["client", "models", "util"]
