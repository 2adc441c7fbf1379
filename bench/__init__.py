"""The benchmark (性能基准) of issue 7: `make bench` runs `bench/run.py`.

`budgets.py` holds the budgets and the arithmetic (pure, tested in tests/test_bench.py);
`run.py` measures; `readers.py` and `bare_flow.py` are the yardsticks it runs beside the engine.
"""
