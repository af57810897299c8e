"""What the current thread is running: the instruction and the user function, for logs and errors."""

import threading

_state = threading.local()


def current_instruction() -> str:
    return getattr(_state, "instruction_id", "")


def set_instruction(instruction_id: str) -> None:
    _state.instruction_id = instruction_id


def current_function() -> str:
    return getattr(_state, "function", "")


def set_function(name: str) -> None:
    _state.function = name
