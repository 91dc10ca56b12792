"""The local run's file broker (``CELERY_BROKER_URL=filesystem://``) without kombu's empty read.

kombu's filesystem transport creates a message's file under its final name and then writes it.
A worker listing the folder in between moves and reads an empty file, and ``loads("")`` raises
``JSONDecodeError`` in the worker's consumer, which stops the worker (seen with a 0.1 s polling
interval; rarer, not impossible, at the default 1 s). Here a message is written under a name the
consumer does not take (it takes only ``<...>.<queue>.msg``), then renamed, which is atomic on
one file system: a consumer sees a whole message or none. config/celery.py makes it the
transport of every ``filesystem://`` URL.
"""

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    # kombu names the argument `message` in the abstract channel, `payload` in this one.
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc
        finally:
            if os.path.exists(partial):
                os.remove(partial)


class Transport(filesystem.Transport):
    Channel = Channel
