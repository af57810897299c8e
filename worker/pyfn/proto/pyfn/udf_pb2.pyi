from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DataType(_message.Message):
    __slots__ = ("type_name", "nullable", "precision", "scale", "element_type", "key_type", "value_type", "fields")
    class TypeName(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_NAME_UNSPECIFIED: _ClassVar[DataType.TypeName]
        BOOLEAN: _ClassVar[DataType.TypeName]
        TINYINT: _ClassVar[DataType.TypeName]
        SMALLINT: _ClassVar[DataType.TypeName]
        INT: _ClassVar[DataType.TypeName]
        BIGINT: _ClassVar[DataType.TypeName]
        FLOAT: _ClassVar[DataType.TypeName]
        DOUBLE: _ClassVar[DataType.TypeName]
        DECIMAL: _ClassVar[DataType.TypeName]
        STRING: _ClassVar[DataType.TypeName]
        BYTES: _ClassVar[DataType.TypeName]
        DATE: _ClassVar[DataType.TypeName]
        TIME: _ClassVar[DataType.TypeName]
        TIMESTAMP: _ClassVar[DataType.TypeName]
        ARRAY: _ClassVar[DataType.TypeName]
        MAP: _ClassVar[DataType.TypeName]
        ROW: _ClassVar[DataType.TypeName]
        TIMESTAMP_LTZ: _ClassVar[DataType.TypeName]
    TYPE_NAME_UNSPECIFIED: DataType.TypeName
    BOOLEAN: DataType.TypeName
    TINYINT: DataType.TypeName
    SMALLINT: DataType.TypeName
    INT: DataType.TypeName
    BIGINT: DataType.TypeName
    FLOAT: DataType.TypeName
    DOUBLE: DataType.TypeName
    DECIMAL: DataType.TypeName
    STRING: DataType.TypeName
    BYTES: DataType.TypeName
    DATE: DataType.TypeName
    TIME: DataType.TypeName
    TIMESTAMP: DataType.TypeName
    ARRAY: DataType.TypeName
    MAP: DataType.TypeName
    ROW: DataType.TypeName
    TIMESTAMP_LTZ: DataType.TypeName
    class Field(_message.Message):
        __slots__ = ("name", "type", "description")
        NAME_FIELD_NUMBER: _ClassVar[int]
        TYPE_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        name: str
        type: DataType
        description: str
        def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[DataType, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    KEY_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    type_name: DataType.TypeName
    nullable: bool
    precision: int
    scale: int
    element_type: DataType
    key_type: DataType
    value_type: DataType
    fields: _containers.RepeatedCompositeFieldContainer[DataType.Field]
    def __init__(self, type_name: _Optional[_Union[DataType.TypeName, str]] = ..., nullable: _Optional[bool] = ..., precision: _Optional[int] = ..., scale: _Optional[int] = ..., element_type: _Optional[_Union[DataType, _Mapping]] = ..., key_type: _Optional[_Union[DataType, _Mapping]] = ..., value_type: _Optional[_Union[DataType, _Mapping]] = ..., fields: _Optional[_Iterable[_Union[DataType.Field, _Mapping]]] = ...) -> None: ...

class Schema(_message.Message):
    __slots__ = ("fields",)
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedCompositeFieldContainer[DataType.Field]
    def __init__(self, fields: _Optional[_Iterable[_Union[DataType.Field, _Mapping]]] = ...) -> None: ...

class Constant(_message.Message):
    __slots__ = ("type", "bool_value", "int_value", "double_value", "string_value", "bytes_value")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BYTES_VALUE_FIELD_NUMBER: _ClassVar[int]
    type: DataType
    bool_value: bool
    int_value: int
    double_value: float
    string_value: str
    bytes_value: bytes
    def __init__(self, type: _Optional[_Union[DataType, _Mapping]] = ..., bool_value: _Optional[bool] = ..., int_value: _Optional[int] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ..., bytes_value: _Optional[bytes] = ...) -> None: ...

class Input(_message.Message):
    __slots__ = ("column", "call", "constant")
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    CALL_FIELD_NUMBER: _ClassVar[int]
    CONSTANT_FIELD_NUMBER: _ClassVar[int]
    column: int
    call: UserDefinedFunction
    constant: Constant
    def __init__(self, column: _Optional[int] = ..., call: _Optional[_Union[UserDefinedFunction, _Mapping]] = ..., constant: _Optional[_Union[Constant, _Mapping]] = ...) -> None: ...

class FunctionReference(_message.Message):
    __slots__ = ("module", "qualified_name")
    MODULE_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_NAME_FIELD_NUMBER: _ClassVar[int]
    module: str
    qualified_name: str
    def __init__(self, module: _Optional[str] = ..., qualified_name: _Optional[str] = ...) -> None: ...

class UserDefinedFunction(_message.Message):
    __slots__ = ("name", "kind", "reference", "cloudpickle", "inputs", "result_type", "deterministic", "accumulator_type", "distinct")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SCALAR: _ClassVar[UserDefinedFunction.Kind]
        TABLE: _ClassVar[UserDefinedFunction.Kind]
        PANDAS_SCALAR: _ClassVar[UserDefinedFunction.Kind]
        AGGREGATE: _ClassVar[UserDefinedFunction.Kind]
        PANDAS_AGGREGATE: _ClassVar[UserDefinedFunction.Kind]
    SCALAR: UserDefinedFunction.Kind
    TABLE: UserDefinedFunction.Kind
    PANDAS_SCALAR: UserDefinedFunction.Kind
    AGGREGATE: UserDefinedFunction.Kind
    PANDAS_AGGREGATE: UserDefinedFunction.Kind
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CLOUDPICKLE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    RESULT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DETERMINISTIC_FIELD_NUMBER: _ClassVar[int]
    ACCUMULATOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    DISTINCT_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: UserDefinedFunction.Kind
    reference: FunctionReference
    cloudpickle: bytes
    inputs: _containers.RepeatedCompositeFieldContainer[Input]
    result_type: DataType
    deterministic: bool
    accumulator_type: DataType
    distinct: bool
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[UserDefinedFunction.Kind, str]] = ..., reference: _Optional[_Union[FunctionReference, _Mapping]] = ..., cloudpickle: _Optional[bytes] = ..., inputs: _Optional[_Iterable[_Union[Input, _Mapping]]] = ..., result_type: _Optional[_Union[DataType, _Mapping]] = ..., deterministic: _Optional[bool] = ..., accumulator_type: _Optional[_Union[DataType, _Mapping]] = ..., distinct: _Optional[bool] = ...) -> None: ...

