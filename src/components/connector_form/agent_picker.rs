//! The form's "Account number" and "Agent User ID": the account's *enabled* bot agents are
//! looked up (Find bot agents, Enter, or leaving the field) and offered; a chosen agent the
//! account no longer offers is unchosen.

use bots_status_core::settings::{Field, is_account_number};
use bots_status_core::words::plural;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::FormState;
use crate::backend::BackendRef;
use crate::components::field::Messages;

/// The bot agents the form can offer for the account typed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AgentChoices {
    /// Not looked up yet (or the account changed since).
    Idle,
    Loading(String),
    Loaded {
        account: String,
        names: Vec<String>,
    },
    Failed(String),
}

/// The account and the agent of `form`; its inputs' ids start with `id_prefix`.
#[component]
pub(super) fn AgentPicker(
    /// The open form: its account and agent are what the fields show and set.
    form: FormState,
    /// The start of the inputs' ids, unique to this form.
    id_prefix: String,
) -> impl IntoView {
    let backend = expect_context::<BackendRef>();
    let agents = RwSignal::new(AgentChoices::Idle);
    let id = move |name: &str| format!("{id_prefix}-{name}");
    let load_agents = move || {
        let account = form.draft.with_untracked(|d| d.account.trim().to_owned());
        form.touch(Field::Account);
        if !is_account_number(&account) {
            agents.set(AgentChoices::Idle);
            return;
        }
        agents.set(AgentChoices::Loading(account.clone()));
        let future = backend.with_value(|b| b.agents(&account));
        spawn_local(async move {
            let result = future.await;
            // The user may have typed another account meanwhile.
            if form
                .draft
                .try_with_untracked(|d| d.account.trim() != account)
                .unwrap_or(true)
            {
                return;
            }
            let next = match result {
                Ok(users) => {
                    let names: Vec<String> = users.into_iter().map(|u| u.login_name).collect();
                    // A chosen agent that is not offered is not chosen any more.
                    if form
                        .draft
                        .with_untracked(|d| !names.contains(&d.agent_user_id))
                    {
                        form.draft.update(|d| d.agent_user_id.clear());
                    }
                    AgentChoices::Loaded { account, names }
                }
                Err(e) => AgentChoices::Failed(e.to_string()),
            };
            let _ = agents.try_set(next);
        });
    };
    if form.draft.with_untracked(|d| !d.account.trim().is_empty()) {
        load_agents();
    }
    view! {
                    <div class="bs-form__field">
                        <label class="bs-field__label" for=id("account")>"Account number"</label>
                        <div class="bs-form__inline">
                            <input
                                id=id("account")
                                class="bs-input"
                                inputmode="numeric"
                                autocomplete="off"
                                prop:value=move || form.draft.with(|d| d.account.clone())
                                aria-invalid=move || form.has_error(Field::Account).to_string()
                                aria-describedby=id("account-msg")
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    form.change(Field::Account, |d| d.account = value);
                                    agents.set(AgentChoices::Idle);
                                }
                                on:change=move |_| load_agents()
                                on:keydown=move |ev: web_sys::KeyboardEvent| {
                                    if ev.key() == "Enter" {
                                        ev.prevent_default();
                                        load_agents();
                                    }
                                }
                            />
                            <button type="button" class="bs-button" on:click=move |_| load_agents()>
                                "Find bot agents"
                            </button>
                        </div>
                        <Messages id=id("account-msg") problems=Signal::derive(move || form.problems(Field::Account)) />
                        {move || match agents.get() {
                            AgentChoices::Failed(why) => Some(view! { <p class="bs-field__error">{why}</p> }.into_any()),
                            _ => None,
                        }}
                    </div>

                    <div class="bs-form__field">
                        <label class="bs-field__label" for=id("agent")>"Agent User ID"</label>
                        <select
                            id=id("agent")
                            class="bs-select"
                            disabled=move || !matches!(agents.get(), AgentChoices::Loaded { .. })
                            aria-invalid=move || form.has_error(Field::AgentUserId).to_string()
                            aria-describedby=format!("{} {}", id("agent-msg"), id("agent-hint"))
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                form.change(Field::AgentUserId, |d| d.agent_user_id = value);
                            }
                            on:blur=move |_| form.touch(Field::AgentUserId)
                        >
                            <option value="" prop:selected=move || form.draft.with(|d| d.agent_user_id.is_empty())>
                                "Choose a bot agent…"
                            </option>
                            {move || match agents.get() {
                                AgentChoices::Loaded { names, .. } => names
                                    .into_iter()
                                    .map(|name| {
                                        let this = name.clone();
                                        let value = name.clone();
                                        view! {
                                            <option value=value prop:selected=move || form.draft.with(|d| d.agent_user_id == this)>{name}</option>
                                        }.into_any()
                                    })
                                    .collect_view()
                                    .into_any(),
                                _ => ().into_any(),
                            }}
                        </select>
                        <p class="bs-field__hint" id=id("agent-hint")>
                            {move || match agents.get() {
                                AgentChoices::Idle => "Enter the account number, then choose from its enabled bot agents.".to_owned(),
                                AgentChoices::Loading(account) => format!("Looking up the bot agents of account {account}…"),
                                AgentChoices::Loaded { account, names } if names.is_empty() => format!(
                                    "Account {account} has no enabled bot agents. Enable one in Conversational Cloud first."
                                ),
                                AgentChoices::Loaded { account, names } => format!(
                                    "{} enabled bot agent{} of account {account}. Only enabled agents are listed.",
                                    names.len(),
                                    plural(names.len())
                                ),
                                AgentChoices::Failed(_) => "No bot agents can be listed for this account.".to_owned(),
                            }}
                        </p>
                        <Messages id=id("agent-msg") problems=Signal::derive(move || form.problems(Field::AgentUserId)) />
                    </div>

    }
}
