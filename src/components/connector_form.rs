//! The add and edit form of a custom connector ("Add Agent Connector", "Edit Agent
//! Connector").
//!
//! What the user types lives in a [`SettingsDraft`] and nowhere else, so nothing is lost when
//! a save fails. Every rule comes from the core: [`SettingsDraft::parse`] checks each field as
//! the user types or leaves it, and the backend checks again on save; its refusals land next
//! to the field they are about.

use std::collections::HashSet;

use bots_status_core::config::{KNOWN_KEYS, drift_between, known_key};
use bots_status_core::lifecycle::{Action, ActionKind, Refused};
use bots_status_core::limits::MAX_CONFIG_ROWS;
use bots_status_core::model::{BotId, BotRef, ConnectorId, ConversationType, Environment, Role};
use bots_status_core::settings::{
    Field, SettingsDraft, SettingsProblem, changed_fields, connector_changes,
};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::actions::ActionFlow;
use super::dialog::{Modal, elements, next_id};
use super::drift::DriftTable;
use super::toasts::Toasts;
use crate::backend::{BackendError, BackendRef};
use crate::context::HostEvents;
use crate::store::FleetStore;

/// Which form is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormTarget {
    /// A new connector, for `bot` when it was started from one.
    Add {
        bot: Option<BotId>,
    },
    Edit(ConnectorId),
}

/// Opens the form from anywhere on the Bot Agents page.
#[derive(Clone, Copy)]
pub struct FormOpener {
    open: RwSignal<Option<FormTarget>>,
}

impl FormOpener {
    pub fn new() -> FormOpener {
        FormOpener {
            open: RwSignal::new(None),
        }
    }

    pub fn add(&self, bot: Option<BotId>) {
        self.open.set(Some(FormTarget::Add { bot }));
    }

    pub fn edit(&self, id: ConnectorId) {
        self.open.set(Some(FormTarget::Edit(id)));
    }

    fn close(&self) {
        self.open.set(None);
    }
}

impl Default for FormOpener {
    fn default() -> Self {
        FormOpener::new()
    }
}

/// The open form, if any.
#[component]
pub fn ConnectorFormHost(forms: FormOpener, flow: ActionFlow) -> impl IntoView {
    move || {
        forms
            .open
            .get()
            .map(|target| view! { <ConnectorForm forms=forms target=target flow=flow /> })
    }
}

/// The bot agents the form can offer for the account typed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Agents {
    /// Not looked up yet (or the account changed since).
    Idle,
    Loading(String),
    Loaded {
        account: String,
        names: Vec<String>,
    },
    Failed(String),
}

/// Everything one open form holds. `Copy`, so every handler can take it.
#[derive(Clone, Copy)]
struct FormState {
    draft: RwSignal<SettingsDraft>,
    /// The bot a new connector serves (fixed when editing).
    bot: RwSignal<Option<BotId>>,
    /// Fields the user has typed in or left: their problems show.
    touched: RwSignal<HashSet<Field>>,
    /// After a save was tried every problem shows.
    submitted: RwSignal<bool>,
    /// What the backend refused, per field, until that field changes.
    refused: RwSignal<Vec<SettingsProblem>>,
    parsed: Memo<bots_status_core::settings::Parsed>,
}

impl FormState {
    fn new(draft: SettingsDraft, bot: Option<BotId>) -> FormState {
        let draft = RwSignal::new(draft);
        FormState {
            draft,
            bot: RwSignal::new(bot),
            touched: RwSignal::new(HashSet::new()),
            submitted: RwSignal::new(false),
            refused: RwSignal::new(Vec::new()),
            parsed: Memo::new(move |_| draft.with(SettingsDraft::parse)),
        }
    }

    /// Changes the draft through `edit` and marks `field` as touched.
    fn change(&self, field: Field, edit: impl FnOnce(&mut SettingsDraft)) {
        self.draft.update(edit);
        self.touch(field);
        self.refused.update(|r| r.retain(|p| p.field != field));
    }

