from pyfn.proto.beam import beam_runner_api_pb2 as _beam_runner_api_pb2
from pyfn.proto.beam import endpoints_pb2 as _endpoints_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetProvisionInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProvisionInfoResponse(_message.Message):
    __slots__ = ("info",)
    INFO_FIELD_NUMBER: _ClassVar[int]
    info: ProvisionInfo
    def __init__(self, info: _Optional[_Union[ProvisionInfo, _Mapping]] = ...) -> None: ...

class ProvisionInfo(_message.Message):
    __slots__ = ("pipeline_options", "retrieval_token", "status_endpoint", "logging_endpoint", "artifact_endpoint", "control_endpoint", "dependencies", "runner_capabilities", "metadata", "sibling_worker_ids")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PIPELINE_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    RETRIEVAL_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    LOGGING_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    CONTROL_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    RUNNER_CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SIBLING_WORKER_IDS_FIELD_NUMBER: _ClassVar[int]
    pipeline_options: _struct_pb2.Struct
    retrieval_token: str
    status_endpoint: _endpoints_pb2.ApiServiceDescriptor
    logging_endpoint: _endpoints_pb2.ApiServiceDescriptor
    artifact_endpoint: _endpoints_pb2.ApiServiceDescriptor
    control_endpoint: _endpoints_pb2.ApiServiceDescriptor
    dependencies: _containers.RepeatedCompositeFieldContainer[_beam_runner_api_pb2.ArtifactInformation]
    runner_capabilities: _containers.RepeatedScalarFieldContainer[str]
    metadata: _containers.ScalarMap[str, str]
    sibling_worker_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pipeline_options: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., retrieval_token: _Optional[str] = ..., status_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., logging_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., artifact_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., control_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., dependencies: _Optional[_Iterable[_Union[_beam_runner_api_pb2.ArtifactInformation, _Mapping]]] = ..., runner_capabilities: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., sibling_worker_ids: _Optional[_Iterable[str]] = ...) -> None: ...
