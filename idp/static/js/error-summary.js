// The error summary (GOV.UK pattern): the box at the top of a form page lists what went wrong,
// each item a link to its field; focus moves to the box and the title starts with "Error:".
// Loaded on every page (base.html); pages with a script import showErrors / clearErrors.

const summaries = () => document.querySelectorAll("[data-error-summary]");

function retitle() {
  const shown = [...summaries()].find((box) => !box.hidden);
  const prefix = (shown || summaries()[0] || { dataset: {} }).dataset.titlePrefix;
  if (!prefix) return;
  const base = document.title.startsWith(`${prefix} `) ? document.title.slice(prefix.length + 1) : document.title;
  document.title = shown ? `${prefix} ${base}` : base;
}

// items: [{ text, field, href }]: field is the id of the control the item is about (the link
// moves focus there); href a page the next step is on; neither: plain text.
export function showErrors(box, items) {
  const list = box.querySelector("ul");
  list.replaceChildren(
    ...items.map(({ text, field, href }) => {
      const item = document.createElement("li");
      if (field || href) {
        const link = document.createElement("a");
        link.href = field ? `#${field}` : href;
        link.textContent = text;
        item.append(link);
      } else {
        item.textContent = text;
      }
      return item;
    }),
  );
  box.hidden = false;
  retitle();
  box.focus();
}

export function clearErrors(box) {
  box.querySelector("ul").replaceChildren();
  box.hidden = true;
  retitle();
}

// A link in the summary moves focus to its field (and scrolls its label into view).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.hash.slice(1));
  if (!field) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${field.id}"]`);
  (label || field).scrollIntoView();
  field.focus({ preventScroll: true });
});

// A page rendered with errors: focus the summary so it is read first.
const shown = [...summaries()].find((box) => !box.hidden);
if (shown) shown.focus();