    fn touch(&self, field: Field) {
        if !self.touched.with_untracked(|t| t.contains(&field)) {
            self.touched.update(|t| {
                t.insert(field);
            });
        }
    }

    /// The problems to show next to `field` (tracked).
    fn problems(&self, field: Field) -> Vec<SettingsProblem> {
        let visible = self.submitted.get() || self.touched.with(|t| t.contains(&field));
        let mut list: Vec<SettingsProblem> = if visible {
            self.parsed
                .with(|p| p.problems_for(field).cloned().collect())
        } else {
            Vec::new()
        };
        self.refused
            .with(|r| list.extend(r.iter().filter(|p| p.field == field).cloned()));
        list
    }

    fn has_error(&self, field: Field) -> bool {
        self.problems(field).iter().any(SettingsProblem::is_error)
    }

    /// Removes configuration row `row`; the findings of later rows move up with them.
    fn remove_row(&self, row: usize) {
        self.draft.update(|d| {
            if row < d.custom_config.len() {
                d.custom_config.remove(row);
            }
        });
        let shift = |field: Field| match field {
            Field::ConfigKey(r) if r > row => Some(Field::ConfigKey(r - 1)),
            Field::ConfigValue(r) if r > row => Some(Field::ConfigValue(r - 1)),
            Field::ConfigKey(r) | Field::ConfigValue(r) if r == row => None,
            other => Some(other),
        };
        self.touched
            .update(|t| *t = t.iter().copied().filter_map(shift).collect());
        self.refused.update(|r| {
            r.retain(|p| !matches!(p.field, Field::ConfigKey(_) | Field::ConfigValue(_)))
        });
    }
}

