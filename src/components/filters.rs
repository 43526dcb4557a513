//! The filter controls at the upper left of the Bot Agents page, each value with the number
//! of rows it would show.

use bots_status_core::metrics::environments;
use bots_status_core::model::ConversationType;
use bots_status_core::query::{ConnectorQuery, EnvironmentFilter, LinkFacet};
use bots_status_core::status::{ConnectorStatus, StatusValue};
use leptos::prelude::*;

use crate::store::FleetStore;

#[component]
pub fn Filters(store: FleetStore, query: RwSignal<ConnectorQuery>) -> impl IntoView {
    // Sorting does not change the counts, so they depend on the filters alone.
    let filters = Memo::new(move |_| {
        query.with(|q| ConnectorQuery {
            sort: Default::default(),
            descending: false,
            ..q.clone()
        })
    });
    let counts = Memo::new(move |_| filters.with(|q| store.connectors.with(|c| q.facet_counts(c))));
    view! {
        <form class="bs-filters" aria-label="Filters" on:submit=|ev| ev.prevent_default()>
            <label class="bs-field">
                <span class="bs-field__label">"Environment"</span>
                <select
                    class="bs-select"
                    on:change=move |ev| {
                        if let Some(env) = EnvironmentFilter::from_slug(&event_target_value(&ev)) {
                            query.update(|q| q.environment = env);
                        }
                    }
                >
                    {environments().into_iter().map(|e| view! {
                        <option value=e.slug() prop:selected=move || query.with(|q| q.environment == e)>{e.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="bs-field">
                <span class="bs-field__label">"Bot Agent Connector"</span>
                <select
                    class="bs-select"
                    on:change=move |ev| query.update(|q| q.status = ConnectorStatus::from_slug(&event_target_value(&ev)))
                >
                    <option value="" prop:selected=move || query.with(|q| q.status.is_none())>"Any status"</option>
                    {ConnectorStatus::ALL
                        .into_iter()
                        .map(|s| view! {
                            <option value=s.slug() prop:selected=move || query.with(|q| q.status == Some(s))>
                                {move || format!("{} ({})", s.label(), counts.get().status(s))}
                            </option>
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="bs-field">
                <span class="bs-field__label">"Conversational Cloud"</span>
                <select
                    class="bs-select"
                    on:change=move |ev| query.update(|q| q.cloud = LinkFacet::from_slug(&event_target_value(&ev)))
                >
                    <option value="" prop:selected=move || query.with(|q| q.cloud.is_none())>"Any"</option>
                    {LinkFacet::CLOUD
                        .into_iter()
                        .map(|f| view! {
                            <option value=f.slug() prop:selected=move || query.with(|q| q.cloud == Some(f))>
                                {move || format!("{} ({})", f.label(), counts.get().cloud(f))}
                            </option>
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="bs-field">
                <span class="bs-field__label">"Bot Server"</span>
                <select
                    class="bs-select"
                    on:change=move |ev| query.update(|q| q.bot_server = LinkFacet::from_slug(&event_target_value(&ev)))
                >
                    <option value="" prop:selected=move || query.with(|q| q.bot_server.is_none())>"Any"</option>
                    {LinkFacet::BOT_SERVER
                        .into_iter()
                        .map(|f| view! {
                            <option value=f.slug() prop:selected=move || query.with(|q| q.bot_server == Some(f))>
                                {move || format!("{} ({})", f.label(), counts.get().bot_server(f))}
                            </option>
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="bs-field">
                <span class="bs-field__label">"Conversation type"</span>
                <select
                    class="bs-select"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        query.update(|q| q.conversation_type = ConversationType::ALL.into_iter().find(|t| t.label() == v));
                    }
                >
                    <option value="" prop:selected=move || query.with(|q| q.conversation_type.is_none())>"Any"</option>
                    {ConversationType::ALL
                        .into_iter()
                        .map(|t| view! {
                            <option value=t.label() prop:selected=move || query.with(|q| q.conversation_type == Some(t))>
                                {move || format!("{} ({})", t.label(), counts.get().conversation_type(t))}
                            </option>
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="bs-field bs-field--grow">
                <span class="bs-field__label">"Search"</span>
                <input
                    class="bs-input"
                    type="search"
                    placeholder="Bot or agent name"
                    prop:value=move || query.with(|q| q.text.clone())
                    on:input=move |ev| query.update(|q| q.text = event_target_value(&ev))
                />
            </label>
            <Show when=move || query.with(ConnectorQuery::is_narrowed)>
                <button
                    type="button"
                    class="bs-button bs-button--quiet bs-filters__clear"
                    on:click=move |_| query.update(|q| {
                        *q = ConnectorQuery { environment: q.environment, sort: q.sort, descending: q.descending, ..ConnectorQuery::default() }
                    })
                >
                    "Clear filters"
                </button>
            </Show>
        </form>
    }
}
