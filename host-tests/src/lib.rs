//! rootspan-host holds tests only (`tests/`): identity across homes, the engine, the CLI.
