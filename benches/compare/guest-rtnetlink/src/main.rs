//! The guest sequence of rtnl's examples/guest_size.rs, written with rtnetlink + tokio
//! the way rtnetlink's own examples do it (look the link up by name, then by index).

use futures_util::TryStreamExt;
use rtnetlink::{LinkUnspec, RouteMessageBuilder};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

async fn configure(ifname: String) -> Result<(), Box<dyn std::error::Error>> {
    let (conn, h, _) = rtnetlink::new_connection()?;
    tokio::spawn(conn);
    let mut links = h.link().get().match_name(ifname).execute();
    let idx = links.try_next().await?.ok_or("no such link")?.header.index;
    h.link()
        .set(
            LinkUnspec::new_with_index(idx)
                .address(vec![2, 0, 0, 0, 0, 1])
                .build(),
        )
        .execute()
        .await?;
    h.link()
        .set(LinkUnspec::new_with_index(idx).mtu(1400).build())
        .execute()
        .await?;
    h.link()
        .set(LinkUnspec::new_with_index(idx).up().build())
        .execute()
        .await?;
    h.address()
        .add(idx, IpAddr::V4(Ipv4Addr::new(10, 0, 2, 15)), 24)
        .execute()
        .await?;
    h.address()
        .add(
            idx,
            IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 0x15)),
            64,
        )
        .execute()
        .await?;
    h.route()
        .add(
            RouteMessageBuilder::<Ipv4Addr>::new()
                .gateway(Ipv4Addr::new(10, 0, 2, 2))
                .build(),
        )
        .execute()
        .await?;
    h.route()
        .add(
            RouteMessageBuilder::<Ipv6Addr>::new()
                .gateway(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2))
                .build(),
        )
        .execute()
        .await?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let ifname = std::env::args().nth(1).unwrap_or_else(|| "eth0".to_owned());
    match configure(ifname).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guest-rtnetlink: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
