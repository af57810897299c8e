"""Builds the UserDefinedFunction messages the tests feed to operations and workers."""
from pyfn.describe import describe
from pyfn.proto.pyfn import udf_pb2


def call_message(wrapper, *inputs, by_value=False):
    """A UserDefinedFunction message for `wrapper` (cloudpickled with `by_value`, else by reference). Inputs are
    column ints, nested UserDefinedFunction messages, or (DataType, field, value) constants — field or value None
    is a NULL constant."""
    message = describe(wrapper, by_value=by_value)
    for item in inputs:
        argument = message.inputs.add()
        if isinstance(item, int):
            argument.column = item
        elif isinstance(item, udf_pb2.UserDefinedFunction):
            argument.call.CopyFrom(item)
        else:
            data_type, field, value = item
            argument.constant.type.CopyFrom(data_type.to_proto())
            if field is not None and value is not None:
                setattr(argument.constant, field, value)
    return message


def functions(*calls, **kwargs):
    """A UserDefinedFunctions message of `calls`."""
    message = udf_pb2.UserDefinedFunctions(**kwargs)
    for item in calls:
        message.udfs.add().CopyFrom(item)
    return message
