//! `cargo +nightly fuzz run ack`: see `rtnl_fuzz::ack` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::ack(data));
