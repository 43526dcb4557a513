//! The add and edit form of a custom connector ("Add Agent Connector", "Edit Agent
//! Connector").
//!
//! What the user types lives in a [`SettingsDraft`] and nowhere else, so nothing is lost when
//! a save fails. Every rule comes from the core: [`SettingsDraft::parse`] checks each field as
//! the user types or leaves it, and the backend checks again on save; its refusals land next
//! to the field they are about.

mod agent_picker;
mod config_rows;
mod save;
mod state;

use bots_status_core::config::draft_drift;
use bots_status_core::fleet::{bots, bots_named};
use bots_status_core::lifecycle::ActionKind;
use bots_status_core::model::{BotId, BotRef, ConnectorId, ConversationType, Environment, Role};
use bots_status_core::settings::{Field, SettingsDraft};
use bots_status_core::words::{plural, thousands};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::actions::ActionFlow;
use super::dialog::{Modal, next_id};
use super::drift::DriftTable;
use super::field::{Radios, TextField};
use super::toasts::Toasts;
use crate::backend::BackendRef;
use crate::components::when::When;
use crate::context::HostEvents;
use crate::effect::effect;
use crate::store::FleetStore;
use agent_picker::AgentPicker;
use config_rows::ConfigRows;
use save::Save;
use state::{FormState, Seen};

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
pub fn ConnectorFormHost(
    /// Which form is open, if any.
    forms: FormOpener,
    /// The page's action flow: the form's Delete goes through it.
    flow: ActionFlow,
) -> impl IntoView {
    view! {
        {move || {
            forms
                .open
                .get()
                .map(|target| view! { <ConnectorForm forms=forms target=target flow=flow /> }.into_any())
        }}
    }
}

