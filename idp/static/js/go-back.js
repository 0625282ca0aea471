// An error page that tells the visitor to go back (the form to send again, the agency's site)
// offers the way there: a button to the previous page. The Referer is never sent
// (Referrer-Policy: no-referrer), so the server cannot link it; the button is shown only when
// this tab has a page to go back to.
const step = document.getElementById("go-back-step");
const button = document.getElementById("go-back");
if (step && button && window.history.length > 1) {
  button.addEventListener("click", () => window.history.back());
  step.hidden = false;
}
