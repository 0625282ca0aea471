// Tells Cédula the device's time zone (an IANA name such as "America/El_Salvador") in the `tz`
// cookie, so that the times on the pages are shown in it (infra/web/i18n.py). Loaded only by
// pages that show times; without it (or without JavaScript) times carry their offset instead.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone && /^[A-Za-z0-9_+\-/]{1,64}$/.test(zone) && !document.cookie.split("; ").includes(`tz=${zone}`)) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `tz=${zone}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
