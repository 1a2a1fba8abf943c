//! Side door: sysctls under `/proc/sys` (placeholder, being written).
use crate::error::{Error, Result};
/// Placeholder.
pub fn set_sysctl(_key: &str, _value: &str) -> Result<()> {
    Err(Error::Unsupported { op: "set_sysctl" })
}
/// Placeholder.
pub fn read_sysctl(_key: &str) -> Result<String> {
    Err(Error::Unsupported { op: "read_sysctl" })
}
