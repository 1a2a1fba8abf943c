//! `cargo +nightly fuzz run typed`: see `rtnl_fuzz::typed` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::typed(data));
