//! Arrow IPC (placeholder while the decoder is written).
