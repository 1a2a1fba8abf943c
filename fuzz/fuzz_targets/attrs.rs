//! `cargo +nightly fuzz run attrs`: see `rtnl_fuzz::attrs` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::attrs(data));