class UserDefinedFunctions(_message.Message):
    __slots__ = ("udfs", "input_schema", "job_parameters", "metric_enabled", "profile_enabled", "arrow_batch_size", "grouping", "local_time_zone")
    class JobParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    UDFS_FIELD_NUMBER: _ClassVar[int]
    INPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    JOB_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    METRIC_ENABLED_FIELD_NUMBER: _ClassVar[int]
    PROFILE_ENABLED_FIELD_NUMBER: _ClassVar[int]
    ARROW_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    GROUPING_FIELD_NUMBER: _ClassVar[int]
    LOCAL_TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    udfs: _containers.RepeatedCompositeFieldContainer[UserDefinedFunction]
    input_schema: Schema
    job_parameters: _containers.ScalarMap[str, str]
    metric_enabled: bool
    profile_enabled: bool
    arrow_batch_size: int
    grouping: _containers.RepeatedScalarFieldContainer[int]
    local_time_zone: str
    def __init__(self, udfs: _Optional[_Iterable[_Union[UserDefinedFunction, _Mapping]]] = ..., input_schema: _Optional[_Union[Schema, _Mapping]] = ..., job_parameters: _Optional[_Mapping[str, str]] = ..., metric_enabled: _Optional[bool] = ..., profile_enabled: _Optional[bool] = ..., arrow_batch_size: _Optional[int] = ..., grouping: _Optional[_Iterable[int]] = ..., local_time_zone: _Optional[str] = ...) -> None: ...
