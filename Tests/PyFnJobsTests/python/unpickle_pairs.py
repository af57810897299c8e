"""Prints the (key, count) pairs pickled in a file of length-prefixed pickles (`<u32 length><pickle>`…), one
`key count` line each: the Swift DataStream tests read pickled records through it."""

import pickle
import struct
import sys


def main():
    data = open(sys.argv[1], "rb").read()
    at = 0
    while at < len(data):
        (length,) = struct.unpack_from("<I", data, at)
        key, count = pickle.loads(data[at + 4:at + 4 + length])
        print(key, count)
        at += 4 + length


if __name__ == "__main__":
    main()
