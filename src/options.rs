//! The options an app starts with, read from text: the hosted page's link parameters
//! (`?fleet=300&speed=10&api=…`) and an embedded app's attributes or `mount` options. One
//! parser serves both, so a value means the same everywhere and is refused with the same
//! sentence; the hosted page shows a refusal as a notice and goes on, an embed refuses to
//! start.

use bots_status_core::limits::MAX_CONNECTORS;
use bots_status_core::query::ConnectorQuery;
use bots_status_core::views::{ColumnSet, Columns};

use crate::app::AppConfig;
use crate::backend::Mode;
use crate::backend::live::LiveOptions;
use crate::backend::simulated::{SimulationOptions, Speed};
use crate::format::TimeZone;
use crate::theme::Theme;
use crate::view::{Page, UrlMode};

/// Every option, by its attribute spelling (`storage-key`; `storageKey` in JavaScript).
pub const OPTIONS: [&str; 12] = [
    "backend",
    "api",
    "token",
    "page",
    "filters",
    "url",
    "clock",
    "fleet",
    "seed",
    "speed",
    "storage-key",
    "theme",
];

/// An app configuration being read, option by option.
pub struct Options {
    config: AppConfig,
    /// Whether the options ask for the live backend (`backend`), and where (`api`); read
    /// together once every option is.
    live: Option<bool>,
    api: Option<String>,
    token: Option<String>,
}

/// `storageKey` → `storage-key`: JavaScript's spelling of an option, as an attribute.
pub fn attribute_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Options {
    /// Options over `config`, the defaults of the way the app is started.
    pub fn new(config: AppConfig) -> Options {
        Options {
            config,
            live: None,
            api: None,
            token: None,
        }
    }

    /// The options of an embedded app: it keeps nothing unless the host gives it a key.
    pub fn embedded() -> Options {
        Options::new(AppConfig {
            simulation: SimulationOptions {
                storage_key: None,
                ..SimulationOptions::default()
            },
            ..AppConfig::default()
        })
    }

    /// Reads option `name` (either spelling) with `value`, or says why not in a sentence
    /// that names it.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let key = attribute_name(name);
        let value = value.trim();
        let choices =
            |list: &[&str]| format!("{key}=\"{value}\" is not one of {}.", list.join(", "));
        let config = &mut self.config;
        match key.as_str() {
            "backend" => {
                self.live = match value {
                    "" | "simulated" => Some(false),
                    "live" => Some(true),
                    _ => return Err(choices(&["simulated", "live"])),
                }
            }
            "api" => {
                self.api = Some(
                    bots_status_core::live::base_url(value).map_err(|why| format!("api: {why}"))?,
                );
            }
            "token" => self.token = (!value.is_empty()).then(|| value.to_owned()),
            "page" => {
                let pages = Page::ALL.map(Page::slug);
                config.page = Some(Page::from_slug(value).ok_or_else(|| choices(&pages))?);
            }
            "filters" => {
                // The columns ride along as in a link (`cols=agent,status`).
                let (cols, rest): (Vec<&str>, Vec<&str>) =
                    value.split('&').partition(|p| p.starts_with("cols="));
                let (query, mut ignored) = ConnectorQuery::from_query_string(&rest.join("&"));
                for part in cols {
                    match ColumnSet::from_slugs(&part["cols=".len()..]) {
                        Some(set) => config.columns = Some(Columns::Chosen(set)),
                        None => ignored.push(part.to_owned()),
                    }
                }
                if !ignored.is_empty() {
                    return Err(format!(
                        "filters=\"{value}\": {} not understood (e.g. filters=\"env=demo&status=online\").",
                        ignored.join(", ")
                    ));
                }
                config.query = query;
            }
            "url" => {
                config.url = match value {
                    "" | "none" => UrlMode::Off,
                    "fragment" => UrlMode::Fragment,
                    _ => return Err(choices(&["none", "fragment"])),
                }
            }
            "clock" => {
                config.zone = match value {
                    "" | "local" => TimeZone::Local,
                    "utc" => TimeZone::Utc,
                    _ => return Err(choices(&["local", "utc"])),
                }
            }
            "fleet" => {
                config.simulation.size = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_CONNECTORS).contains(n))
                    .ok_or_else(|| {
                        format!(
                            "fleet=\"{value}\" must be a number of connectors from 1 to {MAX_CONNECTORS}."
                        )
                    })?;
            }
            "seed" => {
                config.simulation.seed = value
                    .parse()
                    .map_err(|_| format!("seed=\"{value}\" must be a whole number."))?;
            }
            "speed" => {
                let speeds = Speed::ALL.map(Speed::slug);
                config.simulation.speed =
                    Speed::from_slug(value).ok_or_else(|| choices(&speeds))?;
            }
            "theme" => {
                config.theme = Some(
                    Theme::from_slug(value)
                        .ok_or_else(|| format!("theme=\"{value}\": use light, dark or auto."))?,
                );
            }
            "storage-key" => {
                config.simulation.storage_key = (!value.is_empty()).then(|| value.to_owned());
                // The operator's columns and views are kept beside the simulation.
                config.prefs = crate::prefs::PrefsKey(config.simulation.storage_key.clone());
            }
            _ => {
                return Err(format!(
                    "\"{name}\" is not an option; the options are {}.",
                    OPTIONS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The configuration the options describe, once `backend` and `api` agree.
    pub fn finish(self) -> Result<AppConfig, String> {
        let Options {
            mut config,
            live,
            api,
            token,
        } = self;
        config.backend = match (live, api) {
            (Some(true), None) => {
                return Err(
                    "backend=\"live\" needs api, the address of the Bots Status API (e.g. api=\"https://fleet.example.com\")."
                        .to_owned(),
                );
            }
            (Some(false), Some(_)) => {
                return Err(
                    "api is the address of a live API, but backend=\"simulated\": leave out one of them."
                        .to_owned(),
                );
            }
            (_, Some(base_url)) => Mode::Live(LiveOptions { base_url, token }),
            (_, None) => config.backend,
        };
        Ok(config)
    }
}
