import datetime

from pyfn.proto.beam import beam_runner_api_pb2 as _beam_runner_api_pb2
from pyfn.proto.beam import endpoints_pb2 as _endpoints_pb2
from pyfn.proto.beam import metrics_pb2 as _metrics_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RemoteGrpcPort(_message.Message):
    __slots__ = ("api_service_descriptor", "coder_id")
    API_SERVICE_DESCRIPTOR_FIELD_NUMBER: _ClassVar[int]
    CODER_ID_FIELD_NUMBER: _ClassVar[int]
    api_service_descriptor: _endpoints_pb2.ApiServiceDescriptor
    coder_id: str
    def __init__(self, api_service_descriptor: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., coder_id: _Optional[str] = ...) -> None: ...

class GetProcessBundleDescriptorRequest(_message.Message):
    __slots__ = ("process_bundle_descriptor_id",)
    PROCESS_BUNDLE_DESCRIPTOR_ID_FIELD_NUMBER: _ClassVar[int]
    process_bundle_descriptor_id: str
    def __init__(self, process_bundle_descriptor_id: _Optional[str] = ...) -> None: ...

class InstructionRequest(_message.Message):
    __slots__ = ("instruction_id", "register", "process_bundle", "process_bundle_progress", "finalize_bundle", "harness_monitoring_infos")
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    PROCESS_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    PROCESS_BUNDLE_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    FINALIZE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    HARNESS_MONITORING_INFOS_FIELD_NUMBER: _ClassVar[int]
    instruction_id: str
    register: RegisterRequest
    process_bundle: ProcessBundleRequest
    process_bundle_progress: ProcessBundleProgressRequest
    finalize_bundle: FinalizeBundleRequest
    harness_monitoring_infos: HarnessMonitoringInfosRequest
    def __init__(self, instruction_id: _Optional[str] = ..., register: _Optional[_Union[RegisterRequest, _Mapping]] = ..., process_bundle: _Optional[_Union[ProcessBundleRequest, _Mapping]] = ..., process_bundle_progress: _Optional[_Union[ProcessBundleProgressRequest, _Mapping]] = ..., finalize_bundle: _Optional[_Union[FinalizeBundleRequest, _Mapping]] = ..., harness_monitoring_infos: _Optional[_Union[HarnessMonitoringInfosRequest, _Mapping]] = ...) -> None: ...

class InstructionResponse(_message.Message):
    __slots__ = ("instruction_id", "error", "register", "process_bundle", "process_bundle_progress", "finalize_bundle", "harness_monitoring_infos")
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    PROCESS_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    PROCESS_BUNDLE_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    FINALIZE_BUNDLE_FIELD_NUMBER: _ClassVar[int]
    HARNESS_MONITORING_INFOS_FIELD_NUMBER: _ClassVar[int]
    instruction_id: str
    error: str
    register: RegisterResponse
    process_bundle: ProcessBundleResponse
    process_bundle_progress: ProcessBundleProgressResponse
    finalize_bundle: FinalizeBundleResponse
    harness_monitoring_infos: HarnessMonitoringInfosResponse
    def __init__(self, instruction_id: _Optional[str] = ..., error: _Optional[str] = ..., register: _Optional[_Union[RegisterResponse, _Mapping]] = ..., process_bundle: _Optional[_Union[ProcessBundleResponse, _Mapping]] = ..., process_bundle_progress: _Optional[_Union[ProcessBundleProgressResponse, _Mapping]] = ..., finalize_bundle: _Optional[_Union[FinalizeBundleResponse, _Mapping]] = ..., harness_monitoring_infos: _Optional[_Union[HarnessMonitoringInfosResponse, _Mapping]] = ...) -> None: ...

class RegisterRequest(_message.Message):
    __slots__ = ("process_bundle_descriptor",)
    PROCESS_BUNDLE_DESCRIPTOR_FIELD_NUMBER: _ClassVar[int]
    process_bundle_descriptor: _containers.RepeatedCompositeFieldContainer[ProcessBundleDescriptor]
    def __init__(self, process_bundle_descriptor: _Optional[_Iterable[_Union[ProcessBundleDescriptor, _Mapping]]] = ...) -> None: ...

class RegisterResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HarnessMonitoringInfosRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HarnessMonitoringInfosResponse(_message.Message):
    __slots__ = ("monitoring_data",)
    class MonitoringDataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    MONITORING_DATA_FIELD_NUMBER: _ClassVar[int]
    monitoring_data: _containers.ScalarMap[str, bytes]
    def __init__(self, monitoring_data: _Optional[_Mapping[str, bytes]] = ...) -> None: ...

