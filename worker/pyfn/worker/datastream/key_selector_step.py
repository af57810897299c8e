"""`key_by`: the key selector. Records keep their values and gain their key, pickled; the runner hashes those
bytes to pick the subtask of the keyed operator downstream, and the keyed operator keeps its state under them."""

from __future__ import annotations

import pickle

from pyfn.datastream.functions import KeySelector
from pyfn.worker.datastream.step_base import Step

#: Pickle protocol of keys: fixed, so equal keys give equal bytes in every worker.
KEY_PICKLE_PROTOCOL = 4


class KeySelectorStep(Step):
    """Computes each record's key."""

    method = (KeySelector, "get_key")

    def run(self, values, keys):
        dumps = pickle.dumps
        return values, [dumps(key, KEY_PICKLE_PROTOCOL) for key in self.call_each(values)]
