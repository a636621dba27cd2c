"""A small front-end helper for quizzes and explorers in JupyterLab (an anywidget).

Placed as an invisible child of a quiz or explorer box, it

- marks the box and every control in it ``data-lm-suppress-shortcuts``, so keys typed there
  (arrows on a radio group, letters in a dropdown) reach the control and never JupyterLab's
  notebook shortcuts (Lumino matches a shortcut's selector from the focused element upward and
  stops at the first element that has the attribute);
- makes each question box focusable (``tabindex=-1``), so a click inside a question keeps the
  focus there and the next Tab goes to its first control, not to the cell toolbar;
- names each radio group (ipywidgets leaves its radio inputs unnamed, so arrow keys did not move
  between options);
- marks feedback and the score as ``aria-live`` regions, so screen readers announce them;
- has each slider announce its value with its unit, each explorer figure carry its caption as
  ``alt`` text, and each toggle button say whether it is pressed (``aria-pressed``): ipywidgets
  sets none of them;
- focuses a control when the kernel asks (:meth:`KeyboardShield.focus_on`), and makes Enter in a
  one-line answer box press its question's Check button;
- sends, with a click on Check or Finish, what the answer controls show at that moment, so the
  kernel grades at once what the learner sees (``on_action``), not a value still on its way;
- after a click on one of its buttons, pings the kernel; with no answer in a few seconds (the
  kernel was restarted or stopped) it says so and how to get the control back; when the kernel's
  channel is already closed it stops the click, which would otherwise end in an uncaught error.

Its JavaScript ships inside this module (anywidget serves it from the Python package): nothing
is fetched from the network.
"""

from __future__ import annotations

import json
from typing import Any

import anywidget
import traitlets

__all__ = ["KeyboardShield", "STALE_MESSAGE"]

STALE_MESSAGE = ("No answer from the Python kernel: it was restarted or stopped, so nothing here is "
                 "checked or saved. Run the lesson from the top (Run menu, Run All Cells) to use it "
                 "again; the answers you already checked are kept.")