#[component]
fn ConnectorForm(forms: FormOpener, target: FormTarget, flow: ActionFlow) -> impl IntoView {
    let store = FleetStore::from_context();
    let backend = expect_context::<BackendRef>();
    let toasts = Toasts::from_context();
    let events = StoredValue::new(HostEvents::from_context());
    let editing = match &target {
        FormTarget::Edit(id) => Some(*id),
        FormTarget::Add { .. } => None,
    };
    let original = editing.and_then(|id| store.get_untracked(id));
    // The settings the form was opened on: a save finding others there meanwhile stops, says
    // what changed, and moves this baseline on, so a second Save keeps the user's values.
    let baseline = StoredValue::new(original.as_ref().map(|c| c.settings.clone()));
    // The version the form was opened on: a save names it, and the backend refuses it with
    // the connector as it is now when someone else changed anything meanwhile.
    let seen = StoredValue::new(original.as_ref().map(|c| c.version));
    let original_value = StoredValue::new(original.clone());
    let session = store.session.get_untracked();
    let (draft, bot) = match (&target, &original) {
        (FormTarget::Edit(_), Some(c)) => (
            SettingsDraft::from_settings(&c.settings),
            Some(c.bot.id.clone()),
        ),
        (FormTarget::Add { bot }, _) => (
            SettingsDraft {
                // The account the user signed in to, as the spec's form does.
                account: session
                    .as_ref()
                    .map(|s| s.account.clone())
                    .unwrap_or_default(),
                ..SettingsDraft::default()
            },
            bot.clone(),
        ),
        (FormTarget::Edit(_), None) => (SettingsDraft::default(), None),
    };
    let has_advanced = draft
        != SettingsDraft {
            fallback_skill_id: String::new(),
            external_webhook_url: String::new(),
            custom_config: Vec::new(),
            accessibility: false,
            ..draft.clone()
        };
    let initial = (draft.clone(), bot.clone());
    let form = FormState::new(draft, bot);
    // Closing a form with changes asks first: Escape is easy to press by accident.
    let confirm_discard = RwSignal::new(false);
    let keep_editing = NodeRef::<html::Button>::new();
    let cancel = move || {
        let changed = form.draft.with_untracked(|d| *d != initial.0)
            || form.bot.with_untracked(|b| *b != initial.1);
        if changed && !confirm_discard.get_untracked() {
            confirm_discard.set(true);
            request_animation_frame(move || {
                if let Some(button) = keep_editing.get_untracked() {
                    let _ = button.focus();
                }
            });
        } else {
            forms.close();
        }
    };
    let cancel = StoredValue::new(cancel);
    let agents = RwSignal::new(Agents::Idle);
    let saving = RwSignal::new(false);
    let outcome = RwSignal::new(None::<String>);
    let advanced_open = RwSignal::new(has_advanced);
    let form_ref = NodeRef::<html::Form>::new();
    let ids = next_id();
    let id = move |name: &str| format!("bs-form-{ids}-{name}");

    // The bots a new connector can serve, by name; read once, as the form opens.
    let bots: Vec<BotRef> = store.connectors.with_untracked(|list| {
        let mut bots: Vec<BotRef> = Vec::new();
        let mut seen = HashSet::new();
        for c in list {
            if seen.insert(c.bot.id.clone()) {
                bots.push(c.bot.clone());
            }
        }
        bots.sort_by(|a, b| a.name.cmp(&b.name));
        bots
    });
    let bots = StoredValue::new(bots);
    let bot_ref =
        move |bot: &BotId| bots.with_value(|list| list.iter().find(|b| &b.id == bot).cloned());

    let load_agents = move || {
        let account = form.draft.with_untracked(|d| d.account.trim().to_owned());
        form.touch(Field::Account);
        if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
            agents.set(Agents::Idle);
            return;
        }
        agents.set(Agents::Loading(account.clone()));
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
                    Agents::Loaded { account, names }
                }
                Err(e) => Agents::Failed(e.to_string()),
            };
            let _ = agents.try_set(next);
        });
    };
    if form.draft.with_untracked(|d| !d.account.trim().is_empty()) {
        load_agents();
    }

    // A connector deleted while its form is open (from the form's own Delete, say) takes
    // the form with it.
    Effect::new(move |_| {
        if let Some(id) = editing
            && store.loaded()
            && store.get(id).is_none()
        {
            forms.close();
        }
    });

    let save = move || {
        form.submitted.set(true);
        outcome.set(None);
        let parsed = form.parsed.get_untracked();
        let bot = form.bot.get_untracked().and_then(|id| bot_ref(&id));
        let (Some(settings), Some(bot)) = (parsed.settings.clone(), bot) else {
            let in_advanced = parsed.problems.iter().any(|p| {
                p.is_error()
                    && matches!(
                        p.field,
                        Field::FallbackSkillId
                            | Field::ExternalWebhookUrl
                            | Field::ConfigKey(_)
                            | Field::ConfigValue(_)
                    )
            });
            if in_advanced {
                advanced_open.set(true);
            }
            let count = parsed.problems.iter().filter(|p| p.is_error()).count()
                + usize::from(form.bot.get_untracked().is_none());
            outcome.set(Some(format!(
                "Not saved: fix the {count} problem{} marked above. Everything you entered is kept.",
                if count == 1 { "" } else { "s" }
            )));
            focus_first_invalid(form_ref);
            return;
        };
        if let Some(id) = editing
            && let Some(now) = store.get_untracked(id).map(|c| c.settings)
            && let Some(before) = baseline.get_value()
            && now != before
        {
            let changed = changed_fields(&before, &now);
            baseline.set_value(Some(now));
            let current = store.get_untracked(id);
            seen.set_value(current.as_ref().map(|c| c.version));
            original_value.set_value(current);
            outcome.set(Some(format!(
                "Not saved: this connector's {} changed since you opened the form (see its details). Everything you entered is kept: Save again to keep your values.",
                changed.join(", ")
            )));
            return;
        }
        saving.set(true);
        let agent = settings.agent_user_id.clone();
        let environment = settings.environment;
        let future = backend.with_value(|b| match editing {
            Some(id) => b.act(id, Action::Edit(Box::new(settings)), seen.get_value()),
            None => b.add(bot.clone(), settings),
        });
        spawn_local(async move {
            let result = future.await;
            let _ = saving.try_set(false);
            match result {
                Ok(_) => {
                    let said = match editing {
                        Some(_) => format!(
                            "{} ({agent}): settings saved. {} Restart it when convenient.",
                            bot.name,
                            ActionKind::Edit.note()
                        ),
                        None => format!(
                            "{}: connector for {agent} added to {}, Ready to Start. Start it to deploy the bot.",
                            bot.name,
                            environment.label()
                        ),
                    };
                    let action = if editing.is_some() { "Edit" } else { "Add" };
                    events.with_value(|e| e.action(action, &said, 1, 0, 0));
                    toasts.done(said);
                    forms.close();
                }
                Err(BackendError::Refused(Refused::InvalidSettings { problems })) => {
                    let count = problems.len();
                    let _ = form.refused.try_set(problems);
                    let _ = outcome.try_set(Some(format!(
                        "Not saved: the backend found {count} problem{} (marked above). Everything you entered is kept.",
                        if count == 1 { "" } else { "s" }
                    )));
                    focus_first_invalid(form_ref);
                }
                Err(BackendError::Refused(refused @ Refused::Unauthorized { .. })) => {
                    let _ = form.refused.try_set(vec![SettingsProblem {
                        field: Field::AgentUserId,
                        severity: bots_status_core::config::Severity::Error,
                        message: refused.to_string(),
                    }]);
                    let _ = outcome.try_set(Some(
                        "Not saved: 401 unauthorized (see Agent User ID). Everything you entered is kept.".to_owned(),
                    ));
                    focus_first_invalid(form_ref);
                }
                Err(BackendError::Conflict(now)) => {
                    // Someone else saved first: say what they changed, and move the baseline
                    // on so a second Save applies these values over theirs knowingly.
                    let before = original_value.with_value(|o| o.clone());
                    let changed = before
                        .as_ref()
                        .map(|b| connector_changes(b, &now))
                        .unwrap_or_default();
                    let what = if changed.is_empty() {
                        "this connector was updated".to_owned()
                    } else {
                        format!("this connector's {} changed", changed.join(", "))
                    };
                    let _ = baseline.try_update_value(|b| *b = Some(now.settings.clone()));
                    let _ = seen.try_update_value(|v| *v = Some(now.version));
                    let _ = original_value.try_update_value(|o| *o = Some(*now));
                    let _ = outcome.try_set(Some(format!(
                        "Not saved: {what} since you opened the form (see its details). Everything you entered is kept: Save again to keep your values."
                    )));
                }
                Err(e) => {
                    let _ = outcome.try_set(Some(format!(
                        "Not saved: {e} Everything you entered is kept; try again."
                    )));
                }
            }
        });
    };

    let title = match editing {
        Some(_) => "Edit Agent Connector",
        None => "Add Agent Connector",
    };
    let permissions = move || store.permissions();
    let drift_rows =
        Memo::new(move |_| {
            let Some(bot) = form.bot.get() else {
                return Vec::new();
            };
            let here = editing.unwrap_or(ConnectorId(0));
            form.draft.with(|d| {
                store.connectors.with(|list| {
                    let mut configs = vec![(here, d.custom_config.as_slice(), d.conversation_type)];
                    configs.extend(list.iter().filter(|c| c.bot.id == bot && c.id != here).map(
                        |c| {
                            (
                                c.id,
                                c.settings.advanced.custom_config.as_slice(),
                                c.conversation_type(),
                            )
                        },
                    ));
                    drift_between(&configs)
                })
            })
        });

    let gone = editing.is_some() && original.is_none();
    view! {
            <Modal title=title.to_owned() on_cancel=Callback::new(move |_| cancel.with_value(|c| c()))>
                {gone.then(|| view! { <p class="bs-dialog__text">"This connector no longer exists."</p> })}
                <form
                    class="bs-form"
                    node_ref=form_ref
                    novalidate=true
                    on:submit=move |ev: web_sys::SubmitEvent| {
                        ev.prevent_default();
                        if !saving.get_untracked() {
                            save();
                        }
                    }
                >
                    // The bot: chosen for a new connector, fixed for an existing one.
                    {match editing {
                        Some(_) => {
                            let name = form.bot.get_untracked().and_then(|b| bot_ref(&b)).map(|b| b.name).unwrap_or_default();
                            view! { <p class="bs-form__bot"><span class="bs-field__label">"Bot"</span>" "{name}</p> }.into_any()
                        }
                        None => {
                            let bot_id = id("bot");
                            let bot_msg = id("bot-msg");
                            let options = bots.get_value();
                            view! {
                                <div class="bs-form__field">
                                    <label class="bs-field__label" for=bot_id.clone()>"Bot"</label>
                                    <select
                                        id=bot_id
                                        class="bs-select"
                                        aria-invalid=move || (form.submitted.get() && form.bot.with(Option::is_none)).to_string()
                                        aria-describedby=bot_msg.clone()
                                        on:change=move |ev| {
                                            let value = event_target_value(&ev);
                                            form.bot.set((!value.is_empty()).then_some(BotId(value)));
                                        }
                                    >
                                        <option value="" prop:selected=move || form.bot.with(Option::is_none)>"Choose a bot…"</option>
                                        {options.into_iter().map(|b| {
                                            let value = b.id.0.clone();
                                            let this = b.id.clone();
                                            view! {
                                                <option value=value prop:selected=move || form.bot.with(|x| x.as_ref() == Some(&this))>{b.name}</option>
                                            }
                                        }).collect_view()}
                                    </select>
                                    <div id=bot_msg>
                                        <Show when=move || form.submitted.get() && form.bot.with(Option::is_none)>
                                            <p class="bs-field__error">"Choose the bot this connector serves."</p>
                                        </Show>
                                        {move || form.problems(Field::Bot).into_iter().map(|p| view! { <p class="bs-field__error">{p.message}</p> }).collect_view()}
                                    </div>
                                </div>
                            }.into_any()
                        }
                    }}

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
                                    agents.set(Agents::Idle);
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
                            Agents::Failed(why) => Some(view! { <p class="bs-field__error">{why}</p> }.into_any()),
                            _ => None,
                        }}
                    </div>

                    <div class="bs-form__field">
                        <label class="bs-field__label" for=id("agent")>"Agent User ID"</label>
                        <select
                            id=id("agent")
                            class="bs-select"
                            disabled=move || !matches!(agents.get(), Agents::Loaded { .. })
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
                                Agents::Loaded { names, .. } => names
                                    .into_iter()
                                    .map(|name| {
                                        let this = name.clone();
                                        let value = name.clone();
                                        view! {
                                            <option value=value prop:selected=move || form.draft.with(|d| d.agent_user_id == this)>{name}</option>
                                        }
                                    })
                                    .collect_view()
                                    .into_any(),
                                _ => ().into_any(),
                            }}
                        </select>
                        <p class="bs-field__hint" id=id("agent-hint")>
                            {move || match agents.get() {
                                Agents::Idle => "Enter the account number, then choose from its enabled bot agents.".to_owned(),
                                Agents::Loading(account) => format!("Looking up the bot agents of account {account}…"),
                                Agents::Loaded { account, names } if names.is_empty() => format!(
                                    "Account {account} has no enabled bot agents. Enable one in Conversational Cloud first."
                                ),
                                Agents::Loaded { account, names } => format!(
                                    "{} enabled bot agent{} of account {account}. Only enabled agents are listed.",
                                    names.len(),
                                    if names.len() == 1 { "" } else { "s" }
                                ),
                                Agents::Failed(_) => "No bot agents can be listed for this account.".to_owned(),
                            }}
                        </p>
                        <Messages id=id("agent-msg") problems=Signal::derive(move || form.problems(Field::AgentUserId)) />
                    </div>

                    <Radios
                        legend="Role"
                        options=Role::ALL.to_vec()
                        text=Role::label
                        current=Signal::derive(move || form.draft.with(|d| d.role))
                        refusal=Callback::new(|_| None)
                        on_change=Callback::new(move |r| form.draft.update(|d| d.role = r))
                    />
                    <Radios
                        legend="Conversation Type"
                        options=ConversationType::ALL.to_vec()
                        text=ConversationType::label
                        current=Signal::derive(move || form.draft.with(|d| d.conversation_type))
                        refusal=Callback::new(|_| None)
                        on_change=Callback::new(move |t| {
                            form.draft.update(|d| d.conversation_type = t);
                            // The rows' keys are judged anew for the other type: show it.
                            let rows = form.draft.with_untracked(|d| d.custom_config.len());
                            for row in 0..rows {
                                form.touch(Field::ConfigKey(row));
                            }
                        })
                    />
                    <Radios
                        legend="Deploy to"
                        options=Environment::ALL.to_vec()
                        text=Environment::label
                        current=Signal::derive(move || form.draft.with(|d| d.environment))
                        refusal=Callback::new(move |e| permissions().may_change(e).err().map(|why| why.to_string()))
                        on_change=Callback::new(move |e| form.draft.update(|d| d.environment = e))
                    />

                    <details
                        class="bs-advanced"
                        prop:open=move || advanced_open.get()
                        on:toggle=move |ev: web_sys::Event| {
                            if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                                advanced_open.set(el.open());
                            }
                        }
                    >
                        <summary>"Advanced Options"</summary>
                        <TextField
                            form=form
                            label="Fallback Skill ID"
                            field=Field::FallbackSkillId
                            id=id("skill")
                            get=|d| &d.fallback_skill_id
                            set=|d, v| d.fallback_skill_id = v
                            inputmode="numeric"
                        />
                        <TextField
                            form=form
                            label="External Webhook URL"
                            field=Field::ExternalWebhookUrl
                            id=id("webhook")
                            get=|d| &d.external_webhook_url
                            set=|d, v| d.external_webhook_url = v
                            input_type="url"
                            placeholder="https://"
                            hint="Only for HTTP delivery instead of WebSocket: where user messages are posted."
                        />
                        <ConfigRows form=form />
                        <label class="bs-check">
                            <input
                                type="checkbox"
                                prop:checked=move || form.draft.with(|d| d.accessibility)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.draft.update(|d| d.accessibility = on);
                                }
                            />
                            "Accessibility"
                        </label>
                        <p class="bs-field__hint">"Bot messages carry the tooltip attribute."</p>
                    </details>

                    <Show when=move || !drift_rows.with(Vec::is_empty)>
                        <section class="bs-drift" aria-label="Configuration drift">
                            <h3 class="bs-form__subhead">"This configuration differs from the bot's other connectors"</h3>
    <DriftTable drift=drift_rows draft_first=true />
                        </section>
                    </Show>

                    <p class="bs-form__outcome" role="alert">{move || outcome.get()}</p>
                    <Show when=move || confirm_discard.get()>
                        <div class="bs-form__discard" role="alert">
                            <p>"You have changes that are not saved. Discard them?"</p>
                            <div class="bs-button-row">
                                <button type="button" class="bs-button" node_ref=keep_editing on:click=move |_| confirm_discard.set(false)>
                                    "Keep editing"
                                </button>
                                <button type="button" class="bs-button bs-button--danger" on:click=move |_| forms.close()>
                                    "Discard changes"
                                </button>
                            </div>
                        </div>
                    </Show>
                    <div class="bs-dialog__buttons">
                        {editing.map(|id| view! {
                            <button
                                type="button"
                                class="bs-button bs-button--danger bs-form__delete"
                                on:click=move |_| flow.begin(ActionKind::Delete, vec![id])
                            >
                                "Delete"
                            </button>
                        })}
                        <button type="button" class="bs-button" on:click=move |_| cancel.with_value(|c| c())>"Cancel"</button>
                        <button type="submit" class="bs-button bs-button--primary" disabled=move || saving.get() || gone>
                            {move || if saving.get() { "Saving…" } else { "Save" }}
                        </button>
                    </div>
                </form>
            </Modal>
        }
}

