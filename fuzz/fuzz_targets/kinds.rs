//! `cargo +nightly fuzz run kinds`: see `rtnl_fuzz::kinds` for what is checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtnl_fuzz::kinds(data));