#[component]
fn ConnectorForm(
    /// Closes the form.
    forms: FormOpener,
    /// A new connector (maybe for a bot), or the one being edited.
    target: FormTarget,
    /// The page's action flow: Delete goes through it.
    flow: ActionFlow,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let backend = expect_context::<BackendRef>();
    let toasts = Toasts::from_context();
    let events = StoredValue::new(HostEvents::from_context());
    let editing = match &target {
        FormTarget::Edit(id) => Some(*id),
        FormTarget::Add { .. } => None,
    };
    let original = editing.and_then(|id| store.get_untracked(id));
    // The connector as the form last saw it: a save names its version and stops when its
    // settings changed meanwhile.
    let seen = Seen::new(original.clone());
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
    let saving = RwSignal::new(false);
    let outcome = RwSignal::new(None::<String>);
    let advanced_open = RwSignal::new(has_advanced);
    let form_ref = NodeRef::<html::Form>::new();
    let ids = next_id();
    let id = move |name: &str| format!("bs-form-{ids}-{name}");

    // The bots a new connector can serve, by name; read once, as the form opens.
    let bot_choices = StoredValue::new(store.connectors.with_untracked(|list| bots(list)));
    let bot_ref = move |bot: &BotId| {
        bot_choices.with_value(|list| list.iter().find(|b| &b.id == bot).cloned())
    };

    // A connector deleted while its form is open (from the form's own Delete, say) takes
    // the form with it.
    effect(move || {
        if let Some(id) = editing
            && store.loaded()
            && store.get(id).is_none()
        {
            forms.close();
        }
    });

    let title = match editing {
        Some(_) => "Edit Agent Connector",
        None => "Add Agent Connector",
    };
    let permissions = move || store.permissions();
    let drift_rows = Memo::new(move |_| {
        let Some(bot) = form.bot.get() else {
            return Vec::new();
        };
        let here = editing.unwrap_or(ConnectorId(0));
        form.draft.with(|d| {
            store
                .connectors
                .with(|list| draft_drift(here, &d.custom_config, d.conversation_type, &bot, list))
        })
    });
    let save = Save {
        form,
        editing,
        seen,
        bot: Signal::derive(move || form.bot.get().and_then(|id| bot_ref(&id))),
        saving,
        outcome,
        advanced_open,
        form_ref,
        forms,
        store,
        backend,
        toasts,
        events,
    };

    let gone = editing.is_some() && original.is_none();
    view! {
            <Modal title=title.to_owned() on_cancel=Callback::new(move |_| cancel.with_value(|c| c()))>
                {gone.then(|| view! { <p class="bs-dialog__text">"This connector no longer exists."</p> }.into_any())}
                <form
                    class="bs-form"
                    node_ref=form_ref
                    novalidate=true
                    on:submit=move |ev: web_sys::SubmitEvent| {
                        ev.prevent_default();
                        if !saving.get_untracked() {
                            save.run();
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
                            let find_id = id("bot-find");
                            // Thousands of bots at 10,000 connectors: a search narrows the list.
                            const LISTED: usize = 200;
                            let typed = RwSignal::new(String::new());
                            let listed = Memo::new(move |_| {
                                let chosen = form.bot.get();
                                bot_choices.with_value(|all| {
                                    let (found, total) = typed.with(|t| bots_named(all, t, LISTED));
                                    let mut shown: Vec<BotRef> = found.into_iter().cloned().collect();
                                    // The chosen bot stays listed, whatever the search.
                                    if let Some(c) = chosen.as_ref().filter(|c| !shown.iter().any(|b| &b.id == *c))
                                        && let Some(b) = all.iter().find(|b| &b.id == c)
                                    {
                                        shown.insert(0, b.clone());
                                    }
                                    (shown, total)
                                })
                            });
                            view! {
                                <div class="bs-form__field">
                                    <label class="bs-field__label" for=find_id.clone()>"Find a bot"</label>
                                    <input
                                        id=find_id
                                        class="bs-input"
                                        type="search"
                                        placeholder="Part of its name"
                                        prop:value=move || typed.get()
                                        on:input=move |ev| typed.set(event_target_value(&ev))
                                    />
                                    <p class="bs-field__hint" aria-live="polite">
                                        {move || listed.with(|(_, total)| match *total {
                                            0 => "No bot's name holds that.".to_owned(),
                                            t if t > LISTED => format!("Showing the first {LISTED} of {} bots: type to narrow the list.", thousands(t as u64)),
                                            t => format!("{} bot{}.", thousands(t as u64), plural(t)),
                                        })}
                                    </p>
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
                                        {move || listed.get().0.into_iter().map(|b| {
                                            let value = b.id.0.clone();
                                            let this = b.id.clone();
                                            view! {
                                                <option value=value prop:selected=move || form.bot.with(|x| x.as_ref() == Some(&this))>{b.name}</option>
                                            }.into_any()
                                        }).collect_view()}
                                    </select>
                                    <div id=bot_msg>
                                        <When when=move || form.submitted.get() && form.bot.with(Option::is_none)>
                                            <p class="bs-field__error">"Choose the bot this connector serves."</p>
                                        </When>
                                        {move || form.problems(Field::Bot).into_iter().map(|p| view! { <p class="bs-field__error">{p.message}</p> }.into_any()).collect_view()}
                                    </div>
                                </div>
                            }.into_any()
                        }
                    }}

                    <AgentPicker form=form id_prefix=format!("bs-form-{ids}") />

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
                        <DraftField
                            form=form
                            label="Fallback Skill ID"
                            field=Field::FallbackSkillId
                            id=id("skill")
                            get=|d| &d.fallback_skill_id
                            set=|d, v| d.fallback_skill_id = v
                            inputmode="numeric"
                        />
                        <DraftField
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

                    <When when=move || !drift_rows.with(Vec::is_empty)>
                        <section class="bs-drift" aria-label="Configuration drift">
                            <h3 class="bs-form__subhead">"This configuration differs from the bot's other connectors"</h3>
    <DriftTable drift=drift_rows draft_first=true />
                        </section>
                    </When>

                    <p class="bs-form__outcome" role="alert">{move || outcome.get()}</p>
                    <When when=move || confirm_discard.get()>
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
                    </When>
                    <div class="bs-dialog__buttons">
                        {editing.map(|id| view! {
                            <button
                                type="button"
                                class="bs-button bs-button--danger bs-form__delete"
                                on:click=move |_| flow.begin(ActionKind::Delete, vec![id])
                            >
                                "Delete"
                            </button>
                        }.into_any())}
                        <button type="button" class="bs-button" on:click=move |_| cancel.with_value(|c| c())>"Cancel"</button>
                        <button type="submit" class="bs-button bs-button--primary" disabled=move || saving.get() || gone>
                            {move || String::from(if saving.get() { "Saving…" } else { "Save" })}
                        </button>
                    </div>
                </form>
            </Modal>
        }
}

/// A text field bound to one field of the draft: what it holds, what the user types into it,
/// and the problems to show for it.
#[component]
fn DraftField(
    /// The open form.
    form: FormState,

    /// The field's label.
    label: &'static str,

    /// Which field of the draft: its problems show under it.
    field: Field,

    /// The input's id.
    id: String,

    /// Reads the field from the draft.
    get: fn(&SettingsDraft) -> &String,

    /// Writes what was typed into the draft.
    set: fn(&mut SettingsDraft, String),

    /// `text` unless given.
    #[prop(optional, into)]
    input_type: Option<&'static str>,

    /// The keyboard a phone offers.
    #[prop(optional, into)]
    inputmode: Option<&'static str>,

    /// Shown while empty.
    #[prop(optional, into)]
    placeholder: Option<&'static str>,

    /// What the field is for.
    #[prop(optional, into)]
    hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <TextField
            label=label
            id=id
            value=Signal::derive(move || form.draft.with(|d| get(d).clone()))
            on_input=Callback::new(move |value| form.change(field, |d| set(d, value)))
            problems=Signal::derive(move || form.problems(field))
            input_type=input_type
            inputmode=inputmode
            placeholder=placeholder
            hint=hint
        />
    }
}