/// Moves focus to the first field marked invalid, once the marks are in the page.
fn focus_first_invalid(form: NodeRef<html::Form>) {
    request_animation_frame(move || {
        if let Some(el) = form.get_untracked()
            && let Some(first) = elements(&el, "[aria-invalid='true']").first()
        {
            let _ = first.focus();
        }
    });
}

/// A text input bound to one field of the draft, with its hint and its problems under it.
#[component]
fn TextField(
    form: FormState,
    label: &'static str,
    field: Field,
    id: String,
    get: fn(&SettingsDraft) -> &String,
    set: fn(&mut SettingsDraft, String),
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let messages = format!("{id}-msg");
    view! {
        <div class="bs-form__field">
            <label class="bs-field__label" for=id.clone()>{label}</label>
            <input
                id=id
                class="bs-input"
                type=input_type.unwrap_or("text")
                inputmode=inputmode
                placeholder=placeholder
                autocomplete="off"
                prop:value=move || form.draft.with(|d| get(d).clone())
                aria-invalid=move || form.has_error(field).to_string()
                aria-describedby=messages.clone()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    form.change(field, |d| set(d, value));
                }
            />
            {hint.map(|hint| view! { <p class="bs-field__hint">{hint}</p> })}
            <Messages id=messages problems=Signal::derive(move || form.problems(field)) />
        </div>
    }
}

