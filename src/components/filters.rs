//! The filter controls at the upper left of the Bot Agents page, each value with the number
//! of rows it would show.

use bots_status_core::model::ConversationType;
use bots_status_core::query::{ConnectorQuery, EnvironmentFilter, FacetCounts, LinkFacet};
use bots_status_core::status::{ConnectorStatus, StatusValue};
use leptos::prelude::*;

use super::choice::Choice;
use super::environment_picker::EnvironmentPicker;
use crate::components::when::When;

/// `None` first ("Any"), then every value.
fn any_or<T: Copy>(values: &[T]) -> Vec<Option<T>> {
    std::iter::once(None)
        .chain(values.iter().copied().map(Some))
        .collect()
}

#[component]
pub fn Filters(
    /// The connector query the filters change.
    query: RwSignal<ConnectorQuery>,
    /// How many connectors each filter value would show.
    counts: Memo<FacetCounts>,
) -> impl IntoView {
    let environment = Signal::derive(move || query.with(|q| q.environment));
    let set_environment =
        Callback::new(move |e: EnvironmentFilter| query.update(|q| q.environment = e));
    view! {
        <form class="bs-filters" aria-label="Filters" on:submit=|ev| ev.prevent_default()>
            <EnvironmentPicker value=environment on_change=set_environment />
            <Choice
                label="Bot Agent Connector"
                options={any_or(&ConnectorStatus::ALL)}
                slug={|v: Option<ConnectorStatus>| v.map_or("", ConnectorStatus::slug)}
                text={Callback::new(move |v: Option<ConnectorStatus>| match v {
                    None => "Any status".to_owned(),
                    Some(s) => format!("{} ({})", s.label(), counts.get().status(s)),
                })}
                current=Signal::derive(move || query.with(|q| q.status))
                on_change=Callback::new(move |v| query.update(|q| q.status = v))
            />
            <Choice
                label="Conversational Cloud"
                options={any_or(&LinkFacet::CLOUD)}
                slug={|v: Option<LinkFacet>| v.map_or("", LinkFacet::slug)}
                text={Callback::new(move |v: Option<LinkFacet>| match v {
                    None => "Any".to_owned(),
                    Some(f) => format!("{} ({})", f.label(), counts.get().cloud(f)),
                })}
                current=Signal::derive(move || query.with(|q| q.cloud))
                on_change=Callback::new(move |v| query.update(|q| q.cloud = v))
            />
            <Choice
                label="Bot Server"
                options={any_or(&LinkFacet::BOT_SERVER)}
                slug={|v: Option<LinkFacet>| v.map_or("", LinkFacet::slug)}
                text={Callback::new(move |v: Option<LinkFacet>| match v {
                    None => "Any".to_owned(),
                    Some(f) => format!("{} ({})", f.label(), counts.get().bot_server(f)),
                })}
                current=Signal::derive(move || query.with(|q| q.bot_server))
                on_change=Callback::new(move |v| query.update(|q| q.bot_server = v))
            />
            <Choice
                label="Conversation type"
                options={any_or(&ConversationType::ALL)}
                slug={|v: Option<ConversationType>| v.map_or("", ConversationType::label)}
                text={Callback::new(move |v: Option<ConversationType>| match v {
                    None => "Any".to_owned(),
                    Some(t) => format!("{} ({})", t.label(), counts.get().conversation_type(t)),
                })}
                current=Signal::derive(move || query.with(|q| q.conversation_type))
                on_change=Callback::new(move |v| query.update(|q| q.conversation_type = v))
            />
            <label class="bs-field bs-field--grow">
                <span class="bs-field__label">"Search"</span>
                <input
                    class="bs-input"
                    type="search"
                    placeholder="Bot or agent name (press /)"
                    aria-keyshortcuts="/"
                    prop:value=move || query.with(|q| q.text.clone())
                    on:input=move |ev| query.update(|q| q.text = event_target_value(&ev))
                />
            </label>
            <When when=move || query.with(ConnectorQuery::is_narrowed)>
                <button
                    type="button"
                    class="bs-button bs-button--quiet bs-filters__clear"
                    on:click=move |_| query.update(|q| {
                        *q = ConnectorQuery { environment: q.environment, sort: q.sort, descending: q.descending, ..ConnectorQuery::default() }
                    })
                >
                    "Clear filters"
                </button>
            </When>
        </form>
    }
}
