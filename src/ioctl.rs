//! Side door: `ioctl` fallbacks (placeholder, being written).
use crate::error::{Error, Result};
/// Placeholder.
pub fn set_up(_name: &str) -> Result<()> {
    Err(Error::Unsupported { op: "SIOCSIFFLAGS" })
}
/// Placeholder.
pub fn set_mtu(_name: &str, _mtu: u32) -> Result<()> {
    Err(Error::Unsupported { op: "SIOCSIFMTU" })
}