/// A field's problems, under it: errors, and warnings that do not stop a save.
#[component]
fn Messages(id: String, problems: Signal<Vec<SettingsProblem>>) -> impl IntoView {
    view! {
        <div id=id class="bs-field__messages">
            {move || problems.get().into_iter().map(|p| {
                let warning = !p.is_error();
                view! {
                    <p class=if warning { "bs-field__warning" } else { "bs-field__error" }>
                        {warning.then(|| view! { <span class="bs-visually-hidden">"Warning: "</span> })}
                        {p.message}
                    </p>
                }
            }).collect_view()}
        </div>
    }
}

/// A group of radio buttons; an option the user may not choose is disabled with the reason
/// shown under the group.
#[component]
fn Radios<T>(
    legend: &'static str,
    options: Vec<T>,
    text: fn(T) -> &'static str,
    current: Signal<T>,
    refusal: Callback<T, Option<String>>,
    on_change: Callback<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let name = format!("bs-radio-{}", next_id());
    let reasons = options.clone();
    view! {
        <fieldset class="bs-radios">
            <legend class="bs-field__label">{legend}</legend>
            {options.into_iter().map(|v| {
                let name = name.clone();
                view! {
                    <label class="bs-radio">
                        <input
                            type="radio"
                            name=name
                            prop:checked=move || current.get() == v
                            disabled=move || refusal.run(v).is_some()
                            on:change=move |_| on_change.run(v)
                        />
                        {text(v)}
                    </label>
                }
            }).collect_view()}
            {move || reasons.iter().filter_map(|v| refusal.run(*v)).map(|why| view! {
                <p class="bs-field__hint">{why}</p>
            }).collect_view()}
        </fieldset>
    }
}

