// The portal's forms are sent once (as Cédula's, idp/static/js/forms.js): a second submit of a
// POST form while the first answer is on its way (a double click) is ignored; a double click on
// "issue a birth certificate" issued two. The guard lifts after a few seconds and when the page
// is shown again (the back button). Loaded on every page (portal/base.html).
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
