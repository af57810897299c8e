from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApiServiceDescriptor(_message.Message):
    __slots__ = ("url", "authentication")
    URL_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_FIELD_NUMBER: _ClassVar[int]
    url: str
    authentication: AuthenticationSpec
    def __init__(self, url: _Optional[str] = ..., authentication: _Optional[_Union[AuthenticationSpec, _Mapping]] = ...) -> None: ...

class AuthenticationSpec(_message.Message):
    __slots__ = ("urn", "payload")
    URN_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    urn: str
    payload: bytes
    def __init__(self, urn: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...