/// "Custom Configurations": key/value rows added with "+", each key offered from the known
/// keys with its default and description.
#[component]
fn ConfigRows(form: FormState) -> impl IntoView {
    let list_id = format!("bs-keys-{}", next_id());
    let rows = move || form.draft.with(|d| d.custom_config.len());
    let full = move || rows() >= MAX_CONFIG_ROWS;
    let add_button = NodeRef::<html::Button>::new();
    view! {
        <fieldset class="bs-config">
            <legend class="bs-field__label">"Custom Configurations"</legend>
            <datalist id=list_id.clone()>
                {KNOWN_KEYS.iter().map(|k| view! { <option value=k.name>{k.description}</option> }).collect_view()}
            </datalist>
            <Show when=move || rows() == 0>
                <p class="bs-field__hint">"None: every key has its default. Add a row with +."</p>
            </Show>
            <For each=move || 0..rows() key=|row| *row let:row>
                <ConfigRow form=form row=row list_id=list_id.clone() />
            </For>
            <button
                type="button"
                class="bs-button bs-config__add"
                node_ref=add_button
                aria-label="Add a custom configuration row"
                disabled=full
                title=move || if full() {
                    format!("A connector takes at most {MAX_CONFIG_ROWS} custom configuration rows.")
                } else {
                    "Add a custom configuration row".to_owned()
                }
                on:click=move |_| {
                    form.draft.update(|d| d.custom_config.push(bots_status_core::config::ConfigEntry::new("", "")));
                    // Straight into the new row's key.
                    request_animation_frame(move || {
                        if let Some(fieldset) = add_button.get_untracked().and_then(|b| b.parent_element())
                            && let Some(last) = elements(&fieldset, "input[data-part='key']").pop()
                        {
                            let _ = last.focus();
                        }
                    });
                }
            >
                "+"
            </button>
        </fieldset>
    }
}

