//! The Node.js example connector (`examples/connector-node`) against the same server and
//! testbed: the protocol from another language. `cargo xtask test` installs its packages and
//! says where (`BOTS_STATUS_NODE_PATH`).

#![allow(clippy::expect_used)]

mod common;

use bots_status_core::model::ConversationType;
use bots_status_core::status::{ConnectorStatus, LinkHealth};
use common::{World, online_with, status};

#[tokio::test]
async fn the_node_connector_follows_its_orders_and_reports_its_socket() {
    let Ok(modules) = std::env::var("BOTS_STATUS_NODE_PATH") else {
        panic!(
            "BOTS_STATUS_NODE_PATH is not set: run this test with `cargo xtask test`, which installs the example's npm packages (ws, eventsource) and gives their folder"
        );
    };
    let world = World::start().await;
    let (id, token) = world
        .add("spare-bot-1-1", "70071528", ConversationType::Messaging)
        .await;
    let _node = world.spawn_node(&token, &modules);
    world.act(id, "start").await;
    world
        .until(&[id], "Online with two conversations", |c| {
            online_with(LinkHealth::Up, true)(c) && c.concurrent_conversations == 2
        })
        .await;
    world.set("messaging", "down").await;
    world
        .until(
            &[id],
            "messaging dropped",
            online_with(LinkHealth::Down, true),
        )
        .await;
    world.set("messaging", "up").await;
    world.act(id, "restart").await;
    world
        .until(&[id], "reconnected", online_with(LinkHealth::Up, true))
        .await;
    world.act(id, "stop").await;
    world
        .until(&[id], "stopped", status(ConnectorStatus::Stopped))
        .await;
    world.server.stop().await;
}
