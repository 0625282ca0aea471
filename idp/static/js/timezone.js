// Tells Cédula the device's time zone (an IANA name such as "America/El_Salvador") in the `tz`
// cookie, so that the times on the pages are shown in it (infra/web/i18n.py). Loaded only by
// pages that show times; without it (or without JavaScript) times carry their offset instead.
// Over https the cookie is `__Host-tz` (Secure, Path=/, no Domain): no other host of the
// domain can plant a zone that Cédula would take for the citizen's own.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const https = window.location.protocol === "https:";
const name = https ? "__Host-tz" : "tz";
if (zone && /^[A-Za-z0-9_+\-/]{1,64}$/.test(zone) && !document.cookie.split("; ").includes(`${name}=${zone}`)) {
  document.cookie = `${name}=${zone}; Path=/; Max-Age=31536000; SameSite=Lax${https ? "; Secure" : ""}`;
}
