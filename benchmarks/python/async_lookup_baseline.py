"""Plain Python doing what the async_lookup benchmark asks of PyFn, one call at a time: `await lookup(key)` (an
`asyncio.sleep(0.01)`) row after row. Prints `rows_per_second N`. Over ROWS rows (argument; 10 ms each, so the
benchmark passes fewer than it runs through PyFn: the rate is the same)."""
import asyncio
import sys
import time


async def lookup(key):
    await asyncio.sleep(0.01)
    return key + 1


async def main(rows):
    total = 0
    for key in range(rows):
        total += await lookup(key)
    return total


rows = int(sys.argv[1])
start = time.perf_counter()
total = asyncio.run(main(rows))
elapsed = time.perf_counter() - start
assert total == rows * (rows + 1) // 2
print(f"rows_per_second {rows / elapsed:.1f}")
