"""FLIP-130's own example, with only `pyflink` → `pyfn` in the imports: a keyed map over a collection split over
three source subtasks, printed."""

from pyfn.common.typeinfo import Types
from pyfn.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
ds = env.from_collection([('ab', 1), ('abc', 2), ('abcd', 3), ('abcde', 4)],
                         type_info=Types.ROW([Types.STRING(), Types.INT()]))
ds.set_parallelism(3)
ds.key_by(lambda x: x[1]).map(lambda x: (x[0], x[1] + 1)).print()
env.execute()
