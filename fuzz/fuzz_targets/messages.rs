//! `cargo +nightly fuzz run messages`: see `rtnl_fuzz::messages` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::messages(data));
