"""What crosses between the store and its database process (``database_process=True``).

Messages are pickles, each preceded by its length (8 bytes, little-endian), on the child's
standard input (requests) and standard output (replies). The work sent is a module-level
function with its arguments bound (``functools.partial``), so it pickles by reference.

Exceptions do not cross as they are: a database error is described in the child
(:func:`~._db.describe_error`: class names and SQL, never parameters) and raised here as
:class:`~._db.RemoteDatabaseError`; a ``PayrollError`` crosses as its class and message; any
other error as its class name only, since its message could quote data.
"""

from __future__ import annotations

import pickle
import struct
from typing import IO, Any, Final

from sqlalchemy.exc import SQLAlchemyError

from .._exceptions import PayrollError
from ._db import RemoteDatabaseError, describe_error
from ._errors import StoreError

__all__ = ["encode", "portable_error", "read_message", "write_frame", "write_message"]

_LENGTH: Final = struct.Struct("<Q")


def encode(message: object) -> bytes:
    """``message`` pickled (what :func:`write_frame` sends)."""
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def write_frame(stream: IO[bytes], data: bytes) -> None:
    """Write an encoded message, length first, then flush."""
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def write_message(stream: IO[bytes], message: object) -> None:
    """Pickle ``message`` and write it (:func:`encode`, :func:`write_frame`)."""
    write_frame(stream, encode(message))


def read_message(stream: IO[bytes]) -> Any:
    """The next message, or ``EOFError`` when the other side closed the stream."""
    header = _read_exactly(stream, _LENGTH.size)
    (length,) = _LENGTH.unpack(header)
    return pickle.loads(_read_exactly(stream, length))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def portable_error(exc: BaseException) -> Exception:
    """``exc`` as an exception that can be pickled and says nothing it should not."""
    if isinstance(exc, SQLAlchemyError | OSError):
        return RemoteDatabaseError(describe_error(exc))
    if isinstance(exc, PayrollError):
        try:
            copy = pickle.loads(pickle.dumps(exc))
        except Exception:  # an error class whose constructor takes other arguments
            return StoreError(str(exc))
        return copy if isinstance(copy, PayrollError) else StoreError(str(exc))
    return RemoteDatabaseError(f"{type(exc).__name__} in the store's database process")
