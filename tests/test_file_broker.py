"""The local run's file broker (config/file_broker.py): a consumer never reads half a message."""

import threading
from pathlib import Path

import pytest
from kombu import Connection
from kombu.transport import filesystem
from kombu.transport.redis import Transport as RedisTransport

from config.celery import app
from config.file_broker import Transport


def _connection(folder: Path, transport: object = Transport) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return Connection("filesystem://", transport=transport, transport_options=options)


def test_a_message_that_could_not_be_written_leaves_nothing_to_read(tmp_path: Path) -> None:
    """kombu's own transport leaves an empty ``.msg`` file behind, which a worker then reads as
    a message and fails on; ours leaves the folder empty."""
    with _connection(tmp_path) as connection, connection.SimpleQueue("jobs") as queue:
        with pytest.raises(TypeError):
            queue.put({"n": 0}, headers={"unwritable": object()})
        assert list(tmp_path.iterdir()) == []
        queue.put({"n": 1})
        assert queue.get(timeout=1).payload == {"n": 1}


def test_kombus_own_transport_would_leave_the_empty_file(tmp_path: Path) -> None:
    """What the test above guards against, shown on kombu's transport."""
    connection = _connection(tmp_path, filesystem.Transport)
    with connection, connection.SimpleQueue("jobs") as queue, pytest.raises(TypeError):
        queue.put({"n": 0}, headers={"unwritable": object()})
    assert [path.stat().st_size for path in tmp_path.iterdir()] == [0]


def test_a_consumer_polling_beside_a_producer_reads_every_message_whole(tmp_path: Path) -> None:
    sent = [{"n": n, "text": "x" * 4096} for n in range(300)]
    received: list[dict[str, object]] = []

    def produce() -> None:
        with _connection(tmp_path) as connection, connection.SimpleQueue("jobs") as queue:
            for message in sent:
                queue.put(message)

    producer = threading.Thread(target=produce)
    with _connection(tmp_path) as connection, connection.SimpleQueue("jobs") as queue:
        producer.start()
        while len(received) < len(sent):
            message = queue.get(timeout=30)
            received.append(message.payload)
            message.ack()
    producer.join()
    assert sorted(received, key=lambda body: int(str(body["n"]))) == sent


def test_the_apps_filesystem_broker_is_this_one_and_redis_stays_redis() -> None:
    with app.connection_for_write("filesystem://") as files:
        assert isinstance(files.transport, Transport)
    with app.connection_for_write("redis://127.0.0.1:6379/15") as redis:
        assert isinstance(redis.transport, RedisTransport)