#[component]
fn ConfigRow(form: FormState, row: usize, list_id: String) -> impl IntoView {
    let entry = move || {
        form.draft.with(|d| {
            d.custom_config
                .get(row)
                .cloned()
                .unwrap_or_else(|| bots_status_core::config::ConfigEntry::new("", ""))
        })
    };
    let spec = move || known_key(entry().key.trim());
    let ids = next_id();
    let key_msg = format!("bs-row-{ids}-key");
    let value_msg = format!("bs-row-{ids}-value");
    let about = format!("bs-row-{ids}-about");
    view! {
        <div class="bs-config__row" role="group" aria-label=format!("Custom configuration row {}", row + 1)>
            <label class="bs-config__part">
                <span class="bs-field__label">"Key"</span>
                <input
                    class="bs-input"
                    data-part="key"
                    list=list_id
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || entry().key
                    aria-invalid=move || form.has_error(Field::ConfigKey(row)).to_string()
                    aria-describedby=format!("{key_msg} {about}")
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.change(Field::ConfigKey(row), |d| {
                            if let Some(e) = d.custom_config.get_mut(row) {
                                e.key = value;
                            }
                        });
                    }
                    on:change=move |_| {
                        // A known key chosen for an empty value starts from its default.
                        if let Some(spec) = spec()
                            && entry().value.trim().is_empty()
                        {
                            form.draft.update(|d| {
                                if let Some(e) = d.custom_config.get_mut(row) {
                                    e.value = spec.default.to_owned();
                                }
                            });
                        }
                    }
                />
            </label>
            <label class="bs-config__part">
                <span class="bs-field__label">"Value"</span>
                <input
                    class="bs-input"
                    data-part="value"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=move || spec().map(|s| s.default)
                    prop:value=move || entry().value
                    aria-invalid=move || form.has_error(Field::ConfigValue(row)).to_string()
                    aria-describedby=value_msg.clone()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.change(Field::ConfigValue(row), |d| {
                            if let Some(e) = d.custom_config.get_mut(row) {
                                e.value = value;
                            }
                        });
                    }
                />
            </label>
            <button
                type="button"
                class="bs-button bs-button--quiet bs-config__remove"
                aria-label=format!("Remove row {}", row + 1)
                on:click=move |_| form.remove_row(row)
            >
                "Remove"
            </button>
            <p class="bs-field__hint bs-config__about" id=about>
                {move || spec().map(|s| {
                    let only = if s.chat { "" } else { " Messaging only." };
                    format!("{} Takes {}; default {}.{only}", s.description, s.kind.describe(), s.default)
                })}
            </p>
            <Messages id=key_msg problems=Signal::derive(move || form.problems(Field::ConfigKey(row))) />
            <Messages id=value_msg problems=Signal::derive(move || form.problems(Field::ConfigValue(row))) />
        </div>
    }
}