class ProcessBundleDescriptor(_message.Message):
    __slots__ = ("id", "transforms", "pcollections", "windowing_strategies", "coders", "state_api_service_descriptor")
    class TransformsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _beam_runner_api_pb2.PTransform
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_beam_runner_api_pb2.PTransform, _Mapping]] = ...) -> None: ...
    class PcollectionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _beam_runner_api_pb2.PCollection
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_beam_runner_api_pb2.PCollection, _Mapping]] = ...) -> None: ...
    class WindowingStrategiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _beam_runner_api_pb2.WindowingStrategy
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_beam_runner_api_pb2.WindowingStrategy, _Mapping]] = ...) -> None: ...
    class CodersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _beam_runner_api_pb2.Coder
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_beam_runner_api_pb2.Coder, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFORMS_FIELD_NUMBER: _ClassVar[int]
    PCOLLECTIONS_FIELD_NUMBER: _ClassVar[int]
    WINDOWING_STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    CODERS_FIELD_NUMBER: _ClassVar[int]
    STATE_API_SERVICE_DESCRIPTOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    transforms: _containers.MessageMap[str, _beam_runner_api_pb2.PTransform]
    pcollections: _containers.MessageMap[str, _beam_runner_api_pb2.PCollection]
    windowing_strategies: _containers.MessageMap[str, _beam_runner_api_pb2.WindowingStrategy]
    coders: _containers.MessageMap[str, _beam_runner_api_pb2.Coder]
    state_api_service_descriptor: _endpoints_pb2.ApiServiceDescriptor
    def __init__(self, id: _Optional[str] = ..., transforms: _Optional[_Mapping[str, _beam_runner_api_pb2.PTransform]] = ..., pcollections: _Optional[_Mapping[str, _beam_runner_api_pb2.PCollection]] = ..., windowing_strategies: _Optional[_Mapping[str, _beam_runner_api_pb2.WindowingStrategy]] = ..., coders: _Optional[_Mapping[str, _beam_runner_api_pb2.Coder]] = ..., state_api_service_descriptor: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ...) -> None: ...

class ProcessBundleRequest(_message.Message):
    __slots__ = ("process_bundle_descriptor_id", "elements")
    PROCESS_BUNDLE_DESCRIPTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    process_bundle_descriptor_id: str
    elements: Elements
    def __init__(self, process_bundle_descriptor_id: _Optional[str] = ..., elements: _Optional[_Union[Elements, _Mapping]] = ...) -> None: ...

class ProcessBundleResponse(_message.Message):
    __slots__ = ("monitoring_infos", "requires_finalization", "monitoring_data", "elements")
    class MonitoringDataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    MONITORING_INFOS_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FINALIZATION_FIELD_NUMBER: _ClassVar[int]
    MONITORING_DATA_FIELD_NUMBER: _ClassVar[int]
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    monitoring_infos: _containers.RepeatedCompositeFieldContainer[_metrics_pb2.MonitoringInfo]
    requires_finalization: bool
    monitoring_data: _containers.ScalarMap[str, bytes]
    elements: Elements
    def __init__(self, monitoring_infos: _Optional[_Iterable[_Union[_metrics_pb2.MonitoringInfo, _Mapping]]] = ..., requires_finalization: _Optional[bool] = ..., monitoring_data: _Optional[_Mapping[str, bytes]] = ..., elements: _Optional[_Union[Elements, _Mapping]] = ...) -> None: ...

class ProcessBundleProgressRequest(_message.Message):
    __slots__ = ("instruction_id",)
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    instruction_id: str
    def __init__(self, instruction_id: _Optional[str] = ...) -> None: ...

class ProcessBundleProgressResponse(_message.Message):
    __slots__ = ("monitoring_infos", "monitoring_data")
    class MonitoringDataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    MONITORING_INFOS_FIELD_NUMBER: _ClassVar[int]
    MONITORING_DATA_FIELD_NUMBER: _ClassVar[int]
    monitoring_infos: _containers.RepeatedCompositeFieldContainer[_metrics_pb2.MonitoringInfo]
    monitoring_data: _containers.ScalarMap[str, bytes]
    def __init__(self, monitoring_infos: _Optional[_Iterable[_Union[_metrics_pb2.MonitoringInfo, _Mapping]]] = ..., monitoring_data: _Optional[_Mapping[str, bytes]] = ...) -> None: ...