_ESM = """
const STALE = __STALE__;
function render({ model, el }) {
  el.style.display = "none";
  let host = null, waiting = null, banner = null;
  const mark = () => {
    // Lumino matches a shortcut's selector from the focused element upward and stops at the first
    // element with this attribute, so it must sit on every element that can take the focus.
    host.setAttribute("data-lm-suppress-shortcuts", "true");
    host.querySelectorAll(".tmv-question").forEach((q) => {
      if (!q.hasAttribute("tabindex")) q.setAttribute("tabindex", "-1");
    });
    host.querySelectorAll("input, select, textarea, button, [tabindex]").forEach((e) => {
      if (!e.hasAttribute("data-lm-suppress-shortcuts")) e.setAttribute("data-lm-suppress-shortcuts", "true");
    });
    host.querySelectorAll('[class*="tmv-feedback-"], .tmv-score, .tmv-status').forEach((f) => {
      f.setAttribute("aria-live", "polite");
    });
    // feedback and the test score can take the focus (after Check or Finish, see focusOn)
    host.querySelectorAll('[class*="tmv-feedback-"], .tmv-status').forEach((f) => {
      if (!f.hasAttribute("tabindex")) f.setAttribute("tabindex", "-1");
    });
    // A slider's handle announces its value with the unit its label names ("Window from (nm)":
    // "20,000 nm"), not a step number; an explorer's figure takes its caption as alt text.
    host.querySelectorAll(".widget-slider, .jupyter-widget-slider").forEach((slider) => {
      const handle = slider.querySelector('[role="slider"]');
      const readout = slider.querySelector(".widget-readout");
      const label = slider.querySelector(".widget-label");
      if (!handle || !readout) return;
      const name = label ? label.textContent.trim() : "";
      const unit = (name.match(/\\(([^()]+)\\)\\s*$/) || [])[1];
      const text = readout.textContent.trim() + (unit ? " " + unit : "");
      if (handle.getAttribute("aria-valuetext") !== text) handle.setAttribute("aria-valuetext", text);
      if (name && handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
    });
    host.querySelectorAll("img").forEach((img) => {
      const caption = img.nextElementSibling;
      if (!caption || !/-alt(\\s|$)/.test(caption.className)) return;
      const alt = caption.textContent.trim().replace(/^Figure:\\s*/, "");
      if (alt && img.alt !== alt) img.alt = alt;
    });
    // A toggle button (the immune map's "Consequence" choices) says whether it is pressed, which
    // ipywidgets shows only by a colour (its mod-active class).
    host.querySelectorAll(".widget-toggle-buttons button, button.widget-toggle-button").forEach((b) => {
      const pressed = b.classList.contains("mod-active") ? "true" : "false";
      if (b.getAttribute("aria-pressed") !== pressed) b.setAttribute("aria-pressed", pressed);
    });
    // ipywidgets' radio inputs have no shared name, so the browser does not treat them as one
    // group and arrow keys do nothing: give each radio box's inputs one name.
    host.querySelectorAll(".widget-radio-box").forEach((box) => {
      if (!box.dataset.tmvGroup) box.dataset.tmvGroup = "tmv-radio-" + Math.random().toString(36).slice(2);
      box.querySelectorAll("input[type=radio]").forEach((radio) => {
        if (radio.name !== box.dataset.tmvGroup) radio.name = box.dataset.tmvGroup;
      });
    });
  };
  const stale = (where) => {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "tmv-stale";
      banner.setAttribute("role", "alert");
      banner.textContent = "\\u26a0 " + STALE;
      banner.style.cssText = "border:2px solid #D55E00;padding:6px;margin:4px 0;font-weight:bold";
    }
    where.prepend(banner);  // next to what was clicked, where the learner is looking
  };
  // What a question's answer controls hold on screen now, control by control (its classes
  // tmv-input-<id>-<n>): a radio group's or dropdown's index, a checkbox, a text box's text.
  const inputsOf = (question) => {
    const box = host.querySelector(".tmv-q-" + CSS.escape(question));
    const out = [];
    for (let n = 0; box; n++) {
      const control = box.querySelector(".tmv-input-" + CSS.escape(question) + "-" + n);
      if (!control) break;
      const radios = [...control.querySelectorAll('input[type="radio"]')];
      const select = control.querySelector("select");
      const checkbox = control.querySelector('input[type="checkbox"]');
      const text = control.querySelector("input, textarea");
      if (radios.length) {
        const picked = radios.find((r) => r.checked);
        out.push({ index: picked ? parseInt(picked.value, 10) : null });
      } else if (select) {
        out.push({ index: select.selectedIndex >= 0 ? select.selectedIndex : null });
      } else if (checkbox) {
        out.push({ checked: checkbox.checked });
      } else if (text) {
        out.push({ text: text.value });
      } else {
        out.push({});
      }
    }
    return out;
  };
  // Check and Finish send what is on screen with the click, so the kernel grades it at once (an
  // input's own update may still wait behind ipywidgets' one-message-at-a-time throttle).
  const action = (button) => {
    if (!button || button.disabled) return null;
    const check = [...button.classList].find((c) => c.startsWith("tmv-check-"));
    if (check) {
      const question = check.slice("tmv-check-".length);
      return { action: "check", question, values: { [question]: inputsOf(question) } };
    }
    if (button.classList.contains("tmv-finish")) {
      const values = {};
      host.querySelectorAll(".tmv-question").forEach((q) => {
        const id = [...q.classList].find((c) => c.startsWith("tmv-q-"));
        if (id) values[id.slice("tmv-q-".length)] = inputsOf(id.slice("tmv-q-".length));
      });
      return { action: "finish", values };
    }
    return null;
  };
  const onClick = (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const where = event.target.closest(".tmv-question, .tmv-solution-box") || host;
    const token = String(Date.now()) + Math.random();
    const act = model.get("acts") ? action(button) : null;
    waiting = token;
    try {
      model.send(act ? { ping: token, ...act } : { ping: token });
      if (act) {  // the kernel acts on this message; the button's own would come later, doing nothing
        event.stopPropagation();
        event.preventDefault();
      }
    } catch (e) {
      // The kernel's channel is closed (a restart): the button's own handler would throw "Cannot
      // send" as an uncaught page error and do nothing; stop the click here and say what works.
      event.stopPropagation();
      event.preventDefault();
      stale(where);
      return;
    }
    setTimeout(() => { if (waiting === token) stale(where); }, 4000);
  };
  // The kernel asks to focus a control (after "Try again" disabled the focused button): the first
  // input, select or button in (or at) the element matching msg.focus, once it is enabled again;
  // an element with no control but a tabindex (feedback, the score) takes the focus itself.
  const focusOn = (selector, tries) => {
    const target = host && host.querySelector(selector);
    const control = target && (target.matches("input, select, textarea, button") ? target
      : target.querySelector("input:checked, input, select, textarea, button"));
    if (control && !control.disabled) { control.focus(); return; }
    if (!control && target && target.hasAttribute("tabindex") && target.textContent.trim()) {
      target.focus();
      return;
    }
    if (tries > 0) requestAnimationFrame(() => focusOn(selector, tries - 1));
  };
  // Enter in a one-line answer box presses its question's Check button, once the box has sent its
  // value (it does on Enter, as a change event). Listened to while capturing: the box's own keydown
  // handler stops the event; no preventDefault, which would stop that change event too.
  const onKey = (event) => {
    if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.ctrlKey || event.altKey
        || event.metaKey || !event.target.matches("input[type=text], input:not([type])")) return;
    const question = event.target.closest(".tmv-question");
    const check = question && question.querySelector('button[class*="tmv-check-"]');
    if (!check || check.disabled) return;
    setTimeout(() => { if (!check.disabled) check.click(); }, 0);
  };
  model.on("msg:custom", (msg) => {
    if (msg && msg.pong === waiting) waiting = null;
    if (banner && msg && msg.pong) { banner.remove(); banner = null; }
    if (msg && typeof msg.focus === "string") focusOn(msg.focus, 60);
  });
  let observer = null;
  const attach = () => {
    host = el.closest(model.get("host_selector"));
    if (!host) { requestAnimationFrame(attach); return; }
    mark();
    observer = new MutationObserver(mark);
    // new controls, and a control's state shown by its class (a toggle button's mod-active)
    observer.observe(host, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
    host.addEventListener("click", onClick, true);
    host.addEventListener("keydown", onKey, true);
  };
  attach();
  return () => {
    if (observer) observer.disconnect();
    if (!host) return;
    host.removeEventListener("click", onClick, true);
    host.removeEventListener("keydown", onKey, true);
  };
}
export default { render };
""".replace("__STALE__", json.dumps(STALE_MESSAGE))


