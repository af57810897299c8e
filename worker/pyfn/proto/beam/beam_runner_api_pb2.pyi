from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FunctionSpec(_message.Message):
    __slots__ = ("urn", "payload")
    URN_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    urn: str
    payload: bytes
    def __init__(self, urn: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...

class PTransform(_message.Message):
    __slots__ = ("spec", "subtransforms", "inputs", "outputs", "unique_name", "display_data", "environment_id", "annotations")
    class InputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class OutputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class AnnotationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    SPEC_FIELD_NUMBER: _ClassVar[int]
    SUBTRANSFORMS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_DATA_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    spec: FunctionSpec
    subtransforms: _containers.RepeatedScalarFieldContainer[str]
    inputs: _containers.ScalarMap[str, str]
    outputs: _containers.ScalarMap[str, str]
    unique_name: str
    display_data: _containers.RepeatedCompositeFieldContainer[DisplayData]
    environment_id: str
    annotations: _containers.ScalarMap[str, bytes]
    def __init__(self, spec: _Optional[_Union[FunctionSpec, _Mapping]] = ..., subtransforms: _Optional[_Iterable[str]] = ..., inputs: _Optional[_Mapping[str, str]] = ..., outputs: _Optional[_Mapping[str, str]] = ..., unique_name: _Optional[str] = ..., display_data: _Optional[_Iterable[_Union[DisplayData, _Mapping]]] = ..., environment_id: _Optional[str] = ..., annotations: _Optional[_Mapping[str, bytes]] = ...) -> None: ...

class IsBounded(_message.Message):
    __slots__ = ()
    class Enum(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNSPECIFIED: _ClassVar[IsBounded.Enum]
        UNBOUNDED: _ClassVar[IsBounded.Enum]
        BOUNDED: _ClassVar[IsBounded.Enum]
    UNSPECIFIED: IsBounded.Enum
    UNBOUNDED: IsBounded.Enum
    BOUNDED: IsBounded.Enum
    def __init__(self) -> None: ...

class PCollection(_message.Message):
    __slots__ = ("unique_name", "coder_id", "is_bounded", "windowing_strategy_id", "display_data")
    UNIQUE_NAME_FIELD_NUMBER: _ClassVar[int]
    CODER_ID_FIELD_NUMBER: _ClassVar[int]
    IS_BOUNDED_FIELD_NUMBER: _ClassVar[int]
    WINDOWING_STRATEGY_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_DATA_FIELD_NUMBER: _ClassVar[int]
    unique_name: str
    coder_id: str
    is_bounded: IsBounded.Enum
    windowing_strategy_id: str
    display_data: _containers.RepeatedCompositeFieldContainer[DisplayData]
    def __init__(self, unique_name: _Optional[str] = ..., coder_id: _Optional[str] = ..., is_bounded: _Optional[_Union[IsBounded.Enum, str]] = ..., windowing_strategy_id: _Optional[str] = ..., display_data: _Optional[_Iterable[_Union[DisplayData, _Mapping]]] = ...) -> None: ...

class Coder(_message.Message):
    __slots__ = ("spec", "component_coder_ids")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_CODER_IDS_FIELD_NUMBER: _ClassVar[int]
    spec: FunctionSpec
    component_coder_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, spec: _Optional[_Union[FunctionSpec, _Mapping]] = ..., component_coder_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DisplayData(_message.Message):
    __slots__ = ("urn", "payload")
    URN_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    urn: str
    payload: bytes
    def __init__(self, urn: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...

class WindowingStrategy(_message.Message):
    __slots__ = ("window_fn", "merge_status", "window_coder_id")
    WINDOW_FN_FIELD_NUMBER: _ClassVar[int]
    MERGE_STATUS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_CODER_ID_FIELD_NUMBER: _ClassVar[int]
    window_fn: FunctionSpec
    merge_status: MergeStatus.Enum
    window_coder_id: str
    def __init__(self, window_fn: _Optional[_Union[FunctionSpec, _Mapping]] = ..., merge_status: _Optional[_Union[MergeStatus.Enum, str]] = ..., window_coder_id: _Optional[str] = ...) -> None: ...

class MergeStatus(_message.Message):
    __slots__ = ()
    class Enum(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNSPECIFIED: _ClassVar[MergeStatus.Enum]
        NON_MERGING: _ClassVar[MergeStatus.Enum]
        NEEDS_MERGE: _ClassVar[MergeStatus.Enum]
        ALREADY_MERGED: _ClassVar[MergeStatus.Enum]
    UNSPECIFIED: MergeStatus.Enum
    NON_MERGING: MergeStatus.Enum
    NEEDS_MERGE: MergeStatus.Enum
    ALREADY_MERGED: MergeStatus.Enum
    def __init__(self) -> None: ...

class ArtifactInformation(_message.Message):
    __slots__ = ("type_urn", "type_payload", "role_urn", "role_payload")
    TYPE_URN_FIELD_NUMBER: _ClassVar[int]
    TYPE_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    ROLE_URN_FIELD_NUMBER: _ClassVar[int]
    ROLE_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    type_urn: str
    type_payload: bytes
    role_urn: str
    role_payload: bytes
    def __init__(self, type_urn: _Optional[str] = ..., type_payload: _Optional[bytes] = ..., role_urn: _Optional[str] = ..., role_payload: _Optional[bytes] = ...) -> None: ...
