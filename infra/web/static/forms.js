// A form is sent once: a second submit while the first answer is on its way (a double click,
// an impatient second click or Enter) is ignored. The first request uses what the form carries
// (a recovery code, a registrar's code, a decision): a second one was refused as "already used",
// and the browser showed that refusal while it threw the first answer away; on the demo portal,
// a double click on "issue a birth certificate" issued two. One file, loaded on every page of
// Cédula (idp/templates/base.html) and of the portal (portal/base.html): infra/web/assets.py.
// POST forms only (a GET repeats nothing); a form a page script sends itself (preventDefault:
// enrolment) is left to it. The guard lifts after a few seconds (a person who stopped the page
// and tries again) and when the page is shown again (the back button).
const GUARD_MS = 5000;
const sentAt = new WeakMap();

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  const last = sentAt.get(form);
  if (last !== undefined && Date.now() - last < GUARD_MS) {
    event.preventDefault();
    return;
  }
  sentAt.set(form, Date.now());
});

window.addEventListener("pageshow", () => {
  for (const form of document.forms) sentAt.delete(form);
});