class FinalizeBundleRequest(_message.Message):
    __slots__ = ("instruction_id",)
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    instruction_id: str
    def __init__(self, instruction_id: _Optional[str] = ...) -> None: ...

class FinalizeBundleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Elements(_message.Message):
    __slots__ = ("data",)
    class Data(_message.Message):
        __slots__ = ("instruction_id", "transform_id", "data", "is_last")
        INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
        TRANSFORM_ID_FIELD_NUMBER: _ClassVar[int]
        DATA_FIELD_NUMBER: _ClassVar[int]
        IS_LAST_FIELD_NUMBER: _ClassVar[int]
        instruction_id: str
        transform_id: str
        data: bytes
        is_last: bool
        def __init__(self, instruction_id: _Optional[str] = ..., transform_id: _Optional[str] = ..., data: _Optional[bytes] = ..., is_last: _Optional[bool] = ...) -> None: ...
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[Elements.Data]
    def __init__(self, data: _Optional[_Iterable[_Union[Elements.Data, _Mapping]]] = ...) -> None: ...

class StateRequest(_message.Message):
    __slots__ = ("id", "instruction_id", "state_key", "get", "append", "clear")
    ID_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_KEY_FIELD_NUMBER: _ClassVar[int]
    GET_FIELD_NUMBER: _ClassVar[int]
    APPEND_FIELD_NUMBER: _ClassVar[int]
    CLEAR_FIELD_NUMBER: _ClassVar[int]
    id: str
    instruction_id: str
    state_key: StateKey
    get: StateGetRequest
    append: StateAppendRequest
    clear: StateClearRequest
    def __init__(self, id: _Optional[str] = ..., instruction_id: _Optional[str] = ..., state_key: _Optional[_Union[StateKey, _Mapping]] = ..., get: _Optional[_Union[StateGetRequest, _Mapping]] = ..., append: _Optional[_Union[StateAppendRequest, _Mapping]] = ..., clear: _Optional[_Union[StateClearRequest, _Mapping]] = ...) -> None: ...

class StateResponse(_message.Message):
    __slots__ = ("id", "error", "get", "append", "clear")
    ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    GET_FIELD_NUMBER: _ClassVar[int]
    APPEND_FIELD_NUMBER: _ClassVar[int]
    CLEAR_FIELD_NUMBER: _ClassVar[int]
    id: str
    error: str
    get: StateGetResponse
    append: StateAppendResponse
    clear: StateClearResponse
    def __init__(self, id: _Optional[str] = ..., error: _Optional[str] = ..., get: _Optional[_Union[StateGetResponse, _Mapping]] = ..., append: _Optional[_Union[StateAppendResponse, _Mapping]] = ..., clear: _Optional[_Union[StateClearResponse, _Mapping]] = ...) -> None: ...

class StateKey(_message.Message):
    __slots__ = ("runner", "bag_user_state")
    class Runner(_message.Message):
        __slots__ = ("key",)
        KEY_FIELD_NUMBER: _ClassVar[int]
        key: bytes
        def __init__(self, key: _Optional[bytes] = ...) -> None: ...
    class BagUserState(_message.Message):
        __slots__ = ("transform_id", "user_state_id", "window", "key")
        TRANSFORM_ID_FIELD_NUMBER: _ClassVar[int]
        USER_STATE_ID_FIELD_NUMBER: _ClassVar[int]
        WINDOW_FIELD_NUMBER: _ClassVar[int]
        KEY_FIELD_NUMBER: _ClassVar[int]
        transform_id: str
        user_state_id: str
        window: bytes
        key: bytes
        def __init__(self, transform_id: _Optional[str] = ..., user_state_id: _Optional[str] = ..., window: _Optional[bytes] = ..., key: _Optional[bytes] = ...) -> None: ...
    RUNNER_FIELD_NUMBER: _ClassVar[int]
    BAG_USER_STATE_FIELD_NUMBER: _ClassVar[int]
    runner: StateKey.Runner
    bag_user_state: StateKey.BagUserState
    def __init__(self, runner: _Optional[_Union[StateKey.Runner, _Mapping]] = ..., bag_user_state: _Optional[_Union[StateKey.BagUserState, _Mapping]] = ...) -> None: ...

