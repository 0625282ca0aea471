// Passkey ceremonies in the browser: the WebAuthn Level 3 JSON forms, with a small
// fallback for browsers without parse*OptionsFromJSON / toJSON. No framework.

export function supported() {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

export function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(value) {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const text = atob(padded);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes.buffer;
}

const withIds = (list) => (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

export function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  };
}

export function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

export function credentialToJSON(credential) {
  if (typeof credential.toJSON === "function") {
    try {
      return credential.toJSON();
    } catch (error) {
      // Some password managers return objects whose toJSON throws; fall through.
    }
  }
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || null,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    json.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
  }
  return json;
}

// headers: more request headers (the registrar console sends its CSRF token this way).
export async function postJSON(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    // The page's language: an API answers in English unless asked (or the lang cookie says),
    // and a browser asking for neither language reads the pages in Spanish. X-Page-Language
    // says it is the page's (an agency's ui_locales may have chosen it over the lang cookie):
    // the server's sentences then follow it (infra.web.i18n.page_language).
    headers: {
      "Content-Type": "application/json", Accept: "application/json",
      "Accept-Language": document.documentElement.lang,
      "X-Page-Language": document.documentElement.lang, ...headers,
    },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  // An API's 429 speaks to a developer ("this client", "the Retry-After header"): a person
  // reads the page's own sentence (base.html, data-rate-limited) in its place.
  const tooMany = document.body.dataset.rateLimited;
  if (response.status === 429 && tooMany) data = { ...data, error_description: tooMany };
  return { ok: response.ok, status: response.status, data };
}

export function showMessage(element, text) {
  element.textContent = text;
  element.hidden = false;
}

export function hideMessage(element) {
  element.textContent = "";
  element.hidden = true;
}

// The browser's own errors, in the page's words: the person cancelled, or it failed.
export function browserErrorMessage(error, element) {
  if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    return element.dataset.cancelled;
  }
  if (error && error.name === "InvalidStateError") {
    // The authenticator already holds one of this citizen's passkeys (excludeCredentials).
    return element.dataset.exists || element.dataset.cancelled;
  }
  return element.dataset.failed;
}

// Register a new passkey: options (body: enrolment fields or {}), create, verify.
// Returns {ok, data} from the last step that answered, or throws the browser's error.
export async function registerPasskey(body) {
  const options = await postJSON("/webauthn/registration/options", body);
  if (!options.ok) return options;
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options.data) });
  return postJSON("/webauthn/registration/verify", credentialToJSON(credential));
}
