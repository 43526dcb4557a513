//! What every status value means, in the spec's words.

use bots_status_core::model::ConversationType;
use bots_status_core::status::{
    BotServerConnection, CloudConnection, ConnectorStatus, LinkHealth, Shown, StatusValue,
};
use leptos::prelude::*;

use super::status_badge::StatusBadge;

fn entry<T: StatusValue + Copy + Send + Sync + 'static>(value: T) -> AnyView {
    view! {
        <li class="bs-legend__item">
            <StatusBadge value=Signal::stored(value) />
            <span>{value.description()}</span>
        </li>
    }
    .into_any()
}

#[component]
pub fn Legend() -> impl IntoView {
    let cloud = [
        CloudConnection::new(ConversationType::Messaging, LinkHealth::Up),
        CloudConnection::new(ConversationType::Messaging, LinkHealth::Down),
        CloudConnection::new(ConversationType::Chat, LinkHealth::Up),
        CloudConnection::new(ConversationType::Chat, LinkHealth::Down),
        CloudConnection::new(ConversationType::Chat, LinkHealth::Away),
    ];
    view! {
        <details class="bs-legend">
            <summary>"Status legend"</summary>
            <div class="bs-legend__groups">
                <section>
                    <h4>"Bot Agent Connector"</h4>
                    <ul>{ConnectorStatus::ALL.into_iter().map(entry).collect_view()}</ul>
                </section>
                <section>
                    <h4>"Conversational Cloud"</h4>
                    <ul>{cloud.into_iter().map(entry).collect_view()}</ul>
                </section>
                <section>
                    <h4>"Bot Server"</h4>
                    <ul>
                        {entry(BotServerConnection::Connected)}
                        {entry(BotServerConnection::NotConnected)}
                        {entry(Shown::<BotServerConnection>::NotApplicable)}
                    </ul>
                </section>
            </div>
        </details>
    }
}