class StateGetRequest(_message.Message):
    __slots__ = ("continuation_token",)
    CONTINUATION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    continuation_token: bytes
    def __init__(self, continuation_token: _Optional[bytes] = ...) -> None: ...

class StateGetResponse(_message.Message):
    __slots__ = ("continuation_token", "data")
    CONTINUATION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    continuation_token: bytes
    data: bytes
    def __init__(self, continuation_token: _Optional[bytes] = ..., data: _Optional[bytes] = ...) -> None: ...

class StateAppendRequest(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class StateAppendResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StateClearRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StateClearResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LogEntry(_message.Message):
    __slots__ = ("severity", "timestamp", "message", "trace", "instruction_id", "transform_id", "log_location", "thread")
    class List(_message.Message):
        __slots__ = ("log_entries",)
        LOG_ENTRIES_FIELD_NUMBER: _ClassVar[int]
        log_entries: _containers.RepeatedCompositeFieldContainer[LogEntry]
        def __init__(self, log_entries: _Optional[_Iterable[_Union[LogEntry, _Mapping]]] = ...) -> None: ...
    class Severity(_message.Message):
        __slots__ = ()
        class Enum(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
            __slots__ = ()
            UNSPECIFIED: _ClassVar[LogEntry.Severity.Enum]
            TRACE: _ClassVar[LogEntry.Severity.Enum]
            DEBUG: _ClassVar[LogEntry.Severity.Enum]
            INFO: _ClassVar[LogEntry.Severity.Enum]
            NOTICE: _ClassVar[LogEntry.Severity.Enum]
            WARN: _ClassVar[LogEntry.Severity.Enum]
            ERROR: _ClassVar[LogEntry.Severity.Enum]
            CRITICAL: _ClassVar[LogEntry.Severity.Enum]
        UNSPECIFIED: LogEntry.Severity.Enum
        TRACE: LogEntry.Severity.Enum
        DEBUG: LogEntry.Severity.Enum
        INFO: LogEntry.Severity.Enum
        NOTICE: LogEntry.Severity.Enum
        WARN: LogEntry.Severity.Enum
        ERROR: LogEntry.Severity.Enum
        CRITICAL: LogEntry.Severity.Enum
        def __init__(self) -> None: ...
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFORM_ID_FIELD_NUMBER: _ClassVar[int]
    LOG_LOCATION_FIELD_NUMBER: _ClassVar[int]
    THREAD_FIELD_NUMBER: _ClassVar[int]
    severity: LogEntry.Severity.Enum
    timestamp: _timestamp_pb2.Timestamp
    message: str
    trace: str
    instruction_id: str
    transform_id: str
    log_location: str
    thread: str
    def __init__(self, severity: _Optional[_Union[LogEntry.Severity.Enum, str]] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[str] = ..., trace: _Optional[str] = ..., instruction_id: _Optional[str] = ..., transform_id: _Optional[str] = ..., log_location: _Optional[str] = ..., thread: _Optional[str] = ...) -> None: ...

class LogControl(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StartWorkerRequest(_message.Message):
    __slots__ = ("worker_id", "control_endpoint", "logging_endpoint", "artifact_endpoint", "provision_endpoint", "params")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTROL_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    LOGGING_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    PROVISION_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    control_endpoint: _endpoints_pb2.ApiServiceDescriptor
    logging_endpoint: _endpoints_pb2.ApiServiceDescriptor
    artifact_endpoint: _endpoints_pb2.ApiServiceDescriptor
    provision_endpoint: _endpoints_pb2.ApiServiceDescriptor
    params: _containers.ScalarMap[str, str]
    def __init__(self, worker_id: _Optional[str] = ..., control_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., logging_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., artifact_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., provision_endpoint: _Optional[_Union[_endpoints_pb2.ApiServiceDescriptor, _Mapping]] = ..., params: _Optional[_Mapping[str, str]] = ...) -> None: ...

class StartWorkerResponse(_message.Message):
    __slots__ = ("error",)
    ERROR_FIELD_NUMBER: _ClassVar[int]
    error: str
    def __init__(self, error: _Optional[str] = ...) -> None: ...

class StopWorkerRequest(_message.Message):
    __slots__ = ("worker_id",)
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    def __init__(self, worker_id: _Optional[str] = ...) -> None: ...

class StopWorkerResponse(_message.Message):
    __slots__ = ("error",)
    ERROR_FIELD_NUMBER: _ClassVar[int]
    error: str
    def __init__(self, error: _Optional[str] = ...) -> None: ...
