"""The harness: runs PyFn functions for the Swift runner over the Beam Fn API.

    python -m pyfn.worker --id=W --provision_endpoint=H:P [--control_endpoint=H:P]
                          [--logging_endpoint=H:P] [--semi_persist_dir=D]

One module per concern: `boot` (flags, provisioning, lifetime), `channels` (gRPC channels carrying the
worker id), `control` (the Control stream), `bundle_processor` (descriptors and bundles), `data_channel`
(the Data stream), `state_channel` (the State stream), `arrow_stream` (Arrow IPC framing), `log_forwarding`
(the Logging stream), `function_loader` (finding and opening user functions), `arrow_conversion` (Arrow to Python
and back), `scalar_operation`, `table_operation`, `pandas_operation`, `aggregate_operation` (accumulators in the
runner's state), `metrics_reporting`, `errors`. `embedded` is the
same evaluation called in-process by a runner that hosts CPython (embedded mode: no gRPC, Arrow C Data Interface).
"""
