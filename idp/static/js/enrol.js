// Enrolment: send the fields as JSON, create the passkey, verify, then show the codes.
import { showErrors } from "./error-summary.js";
import { runPasskeyCeremony } from "./passkey-button.js";
import { registerPasskey, supported } from "./webauthn.js";

const FIELDS = ["given_name", "family_name", "birthdate", "national_id", "email"];
const form = document.getElementById("enrol-form");
const formError = document.getElementById("form-error");
const submit = document.getElementById("enrol-submit");

function setFieldError(name, text) {
  const input = document.getElementById(name);
  const error = document.getElementById(`${name}-error`);
  const hint = document.getElementById(`${name}-hint`);
  const describedBy = hint ? [hint.id] : [];
  if (text) {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    describedBy.push(error.id);
  } else {
    error.textContent = "";
    error.hidden = true;
    input.removeAttribute("aria-invalid");
  }
  input.setAttribute("aria-describedby", describedBy.join(" "));
}

async function enrol() {
  const body = {};
  for (const name of FIELDS) {
    body[name] = form.elements[name].value;
    setFieldError(name, "");
  }
  const result = await registerPasskey(body);
  if (result.ok) {
    // Enrolment started from an agency's sign-in: the codes page leads back there.
    const target = result.data.redirect || "/account/recovery-codes";
    const next = form.dataset.next;
    window.location.assign(next ? `${target}?next=${encodeURIComponent(next)}` : target);
    return;
  }
  if (result.data.error === "invalid_field" && result.data.fields) {
    const names = FIELDS.filter((name) => result.data.fields[name]);
    for (const name of names) setFieldError(name, result.data.fields[name]);
    showErrors(formError, names.map((name) => ({ text: result.data.fields[name], field: name })));
  } else {
    showErrors(formError, [{ text: result.data.error_description || formError.dataset.failed }]);
  }
}

// Before the citizen fills the form: can this device keep a passkey itself (a platform
// authenticator with user verification)? If not, explain the other routes first
// (WebAuthn Level 3, section 5.1.7: isUserVerifyingPlatformAuthenticatorAvailable).
async function checkCapability() {
  const routes = document.getElementById("enrol-routes");
  const why = document.getElementById("enrol-routes-why");
  if (!supported()) {
    why.textContent = why.dataset.noWebauthn;
    for (const item of routes.querySelectorAll("[data-needs-webauthn]")) item.hidden = true;
    routes.hidden = false;
    return;
  }
  let platform = false;
  try {
    platform = typeof PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable === "function"
      && (await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
  } catch (error) {
    platform = false;
  }
  if (!platform) {
    why.textContent = why.dataset.noPlatform;
    routes.hidden = false;
  }
}

form.addEventListener("submit", (event) => {
  // "Recover my identity number" sends the typed details to the reclaim form (its formaction).
  if (event.submitter && event.submitter !== submit) return;
  event.preventDefault();
  runPasskeyCeremony(submit, formError, enrol);
});
checkCapability();
