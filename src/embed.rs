//! Embedding in a host page: `mount(element, options)` (exported to JavaScript) and the
//! `<bots-status>` custom element, whose attributes are the same options.
//!
//! An embedded app keeps its view in its own state unless the host allows the URL fragment,
//! carries its stylesheet inside its root, tells the host what happened through DOM events on
//! the host element (see [`crate::app::EventsOut`]), and leaves nothing behind when unmounted.

use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::app::AppConfig;
use crate::options::Options;
use crate::{AppHandle, mount_app};

/// What `mount` returns: call `unmount()` to take the app out of the page again.
#[wasm_bindgen(js_name = BotsStatus)]
pub struct Embedded {
    app: Option<AppHandle>,
    /// The message shown instead of the app when the options were not understood.
    error: Option<web_sys::Element>,
}

#[wasm_bindgen(js_class = BotsStatus)]
impl Embedded {
    /// Removes the app (or its error message) from the host element, stops its clock and
    /// saves its state if it keeps one. Calling it twice does nothing more.
    pub fn unmount(&mut self) {
        self.app.take();
        if let Some(error) = self.error.take() {
            error.remove();
        }
    }
}

/// Mounts Bots Status into `element`. `options` is an object (or undefined) with any of:
/// `backend` ("simulated" | "live"), `api` (the live API's address, e.g.
/// "https://fleet.example.com"; it implies "live"), `token` (the live API's bearer token),
/// `page` ("dashboard" | "agents" | "pcs" | "events"), `filters` (as in the
/// hosted page's URL, e.g. "env=demo&status=online"), `url` ("none" | "fragment"), `clock`
/// ("local" | "utc"), `fleet` (connectors, 1 to 100000), `seed`, `speed` ("1" | "10" | "60" |
/// "instant"), `theme` ("light" | "dark" | "auto", the default: the system's) and
/// `storageKey` (keep the simulation, and the operator's columns, saved views and theme, in
/// localStorage under this key).
/// Options it does not understand are refused: the element shows why, and so does the error
/// thrown.
#[wasm_bindgen]
pub fn mount(element: HtmlElement, options: JsValue) -> Result<Embedded, JsError> {
    let options = options_from_js(&options);
    match options.and_then(|o| config_from(&o)) {
        Ok(config) => Ok(start(element, config)),
        Err(why) => {
            show_error(&element, &why);
            Err(JsError::new(&format!("Bots Status cannot start: {why}")))
        }
    }
}

/// Mounts with `config`, telling `element` what happens.
fn start(element: HtmlElement, mut config: AppConfig) -> Embedded {
    config.events = Some(element.clone());
    Embedded {
        app: Some(mount_app(element, config)),
        error: None,
    }
}

/// The options object as (name, value) pairs in the order of their names, whatever the
/// JavaScript types of the values: a string as it is, anything else as its JSON.
fn options_from_js(options: &JsValue) -> Result<Vec<(String, String)>, String> {
    use web_sys::js_sys::{Array, JSON, Object};
    if options.is_undefined() || options.is_null() {
        return Ok(Vec::new());
    }
    let not_an_object = || "the options must be an object, e.g. { page: \"agents\" }".to_owned();
    if !options.is_object() || Array::is_array(options) {
        return Err(not_an_object());
    }
    let mut pairs = Vec::new();
    for entry in Object::entries(options.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        let name = entry.get(0).as_string().ok_or_else(not_an_object)?;
        let value = entry.get(1);
        let value = match value.as_string() {
            Some(text) => text,
            None => JSON::stringify(&value)
                .ok()
                .and_then(|text| text.as_string())
                .ok_or_else(not_an_object)?,
        };
        pairs.push((name, value));
    }
    // An object's names are unique; read in their order, the first problem is the same
    // whatever order the host wrote them in.
    bots_status_core::order::sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

/// An app configuration from options given as text (attributes, or a JavaScript object's
/// values); the first problem is returned as a sentence that names the option.
pub fn config_from(options: &[(String, String)]) -> Result<AppConfig, String> {
    let mut reading = Options::embedded();
    for (name, value) in options {
        reading.set(name, value)?;
    }
    reading.finish()
}

/// Shows why the app cannot start, inside `element`, styled like the app.
fn show_error(element: &HtmlElement, why: &str) {
    let Some(document) = element.owner_document() else {
        return;
    };
    let Ok(root) = document.create_element("div") else {
        return;
    };
    root.set_class_name("bs-app bs-embed-error");
    let Ok(style) = document.create_element("style") else {
        return;
    };
    style.set_text_content(Some(crate::style::CSS));
    let Ok(message) = document.create_element("p") else {
        return;
    };
    message.set_class_name("bs-embed-error__text");
    let _ = message.set_attribute("role", "alert");
    message.set_text_content(Some(&format!("Bots Status cannot start: {why}")));
    let _ = root.append_child(&style);
    let _ = root.append_child(&message);
    let _ = element.append_child(&root);
}

#[wasm_bindgen(inline_js = r#"
export function define_bots_status(start) {
  if (customElements.get('bots-status')) return;
  customElements.define('bots-status', class extends HTMLElement {
    static get observedAttributes() {
      return ['backend', 'api', 'token', 'page', 'filters', 'url', 'clock', 'fleet', 'seed', 'speed', 'storage-key'];
    }
    connectedCallback() { this.bsStart(); }
    disconnectedCallback() { this.bsStop(); }
    attributeChangedCallback() {
      // Before the element is in the page there is nothing to restart.
      if (this.bsApp !== undefined) { this.bsStop(); this.bsStart(); }
    }
    bsStart() {
      const options = {};
      for (const attribute of this.attributes) options[attribute.name] = attribute.value;
      this.bsApp = start(this, options);
    }
    bsStop() {
      const app = this.bsApp;
      this.bsApp = undefined;
      if (app) { app.unmount(); app.free(); }
    }
  });
}
"#)]
extern "C" {
    fn define_bots_status(start: &Closure<dyn Fn(HtmlElement, JsValue) -> JsValue>);
}

/// Defines `<bots-status>`: each element in the page runs its own app, restarted when an
/// attribute changes, and unmounted when the element leaves the page. Attributes it does not
/// understand show a clear message inside the element instead of the app.
pub fn define_element() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static DEFINED: AtomicBool = AtomicBool::new(false);
    if DEFINED.swap(true, Ordering::Relaxed) {
        return;
    }
    let start_element = Closure::<dyn Fn(HtmlElement, JsValue) -> JsValue>::new(
        |element: HtmlElement, attributes: JsValue| {
            let embedded = match options_from_js(&attributes).and_then(|o| config_from(&o)) {
                Ok(config) => start(element, config),
                Err(why) => {
                    show_error(&element, &why);
                    Embedded {
                        app: None,
                        error: element.last_element_child(),
                    }
                }
            };
            JsValue::from(embedded)
        },
    );
    define_bots_status(&start_element);
    // The element's class calls it for as long as the page lives.
    start_element.forget();
}
