//! `cargo +nightly fuzz run encoders`: see `rtnl_fuzz::encoders` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::encoders(data));
