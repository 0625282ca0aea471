// The recovery form: the session a code opens is a cookie, and the form's CSRF check needs
// one too. A browser blocking this site's cookies was refused with "the form expired,
// reload and try again", which no reload mends: the form is not sent, and the error summary
// says why and what to do (data-cookies-blocked).
import { cookiesWork } from "./cookies.js";
import { showErrors } from "./error-summary.js";

const form = document.getElementById("recover-form");
const errorBox = document.getElementById("form-error");

form.addEventListener("submit", (event) => {
  if (cookiesWork()) return;
  event.preventDefault();
  showErrors(errorBox, [{ text: errorBox.dataset.cookiesBlocked }]);
});
