//! `cargo +nightly fuzz run events`: see `rtnl_fuzz::events` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::events(data));
