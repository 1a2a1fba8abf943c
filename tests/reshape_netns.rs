//! Issue #12 §8: `with_netns(pid, f)` and `with_netns_fd(fd, f)` take the seed's
//! closure (`FnOnce() -> rtnl::Result<T>`) and return `rtnl::Result<T>`: the closure's
//! own error comes back verbatim (not wrapped, not dropped), its value as it is, and
//! the closure may borrow from the caller's stack (no `'static` bound).

mod common;
use common::*;

use rtnl::{Error, Handle, Link};

#[test]
fn the_closures_error_comes_back_verbatim_and_it_may_borrow() {
    if !can_run_kernel_tests("the_closures_error_comes_back_verbatim_and_it_may_borrow") {
        return;
    }
    in_netns(|| {
        // A caller's own error, through with_netns_fd.
        let ns = rtnl::netns::create().unwrap();
        let e = rtnl::with_netns_fd(ns, || -> rtnl::Result<()> {
            Err(Error::NotFound {
                kind: "widget",
                name: "w0".into(),
            })
        })
        .unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { kind: "widget", name } if name == "w0"),
            "{e:?}"
        );

        // A kernel refusal made inside, with `?`, as code migrated from the seed
        // writes it: the refusal itself, with the kernel's errno and words.
        let ns = rtnl::netns::create().unwrap();
        let e = rtnl::with_netns_fd(ns, || {
            let mut h = Handle::new()?;
            h.add(&Link::of_kind("nk0", "no-such-kind")?)?;
            Ok(())
        })
        .unwrap_err();
        assert!(
            matches!(&e, Error::Kernel { op: "RTM_NEWLINK", errno, .. } if *errno == libc::EOPNOTSUPP),
            "{e:?}"
        );
        assert_eq!(e.kernel_message(), Some("Unknown device type"));

        // An input error from inside, through with_netns (by pid: this process).
        let e = rtnl::with_netns(std::process::id(), || -> rtnl::Result<u32> {
            Err(Error::InvalidInput {
                what: "thing",
                value: "v".into(),
                reason: "because",
            })
        })
        .unwrap_err();
        assert!(
            matches!(
                &e,
                Error::InvalidInput {
                    what: "thing",
                    reason: "because",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.to_string(), "invalid thing \"v\": because");

        // Borrowing (non-'static): the closure fills the caller's vector and reads its
        // string; the value comes back as it is.
        let ns = rtnl::netns::create().unwrap();
        let wanted = String::from("in0");
        let mut seen: Vec<String> = Vec::new();
        let index = rtnl::with_netns_fd(ns, || {
            let mut h = Handle::new()?;
            h.add(&Link::veth(&wanted, "in1")?)?;
            for l in h.links()?.iter() {
                seen.push(l.name_str());
            }
            h.link_index(wanted.as_str())
        })
        .unwrap();
        assert!(index > 1);
        seen.sort();
        assert_eq!(seen, vec!["in0", "in1", "lo"]);
        // That was the other namespace, not this one.
        assert_eq!(ip_link_names(), vec!["lo"]);

        // A panic inside is an error too, not a crash of the caller.
        let ns = rtnl::netns::create().unwrap();
        let e = rtnl::with_netns_fd(ns, || -> rtnl::Result<()> { panic!("boom") }).unwrap_err();
        assert!(
            matches!(&e, Error::Panicked { message, .. } if message == "boom"),
            "{e:?}"
        );
    });
}
