//! Build script: cheap and offline. It runs no compiler and reads no headers; it only
//! tells the crate whether the target speaks rtnetlink, so that every other target
//! still builds and gets `Error::Unsupported` at run time.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(rtnl_netlink)");
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" {
        println!("cargo:rustc-cfg=rtnl_netlink");
    }
}