class KeyboardShield(anywidget.AnyWidget):
    """Invisible: keeps keys inside its box, announces feedback, and notices a lost kernel.

    ``host_selector`` is a CSS selector of the box it serves (its closest ancestor matching it).
    ``on_action``: called with ``{"action": "check", "question": id, "values": {...}}`` or
    ``{"action": "finish", "values": {...}}`` when a Check or Finish button in the box is pressed,
    ``values`` mapping question ids to what their answer controls show (see the front end's
    ``inputsOf``); the button's own click is then stopped.
    """

    _esm = _ESM
    host_selector = traitlets.Unicode(".tmv-quiz").tag(sync=True)
    acts = traitlets.Bool(False).tag(sync=True)  # whether Check and Finish go through on_action

    def __init__(self, host_selector: str = ".tmv-quiz", on_action: Any = None, **kwargs: Any):
        super().__init__(host_selector=host_selector, acts=on_action is not None, **kwargs)
        self._on_action = on_action
        self.on_msg(self._answer)

    def focus_on(self, selector: str) -> None:
        """Put the keyboard focus on the first control in (or at) the element matching ``selector``
        inside the box, as soon as it is enabled."""
        self.send({"focus": selector})

    def _answer(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and "ping" in content:
            self.send({"pong": content["ping"]})
        if isinstance(content, dict) and content.get("action") and self._on_action is not None:
            self._on_action(content)
